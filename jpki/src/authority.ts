/**
 * The test authority, a stand-in for J-LIS: a root and two issuing CAs (signing, user
 * authentication), card issuing, revocation with the resident's life event as reason, renewal
 * with links from old to new certificates, CRLs and an OCSP responder. Everything it holds is
 * in an AuthorityStore (memory, or files under dataDir).
 */
import { createPrivateKey } from 'node:crypto';
import * as asn1js from 'asn1js';
import { x509, generateRsaKeyPair, exportPkcs8, importPkcs8, RSA_ALG } from './engine.ts';
import { AUTH_PIN_PATTERN, SIGN_PASSWORD_PATTERN } from './constants.ts';
import {
  createEndEntity,
  createIssuingCa,
  createRootCa,
  fifthBirthdayAfter,
  newOpaqueId,
  newSerial,
  type CaMaterial,
  type CertKind,
} from './profile.ts';
import {
  fileStore,
  memoryStore,
  STORE_FORMAT,
  type AuthorityStore,
  type CertRecord,
  type StoreData,
  type StoredCa,
} from './authority-store.ts';
import { EmulatedCard } from './emulated-card.ts';
import { parseJpkiPersonal, validatePerson, type Person } from './personal.ts';
import { PresignedResponses, answerOcsp, type RegisterEntry, type ResponderCa } from './ocsp-responder.ts';
import { REASON_CODE, isAuthorityReason, type AuthorityReason } from './revocation-reason.ts';
import type { CrlStatusSource, OcspStatusSource } from './status-source.ts';
import { normalizeSerial } from './bytes.ts';
import { jpkiErrors } from './errors.ts';

export interface AuthorityOptions {
  /** Keep keys and the register under this directory; in memory when omitted. */
  dataDir?: string;
  /** Base URL written into certificates (OCSP in AIA, CRL distribution points). */
  publicUrl?: string;
  /** Validity of each OCSP answer (nextUpdate − thisUpdate), ms. Default 5 minutes. */
  ocspValidityMs?: number;
  /**
   * Answers to OCSP requests without a nonce (RFC 5019) come from pre-produced responses, one per
   * certificate, re-signed at once when its status changes and at the first request once this old
   * (ms; default half the validity, at most 60 s). 0 signs every answer at request time.
   */
  ocspPresignRefreshMs?: number;
  /** Validity of each CRL (nextUpdate − thisUpdate), ms. Default 1 hour. */
  crlValidityMs?: number;
  clock?: () => Date;
}

export interface CardSecrets {
  /** 4 digits. */
  authPin: string;
  /** 6–16 upper-case letters and digits. */
  signPassword: string;
}

export interface IssueOptions {
  /** Shown by card-reader bridges and the CLI; never personal data. */
  label?: string;
  notBefore?: Date;
  notAfter?: Date;
}

export interface IssuedCard {
  card: EmulatedCard;
  authSerial: string;
  signSerial: string;
  notAfter: Date;
}

export interface CertStatusInfo {
  serial: string;
  kind: CertKind;
  label: string;
  status: 'good' | 'revoked';
  reason?: AuthorityReason;
  revokedAt?: Date;
  notBefore: Date;
  notAfter: Date;
  expired: boolean;
  /** The other certificate of the same card. */
  pairSerial: string;
  renewedTo?: string;
  renewedFrom?: string;
}

export interface RevokedEntry {
  serial: string;
  kind: CertKind;
  reason: AuthorityReason;
}

export interface TrustAnchors {
  root: Uint8Array;
  sign: Uint8Array;
  auth: Uint8Array;
  /** Root first, then the two issuing CAs. */
  certificates: Uint8Array[];
  /** The same three as one PEM bundle. */
  pem: string;
}

export interface RenewOptions extends IssueOptions {
  /** Items that changed (a move changes the address, a marriage the name). */
  person?: Partial<Omit<Person, 'nameKana'>>;
  /** Why the old certificates end: 'renewed' (default), 'moved' or 'renamed'. */
  reason?: 'renewed' | 'moved' | 'renamed';
}

