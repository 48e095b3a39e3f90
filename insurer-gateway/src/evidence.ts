/**
 * Re-verification from stored evidence, years later: the same jpki verifier, set to the time the
 * report was received and given, as its only status source, the signed OCSP response kept with
 * the report. So the chain, the signature and the authority's signed "good" at that time are all
 * checked again; nothing is taken from the database on trust.
 */
import { createVerifier, type TrustAnchorsInput } from '@kizuna/jpki';
import type { EvidenceVerifier } from './ports.ts';

export function createEvidenceVerifier(opts: { trustAnchors: TrustAnchorsInput }): EvidenceVerifier {
  return {
    async verifyEvidence(input) {
      if (!input.ocspResponse)
        return { ok: false, reason: 'status-unknown', detail: 'no OCSP response was kept with this report' };
      const stored = input.ocspResponse;
      const verifier = createVerifier({
        trustAnchors: opts.trustAnchors,
        clock: () => input.at,
        // the stored response answered another request's nonce: check everything else about it
        ocspNonce: false,
        status: { kind: 'ocsp', name: 'stored evidence', send: async () => stored },
      });
      const r = await verifier.verifyCms(input.cms, {
        purpose: 'sign',
        at: input.at,
        ...(input.detachedContent ? { detachedContent: input.detachedContent } : {}),
      });
      if (!r.ok) return { ok: false, reason: r.reason, detail: r.detail };
      const sameSigner = Buffer.from(r.evidence.signerCertificate).equals(Buffer.from(input.signerCertificate));
      return sameSigner
        ? { ok: true }
        : { ok: false, reason: 'evidence-mismatch', detail: 'the stored signer certificate is not the one in the CMS' };
    },
  };
}
