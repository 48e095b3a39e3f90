/**
 * Card binding (issue 4): a TV asks for a nonce, the resident signs {nonce, device, muni} with
 * the card's signing certificate, and the console verifies it fail-closed (chain, certificate
 * type, validity, revocation), matches the four personal items to its register, and links
 * resident ↔ TV ↔ the card's user-authentication serial. The signing certificate is kept as
 * evidence and watched: a revoked or lost card ends the binding (personal alerts stop), a plain
 * renewal is followed to the new card when the authority publishes it.
 */
import { randomBytes } from 'node:crypto';
import type { Db, Logger, Queryable } from '@kizuna/core';
import type { Verifier, VerifyFailure } from '@kizuna/jpki';
import { BindRegistrationSchema, decodeMessage, MessageError, type BindNonce, type Binding } from '@kizuna/contract';
import { consoleErrors } from '../errors.ts';
import { appendAudit } from '../staff/audit.ts';
import { matchResident } from './personal-match.ts';
import type { AuthorityLinks } from '../authority-links.ts';
import type { Clock } from '../clock.ts';

export interface BindingServiceOptions {
  db: Db;
  muni: string;
  logger: Logger;
  clock: Clock;
  verifier?: Verifier | undefined;
  links?: AuthorityLinks | undefined;
  /** How long a nonce may be used, ms. */
  nonceTtlMs: number;
  /** How often each bound card's status is asked again, ms. */
  watchEveryMs: number;
  /** Cards checked per watch pass. */
  watchBatch: number;
  /** Called with the devices whose bindings changed (live views). */
  onChange?: (devices: string[]) => void;
}

export interface WatchResult {
  checked: number;
  ended: number;
  followed: number;
  unknown: number;
}

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
const lower = (s: string) => s.toLowerCase();

/** A verifier refusal as the console's coded error (fail closed: status-unknown is "try again", never "ok"). */
export function bindVerificationError(f: VerifyFailure) {
  const details = {
    reason: f.reason,
    ...(f.revocationReason ? { revocationReason: f.revocationReason } : {}),
    ...(f.lifeEvent ? { lifeEvent: f.lifeEvent } : {}),
  };
  switch (f.reason) {
    case 'bad-signature':
    case 'content-tampered':
      return consoleErrors.KZ_CONSOLE_BIND_SIGNATURE(`${f.reason}: ${f.detail}`, details);
    case 'malformed':
      return consoleErrors.KZ_CONSOLE_BIND_PAYLOAD(f.detail, details);
    case 'revoked':
      return consoleErrors.KZ_CONSOLE_BIND_CERT_REVOKED(f.lifeEvent ?? f.detail, details);
    case 'status-unknown':
      return consoleErrors.KZ_CONSOLE_BIND_STATUS_UNAVAILABLE(f.detail, details);
    default:
      return consoleErrors.KZ_CONSOLE_BIND_CERT_INVALID(`${f.reason}: ${f.detail}`, details);
  }
}

export class BindingService {
  constructor(private readonly o: BindingServiceOptions) {}

  get enabled(): boolean {
    return !!(this.o.verifier && this.o.links);
  }

  private async activeDevice(q: Queryable, device: string): Promise<void> {
    const { rows } = await q.query<{ status: string }>('SELECT status FROM devices WHERE id = $1', [device]);
    if (!rows[0]) throw consoleErrors.KZ_CONSOLE_UNKNOWN_DEVICE(device);
    if (rows[0].status !== 'active') throw consoleErrors.KZ_CONSOLE_DEVICE_REVOKED(device);
  }

  /** A single-use nonce for one TV. */
  async nonce(device: string): Promise<BindNonce> {
    if (!this.enabled) throw consoleErrors.KZ_CONSOLE_BIND_UNAVAILABLE();
    await this.activeDevice(this.o.db, device);
    const nonce = randomBytes(32).toString('base64url');
    const expiresAt = new Date(this.o.clock.now().getTime() + this.o.nonceTtlMs);
    await this.o.db.query('INSERT INTO bind_nonces (nonce, device_id, expires_at) VALUES ($1, $2, $3)', [
      nonce,
      device,
      expiresAt,
    ]);
    return { nonce, device, muni: this.o.muni, expiresAt: expiresAt.toISOString() };
  }