export interface Authority {
  issueCard(person: Person, secrets: CardSecrets, opts?: IssueOptions): Promise<IssuedCard>;
  /** Revokes a certificate; 'card-lost' and 'died' also revoke the other certificate of the card. */
  revoke(serial: string, reason: AuthorityReason, opts?: { at?: Date }): RevokedEntry[];
  /** A new card for the holder of `oldSignSerial`; the old certificates are revoked and linked to the new ones. */
  renew(
    oldSignSerial: string,
    secrets: CardSecrets,
    opts?: RenewOptions,
  ): Promise<IssuedCard & { renewedFrom: { signSerial: string; authSerial: string } }>;
  status(serial: string): CertStatusInfo;
  list(): CertStatusInfo[];
  certificate(serial: string): Uint8Array;
  /** The authentication certificate of the card that holds this signing certificate. */
  linkedAuthSerial(signSerial: string): string | null;
  /** The certificate that replaced this one at renewal, or null. */
  renewedTo(oldSerial: string): string | null;
  trustAnchors(): TrustAnchors;
  crl(kind: CertKind): Promise<Uint8Array>;
  /** Answers a DER OCSP request (RFC 6960) with a signed DER response: made now when it carries a nonce, else pre-produced (RFC 5019). */
  ocsp(request: Uint8Array): Promise<Uint8Array>;
  /** In-process OCSP source for a verifier: real signed responses, no network. */
  statusSource(): OcspStatusSource;
  /** In-process CRL source for a verifier. */
  crlSource(): CrlStatusSource;
  readonly publicUrl: string;
}

const b64 = (b: Uint8Array | ArrayBuffer) =>
  Buffer.from(b instanceof ArrayBuffer ? new Uint8Array(b) : b).toString('base64');
const unb64 = (s: string) => new Uint8Array(Buffer.from(s, 'base64'));

function checkSecrets(s: CardSecrets): void {
  if (typeof s?.authPin !== 'string' || !AUTH_PIN_PATTERN.test(s.authPin))
    throw jpkiErrors.KZ_CARD_PIN_FORMAT('the authentication PIN must be 4 digits');
  if (typeof s.signPassword !== 'string' || !SIGN_PASSWORD_PATTERN.test(s.signPassword)) {
    throw jpkiErrors.KZ_CARD_PIN_FORMAT('the signing password must be 6–16 upper-case letters (A–Z) and digits');
  }
}

async function newCaData(now: Date): Promise<StoreData['cas']> {
  const [rootKeys, signKeys, authKeys] = await Promise.all([
    generateRsaKeyPair(),
    generateRsaKeyPair(),
    generateRsaKeyPair(),
  ]);
  const rootCert = await createRootCa(rootKeys, now);
  const root: CaMaterial = { cert: rootCert, privateKey: rootKeys.privateKey };
  const [signCert, authCert] = await Promise.all([
    createIssuingCa('sign', signKeys.publicKey, root, now),
    createIssuingCa('auth', authKeys.publicKey, root, now),
  ]);
  const stored = async (cert: x509.X509Certificate, key: CryptoKey): Promise<StoredCa> => ({
    certDer: b64(cert.rawData),
    keyPkcs8: b64(await exportPkcs8(key)),
  });
  return {
    root: await stored(rootCert, rootKeys.privateKey),
    sign: await stored(signCert, signKeys.privateKey),
    auth: await stored(authCert, authKeys.privateKey),
  };
}

