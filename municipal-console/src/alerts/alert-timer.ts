/**
 * The alert timer's pass: expiry, fan-outs whose process died (their journal written out, then
 * resumed), the re-sender, and the targetable register read again if it changed.
 */
import type { Db, Logger } from '@kizuna/core';
import { topics } from '@kizuna/contract';
import type { Clock } from '../clock.ts';
import { appendAudit } from '../staff/audit.ts';
import type { AlertPublisher, OutMessage } from './alert-publisher.ts';
import type { FanoutEngine } from './fanout.ts';
import type { RegisterCache } from './targeting.ts';
import { endFanoutsOf, expireAlerts } from './repository/alert-rows.ts';
import { clearAreas, markResent, unconfirmedDeliveries } from './repository/delivery-rows.ts';

export interface AlertTimerOptions {
  db: Db;
  muni: string;
  clock: Clock;
  log: Logger;
  publisher: AlertPublisher;
  fanouts: FanoutEngine;
  register: RegisterCache;
  onChange: (alertId: string) => void;
  /** How long a TV has to confirm delivery before the message is sent again (ms); later re-sends wait longer (unconfirmedDeliveries). */
  resendAfterMs: number;
}

export class AlertTimer {
  constructor(private readonly o: AlertTimerOptions) {}

  /** One pass; the app runs it on an interval, tests call it with their clock. */
  async tick(): Promise<{ resent: number; expired: string[]; resumed: number }> {
    const { clock, publisher, fanouts } = this.o;
    const now = clock.now();
    const expired = await this.expire(now);
    await fanouts.materialiseLeftovers(now);
    const resumed = publisher.connected ? await fanouts.resume(now) : 0;
    const resent = publisher.connected ? await this.resend(clock.now()) : 0;
    for (const id of expired) this.o.onChange(id);
    // a register import or binding since the last pass is read now, not by the next alert ahead of its first message
    await this.o.register.rows(this.o.db);
    return { resent, expired, resumed };
  }

  private async resend(now: Date): Promise<number> {
    const out = await this.o.db.tx(async (q) => {
      const rows = await unconfirmedDeliveries(q, now, this.o.resendAfterMs);
      if (rows.length === 0) return [];
      await markResent(q, now, rows);
      // the exact text published the first time
      return rows.map((r) => ({ topic: topics.tvAlert(this.o.muni, r.device_id), payload: r.payload, retain: false }));
    });
    if (out.length) this.o.log.info({ count: out.length }, 'alert re-sent to TVs that have not confirmed delivery');
    await this.o.publisher.publishAll(out);
    return out.length;
  }

  private async expire(now: Date): Promise<string[]> {
    const { ids, out } = await this.o.db.tx(async (q) => {
      const due = await expireAlerts(q, now);
      const ids = due.map((d) => d.id);
      if (ids.length === 0) return { ids, out: [] as OutMessage[] };
      await endFanoutsOf(q, ids);
      const zones = await clearAreas(q, ids);
      for (const d of due)
        await appendAudit(
          q,
          {
            actor: 'system',
            action: 'alert.expire',
            subject: d.id,
            details: { alert: d.id, revision: d.revision, from: d.from, to: 'expired', level: d.level },
          },
          now,
        );
      // an empty retained payload removes the area message from the broker [MQTT-3.3.1-10]
      return {
        ids,
        out: [...new Set(zones)].map((z) => ({ topic: topics.areaAlert(this.o.muni, z), payload: '', retain: true })),
      };
    });
    await this.o.publisher.publishAll(out);
    return ids;
  }
}
