/**
 * 現況確認: the gateway re-checks each enrolled resident's signing certificate with the authority
 * (OCSP/CRL through the StatusSource) once per interval of the injected clock. A revocation
 * (moved, renamed, died, card lost) becomes a `certificate.revoked` event for each insurer with
 * that resident, the same day. A renewal is followed along the authority's old → new link and
 * the enrolment moves to the new certificate without telling the insurer anything.
 * Besides the periodic pass, `checkSerials` re-checks named serials at once: the authority's
 * change feed (watch-feed.ts) calls it with each revocation it hears of.
 */
import type { Db, Logger, Queryable } from '@kizuna/core';
import type { CertStatus, Clock, StatusSource } from './ports.ts';
import { lifeEventOf, type RevocationReason } from '@kizuna/jpki';
import { emitEvent } from './events.ts';
import { endSessionsForCertificate } from './postboxes.ts';

export interface StatusWatcherOptions {
  db: Db;
  status: StatusSource;
  clock: Clock;
  logger: Logger;
  intervalS: number;
  /** Called after a check recorded a revocation (say, to send the webhooks at once). */
  onRevoked?: (() => void) | undefined;
}
export interface WatchResult {
  checked: number;
  revoked: number;
  renewed: number;
  unknown: number;
}

const MAX_HOPS = 8;

/**
 * Only a plain renewal is followed silently. A move or a change of name also links old → new,
 * but the four items changed: the insurer is told (reason moved / renamed) and the resident
 * enrols again with a new consent, which discloses the new items.
 */
export const isPlainRenewal = (reason: string | undefined): boolean => reason === 'renewed' || reason === 'superseded';

/**
 * What a revocation of an enrolled signing certificate does — in one place: the enrolment is
 * marked revoked and its insurer gets `certificate.revoked`.
 */
async function recordRevocation(
  q: Queryable,
  e: { id: string; insurer_id: string; policy: string; code: string },
  s: CertStatus,
  now: Date,
): Promise<void> {
  await q.query(`UPDATE gw_enrolments SET cert_status = 'revoked' WHERE id = $1`, [e.id]);
  await emitEvent(
    q,
    e.insurer_id,
    'certificate.revoked',
    {
      // The life event (moved-or-renamed, died, card-lost, other) and the CRL reason it came from.
      code: e.code,
      policy: e.policy,
      reason: lifeEventOf((s.reason ?? 'unspecified') as RevocationReason),
      crlReason: s.reason ?? 'unspecified',
      revokedAt: (s.revokedAt ?? now).toISOString(),
      detectedAt: now.toISOString(),
    },
    now,
  );
}

