/**
 * The verifier: certificates for a purpose ('auth' to log in, 'sign' to sign) and CMS
 * SignedData from the card or any RFC 5652 signer. It fails closed: "ok" needs a chain to a
 * configured CA, the right certificate type, validity at the given time AND a current,
 * signature-checked revocation answer. Every refusal carries one named reason.
 *
 * Speed (docs/BENCHMARKS.md): what depends only on the bytes of a certificate (parsing, chain,
 * purpose) is cached per certificate; status answers are cached only when `statusCacheMs` > 0,
 * and never past their nextUpdate; failures to get a status are never cached.
 */
import { createHash, verify as rsaVerify, timingSafeEqual } from 'node:crypto';
import {
  anchorFrom,
  certInfo,
  checkChain,
  JPKI_POLICIES,
  personalOf,
  purposeProblem,
  type Anchor,
  type CertInfo,
  type ChainResult,
  type Purpose,
  type PurposePolicies,
} from './certificate-check.ts';
import { parseCms, DIGESTS, SIGNATURE_ALGS, type ParsedCms } from './cms-parse.ts';
import { CrlCache, crlStatus, ocspQuery, ocspStatus, type OcspQuery, type StatusAnswer } from './status-check.ts';
import type { StatusSource } from './status-source.ts';
import { lifeEventOf, type LifeEvent, type RevocationReason } from './revocation-reason.ts';
import type { JpkiPersonal } from './personal.ts';
import { equalBytes, toBytes } from './bytes.ts';
import { oidBytes } from './der.ts';
import { OID } from './constants.ts';
import { jpkiErrors, type KzError } from './errors.ts';

export const FAILURE_REASONS = [
  'bad-signature',
  'content-tampered',
  'unknown-issuer',
  'wrong-certificate-type',
  'expired',
  'not-yet-valid',
  'revoked',
  'status-unknown',
  'malformed',
  'challenge-replayed',
  'challenge-expired',
] as const;
export type FailureReason = (typeof FAILURE_REASONS)[number];

export interface VerifyFailure {
  ok: false;
  reason: FailureReason;
  /** One sentence for logs and operators (no personal data). */
  detail: string;
  /** The certificate's serial, when it could be read. */
  serial?: string;
  /** With reason 'revoked'. */
  revocationReason?: RevocationReason;
  /** With reason 'revoked': what it means for the resident (moved-or-renamed, died, card-lost, renewed). */
  lifeEvent?: LifeEvent;
  revokedAt?: Date;
}

export interface Evidence {
  signerCertificate: Uint8Array;
  /** The signed OCSP response that said "good" (when the answer came from OCSP). */
  ocspResponse?: Uint8Array;
  /** The CRL that did not list the certificate (when the answer came from a CRL). */
  crl?: Uint8Array;
  statusCheckedAt: Date;
}

export interface CertificateOk {
  ok: true;
  serial: string;
  purpose: Purpose;
  issuer: string;
  notBefore: Date;
  notAfter: Date;
  /** The four items, for signing certificates that carry them. */
  personal?: JpkiPersonal;
  evidence: Evidence;
}

export interface CmsOk extends CertificateOk {
  content: Uint8Array;
  /** The signer's claimed time (signing-time attribute); not a trusted timestamp. */
  signingTime?: Date;
}

export type CertificateResult = CertificateOk | VerifyFailure;
export type CmsResult = CmsOk | VerifyFailure;

export type TrustAnchorsInput = string | Array<Uint8Array | string> | { certificates: Uint8Array[] };

export interface VerifierOptions {
  /** The CAs to trust: DER or PEM certificates, a PEM bundle, or `authority.trustAnchors()`. */
  trustAnchors: TrustAnchorsInput;
  /** Revocation status sources, asked in order until one gives a definite answer. */
  status: StatusSource | StatusSource[];
  clock?: () => Date;
  /** Policy OIDs that make a certificate a signing / user-authentication certificate (default: JPKI's). */
  policies?: Partial<PurposePolicies>;
  /** Keep a good/revoked answer for reuse this long (ms), never past its nextUpdate. Default 0: ask every time. */
  statusCacheMs?: number;
  /** Send and require an OCSP nonce (default true; turn off for responders that pre-sign). */
  ocspNonce?: boolean;
  /** Tolerated clock difference with status sources, ms (default 5 min). */
  clockSkewMs?: number;
  /** Answers without nextUpdate count as current this long, ms (default 5 min). */
  statusMaxAgeMs?: number;
  /** Certificates remembered (parsed, chain checked), default 10 000. */
  certificateCacheSize?: number;
}

export interface VerifyCertificateOptions {
  purpose: Purpose;
  at?: Date;
}
export interface VerifyCmsOptions {
  purpose?: Purpose;
  detachedContent?: Uint8Array;
  at?: Date;
}

