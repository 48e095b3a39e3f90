/**
 * The terminal's local store: events (its own and its peers'), who is present, the outbox and
 * the cached roster. A local action writes its events, the presence change and the outbox rows
 * in ONE transaction, so a crash can lose neither an arrival nor its pending send.
 */
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { loadMigrations, migrate, type Db, type Queryable } from '@kizuna/core';
import { topics, type ShelterEvent } from '@kizuna/contract';

export const MIGRATIONS_DIR = fileURLToPath(new URL('../migrations/', import.meta.url));

export type EventDraft = Omit<ShelterEvent, 'v' | 'kind' | 'eventId' | 'seq' | 'at'>;

export interface Occupancy {
  present: number;
  needsCare: number;
}

export interface PresenceRow {
  personKey: string;
  present: boolean;
  needsCare: boolean;
  lastEvent: string;
  checkInEvent: string | null;
  since: string;
}

export interface TerminalIds {
  muni: string;
  shelter: string;
  terminal: string;
}

/** r:<rosterKey> | c:<certSerial> | m:<eventId of a hand-typed check-in>. */
export function personKeyOf(
  ev: Pick<ShelterEvent, 'type' | 'eventId' | 'rosterKey' | 'certSerial' | 'checkIn'>,
): string | null {
  if (ev.type === 'undo') return null;
  if (ev.rosterKey) return `r:${ev.rosterKey}`;
  if (ev.certSerial) return `c:${ev.certSerial}`;
  if (ev.type === 'check-in') return `m:${ev.eventId}`;
  return ev.checkIn ? `m:${ev.checkIn}` : null;
}

export async function migrateTerminalDb(db: Db): Promise<void> {
  await migrate(db, await loadMigrations(MIGRATIONS_DIR), { component: 'evacuation-center' });
}

