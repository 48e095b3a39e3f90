/** The authority's CRLs, one per issuing CA, each signed by that CA with the next cRLNumber. */
import * as asn1js from 'asn1js';
import { x509, RSA_ALG } from './engine.ts';
import type { CaMaterial, CertKind } from './profile.ts';
import type { AuthorityStore } from './authority-store.ts';
import { REASON_CODE } from './revocation-reason.ts';

export interface AuthorityCrlOptions {
  store: AuthorityStore;
  issuers: Record<CertKind, CaMaterial>;
  clock: () => Date;
  /** nextUpdate − thisUpdate of each CRL, ms. */
  validityMs: number;
}

/** Returns the maker of the current DER CRL of an issuing CA. */
export function createCrlMaker(o: AuthorityCrlOptions): (kind: CertKind) => Promise<Uint8Array> {
  const { store, issuers } = o;
  const crlCache = new Map<CertKind, { revision: number; until: number; der: Uint8Array }>();

  return async function makeCrl(kind) {
    const now = o.clock();
    const data = store.read()!;
    const cached = crlCache.get(kind);
    // reuse while nothing changed and at most half the validity has gone
    if (cached && cached.revision === data.revision && now.getTime() < cached.until) return cached.der;
    const number = store.update((d) => {
      d!.crlNumber[kind] += 1;
      return { data: d!, result: d!.crlNumber[kind] };
    });
    const revoked = Object.values(data.certs).filter((r) => r.kind === kind && r.status === 'revoked');
    const crl = await x509.X509CrlGenerator.create({
      issuer: issuers[kind].cert.subjectName,
      thisUpdate: now,
      nextUpdate: new Date(now.getTime() + o.validityMs),
      signingKey: issuers[kind].privateKey,
      signingAlgorithm: RSA_ALG,
      extensions: [
        await x509.AuthorityKeyIdentifierExtension.create(issuers[kind].cert.publicKey),
        new x509.Extension('2.5.29.20', false, new asn1js.Integer({ value: number }).toBER(false)), // cRLNumber
      ],
      entries: revoked.map((r) => ({
        serialNumber: r.serial,
        revocationDate: new Date(r.revokedAt!),
        reason: REASON_CODE[r.reason ?? 'unspecified'],
      })),
    });
    const der = new Uint8Array(crl.rawData);
    crlCache.set(kind, { revision: store.read()!.revision, until: now.getTime() + o.validityMs / 2, der });
    return der;
  };
}