export interface Verifier {
  verifyCertificate(certDer: Uint8Array, opts: VerifyCertificateOptions): Promise<CertificateResult>;
  verifyCms(cmsDer: Uint8Array, opts?: VerifyCmsOptions): Promise<CmsResult>;
  /** Drops cached status answers (all, or one serial's). */
  forgetStatus(serial?: string): void;
  readonly anchors: ReadonlyArray<{ subject: string; notAfter: Date }>;
}

export const fail = (reason: FailureReason, detail: string, extra: Partial<VerifyFailure> = {}): VerifyFailure => ({
  ok: false,
  reason,
  detail,
  ...extra,
});

const FAILURE_ERROR: Record<FailureReason, keyof typeof jpkiErrors> = {
  'bad-signature': 'KZ_JPKI_BAD_SIGNATURE',
  'content-tampered': 'KZ_JPKI_CONTENT_TAMPERED',
  'unknown-issuer': 'KZ_JPKI_UNKNOWN_ISSUER',
  'wrong-certificate-type': 'KZ_JPKI_WRONG_CERTIFICATE_TYPE',
  expired: 'KZ_JPKI_EXPIRED',
  'not-yet-valid': 'KZ_JPKI_NOT_YET_VALID',
  revoked: 'KZ_JPKI_REVOKED',
  'status-unknown': 'KZ_JPKI_STATUS_UNKNOWN',
  malformed: 'KZ_JPKI_MALFORMED',
  'challenge-replayed': 'KZ_JPKI_CHALLENGE_REPLAYED',
  'challenge-expired': 'KZ_JPKI_CHALLENGE_EXPIRED',
};

/** A refusal as a coded error for an HTTP handler (status-unknown → 503, the rest 4xx). */
export function verificationError(f: VerifyFailure): KzError {
  return jpkiErrors[FAILURE_ERROR[f.reason]](f.detail, {
    reason: f.reason,
    ...(f.serial ? { serial: f.serial } : {}),
    ...(f.revocationReason ? { revocationReason: f.revocationReason } : {}),
  });
}

function pemToDer(pem: string): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (const m of pem.matchAll(/-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/g))
    out.push(new Uint8Array(Buffer.from(m[1]!.replace(/\s+/g, ''), 'base64')));
  return out;
}

function anchorDers(input: TrustAnchorsInput): Uint8Array[] {
  if (typeof input === 'string') return pemToDer(input);
  if (Array.isArray(input)) return input.flatMap((x) => (typeof x === 'string' ? pemToDer(x) : [toBytes(x)]));
  return input.certificates.map(toBytes);
}

interface Entry {
  info: CertInfo | null;
  malformed?: string;
  chain?: ChainResult;
  purpose: Partial<Record<Purpose, string | null>>;
  personal?: JpkiPersonal | null;
  query?: OcspQuery;
}

const SIGNED_DATA_DIGESTS = new Map(DIGESTS.map((d) => [Buffer.from(d.oid).toString('hex'), d.name]));
const SIG_ALGS = new Map(SIGNATURE_ALGS.map((s) => [Buffer.from(s.oid).toString('hex'), s.hash]));
const DATA_OID = oidBytes(OID.data);