export class TerminalStore {
  constructor(
    readonly db: Db,
    readonly ids: TerminalIds,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  /**
   * Run `plan` and record the events it returns, atomically. `plan` sees the transaction so its
   * checks (already present? full?) and the writes cannot interleave with another action.
   */
  async record<T>(
    plan: (q: Queryable) => Promise<{ drafts: EventDraft[]; result: T }>,
  ): Promise<{ events: ShelterEvent[]; result: T }> {
    return this.db.tx(async (q) => {
      const { drafts, result } = await plan(q);
      if (drafts.length === 0) return { events: [], result };
      const { rows } = await q.query<{ last_seq: string | number }>(
        'UPDATE terminal_state SET last_seq = last_seq + $1 WHERE id = 1 RETURNING last_seq',
        [drafts.length],
      );
      const last = Number(rows[0]!.last_seq);
      const at = this.clock().toISOString();
      const topic = topics.shelterEvent(this.ids.muni, this.ids.shelter, this.ids.terminal);
      const events: ShelterEvent[] = drafts.map((d, i) => ({
        v: 1,
        kind: 'shelter-event',
        eventId: randomUUID(),
        seq: last - drafts.length + 1 + i,
        at,
        ...stripUndefined(d),
      }));
      for (const ev of events) {
        await insertEvent(q, this.ids.terminal, ev);
        await q.query('INSERT INTO outbox (seq, event_id, topic, payload) VALUES ($1, $2, $3, $4)', [
          ev.seq,
          ev.eventId,
          topic,
          JSON.stringify(ev),
        ]);
      }
      await recomputeFor(q, events);
      return { events, result };
    });
  }

  /** Store an event of another terminal (or one the console sent back); false if already known. */
  async ingest(terminal: string, ev: ShelterEvent): Promise<boolean> {
    return this.db.tx(async (q) => {
      const inserted = await insertEvent(q, terminal, ev);
      if (!inserted) return false;
      // Our own events coming back from the console after this store was lost: never reuse a seq.
      if (terminal === this.ids.terminal) {
        await q.query('UPDATE terminal_state SET last_seq = GREATEST(last_seq, $1) WHERE id = 1', [ev.seq]);
      }
      await recomputeFor(q, [ev]);
      return true;
    });
  }

  async occupancy(q: Queryable = this.db): Promise<Occupancy> {
    const { rows } = await q.query<{ present: string | number; needs_care: string | number }>(
      'SELECT count(*) AS present, count(*) FILTER (WHERE needs_care) AS needs_care FROM presence WHERE present',
    );
    return { present: Number(rows[0]!.present), needsCare: Number(rows[0]!.needs_care) };
  }

  async presence(personKeys: string[], q: Queryable = this.db): Promise<Map<string, PresenceRow>> {
    if (personKeys.length === 0) return new Map();
    const { rows } = await q.query<Record<string, unknown>>('SELECT * FROM presence WHERE person_key = ANY($1)', [
      personKeys,
    ]);
    return new Map(rows.map((r) => [String(r.person_key), toPresence(r)]));
  }

  /** Present people with the check-in event that brought them (for names typed by staff). */
  async presentPeople(): Promise<(PresenceRow & { checkIn: ShelterEvent | null })[]> {
    const { rows } = await this.db.query<Record<string, unknown>>(
      `SELECT p.*, e.payload FROM presence p LEFT JOIN shelter_events e ON e.event_id = p.check_in_event
       WHERE p.present ORDER BY p.since DESC, p.person_key`,
    );
    return rows.map((r) => ({ ...toPresence(r), checkIn: (parseJson(r.payload) as ShelterEvent | null) ?? null }));
  }

  async event(
    eventId: string,
    q: Queryable = this.db,
  ): Promise<{ terminal: string; event: ShelterEvent; undone: boolean } | null> {
    const { rows } = await q.query<{ terminal: string; payload: unknown; undone: boolean }>(
      `SELECT terminal, payload, EXISTS (SELECT 1 FROM shelter_events u WHERE u.undoes = e.event_id AND u.type = 'undo') AS undone
       FROM shelter_events e WHERE event_id = $1`,
      [eventId],
    );
    const r = rows[0];
    return r ? { terminal: r.terminal, event: parseJson(r.payload) as ShelterEvent, undone: !!r.undone } : null;
  }

  async lastSeq(): Promise<number> {
    const { rows } = await this.db.query<{ last_seq: string | number }>(
      'SELECT last_seq FROM terminal_state WHERE id = 1',
    );
    return Number(rows[0]!.last_seq);
  }

  async backlog(): Promise<{ count: number; oldest: string | null }> {
    const { rows } = await this.db.query<{ n: string | number; oldest: Date | string | null }>(
      'SELECT count(*) AS n, min(created_at) AS oldest FROM outbox WHERE sent_at IS NULL',
    );
    const o = rows[0]!.oldest;
    return { count: Number(rows[0]!.n), oldest: o ? new Date(o).toISOString() : null };
  }

  async unsent(afterSeq: number, limit: number): Promise<{ seq: number; topic: string; payload: string }[]> {
    const { rows } = await this.db.query<{ seq: string | number; topic: string; payload: string }>(
      'SELECT seq, topic, payload FROM outbox WHERE sent_at IS NULL AND seq > $1 ORDER BY seq LIMIT $2',
      [afterSeq, limit],
    );
    return rows.map((r) => ({ seq: Number(r.seq), topic: r.topic, payload: r.payload }));
  }

  async markSent(seqs: number[]): Promise<void> {
    if (seqs.length)
      await this.db.query('UPDATE outbox SET sent_at = now() WHERE seq = ANY($1) AND sent_at IS NULL', [seqs]);
  }

  async cachedRoster(): Promise<{ version: string; fetchedAt: string; body: unknown } | null> {
    const { rows } = await this.db.query<{ version: string; fetched_at: Date | string; body: unknown }>(
      'SELECT * FROM roster_cache WHERE id = 1',
    );
    const r = rows[0];
    return r ? { version: r.version, fetchedAt: new Date(r.fetched_at).toISOString(), body: parseJson(r.body) } : null;
  }

  async saveRoster(version: string, body: unknown): Promise<void> {
    await this.db.query(
      `INSERT INTO roster_cache (id, version, fetched_at, body) VALUES (1, $1, now(), $2)
       ON CONFLICT (id) DO UPDATE SET version = EXCLUDED.version, fetched_at = EXCLUDED.fetched_at, body = EXCLUDED.body`,
      [version, JSON.stringify(body)],
    );
  }

  async touchRoster(): Promise<void> {
    await this.db.query('UPDATE roster_cache SET fetched_at = now() WHERE id = 1');
  }
}

async function insertEvent(q: Queryable, terminal: string, ev: ShelterEvent): Promise<boolean> {
  let personKey = personKeyOf(ev);
  if (ev.type === 'undo' && ev.undoes) {
    const { rows } = await q.query<{ person_key: string | null }>(
      'SELECT person_key FROM shelter_events WHERE event_id = $1',
      [ev.undoes],
    );
    personKey = rows[0]?.person_key ?? null;
  }
  const needsCare = ev.needsCare ?? ev.manual?.needsCare ?? false;
  const r = await q.query(
    `INSERT INTO shelter_events (event_id, terminal, seq, type, at, person_key, needs_care, undoes, payload)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT DO NOTHING`,
    [ev.eventId, terminal, ev.seq, ev.type, ev.at, personKey, needsCare, ev.undoes ?? null, JSON.stringify(ev)],
  );
  return r.rowCount > 0;
}

/** Recompute presence of everyone these events touch: the last event not undone wins. */
async function recomputeFor(q: Queryable, events: ShelterEvent[]): Promise<void> {
  const keys = new Set<string>();
  for (const ev of events) {
    const { rows } = await q.query<{ person_key: string | null }>(
      // an undo's target, or (for a late-arriving target) the event itself
      'SELECT person_key FROM shelter_events WHERE event_id = $1 OR event_id = $2',
      [ev.eventId, ev.undoes ?? ev.eventId],
    );
    for (const r of rows) if (r.person_key) keys.add(r.person_key);
  }
  for (const key of keys) {
    const { rows } = await q.query<{ event_id: string; type: string; at: Date | string; needs_care: boolean }>(
      `SELECT event_id, type, at, needs_care FROM shelter_events e
       WHERE person_key = $1 AND type <> 'undo'
         AND NOT EXISTS (SELECT 1 FROM shelter_events u WHERE u.undoes = e.event_id AND u.type = 'undo')
       ORDER BY at DESC, terminal DESC, seq DESC LIMIT 1`,
      [key],
    );
    const last = rows[0];
    if (!last) {
      await q.query('DELETE FROM presence WHERE person_key = $1', [key]);
      continue;
    }
    const present = last.type === 'check-in';
    await q.query(
      `INSERT INTO presence (person_key, present, needs_care, last_event, check_in_event, since) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (person_key) DO UPDATE SET present = EXCLUDED.present, needs_care = EXCLUDED.needs_care,
         last_event = EXCLUDED.last_event, check_in_event = EXCLUDED.check_in_event, since = EXCLUDED.since`,
      [
        key,
        present,
        present && last.needs_care,
        last.event_id,
        present ? last.event_id : null,
        new Date(last.at).toISOString(),
      ],
    );
  }
}

function toPresence(r: Record<string, unknown>): PresenceRow {
  return {
    personKey: String(r.person_key),
    present: !!r.present,
    needsCare: !!r.needs_care,
    lastEvent: String(r.last_event),
    checkInEvent: r.check_in_event ? String(r.check_in_event) : null,
    since: new Date(r.since as string).toISOString(),
  };
}

function parseJson(v: unknown): unknown {
  return typeof v === 'string' ? JSON.parse(v) : v;
}

function stripUndefined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}
