/**
 * CMS SignedData (RFC 5652): the message's form and algorithms, the signer's certificate among
 * those it carries, the content against the signed digest, the RSA signature; then the signer's
 * certificate as any other (verify-certificate.ts).
 */
import { createHash, verify as rsaVerify, timingSafeEqual } from 'node:crypto';
import type { Purpose } from './certificate-check.ts';
import { parseCms, DIGESTS, SIGNATURE_ALGS, type ParsedCms } from './cms-parse.ts';
import type { CertificateEntry } from './certificate-cache.ts';
import { equalBytes, toBytes } from './bytes.ts';
import { oidBytes } from './der.ts';
import { OID } from './constants.ts';
import { fail, type CertificateOk, type CmsResult, type VerifyFailure } from './verify-result.ts';

const SIGNED_DATA_DIGESTS = new Map(DIGESTS.map((d) => [Buffer.from(d.oid).toString('hex'), d.name]));
const SIG_ALGS = new Map(SIGNATURE_ALGS.map((s) => [Buffer.from(s.oid).toString('hex'), s.hash]));
const DATA_OID = oidBytes(OID.data);

export interface CmsCheckContext {
  entryFor(der: Uint8Array): Promise<CertificateEntry>;
  checkCertificate(e: CertificateEntry, purpose: Purpose, at: Date): Promise<CertificateOk | VerifyFailure>;
  clock: () => Date;
}

function signerEntry(cms: ParsedCms, candidates: CertificateEntry[]): CertificateEntry | undefined {
  return candidates.find(
    (e) =>
      e.info &&
      ('ski' in cms.sid
        ? e.info.ski !== undefined && equalBytes(e.info.ski, cms.sid.ski)
        : equalBytes(e.info.issuerDer, cms.sid.issuer) && equalBytes(e.info.serialValue, cms.sid.serial)),
  );
}

export async function verifyCmsMessage(
  ctx: CmsCheckContext,
  cmsDer: Uint8Array,
  o: { purpose?: Purpose; detachedContent?: Uint8Array; at?: Date },
): Promise<CmsResult> {
  const purpose = o.purpose ?? 'sign';
  if (purpose !== 'auth' && purpose !== 'sign') return fail('malformed', "purpose must be 'auth' or 'sign'");
  if (!(cmsDer instanceof Uint8Array) || cmsDer.length === 0) return fail('malformed', 'no CMS message given');
  let cms: ParsedCms;
  try {
    cms = parseCms(cmsDer);
  } catch (e) {
    return fail('malformed', `CMS: ${(e as Error).message}`);
  }
  const detached = o.detachedContent === undefined ? undefined : toBytes(o.detachedContent);
  if (!cms.eContent && !detached)
    return fail('malformed', 'the signature is detached: pass the signed content as detachedContent');
  const content = cms.eContent ?? detached!;
  const digestName = SIGNED_DATA_DIGESTS.get(Buffer.from(cms.digestOid).toString('hex'));
  if (!digestName) return fail('malformed', 'unsupported digest algorithm (SHA-256, SHA-384 or SHA-512 expected)');
  const sigAlg = SIG_ALGS.get(Buffer.from(cms.signatureOid).toString('hex'));
  if (sigAlg === undefined) return fail('malformed', 'unsupported signature algorithm (RSA PKCS#1 v1.5 expected)');
  if (sigAlg !== null && sigAlg !== digestName) return fail('malformed', 'signature and digest algorithms disagree');

  const signer = signerEntry(cms, await Promise.all(cms.certificates.map(ctx.entryFor)));
  if (!signer) return fail('malformed', "the signer's certificate is not in the message");
  if (!signer.info) return fail('malformed', signer.malformed ?? 'signer certificate is malformed');
  const serial = signer.info.serial;

  if (detached && cms.eContent && !equalBytes(detached, cms.eContent)) {
    return fail('content-tampered', 'the content passed differs from the content in the message', { serial });
  }
  const digest = createHash(digestName).update(content).digest();
  let signedBytes: Uint8Array = content;
  if (cms.signedAttrs) {
    const { contentType, messageDigest } = cms.attrs;
    if (!contentType || !messageDigest)
      return fail('malformed', 'signed attributes lack content-type or message-digest', { serial });
    if (!equalBytes(contentType, cms.eContentType))
      return fail('bad-signature', 'the content-type attribute differs from the content type', { serial });
    if (messageDigest.length !== digest.length || !timingSafeEqual(messageDigest, digest)) {
      return fail('content-tampered', 'the content does not match the signed message digest', { serial });
    }
    signedBytes = cms.signedAttrs;
  } else if (!equalBytes(cms.eContentType, DATA_OID)) {
    return fail('malformed', 'without signed attributes the content type must be id-data', { serial });
  }
  let good = false;
  try {
    good = rsaVerify(digestName, signedBytes, signer.info.key, cms.signature);
  } catch {
    /* not an RSA key, or a signature of the wrong size */
  }
  // without signed attributes a changed content and a bad signature look the same: report the signature
  if (!good) return fail('bad-signature', 'the signature does not verify with the signer certificate', { serial });

  const r = await ctx.checkCertificate(signer, purpose, o.at ?? ctx.clock());
  if (!r.ok) return r;
  return { ...r, content, ...(cms.attrs.signingTime ? { signingTime: cms.attrs.signingTime } : {}) };
}