  /** Verify a signed registration from `device` and bind its card holder to it. */
  async bind(device: string, cmsBase64: string, actor: string): Promise<Binding> {
    const { verifier, links } = this.o;
    if (!verifier || !links) throw consoleErrors.KZ_CONSOLE_BIND_UNAVAILABLE();
    await this.activeDevice(this.o.db, device);
    const compact = typeof cmsBase64 === 'string' ? cmsBase64.replace(/\s+/g, '') : '';
    if (!BASE64.test(compact))
      throw consoleErrors.KZ_CONSOLE_BIND_PAYLOAD('cms must be the base64 DER of a CMS SignedData');
    const der = new Uint8Array(Buffer.from(compact, 'base64'));

    const v = await verifier.verifyCms(der, { purpose: 'sign' });
    if (!v.ok) {
      this.o.logger.warn({ device, reason: v.reason, serial: v.serial }, 'card binding refused');
      throw bindVerificationError(v);
    }
    if (!v.personal)
      throw consoleErrors.KZ_CONSOLE_BIND_CERT_INVALID('the signing certificate carries no personal items');
    let reg;
    try {
      reg = decodeMessage(BindRegistrationSchema, v.content, 'bind-registration');
    } catch (e) {
      throw consoleErrors.KZ_CONSOLE_BIND_PAYLOAD(
        e instanceof MessageError ? e.problems.join('; ') : (e as Error).message,
      );
    }
    if (reg.muni !== this.o.muni || reg.device !== device) {
      throw consoleErrors.KZ_CONSOLE_BIND_DEVICE_MISMATCH(
        `signed for ${reg.muni}/${reg.device}, sent by ${this.o.muni}/${device}`,
      );
    }
    const now = this.o.clock.now();
    // The nonce is spent by this attempt whatever happens next: one signature, one try.
    await this.o.db.tx(async (q) => {
      const { rows } = await q.query<{ device_id: string; expires_at: Date; used_at: Date | null }>(
        'SELECT device_id, expires_at, used_at FROM bind_nonces WHERE nonce = $1 FOR UPDATE',
        [reg.nonce],
      );
      const n = rows[0];
      if (!n || n.device_id !== device)
        throw consoleErrors.KZ_CONSOLE_BIND_NONCE(n ? 'issued to another TV' : 'never issued');
      if (n.used_at) throw consoleErrors.KZ_CONSOLE_BIND_NONCE_REPLAYED();
      if (new Date(n.expires_at).getTime() <= now.getTime()) throw consoleErrors.KZ_CONSOLE_BIND_NONCE_EXPIRED();
      await q.query('UPDATE bind_nonces SET used_at = $2 WHERE nonce = $1', [reg.nonce, now]);
    });

    const resident = await matchResident(this.o.db, v.personal);
    const signSerial = lower(v.serial);
    let authSerial: string | null;
    try {
      authSerial = await links.authSerialOf(signSerial);
    } catch (e) {
      throw consoleErrors.KZ_CONSOLE_BIND_LINK_UNAVAILABLE((e as Error).message);
    }
    if (!authSerial)
      throw consoleErrors.KZ_CONSOLE_BIND_CERT_INVALID(
        'the authority links no user-authentication certificate to this signing certificate',
      );

    const row = await this.o.db.tx(async (q) => {
      await q.query(
        `UPDATE bindings SET status = 'superseded', reason = $3, ended_at = $4
        WHERE resident_id = $1 AND device_id = $2 AND status = 'active'`,
        [resident.id, device, 'bound again with another card', now],
      );
      const { rows } = await q.query<{ id: string; bound_at: Date }>(
        `INSERT INTO bindings
        (resident_id, device_id, auth_serial, sign_serial, cert_der, status_checked_at, bound_by, bound_at)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $6) RETURNING id, bound_at`,
        [
          resident.id,
          device,
          lower(authSerial!),
          signSerial,
          Buffer.from(v.evidence.signerCertificate).toString('base64'),
          now,
          actor,
        ],
      );
      await q.query('INSERT INTO disclosures (resident_id, at, party, purpose, items) VALUES ($1, $2, $3, $4, $5)', [
        resident.id,
        now,
        `municipality ${this.o.muni}`,
        `card binding to TV ${device}: personal items read from the signing certificate and matched to the register`,
        ['name', 'address', 'birth-date', 'sex', 'signing-certificate-serial', 'authentication-certificate-serial'],
      ]);
      await appendAudit(
        q,
        { actor, action: 'binding.card', subject: resident.id, details: { device, binding: String(rows[0]!.id) } },
        now,
      );
      return rows[0]!;
    });
    this.o.logger.info({ device, binding: String(row.id) }, 'card bound to TV');
    this.o.onChange?.([device]);
    return {
      bindingId: String(row.id),
      device,
      displayName: `${resident.familyName} ${resident.givenName}`,
      boundAt: new Date(row.bound_at).toISOString(),
    };
  }

