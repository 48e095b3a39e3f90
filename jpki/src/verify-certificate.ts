/**
 * One certificate for one purpose at one time: chain, purpose, validity (its own and its issuing
 * CA's), the personal items of a signing certificate, then a current revocation answer. Shared by
 * certificate and CMS verification.
 */
import { personalOf, purposeProblem, type Purpose, type PurposePolicies } from './certificate-check.ts';
import type { CertificateEntry } from './certificate-cache.ts';
import type { StatusLookup } from './status-lookup.ts';
import { lifeEventOf } from './revocation-reason.ts';
import { fail, type CertificateOk, type VerifyFailure } from './verify-result.ts';

export interface CertificateCheckContext {
  policies: PurposePolicies;
  status: StatusLookup;
  clock: () => Date;
}

export async function checkCertificate(
  ctx: CertificateCheckContext,
  e: CertificateEntry,
  purpose: Purpose,
  at: Date,
): Promise<CertificateOk | VerifyFailure> {
  if (!e.info) return fail('malformed', e.malformed ?? 'certificate is malformed');
  const info = e.info;
  const serial = info.serial;
  if (!e.chain!.ok) return fail('unknown-issuer', e.chain!.detail, { serial });
  const issuer = e.chain!.issuer;
  let problem = e.purpose[purpose];
  if (problem === undefined) problem = e.purpose[purpose] = purposeProblem(info, purpose, ctx.policies);
  if (problem) return fail('wrong-certificate-type', problem, { serial });
  if (at < info.notBefore) return fail('not-yet-valid', `valid from ${info.notBefore.toISOString()}`, { serial });
  if (at > info.notAfter) return fail('expired', `expired ${info.notAfter.toISOString()}`, { serial });
  if (at < issuer.notBefore || at > issuer.notAfter) {
    return fail(
      at > issuer.notAfter ? 'expired' : 'not-yet-valid',
      `the issuing CA certificate is valid ${issuer.notBefore.toISOString()} – ${issuer.notAfter.toISOString()}`,
      { serial },
    );
  }
  if (purpose === 'sign' && e.personal === undefined) {
    try {
      e.personal = personalOf(info) ?? null;
    } catch (err) {
      return fail('malformed', (err as Error).message, { serial });
    }
  }
  const now = ctx.clock();
  const s = await ctx.status.statusOf(info, issuer, e, now);
  if (s.status === 'unknown') return fail('status-unknown', s.detail, { serial });
  if (s.status === 'revoked') {
    return fail('revoked', `revoked ${s.revokedAt.toISOString()} (${s.reason})`, {
      serial,
      revocationReason: s.reason,
      lifeEvent: lifeEventOf(s.reason),
      revokedAt: s.revokedAt,
    });
  }
  return {
    ok: true,
    serial,
    purpose,
    issuer: info.issuer,
    notBefore: info.notBefore,
    notAfter: info.notAfter,
    ...(purpose === 'sign' && e.personal ? { personal: e.personal } : {}),
    evidence: {
      signerCertificate: info.der,
      ...(s.source === 'ocsp' ? { ocspResponse: s.evidence } : { crl: s.evidence }),
      statusCheckedAt: now,
    },
  };
}