export function createVerifier(opts: VerifierOptions): Verifier {
  const clock = opts.clock ?? (() => new Date());
  const sources = Array.isArray(opts.status) ? opts.status : [opts.status];
  if (sources.length === 0) throw new Error('createVerifier: at least one status source is required (fail closed)');
  const policies: PurposePolicies = { ...JPKI_POLICIES, ...opts.policies };
  const statusCacheMs = opts.statusCacheMs ?? 0;
  const fresh = { skewMs: opts.clockSkewMs ?? 5 * 60_000, maxAgeMs: opts.statusMaxAgeMs ?? 5 * 60_000 };
  const maxEntries = opts.certificateCacheSize ?? 10_000;
  const anchors: Anchor[] = anchorDers(opts.trustAnchors).map((der) => {
    try {
      return anchorFrom(der);
    } catch (e) {
      throw new Error(`createVerifier: a trust anchor is not a certificate (${(e as Error).message})`);
    }
  });
  if (anchors.length === 0) throw new Error('createVerifier: no trust anchors given');

  const entries = new Map<string, Entry>();
  const statusCache = new Map<
    string,
    { answer: StatusAnswer & { status: 'good' | 'revoked' }; until: number; serial: string }
  >();
  const crlCache = new CrlCache();

  async function entryFor(der: Uint8Array): Promise<Entry> {
    const hash = createHash('sha256').update(der).digest('hex');
    let e = entries.get(hash);
    if (e) return e;
    try {
      e = { info: certInfo(der), purpose: {} };
    } catch (err) {
      e = { info: null, malformed: `certificate: ${(err as Error).message}`, purpose: {} };
    }
    if (e.info) {
      try {
        e.chain = await checkChain(e.info, anchors);
      } catch (err) {
        e.chain = { ok: false, detail: `path validation failed: ${(err as Error).message}` };
      }
    }
    if (entries.size >= maxEntries) entries.delete(entries.keys().next().value!);
    entries.set(hash, e);
    return e;
  }

  /**
   * With a status cache, concurrent verifications of one certificate share the lookup already in
   * flight (its answer would be cached for them anyway): a burst of reports by one signer costs
   * one OCSP request, not one each. Without a cache (statusCacheMs 0) every verification asks on
   * its own. A shared lookup that fails is not kept: the next verification asks again.
   */
  const inFlight = new Map<string, Promise<StatusAnswer>>();

  async function statusOf(info: CertInfo, issuer: Anchor, e: Entry, now: Date): Promise<StatusAnswer> {
    const cached = statusCache.get(info.hash);
    if (cached && now.getTime() < cached.until && now >= cached.answer.thisUpdate) return cached.answer;
    if (statusCacheMs <= 0) return await lookUp(info, issuer, e, now);
    const pending = inFlight.get(info.hash);
    if (pending) {
      const a = await pending;
      // the shared answer was made after this verification began (so its thisUpdate may be later
      // than `now`, within the tolerated skew); it must not be stale by now
      if (a.status === 'unknown') return a;
      const t = clock().getTime();
      if (a.thisUpdate.getTime() <= t + fresh.skewMs && !(a.nextUpdate && t >= a.nextUpdate.getTime())) return a;
    }
    const p = lookUp(info, issuer, e, now);
    inFlight.set(info.hash, p);
    try {
      return await p;
    } finally {
      if (inFlight.get(info.hash) === p) inFlight.delete(info.hash);
    }
  }

  async function lookUp(info: CertInfo, issuer: Anchor, e: Entry, now: Date): Promise<StatusAnswer> {
    const problems: string[] = [];
    for (const s of sources) {
      let a: StatusAnswer;
      if (s.kind === 'ocsp') {
        e.query ??= ocspQuery(info, issuer);
        a = await ocspStatus(s, info, issuer, e.query, now, { ...fresh, nonce: opts.ocspNonce ?? true });
      } else {
        a = await crlStatus(s, info, issuer, now, fresh, crlCache);
      }
      if (a.status === 'unknown') {
        problems.push(a.detail);
        continue;
      }
      if (statusCacheMs > 0) {
        const until = Math.min(
          now.getTime() + statusCacheMs,
          a.nextUpdate?.getTime() ?? now.getTime() + fresh.maxAgeMs,
        );
        statusCache.set(info.hash, { answer: a, until, serial: info.serial });
      }
      return a;
    }
    return { status: 'unknown', detail: problems.join('; ') };
  }

  /** Chain, purpose, time and status: shared by certificate and CMS verification. */
  async function checkCertificate(e: Entry, purpose: Purpose, at: Date): Promise<CertificateOk | VerifyFailure> {
    if (!e.info) return fail('malformed', e.malformed ?? 'certificate is malformed');
    const info = e.info;
    const serial = info.serial;
    if (!e.chain!.ok) return fail('unknown-issuer', e.chain!.detail, { serial });
    const issuer = e.chain!.issuer;
    let problem = e.purpose[purpose];
    if (problem === undefined) problem = e.purpose[purpose] = purposeProblem(info, purpose, policies);
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
    const now = clock();
    const s = await statusOf(info, issuer, e, now);
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

  function signerEntry(cms: ParsedCms, candidates: Entry[]): Entry | undefined {
    return candidates.find(
      (e) =>
        e.info &&
        ('ski' in cms.sid
          ? e.info.ski !== undefined && equalBytes(e.info.ski, cms.sid.ski)
          : equalBytes(e.info.issuerDer, cms.sid.issuer) && equalBytes(e.info.serialValue, cms.sid.serial)),
    );
  }

  return {
    anchors: anchors.map((a) => ({ subject: a.subject, notAfter: a.notAfter })),

    async verifyCertificate(certDer, o) {
      if (!(certDer instanceof Uint8Array) || certDer.length === 0) return fail('malformed', 'no certificate given');
      if (o?.purpose !== 'auth' && o?.purpose !== 'sign') return fail('malformed', "purpose must be 'auth' or 'sign'");
      return await checkCertificate(await entryFor(certDer), o.purpose, o.at ?? clock());
    },

    async verifyCms(cmsDer, o = {}) {
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
      if (sigAlg !== null && sigAlg !== digestName)
        return fail('malformed', 'signature and digest algorithms disagree');

      const signer = signerEntry(cms, await Promise.all(cms.certificates.map(entryFor)));
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

      const r = await checkCertificate(signer, purpose, o.at ?? clock());
      if (!r.ok) return r;
      return { ...r, content, ...(cms.attrs.signingTime ? { signingTime: cms.attrs.signingTime } : {}) };
    },

    forgetStatus(serial) {
      // a lookup in flight may have started before the revocation: later verifications ask anew
      if (serial === undefined) {
        statusCache.clear();
        inFlight.clear();
        return;
      }
      for (const [k, v] of statusCache) if (v.serial === serial) statusCache.delete(k);
      for (const k of inFlight.keys()) if (entries.get(k)?.info?.serial === serial) inFlight.delete(k);
    },
  };
}