export function createStatusWatcher(opts: StatusWatcherOptions) {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> = Promise.resolve();

  /** Serials found still good and unchanged: only their checked_at moves, many in one statement. */
  let stillGood: string[] = [];
  async function flushGood(now: Date) {
    if (!stillGood.length) return;
    const serials = stillGood;
    stillGood = [];
    await opts.db.query(
      `UPDATE gw_enrolments SET checked_at = $2 WHERE sign_serial = ANY($1::text[]) AND status = 'active' AND cert_status = 'good'`,
      [serials, now],
    );
  }

  async function checkSerial(serial: string, now: Date, out: WatchResult): Promise<void> {
    let current = serial;
    let s = await opts.status.status(current);
    let hops = 0;
    // Renewal: walk old → new while each step is a renewal, ending on the newest certificate.
    while (s.status === 'revoked' && s.renewedTo && isPlainRenewal(s.reason) && hops < MAX_HOPS) {
      current = s.renewedTo.toLowerCase();
      s = await opts.status.status(current);
      hops += 1;
    }
    out.checked += 1;
    if (s.status === 'unknown') {
      out.unknown += 1;
      opts.logger.warn({ serial: current }, 'certificate status unknown; will retry');
      return;
    }
    if (current === serial && s.status !== 'revoked') {
      stillGood.push(serial);
      if (stillGood.length >= 500) await flushGood(now);
      return;
    }
    const { rows: enrolments } = await opts.db.query<{ id: string; insurer_id: string; policy: string; code: string }>(
      `SELECT e.id, e.insurer_id, e.policy, c.code FROM gw_enrolments e JOIN gw_insurer_codes c ON c.insurer_id = e.insurer_id AND c.postbox_id = e.postbox_id
       WHERE e.sign_serial = $1 AND e.status = 'active' AND e.cert_status = 'good'`,
      [serial],
    );
    await opts.db.tx(async (q) => {
      for (const e of enrolments) {
        if (current !== serial) {
          await q.query('UPDATE gw_enrolments SET sign_serial = $2 WHERE id = $1', [e.id, current]);
          await q.query(
            `INSERT INTO gw_enrolment_certs (enrolment_id, serial, added_at, via) VALUES ($1, $2, $3, 'renewal') ON CONFLICT DO NOTHING`,
            [e.id, current, now],
          );
        }
        await q.query('UPDATE gw_enrolments SET checked_at = $2 WHERE id = $1', [e.id, now]);
        if (s.status === 'revoked') await recordRevocation(q, e, s, now);
      }
    });
    if (s.status === 'revoked') await endSessionsForCertificate(opts.db, current, now); // sessions end with the card
    if (current !== serial && enrolments.length) out.renewed += 1;
    if (s.status === 'revoked' && enrolments.length) out.revoked += 1;
  }

  async function checkAll(serials: string[], now: Date): Promise<WatchResult> {
    const out: WatchResult = { checked: 0, revoked: 0, renewed: 0, unknown: 0 };
    for (const serial of serials) {
      try {
        await checkSerial(serial, now, out);
      } catch (err) {
        out.unknown += 1;
        opts.logger.warn({ err: (err as Error).message }, 'status check failed; will retry');
      }
    }
    await flushGood(now);
    if (out.revoked) opts.onRevoked?.();
    return out;
  }

  /** One pass over enrolments not checked for `intervalS` (all of them with `force`). */
  async function runOnce(force = false): Promise<WatchResult> {
    const now = opts.clock.now();
    const dueBefore = force ? now : new Date(now.getTime() - opts.intervalS * 1000);
    const { rows } = await opts.db.query<{ sign_serial: string }>(
      `SELECT DISTINCT sign_serial FROM gw_enrolments WHERE status = 'active' AND cert_status = 'good' AND (checked_at IS NULL OR checked_at <= $1)`,
      [dueBefore],
    );
    return checkAll(
      rows.map((r) => r.sign_serial),
      now,
    );
  }

  /** Checks now those of `serials` that are enrolled and not yet known revoked (news from the feed). */
  async function checkSerials(serials: string[]): Promise<WatchResult> {
    const { rows } = await opts.db.query<{ sign_serial: string }>(
      `SELECT DISTINCT sign_serial FROM gw_enrolments WHERE status = 'active' AND cert_status = 'good' AND sign_serial = ANY($1::text[])`,
      [serials.map((s) => s.toLowerCase())],
    );
    return checkAll(
      rows.map((r) => r.sign_serial),
      opts.clock.now(),
    );
  }

  return {
    runOnce: (force = false) => {
      const p = running.then(
        () => runOnce(force),
        () => runOnce(force),
      );
      running = p.catch(() => undefined);
      return p;
    },
    /** Serialised with the periodic pass, like runOnce. */
    checkSerials: (serials: string[]) => {
      const p = running.then(
        () => checkSerials(serials),
        () => checkSerials(serials),
      );
      running = p.catch(() => undefined);
      return p;
    },
    start(tickMs: number) {
      if (timer) return;
      timer = setInterval(() => {
        running = running.then(() => runOnce(false)).catch((err) => opts.logger.error({ err }, 'status watch failed'));
      }, tickMs);
      timer.unref();
    },
    async stop() {
      if (timer) clearInterval(timer);
      timer = undefined;
      await running.catch(() => undefined);
    },
  };
}
export type StatusWatcher = ReturnType<typeof createStatusWatcher>;