export async function createAuthority(opts: AuthorityOptions = {}): Promise<Authority> {
  const clock = opts.clock ?? (() => new Date());
  const store: AuthorityStore = opts.dataDir ? fileStore(opts.dataDir) : memoryStore();
  const publicUrl = (opts.publicUrl ?? 'http://127.0.0.1:18840').replace(/\/$/, '');
  const ocspValidityMs = opts.ocspValidityMs ?? 5 * 60_000;
  const crlValidityMs = opts.crlValidityMs ?? 3600_000;

  if (!store.read()) {
    const cas = await newCaData(clock());
    store.update((d) =>
      d
        ? { data: d, result: undefined }
        : {
            data: { format: STORE_FORMAT, cas, certs: {}, crlNumber: { sign: 0, auth: 0 }, revision: 0 },
            result: undefined,
          },
    );
  }
  const initial = store.read()!;
  const loadCa = async (c: StoredCa): Promise<CaMaterial> => ({
    cert: new x509.X509Certificate(unb64(c.certDer)),
    privateKey: await importPkcs8(unb64(c.keyPkcs8)),
  });
  const root = await loadCa(initial.cas.root);
  const issuers: Record<CertKind, CaMaterial> = {
    sign: await loadCa(initial.cas.sign),
    auth: await loadCa(initial.cas.auth),
  };
  // fail early on a damaged key file rather than at the first signature
  for (const c of Object.values(initial.cas))
    createPrivateKey({ key: Buffer.from(unb64(c.keyPkcs8)), format: 'der', type: 'pkcs8' });
  const responderCas: ResponderCa[] = (['sign', 'auth'] as const).map((kind) => ({ kind, ...issuers[kind] }));
  const presignRefreshMs = opts.ocspPresignRefreshMs ?? Math.min(ocspValidityMs / 2, 60_000);
  const presigned = presignRefreshMs > 0 ? new PresignedResponses(presignRefreshMs) : undefined;
  const registerEntry = (kind: CertKind, serial: string): RegisterEntry | undefined => {
    const r = records()[serial];
    if (!r || r.kind !== kind) return undefined;
    return {
      status: r.status,
      ...(r.revokedAt ? { revokedAt: new Date(r.revokedAt) } : {}),
      ...(r.reason ? { reason: r.reason } : {}),
    };
  };
  /** Re-signs the pre-produced answers of these certificates now (their status changed; lookups check it anyway). */
  const represign = (serials: { serial: string; kind: CertKind }[]) => {
    if (!presigned) return;
    const now = clock();
    for (const { serial, kind } of serials) {
      const e = registerEntry(kind, serial);
      if (e)
        void presigned.refresh(kind, serial, e, now, ocspValidityMs).catch(() => {
          /* the next lookup signs */
        });
    }
  };

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

  async function issue(
    person: Person,
    secrets: CardSecrets,
    o: IssueOptions,
    link?: { sign: string; auth: string; reason: AuthorityReason },
  ): Promise<IssuedCard> {
    validatePerson(person);
    checkSecrets(secrets);
    const now = clock();
    const notBefore = o.notBefore ?? now;
    const notAfter = o.notAfter ?? fifthBirthdayAfter(person.birthDate, now);
    if (!(notAfter > notBefore)) throw jpkiErrors.KZ_JPKI_PERSON_INVALID('notAfter must be after notBefore');
    const [authKeys, signKeys] = await Promise.all([generateRsaKeyPair(), generateRsaKeyPair()]);
    const authSerial = newSerial();
    const signSerial = newSerial();
    const common = { notBefore, notAfter, publicUrl };
    const [authCert, signCert] = await Promise.all([
      createEndEntity({
        ...common,
        kind: 'auth',
        serial: authSerial,
        opaqueId: newOpaqueId(),
        publicKey: authKeys.publicKey,
        issuer: issuers.auth,
      }),
      createEndEntity({
        ...common,
        kind: 'sign',
        serial: signSerial,
        opaqueId: newOpaqueId(),
        publicKey: signKeys.publicKey,
        issuer: issuers.sign,
        person,
      }),
    ]);
    const label = o.label ?? `card ${signSerial.slice(0, 8)}`;
    const rec = (kind: CertKind, serial: string, cert: x509.X509Certificate, pair: string): CertRecord => ({
      serial,
      kind,
      cn: cert.subjectName.getField('CN')[0] ?? '',
      label,
      der: b64(cert.rawData),
      notBefore: notBefore.toISOString(),
      notAfter: notAfter.toISOString(),
      issuedAt: now.toISOString(),
      status: 'good',
      pairSerial: pair,
      ...(link ? { renewedFrom: kind === 'sign' ? link.sign : link.auth } : {}),
    });
    store.update((d) => {
      const data = d!;
      data.certs[authSerial] = rec('auth', authSerial, authCert, signSerial);
      data.certs[signSerial] = rec('sign', signSerial, signCert, authSerial);
      if (link) {
        for (const [old, next, reason] of [
          [link.sign, signSerial, link.reason],
          [link.auth, authSerial, 'renewed'],
        ] as const) {
          const r = data.certs[old]!;
          r.renewedTo = next;
          if (r.status === 'good') Object.assign(r, { status: 'revoked', revokedAt: now.toISOString(), reason });
        }
      }
      return { data, result: undefined };
    });
    if (presigned) {
      const pre = (kind: CertKind, serial: string) => {
        const ca = responderCas.find((c) => c.kind === kind)!;
        return presigned.get(
          ca,
          PresignedResponses.certId(ca, serial),
          serial,
          registerEntry(kind, serial)!,
          now,
          ocspValidityMs,
        );
      };
      await Promise.all([pre('auth', authSerial), pre('sign', signSerial)]);
      if (link)
        represign([
          { serial: link.sign, kind: 'sign' },
          { serial: link.auth, kind: 'auth' },
        ]);
    }
    const card = new EmulatedCard(
      {
        authKeyPkcs8: await exportPkcs8(authKeys.privateKey),
        signKeyPkcs8: await exportPkcs8(signKeys.privateKey),
        authCert: new Uint8Array(authCert.rawData),
        authCaCert: new Uint8Array(issuers.auth.cert.rawData),
        signCert: new Uint8Array(signCert.rawData),
        signCaCert: new Uint8Array(issuers.sign.cert.rawData),
        authPin: secrets.authPin,
        signPassword: secrets.signPassword,
      },
      label,
    );
    return { card, authSerial, signSerial, notAfter };
  }

  const crlCache = new Map<CertKind, { revision: number; until: number; der: Uint8Array }>();

  async function makeCrl(kind: CertKind): Promise<Uint8Array> {
    const now = clock();
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
      nextUpdate: new Date(now.getTime() + crlValidityMs),
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
    crlCache.set(kind, { revision: store.read()!.revision, until: now.getTime() + crlValidityMs / 2, der });
    return der;
  }

  const authority: Authority = {
    publicUrl,
    issueCard: (person, secrets, o = {}) => issue(person, secrets, o),

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
          out.push({ serial: s, kind: r.kind, reason });
        }
        return { data: d!, result: out };
      });
      represign(revoked);
      return revoked;
    },

    async renew(oldSignSerial, secrets, o = {}) {
      const old = record(oldSignSerial);
      if (old.kind !== 'sign') throw jpkiErrors.KZ_JPKI_NOT_SIGNING_CERT(old.serial);
      if (old.renewedTo)
        throw jpkiErrors.KZ_JPKI_ALREADY_REVOKED(`${old.serial} was already renewed to ${old.renewedTo}`);
      const reason = o.reason ?? 'renewed';
      if (!['renewed', 'moved', 'renamed'].includes(reason)) throw jpkiErrors.KZ_JPKI_REASON_INVALID(String(reason));
      const personal = parseJpkiPersonal(unb64(old.der))!;
      const person: Person = {
        name: o.person?.name ?? personal.name,
        address: o.person?.address ?? personal.address,
        birthDate: o.person?.birthDate ?? personal.birthDate,
        sex: o.person?.sex ?? personal.sex,
      };
      const issued = await issue(
        person,
        secrets,
        { label: old.label, ...o },
        { sign: old.serial, auth: old.pairSerial, reason },
      );
      return { ...issued, renewedFrom: { signSerial: old.serial, authSerial: old.pairSerial } };
    },

    status: (serial) => info(record(serial)),
    list: () =>
      Object.values(records())
        .sort((a, b) => a.issuedAt.localeCompare(b.issuedAt))
        .map(info),
    certificate: (serial) => unb64(record(serial).der),
    linkedAuthSerial(signSerial) {
      const r = records()[normalizeSerial(String(signSerial))];
      return r?.kind === 'sign' ? r.pairSerial : null;
    },
    renewedTo: (oldSerial) => records()[normalizeSerial(String(oldSerial))]?.renewedTo ?? null,

    trustAnchors() {
      const ders = [root, issuers.sign, issuers.auth].map((c) => new Uint8Array(c.cert.rawData));
      return {
        root: ders[0]!,
        sign: ders[1]!,
        auth: ders[2]!,
        certificates: ders,
        pem: [root, issuers.sign, issuers.auth].map((c) => c.cert.toString('pem')).join('\n') + '\n',
      };
    },
    crl: makeCrl,
    ocsp: (request) =>
      answerOcsp(request, responderCas, registerEntry, { now: clock(), validityMs: ocspValidityMs, presigned }),
    statusSource: () => ({ kind: 'ocsp', name: 'authority (in-process OCSP)', send: (req) => authority.ocsp(req) }),
    crlSource: () => ({
      kind: 'crl',
      name: 'authority (in-process CRL)',
      crls: async () => [await makeCrl('sign'), await makeCrl('auth')],
    }),
  };
  return authority;
}