  /** The TV's active bindings (what it may show as "bound"). */
  async list(device: string): Promise<Binding[]> {
    const { rows } = await this.o.db.query<{ id: string; family_name: string; given_name: string; bound_at: Date }>(
      `
      SELECT b.id, r.family_name, r.given_name, b.bound_at FROM bindings b JOIN residents r ON r.id = b.resident_id
      WHERE b.device_id = $1 AND b.status = 'active' ORDER BY b.bound_at, b.id`,
      [device],
    );
    return rows.map((r) => ({
      bindingId: String(r.id),
      device,
      displayName: `${r.family_name} ${r.given_name}`,
      boundAt: new Date(r.bound_at).toISOString(),
    }));
  }

  /** End one active binding; `device` limits it to that TV's own bindings (the TV's API). */
  async unbind(bindingId: string, actor: string, device?: string): Promise<void> {
    if (!/^\d{1,18}$/.test(bindingId)) throw consoleErrors.KZ_CONSOLE_UNKNOWN_BINDING(bindingId);
    const now = this.o.clock.now();
    const ended = await this.o.db.tx(async (q) => {
      const { rows } = await q.query<{ resident_id: string; device_id: string }>(
        `UPDATE bindings SET status = 'unbound', reason = $3, ended_at = $4
        WHERE id = $1::bigint AND status = 'active' AND ($2::text IS NULL OR device_id = $2) RETURNING resident_id, device_id`,
        [bindingId, device ?? null, device ? 'unbound on the TV' : `unbound by ${actor}`, now],
      );
      if (!rows[0]) throw consoleErrors.KZ_CONSOLE_UNKNOWN_BINDING(bindingId);
      await appendAudit(
        q,
        {
          actor,
          action: 'binding.unbind',
          subject: rows[0].resident_id,
          details: { device: rows[0].device_id, binding: bindingId },
        },
        now,
      );
      return rows[0];
    });
    this.o.onChange?.([ended.device_id]);
  }

