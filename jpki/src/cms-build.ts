/**
 * Builds a CMS SignedData (RFC 5652 §5) with pkijs around a signature made elsewhere (on the
 * card): one signer identified by issuer and serial number, SHA-256, signed attributes
 * content-type, signing-time and message-digest (§11.1–11.3), the signer's certificate included.
 */
import { createHash } from 'node:crypto';
import * as asn1js from 'asn1js';
import { pkijs } from './engine.ts';
import { OID } from './constants.ts';
import { toArrayBuffer } from './bytes.ts';

export interface BuildSignedDataParams {
  content: Uint8Array;
  certificate: Uint8Array;
  detached: boolean;
  signingTime: Date;
  /** Signs the DER of the signed attributes (a SET) with RSASSA-PKCS1-v1_5 / SHA-256. */
  sign(signedAttrs: Uint8Array): Promise<Uint8Array>;
}

export async function buildSignedData(p: BuildSignedDataParams): Promise<Uint8Array> {
  const cert = pkijs.Certificate.fromBER(toArrayBuffer(p.certificate));
  const sha256 = () => new pkijs.AlgorithmIdentifier({ algorithmId: OID.sha256, algorithmParams: new asn1js.Null() });
  const signedAttrs = new pkijs.SignedAndUnsignedAttributes({
    type: 0,
    attributes: [
      new pkijs.Attribute({ type: OID.contentType, values: [new asn1js.ObjectIdentifier({ value: OID.data })] }),
      new pkijs.Attribute({ type: OID.signingTime, values: [new asn1js.UTCTime({ valueDate: p.signingTime })] }),
      new pkijs.Attribute({
        type: OID.messageDigest,
        values: [new asn1js.OctetString({ valueHex: toArrayBuffer(createHash('sha256').update(p.content).digest()) })],
      }),
    ],
  });
  // §5.4: the signature covers the DER of the attributes with an explicit SET OF tag
  const attrsDer = new Uint8Array(signedAttrs.toSchema().toBER(false));
  attrsDer[0] = 0x31;
  const signature = await p.sign(attrsDer);

  const encapContentInfo = new pkijs.EncapsulatedContentInfo({ eContentType: OID.data });
  // set after construction: pkijs' constructor would split the content into a constructed (BER) OCTET STRING; DER wants it primitive
  if (!p.detached) encapContentInfo.eContent = new asn1js.OctetString({ valueHex: toArrayBuffer(p.content) });
  const signedData = new pkijs.SignedData({
    version: 1,
    digestAlgorithms: [sha256()],
    encapContentInfo,
    certificates: [cert],
    signerInfos: [
      new pkijs.SignerInfo({
        version: 1,
        sid: new pkijs.IssuerAndSerialNumber({ issuer: cert.issuer, serialNumber: cert.serialNumber }),
        digestAlgorithm: sha256(),
        signedAttrs,
        signatureAlgorithm: new pkijs.AlgorithmIdentifier({
          algorithmId: OID.sha256WithRSA,
          algorithmParams: new asn1js.Null(),
        }),
        signature: new asn1js.OctetString({ valueHex: toArrayBuffer(signature) }),
      }),
    ],
  });
  const info = new pkijs.ContentInfo({ contentType: OID.signedData, content: signedData.toSchema(true) });
  return new Uint8Array(info.toSchema().toBER(false));
}
