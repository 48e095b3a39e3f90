/**
 * What comes back over MQTT: TV receipts (delivered / displayed / acknowledged with an answer)
 * and shelter check-ins. Messages are validated against the contract, queued and written in
 * batches (a city's TVs answer within seconds of each other). Every write is idempotent:
 * a duplicate receipt or a re-sent check-in changes nothing.
 */
import type { MqttClient } from 'mqtt';
import type { Db, Logger } from '@kizuna/core';
import { MessageError, ReceiptSchema, ShelterEventSchema, decodeMessage, parseTopic, topics, type Receipt, type ShelterEvent } from '@kizuna/contract';
import type { Clock } from './alerts.ts';

interface QueuedReceipt { device: string; r: Receipt; receivedAt: Date }
interface QueuedEvent { shelter: string; terminal: string; e: ShelterEvent; receivedAt: Date }

export interface IngestStats { receipts: number; checkins: number; rejected: number }

export class Ingest {
  readonly stats: IngestStats = { receipts: 0, checkins: 0, rejected: 0 };
  private receipts: QueuedReceipt[] = [];
  private events: QueuedEvent[] = [];
  private running: Promise<void> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private readonly handler = (topic: string, payload: Buffer) => this.onMessage(topic, payload);

  constructor(private readonly o: { db: Db; mqtt: MqttClient; muni: string; logger: Logger; clock: Clock; onChange: (alertIds: string[], residentsArrived: boolean) => void; batchDelayMs?: number }) {}

  async start(): Promise<void> {
    this.o.mqtt.on('message', this.handler);
    await this.o.mqtt.subscribeAsync([topics.allReceipts(this.o.muni), topics.allShelterEvents(this.o.muni)], { qos: 1 });
  }

  async stop(): Promise<void> {
    this.o.mqtt.removeListener('message', this.handler);
    if (this.timer) clearTimeout(this.timer);
    await this.flush();
  }

  private onMessage(topic: string, payload: Buffer) {
    const t = parseTopic(topic);
    if (!t || t.muni !== this.o.muni) return;
    const receivedAt = this.o.clock.now();
    try {
      if (t.kind === 'tv-receipt') {
        this.receipts.push({ device: t.device, r: decodeMessage(ReceiptSchema, payload, 'receipt'), receivedAt });
      } else if (t.kind === 'shelter-event') {
        this.events.push({ shelter: t.shelter, terminal: t.terminal, e: decodeMessage(ShelterEventSchema, payload, 'shelter-event'), receivedAt });
      } else return;
    } catch (e) {
      this.stats.rejected += 1;
      // the topic names the device, never a person; the payload is not logged
      this.o.logger.warn({ topic, code: (e as MessageError).code, problems: (e as MessageError).problems }, 'invalid message ignored');
      return;
    }
    if (!this.timer) this.timer = setTimeout(() => { this.timer = null; void this.flush(); }, this.o.batchDelayMs ?? 50);
  }

  /** Write everything queued so far (tests call it to wait for the writes). */
  async flush(): Promise<void> {
    while (this.running) await this.running;
    if (this.receipts.length === 0 && this.events.length === 0) return;
    const receipts = this.receipts; const events = this.events;
    this.receipts = []; this.events = [];
    this.running = this.write(receipts, events).catch((e) => {
      this.o.logger.error({ err: e }, 'writing receipts failed; they will be retried');
      this.receipts.unshift(...receipts); this.events.unshift(...events);
    }).finally(() => { this.running = null; });
    await this.running;
  }

