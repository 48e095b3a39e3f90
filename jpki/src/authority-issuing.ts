/**
 * Issuing a card: a key pair and certificate for signing (with the four personal items) and one
 * for user authentication, entered in the register as a pair; at renewal the old pair is revoked
 * and linked to the new one in the same store update.
 */
import { generateRsaKeyPair, exportPkcs8, type x509 } from './engine.ts';
import { AUTH_PIN_PATTERN, SIGN_PASSWORD_PATTERN } from './constants.ts';
import {
  createEndEntity,
  fifthBirthdayAfter,
  newOpaqueId,
  newSerial,
  type CaMaterial,
  type CertKind,
} from './profile.ts';
import type { AuthorityStore, CertRecord } from './authority-store.ts';
import type { AuthorityOcsp } from './authority-ocsp.ts';
import type { CardSecrets, IssueOptions, IssuedCard } from './authority-types.ts';
import { EmulatedCard } from './emulated-card.ts';
import { validatePerson, type Person } from './personal.ts';
import type { AuthorityReason } from './revocation-reason.ts';
import { toBase64 } from './base64.ts';
import { stampChange } from './authority-feed.ts';
import { jpkiErrors } from './errors.ts';

export interface IssuingContext {
  store: AuthorityStore;
  issuers: Record<CertKind, CaMaterial>;
  ocsp: AuthorityOcsp;
  publicUrl: string;
  clock: () => Date;
}

/** The card being renewed: its certificates end with `reason` and point to the new ones. */
export interface RenewalLink {
  sign: string;
  auth: string;
  reason: AuthorityReason;
}

function checkSecrets(s: CardSecrets): void {
  if (typeof s?.authPin !== 'string' || !AUTH_PIN_PATTERN.test(s.authPin))
    throw jpkiErrors.KZ_CARD_PIN_FORMAT('the authentication PIN must be 4 digits');
  if (typeof s.signPassword !== 'string' || !SIGN_PASSWORD_PATTERN.test(s.signPassword)) {
    throw jpkiErrors.KZ_CARD_PIN_FORMAT('the signing password must be 6–16 upper-case letters (A–Z) and digits');
  }
}

export async function issueCard(
  ctx: IssuingContext,
  person: Person,
  secrets: CardSecrets,
  o: IssueOptions,
  link?: RenewalLink,
): Promise<IssuedCard> {
  const { store, issuers } = ctx;
  validatePerson(person);
  checkSecrets(secrets);
  const now = ctx.clock();
  const notBefore = o.notBefore ?? now;
  const notAfter = o.notAfter ?? fifthBirthdayAfter(person.birthDate, now);
  if (!(notAfter > notBefore)) throw jpkiErrors.KZ_JPKI_PERSON_INVALID('notAfter must be after notBefore');
  const [authKeys, signKeys] = await Promise.all([generateRsaKeyPair(), generateRsaKeyPair()]);
  const authSerial = newSerial();
  const signSerial = newSerial();
  const common = { notBefore, notAfter, publicUrl: ctx.publicUrl };
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
    der: toBase64(cert.rawData),
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
        if (r.status === 'good') {
          Object.assign(r, { status: 'revoked', revokedAt: now.toISOString(), reason });
          stampChange(data, r);
        }
      }
    }
    return { data, result: undefined };
  });
  await ctx.ocsp.presignIssued(
    [
      { serial: authSerial, kind: 'auth' },
      { serial: signSerial, kind: 'sign' },
    ],
    now,
  );
  if (link)
    ctx.ocsp.represign([
      { serial: link.sign, kind: 'sign' },
      { serial: link.auth, kind: 'auth' },
    ]);
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