  /**
   * One pass of the revocation watch (run on the console's timer): asks the status source again
   * about the cards whose last answer is oldest. Revoked → the binding ends with the life event
   * as reason; plain renewal → followed to the new card if the authority publishes it, else
   * ended asking for the new card to be bound; no answer → asked again next pass.
   */
  async watch(): Promise<WatchResult> {
    const out: WatchResult = { checked: 0, ended: 0, followed: 0, unknown: 0 };
    const { verifier } = this.o;
    if (!verifier) return out;
    const now = this.o.clock.now();
    await this.o.db.query('DELETE FROM bind_nonces WHERE expires_at < $1', [new Date(now.getTime() - 86_400_000)]);
    const { rows } = await this.o.db.query<{
      id: string;
      resident_id: string;
      device_id: string;
      sign_serial: string;
      cert_der: string;
    }>(
      `
      SELECT id, resident_id, device_id, sign_serial, cert_der FROM bindings
      WHERE status = 'active' AND cert_der IS NOT NULL AND (status_checked_at IS NULL OR status_checked_at <= $1)
      ORDER BY status_checked_at NULLS FIRST, id LIMIT $2`,
      [new Date(now.getTime() - this.o.watchEveryMs), this.o.watchBatch],
    );
    const changed = new Set<string>();
    for (const b of rows) {
      out.checked += 1;
      const r = await verifier.verifyCertificate(new Uint8Array(Buffer.from(b.cert_der, 'base64')), {
        purpose: 'sign',
      });
      if (r.ok || (r.reason !== 'revoked' && r.reason !== 'status-unknown')) {
        if (!r.ok)
          this.o.logger.warn(
            { binding: String(b.id), reason: r.reason },
            'bound card no longer verifies; binding kept until it is revoked',
          );
        await this.o.db.query('UPDATE bindings SET status_checked_at = $2 WHERE id = $1', [b.id, now]);
        continue;
      }
      if (r.reason === 'status-unknown') {
        out.unknown += 1;
        this.o.logger.warn({ binding: String(b.id), detail: r.detail }, 'card status unknown; asking again next pass');
        continue;
      }
      if (r.lifeEvent === 'renewed' && (await this.follow(b, now))) {
        out.followed += 1;
      } else {
        const reason =
          r.lifeEvent === 'renewed'
            ? 'card renewed: bind the new card'
            : `card revoked (${r.lifeEvent ?? 'other'}: ${r.revocationReason ?? 'unspecified'})`;
        await this.o.db.tx(async (q) => {
          await q.query(
            `UPDATE bindings SET status = 'revoked', reason = $2, ended_at = $3, status_checked_at = $3 WHERE id = $1 AND status = 'active'`,
            [b.id, reason, now],
          );
          await appendAudit(
            q,
            {
              actor: 'revocation-watch',
              action: 'binding.revoked',
              subject: b.resident_id,
              details: { device: b.device_id, binding: String(b.id), lifeEvent: r.lifeEvent ?? 'other' },
            },
            now,
          );
        });
        out.ended += 1;
      }
      changed.add(b.device_id);
    }
    if (changed.size) this.o.onChange?.([...changed]);
    return out;
  }

  /** Move a binding to the card that renewed its card, when the new certificate can be had and verifies. */
  private async follow(
    b: { id: string; resident_id: string; device_id: string; sign_serial: string },
    now: Date,
  ): Promise<boolean> {
    const { links, verifier } = this.o;
    if (!links?.certificate || !verifier) return false;
    try {
      const next = await links.renewedTo(b.sign_serial);
      const der = next ? await links.certificate(next) : null;
      if (!next || !der) return false;
      const v = await verifier.verifyCertificate(der, { purpose: 'sign' });
      if (!v.ok) return false;
      const auth = await links.authSerialOf(v.serial);
      if (!auth) return false;
      await this.o.db.tx(async (q) => {
        await q.query(
          `UPDATE bindings SET status = 'superseded', reason = 'card renewed', ended_at = $2 WHERE id = $1 AND status = 'active'`,
          [b.id, now],
        );
        await q.query(
          `INSERT INTO bindings (resident_id, device_id, auth_serial, sign_serial, cert_der, status_checked_at, bound_by, bound_at)
          VALUES ($1, $2, $3, $4, $5, $6, 'revocation-watch', $6)`,
          [b.resident_id, b.device_id, lower(auth), lower(v.serial), Buffer.from(der).toString('base64'), now],
        );
        await appendAudit(
          q,
          {
            actor: 'revocation-watch',
            action: 'binding.renewed',
            subject: b.resident_id,
            details: { device: b.device_id, binding: String(b.id) },
          },
          now,
        );
      });
      return true;
    } catch (e) {
      this.o.logger.warn({ binding: String(b.id), err: (e as Error).message }, 'following a card renewal failed');
      return false;
    }
  }
}