  private async write(receipts: QueuedReceipt[], events: QueuedEvent[]) {
    const touched = new Set<string>();
    let arrived = false;
    await this.o.db.tx(async (q) => {
      // an answer naming a ref this TV was not given is refused whole (it implies nothing about display either)
      const withRef = receipts.filter(({ r }) => r.ref);
      if (withRef.length) {
        const { rows: ok } = await q.query<{ k: string }>(`
          SELECT ar.alert_id || ' ' || ar.device_id || ' ' || ar.ref AS k FROM alert_recipients ar
          JOIN jsonb_to_recordset($1::jsonb) AS x(alert_id text, device_id text, ref text)
            ON ar.alert_id = x.alert_id AND ar.device_id = x.device_id AND ar.ref = x.ref`,
        [JSON.stringify(withRef.map(({ device, r }) => ({ alert_id: r.alertId, device_id: device, ref: r.ref })))]);
        const valid = new Set(ok.map((x) => x.k));
        const before = receipts.length;
        receipts = receipts.filter(({ device, r }) => !r.ref || valid.has(`${r.alertId} ${device} ${r.ref}`));
        if (receipts.length < before) {
          this.stats.rejected += before - receipts.length;
          this.o.logger.warn({ count: before - receipts.length }, 'receipts naming a recipient the TV was not sent were ignored');
        }
      }
      if (receipts.length) {
        // "displayed" and "acknowledged" imply "delivered"; a receipt for a revision never sent is ignored
        const rows = receipts.map(({ device, r, receivedAt }) => ({
          alert_id: r.alertId, device_id: device, revision: r.revision,
          delivered: true, displayed: r.state !== 'delivered', at: clampAt(r.at, receivedAt),
        }));
        const { rows: upd } = await q.query<{ alert_id: string }>(`
          WITH x AS (
            SELECT alert_id, device_id, max(revision) AS revision, bool_or(displayed) AS displayed, min(at) AS at
            FROM jsonb_to_recordset($1::jsonb) AS r(alert_id text, device_id text, revision int, delivered boolean, displayed boolean, at timestamptz)
            GROUP BY alert_id, device_id)
          UPDATE deliveries d SET
            delivered_revision = GREATEST(d.delivered_revision, LEAST(x.revision, d.revision_sent)),
            delivered_at = COALESCE(d.delivered_at, x.at),
            displayed_revision = CASE WHEN x.displayed THEN GREATEST(d.displayed_revision, LEAST(x.revision, d.revision_sent)) ELSE d.displayed_revision END,
            displayed_at = CASE WHEN x.displayed THEN COALESCE(d.displayed_at, x.at) ELSE d.displayed_at END
          FROM x WHERE d.alert_id = x.alert_id AND d.device_id = x.device_id
          RETURNING d.alert_id`, [JSON.stringify(rows)]);
        for (const r of upd) touched.add(r.alert_id);
        // answers: the ref must be one this device was given for this alert, so a TV answers only for its own people
        const answers = receipts.filter(({ r }) => r.state === 'acknowledged' && r.ref && r.answer)
          .map(({ device, r, receivedAt }) => ({ alert_id: r.alertId, device_id: device, ref: r.ref, answer: r.answer, at: clampAt(r.at, receivedAt) }));
        if (answers.length) {
          const { rows: ans } = await q.query<{ alert_id: string }>(`
            WITH x AS (
              SELECT DISTINCT ON (ar.alert_id, ar.resident_id) ar.alert_id, ar.resident_id, a.answer, a.at
              FROM jsonb_to_recordset($1::jsonb) AS a(alert_id text, device_id text, ref text, answer text, at timestamptz)
              JOIN alert_recipients ar ON ar.alert_id = a.alert_id AND ar.ref = a.ref AND ar.device_id = a.device_id
              ORDER BY ar.alert_id, ar.resident_id, a.at DESC)
            INSERT INTO answers (alert_id, resident_id, answer, answered_at, first_answered_at)
            SELECT alert_id, resident_id, answer, at, at FROM x
            ON CONFLICT (alert_id, resident_id) DO UPDATE SET answer = EXCLUDED.answer, answered_at = EXCLUDED.answered_at
              WHERE answers.answered_at < EXCLUDED.answered_at AND answers.answer <> EXCLUDED.answer
            RETURNING alert_id`, [JSON.stringify(answers)]);
          for (const r of ans) touched.add(r.alert_id);
          if (ans.length === 0) for (const a of answers) touched.add(a.alert_id);
        }
        this.stats.receipts += receipts.length;
      }
      if (events.length) {
        const rows = events.map(({ shelter, terminal, e, receivedAt }) => ({
          event_id: e.eventId, shelter_id: shelter, terminal_id: terminal, seq: e.seq, type: e.type, at: clampAt(e.at, receivedAt),
          roster_key: e.rosterKey ?? null, cert_serial: e.certSerial ?? null, manual: e.manual ?? null, undoes: e.undoes ?? null, to_shelter: e.toShelter ?? null,
          event: e,
        }));
        // the person is resolved here, where the links live: roster key → resident, or card serial → binding
        const { rowCount } = await q.query(`
          INSERT INTO checkins (event_id, shelter_id, terminal_id, seq, type, at, resident_id, roster_key, cert_serial, manual, undoes, to_shelter, event)
          SELECT x.event_id, x.shelter_id, x.terminal_id, x.seq, x.type, x.at,
            COALESCE(
              (SELECT k.resident_id FROM roster_keys k WHERE k.shelter_id = x.shelter_id AND k.key = x.roster_key),
              (SELECT b.resident_id FROM bindings b WHERE x.cert_serial IS NOT NULL AND (lower(b.auth_serial) = x.cert_serial OR lower(b.sign_serial) = x.cert_serial) ORDER BY b.bound_at DESC LIMIT 1)),
            x.roster_key, x.cert_serial, x.manual, x.undoes, x.to_shelter, x.event
          FROM jsonb_to_recordset($1::jsonb) AS x(event_id text, shelter_id text, terminal_id text, seq int, type text, at timestamptz,
            roster_key text, cert_serial text, manual jsonb, undoes text, to_shelter text, event jsonb)
          ON CONFLICT (event_id) DO NOTHING`, [JSON.stringify(rows)]);
        if (rowCount > 0) arrived = true;
        this.stats.checkins += events.length;
      }
    });
    if (touched.size || arrived) this.o.onChange([...touched], arrived);
  }
}

/** A device's clock may be wrong: never accept a time in the future of our own. */
function clampAt(at: string, receivedAt: Date): string {
  const t = Date.parse(at);
  return (Number.isNaN(t) || t > receivedAt.getTime() ? receivedAt : new Date(t)).toISOString();
}
