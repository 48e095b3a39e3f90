/**
 * The test authority, a stand-in for J-LIS: a root and two issuing CAs (signing, user
 * authentication), card issuing, revocation with the resident's life event as reason, renewal
 * with links from old to new certificates, CRLs and an OCSP responder. Everything it holds is
 * in an AuthorityStore (memory, or files under dataDir). The parts: the CAs (authority-cas.ts),
 * issuing (authority-issuing.ts), CRLs (authority-crl.ts) and OCSP (authority-ocsp.ts); here the
 * register's questions and changes.
 */
import { fileStore, memoryStore, type AuthorityStore, type CertRecord } from './authority-store.ts';
import type { Authority, AuthorityOptions, CertStatusInfo, RevokedEntry } from './authority-types.ts';
import { openAuthorityCas, trustAnchorsOf } from './authority-cas.ts';
import { createAuthorityOcsp } from './authority-ocsp.ts';
import { createCrlMaker } from './authority-crl.ts';
import { createChangeFeed, stampChange } from './authority-feed.ts';
import { issueCard, type IssuingContext } from './authority-issuing.ts';
import { parseJpkiPersonal, type Person } from './personal.ts';
import { isAuthorityReason } from './revocation-reason.ts';
import { fromBase64 } from './base64.ts';
import { normalizeSerial } from './bytes.ts';
import { jpkiErrors } from './errors.ts';

export type {
  Authority,
  AuthorityOptions,
  CardSecrets,
  CertStatusInfo,
  IssueOptions,
  IssuedCard,
  RenewOptions,
  RevokedEntry,
  TrustAnchors,
} from './authority-types.ts';

export async function createAuthority(opts: AuthorityOptions = {}): Promise<Authority> {
  const clock = opts.clock ?? (() => new Date());
  const store: AuthorityStore = opts.dataDir ? fileStore(opts.dataDir) : memoryStore();
  const publicUrl = (opts.publicUrl ?? 'http://127.0.0.1:18840').replace(/\/$/, '');
  const ocspValidityMs = opts.ocspValidityMs ?? 5 * 60_000;
  const crlValidityMs = opts.crlValidityMs ?? 3600_000;

  const cas = await openAuthorityCas(store, clock);
  const { issuers } = cas;
  const ocsp = createAuthorityOcsp({
    store,
    issuers,
    clock,
    validityMs: ocspValidityMs,
    presignRefreshMs: opts.ocspPresignRefreshMs ?? Math.min(ocspValidityMs / 2, 60_000),
  });
  const makeCrl = createCrlMaker({ store, issuers, clock, validityMs: crlValidityMs });
  const issuing: IssuingContext = { store, issuers, ocsp, publicUrl, clock };
  const feed = createChangeFeed(store);

  const records = () => store.read()!.certs;
  const record = (serial: string): CertRecord => {
    const r = typeof serial === 'string' ? records()[normalizeSerial(serial)] : undefined;
    if (!r) throw jpkiErrors.KZ_JPKI_CERT_UNKNOWN(String(serial));
    return r;
  };
  const info = (r: CertRecord): CertStatusInfo => ({
    serial: r.serial,
    kind: r.kind,
    label: r.label,
    status: r.status,
    ...(r.reason ? { reason: r.reason } : {}),
    ...(r.revokedAt ? { revokedAt: new Date(r.revokedAt) } : {}),
    notBefore: new Date(r.notBefore),
    notAfter: new Date(r.notAfter),
    expired: clock() > new Date(r.notAfter),
    pairSerial: r.pairSerial,
    ...(r.renewedTo ? { renewedTo: r.renewedTo } : {}),
    ...(r.renewedFrom ? { renewedFrom: r.renewedFrom } : {}),
  });

  const authority: Authority = {
    publicUrl,
    issueCard: (person, secrets, o = {}) => issueCard(issuing, person, secrets, o),

    revoke(serial, reason, o = {}) {
      if (!isAuthorityReason(reason))
        throw jpkiErrors.KZ_JPKI_REASON_INVALID(
          `${String(reason)}; use one of moved, renamed, died, card-lost, renewed, unspecified`,
        );
      const first = record(serial);
      if (first.status === 'revoked') throw jpkiErrors.KZ_JPKI_ALREADY_REVOKED(`${first.serial} (${first.reason})`);
      const at = (o.at ?? clock()).toISOString();
      const revoked = store.update((d) => {
        const out: RevokedEntry[] = [];
        const targets = [first.serial, ...(reason === 'card-lost' || reason === 'died' ? [first.pairSerial] : [])];
        for (const s of targets) {
          const r = d!.certs[s]!;
          if (r.status === 'revoked') continue;
          Object.assign(r, { status: 'revoked', revokedAt: at, reason });
          stampChange(d!, r);
          out.push({ serial: s, kind: r.kind, reason });
        }
        return { data: d!, result: out };
      });
      ocsp.represign(revoked);
      feed.notify();
      return revoked;
    },

    async renew(oldSignSerial, secrets, o = {}) {
      const old = record(oldSignSerial);
      if (old.kind !== 'sign') throw jpkiErrors.KZ_JPKI_NOT_SIGNING_CERT(old.serial);
      if (old.renewedTo)
        throw jpkiErrors.KZ_JPKI_ALREADY_REVOKED(`${old.serial} was already renewed to ${old.renewedTo}`);
      const reason = o.reason ?? 'renewed';
      if (!['renewed', 'moved', 'renamed'].includes(reason)) throw jpkiErrors.KZ_JPKI_REASON_INVALID(String(reason));
      const personal = parseJpkiPersonal(fromBase64(old.der))!;
      const person: Person = {
        name: o.person?.name ?? personal.name,
        address: o.person?.address ?? personal.address,
        birthDate: o.person?.birthDate ?? personal.birthDate,
        sex: o.person?.sex ?? personal.sex,
      };
      const issued = await issueCard(
        issuing,
        person,
        secrets,
        { label: old.label, ...o },
        { sign: old.serial, auth: old.pairSerial, reason },
      );
      feed.notify();
      return { ...issued, renewedFrom: { signSerial: old.serial, authSerial: old.pairSerial } };
    },

    status: (serial) => info(record(serial)),
    list: () =>
      Object.values(records())
        .sort((a, b) => a.issuedAt.localeCompare(b.issuedAt))
        .map(info),
    certificate: (serial) => fromBase64(record(serial).der),
    linkedAuthSerial(signSerial) {
      const r = records()[normalizeSerial(String(signSerial))];
      return r?.kind === 'sign' ? r.pairSerial : null;
    },
    renewedTo: (oldSerial) => records()[normalizeSerial(String(oldSerial))]?.renewedTo ?? null,

    changes: (after, limit) => feed.changes(after, limit),
    waitForChanges: (after, ms, signal) => feed.wait(after, ms, signal),
    trustAnchors: () => trustAnchorsOf(cas),
    crl: makeCrl,
    ocsp: (request) => ocsp.answer(request),
    statusSource: () => ({ kind: 'ocsp', name: 'authority (in-process OCSP)', send: (req) => authority.ocsp(req) }),
    crlSource: () => ({
      kind: 'crl',
      name: 'authority (in-process CRL)',
      crls: async () => [await makeCrl('sign'), await makeCrl('auth')],
    }),
  };
  return authority;
}
