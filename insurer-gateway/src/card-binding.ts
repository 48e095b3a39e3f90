/**
 * One card, one person (issue 23): a signature is accepted in a post-box session only when it was
 * made by the card whose authentication certificate opened the session. The two certificates
 * carry nothing in common (the authentication certificate holds no personal items), so they are
 * matched through the authority's published link from a signing certificate to its card's
 * authentication certificate (jpki: `GET /links/auth/:serial`). A renewed card is the same
 * person's: the authority's renewal links between authentication certificates are followed.
 * And a session lives only while its card does (cardStatusCheck, endSessionsForCertificate).
 */
import type { Queryable } from '@kizuna/core';
import { gatewayErrors as E } from './errors.ts';
import { postboxBySerial, type CardStatusCheck } from './postboxes.ts';
import type { CertificateVerifier } from './watch-source.ts';

/** The authority's links between a card's certificates (in-process or over its HTTP API). */
export interface CardLinks {
  /** The authentication certificate on the card holding this signing certificate; null if the authority knows none. */
  authSerialOf(signSerial: string): Promise<string | null> | string | null;
  /** The certificate this one was renewed to, or null. */
  renewedTo(serial: string): Promise<string | null> | string | null;
  /** The certificate this one renewed, or null. */
  renewedFrom(serial: string): Promise<string | null> | string | null;
}

/** The card a session was opened with. */
export interface SessionCard {
  postboxId: string;
  authSerial: string;
}

export const SIGNER_NOT_SESSION_CARD = 'signer-not-session-card';
const MAX_HOPS = 8;
const lower = (s: string | null | undefined) => (s ? s.toLowerCase() : null);

async function ask<T>(f: () => Promise<T> | T, what: string): Promise<T> {
  try {
    return await f();
  } catch (e) {
    throw E.KZ_GW_CARD_LINK_UNAVAILABLE(`${what}: ${(e as Error).message}`);
  }
}

/** The authentication serial linked to this signing serial: remembered once learned, else asked of the authority. */
async function linkedAuthSerial(
  db: Queryable,
  links: CardLinks,
  signSerial: string,
  now: Date,
): Promise<string | null> {
  const { rows } = await db.query<{ auth_serial: string }>(
    'SELECT auth_serial FROM gw_card_links WHERE sign_serial = $1',
    [signSerial],
  );
  if (rows[0]) return rows[0].auth_serial;
  const auth = lower(await ask(() => links.authSerialOf(signSerial), 'signing → authentication link'));
  if (auth)
    await db.query(
      'INSERT INTO gw_card_links (sign_serial, auth_serial, linked_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING',
      [signSerial, auth, now],
    );
  return auth;
}

/** True when `other` is `start` or a renewal of it, either way along the authority's links. */
async function sameCardLine(links: CardLinks, start: string, other: string): Promise<boolean> {
  if (start === other) return true;
  for (const step of [(s: string) => links.renewedTo(s), (s: string) => links.renewedFrom(s)]) {
    let s: string | null = start;
    for (let i = 0; i < MAX_HOPS && s; i++) {
      const cur: string = s;
      s = lower(await ask(() => step(cur), 'renewal link'));
      if (s === other) return true;
    }
  }
  return false;
}

/**
 * Refuses (403 KZ_GW_SIGNER_NOT_SESSION_CARD, reason `signer-not-session-card`) a signature whose
 * signing certificate is not on the session's card nor on a renewal of it; 503
 * KZ_GW_CARD_LINK_UNAVAILABLE when the authority cannot be asked (fail closed). Returns the
 * post-box whose person signed: always the session's (asserted).
 */
export async function requireSessionCard(
  db: Queryable,
  links: CardLinks | undefined,
  session: SessionCard,
  signSerial: string,
  now: Date,
): Promise<string> {
  if (!links) throw E.KZ_GW_CARD_LINK_UNAVAILABLE('no authority links are configured on this server');
  const refuse = (detail: string) => E.KZ_GW_SIGNER_NOT_SESSION_CARD(detail, { reason: SIGNER_NOT_SESSION_CARD });
  const signer = signSerial.toLowerCase();
  const auth = await linkedAuthSerial(db, links, signer, now);
  if (!auth) throw refuse(`the authority links no authentication certificate to signing certificate ${signer}`);
  if (!(await sameCardLine(links, session.authSerial, auth)))
    throw refuse('the signing certificate is on another card than the one that opened this session');
  // Whose data this is: the post-box the signer's card opens must be this one (a renewal not yet
  // seen at login opens none yet). A mismatch would log a disclosure in the wrong post-box.
  const owner = await postboxBySerial(db, auth);
  if (owner && owner !== session.postboxId) throw refuse("the signer's card opens another post-box");
  return session.postboxId;
}

/** Fail closed: `status-unknown` stays a reason of its own (503, try again), every other refusal ends the session. */
export function cardStatusCheck(verifier: CertificateVerifier): CardStatusCheck {
  return async (der, at) => {
    const r = await verifier
      .verifyCertificate(der, { purpose: 'auth', at })
      .catch((e: Error) => ({ ok: false as const, reason: 'status-unknown', detail: e.message }));
    return r.ok ? { ok: true } : { ok: false, reason: r.reason };
  };
}
