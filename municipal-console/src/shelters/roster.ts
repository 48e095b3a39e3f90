/**
 * The shelter roster (contract/src/roster.ts): what the municipality gives one shelter's
 * terminals so staff can greet arrivals by name and check households in together, offline.
 *
 * Who is on it (issue 19): every resident of the municipality, so any resident's card checks in
 * at any shelter (people go to the shelter they can reach), offline included, with their
 * household offered. `assigned` marks those the shelter serves (指定避難所 of their zone) or an
 * active alert sent there. What is on it: only what staff need (name, kana reading, household,
 * age group, care needs) under pseudonyms derived with a per-shelter secret, and card keys (salted
 * hashes of the person's user-authentication certificate serials), never a serial, an address or
 * a resident id. Every change of what a shelter holds about a person is written to that person's
 * disclosure log, and numbered (roster_keys.changed_seq / removed_seq, roster_versions) so a
 * terminal can fetch only the changes since the version it holds (`rosterChanges`).
 */
import { createHash, createHmac, randomBytes } from 'node:crypto';
import type { Db, Queryable } from '@kizuna/core';
import {
  CARE_NEEDS,
  type CareNeed,
  type RosterEvent,
  type RosterPerson,
  type ShelterEvent,
  type ShelterRoster,
  type ShelterRosterDelta,
} from '@kizuna/contract';
import { ageOn, ELDERLY_AGE } from '../alerts/alert-spec.ts';
import { consoleErrors } from '../errors.ts';
import { appendAudit } from '../staff/audit.ts';

export const CHILD_UNDER = 15;
const MAX_CARD_KEYS = 4;

interface Secrets {
  secret: string;
  salt: string;
}

async function secretsFor(db: Db, shelter: string, now: Date): Promise<Secrets> {
  const read = async (q: Queryable) =>
    (
      await q.query<{ secret: string; card_key_salt: string }>(
        'SELECT secret, card_key_salt FROM roster_secrets WHERE shelter_id = $1',
        [shelter],
      )
    ).rows[0];
  let r = await read(db);
  if (!r) {
    await db.query(
      'INSERT INTO roster_secrets (shelter_id, secret, card_key_salt, created_at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING',
      [shelter, randomBytes(32).toString('hex'), randomBytes(16).toString('hex'), now],
    );
    r = (await read(db))!;
  }
  return { secret: r.secret, salt: r.card_key_salt };
}

const pseudonym = (secret: string, prefix: string, what: string) =>
  `${prefix}-${createHmac('sha256', secret).update(what).digest('hex').slice(0, 24)}`;

interface PersonRow {
  id: string;
  family_name: string;
  given_name: string;
  family_kana: string;
  given_kana: string;
  household_id: string | null;
  birth_date: string;
  needs_help: boolean;
  care_needs: string[] | null;
  auth_serials: string[] | null;
  assigned: boolean;
}

interface EventRow {
  event_id: string;
  terminal_id: string;
  seq: number;
  type: string;
  at: Date | string;
  roster_key: string | null;
  cert_serial: string | null;
  manual: ShelterEvent['manual'] | null;
  undoes: string | null;
  to_shelter: string | null;
  event: ShelterEvent | null;
}

export interface BuiltRoster {
  roster: ShelterRoster;
  /** resident id of each roster key on it (kept here, never sent). */
  residents: Map<string, string>;
}

/** Build the roster of one shelter as it stands now. */
export async function buildRoster(
  db: Db,
  o: { muni: string; shelter: string; now: Date; windowMs: number },
): Promise<BuiltRoster> {
  const { rows: sh } = await db.query<{
    id: string;
    name: string;
    capacity: number;
    welfare: boolean;
    serves: string[] | null;
  }>('SELECT id, name, capacity, welfare, serves FROM shelters WHERE id = $1', [o.shelter]);
  const shelter = sh[0];
  if (!shelter) throw consoleErrors.KZ_CONSOLE_UNKNOWN_SHELTER(o.shelter);
  const since = new Date(o.now.getTime() - o.windowMs);
  const { secret, salt } = await secretsFor(db, o.shelter, o.now);

  const { rows } = await db.query<PersonRow>(
    `
    WITH direct AS (
      SELECT r.id FROM residents r WHERE r.zone_id = ANY($2::text[])
      UNION SELECT ar.resident_id FROM alert_recipients ar JOIN alerts a ON a.id = ar.alert_id
        WHERE a.state = 'active' AND ar.active AND ar.shelter_id = $1
    )
    , serials AS (
      SELECT b.resident_id, array_agg(DISTINCT lower(b.auth_serial)) AS auth_serials FROM bindings b
      WHERE b.status = 'active' AND b.auth_serial IS NOT NULL GROUP BY b.resident_id
    )
    SELECT r.id, r.family_name, r.given_name, r.family_kana, r.given_kana, r.household_id, to_char(r.birth_date, 'YYYY-MM-DD') AS birth_date,
      r.needs_help, r.care_needs, (d.id IS NOT NULL) AS assigned, s.auth_serials
    FROM residents r LEFT JOIN direct d ON d.id = r.id LEFT JOIN serials s ON s.resident_id = r.id`,
    [o.shelter, shelter.serves ?? []],
  );

  const residents = new Map<string, string>();
  const people: RosterPerson[] = [];
  for (const r of rows) {
    const rosterKey = pseudonym(secret, 'p', `resident:${r.id}`);
    residents.set(rosterKey, r.id);
    const needs = (r.care_needs ?? [])
      .filter((n): n is CareNeed => (CARE_NEEDS as readonly string[]).includes(n))
      .sort();
    const age = ageOn(r.birth_date, o.now);
    const serials = (r.auth_serials ?? []).sort().slice(0, MAX_CARD_KEYS);
    people.push({
      rosterKey,
      displayName: `${r.family_name} ${r.given_name}`,
      reading: `${r.family_kana} ${r.given_kana}`,
      household: r.household_id
        ? pseudonym(secret, 'h', `household:${r.household_id}`)
        : pseudonym(secret, 'h', `alone:${r.id}`),
      ageGroup: age < CHILD_UNDER ? 'child' : age >= ELDERLY_AGE ? 'senior' : 'adult',
      needsCare: r.needs_help || needs.length > 0,
      needs,
      // the same digest as the contract's rosterCardKey (WebCrypto, async), synchronously: 100,000 people
      cardKeys: serials.map((s) => createHash('sha256').update(`${salt}:${s}`).digest('hex')),
      ...(r.assigned ? { assigned: true as const } : {}),
    });
  }
  people.sort((a, b) => (a.rosterKey < b.rosterKey ? -1 : a.rosterKey > b.rosterKey ? 1 : 0));

  const { rows: evs } = await db.query<EventRow>(
    `
    SELECT event_id, terminal_id, seq, type, at, roster_key, cert_serial, manual, undoes, to_shelter, event
    FROM checkins WHERE shelter_id = $1 AND at >= $2 ORDER BY at, terminal_id, seq`,
    [o.shelter, since],
  );
  const events: RosterEvent[] = evs.map((e) => ({ terminal: e.terminal_id, event: e.event ?? eventFromColumns(e) }));

  const body = {
    shelterName: shelter.name,
    capacity: Number(shelter.capacity),
    welfare: shelter.welfare,
    cardKeySalt: salt,
    scope: 'municipality' as const,
    people,
    events,
  };
  const version = createHash('sha256').update(JSON.stringify(body)).digest('hex').slice(0, 32);
  return {
    roster: {
      v: 1,
      kind: 'shelter-roster',
      muni: o.muni,
      shelter: o.shelter,
      version,
      generatedAt: o.now.toISOString(),
      ...body,
    },
    residents,
  };
}

/** Rows stored before the original event was kept (migration 002): rebuilt from the columns. */
function eventFromColumns(e: EventRow): ShelterEvent {
  return {
    v: 1,
    kind: 'shelter-event',
    eventId: e.event_id,
    seq: Number(e.seq),
    type: e.type as ShelterEvent['type'],
    at: new Date(e.at).toISOString(),
    ...(e.roster_key ? { rosterKey: e.roster_key } : {}),
    ...(e.cert_serial ? { certSerial: e.cert_serial } : {}),
    ...(e.manual ? { manual: e.manual } : {}),
    ...(e.undoes ? { undoes: e.undoes } : {}),
    ...(e.to_shelter ? { toShelter: e.to_shelter } : {}),
  };
}

const ITEMS: Array<[keyof RosterPerson, string]> = [
  ['displayName', 'name'],
  ['reading', 'name-reading'],
  ['household', 'household'],
  ['ageGroup', 'age-group'],
  ['needs', 'care-needs'],
  ['cardKeys', 'card-key'],
];

/**
 * Record what the shelter now holds: keys for check-in matching, one disclosure-log entry per
 * person whose entry is new or changed (a re-fetch of the same content logs nothing), and the
 * sequence number of this content (a new one whenever it differs from the last recorded), on
 * each entry that changed or left, for `rosterChanges`.
 */
export async function recordRosterDisclosure(
  db: Db,
  built: BuiltRoster,
  o: { terminal: string; now: Date },
): Promise<number> {
  const { roster } = built;
  return db.tx(async (q) => {
    // one shelter's numbering at a time (two terminals fetching at once)
    await q.query('SELECT 1 FROM roster_secrets WHERE shelter_id = $1 FOR UPDATE', [roster.shelter]);
    const { rows: last } = await q.query<{ version: string; seq: string | number }>(
      'SELECT version, seq FROM roster_versions WHERE shelter_id = $1 ORDER BY seq DESC LIMIT 1',
      [roster.shelter],
    );
    let changed = 0;
    if (last[0]?.version !== roster.version) {
      const seq = Number(last[0]?.seq ?? 0) + 1;
      // what the shelter holds now (entry digests): only new, changed or returning entries are written
      const { rows: heldRows } = await q.query<{ key: string; disclosed: string | null; removed: boolean }>(
        'SELECT key, disclosed, removed_seq IS NOT NULL AS removed FROM roster_keys WHERE shelter_id = $1',
        [roster.shelter],
      );
      const held = new Map(heldRows.map((r) => [r.key, r]));
      const entries = [];
      const onRoster = new Set<string>();
      for (const p of roster.people) {
        onRoster.add(p.rosterKey);
        const hash = createHash('sha256').update(JSON.stringify(p)).digest('hex');
        const h = held.get(p.rosterKey);
        if (h && !h.removed && h.disclosed === hash) continue;
        entries.push({
          key: p.rosterKey,
          resident_id: built.residents.get(p.rosterKey)!,
          hash,
          items: ITEMS.filter(([k]) => {
            const v = p[k];
            return Array.isArray(v) ? v.length > 0 : v !== undefined;
          })
            .map(([, name]) => name)
            .concat(p.needsCare ? ['needs-care'] : []),
        });
      }
      for (let i = 0; i < entries.length; i += 5000) {
        const batch = JSON.stringify(entries.slice(i, i + 5000));
        const { rows } = await q.query<{ key: string }>(
          `
          WITH x AS (SELECT * FROM jsonb_to_recordset($1::jsonb) AS x(key text, resident_id text, hash text, items text[])),
          up AS (
            INSERT INTO roster_keys (shelter_id, key, resident_id, disclosed, disclosed_at, changed_seq, removed_seq)
            SELECT $2, x.key, x.resident_id, x.hash, $3, $6, NULL FROM x
            ON CONFLICT (shelter_id, key) DO UPDATE SET disclosed = EXCLUDED.disclosed, disclosed_at = EXCLUDED.disclosed_at,
              changed_seq = EXCLUDED.changed_seq, removed_seq = NULL
              WHERE roster_keys.disclosed IS DISTINCT FROM EXCLUDED.disclosed OR roster_keys.removed_seq IS NOT NULL
            RETURNING key)
          INSERT INTO disclosures (resident_id, at, party, purpose, items)
          SELECT x.resident_id, $3, $4, $5, x.items FROM x JOIN up ON up.key = x.key
          RETURNING resident_id AS key`,
          [
            batch,
            roster.shelter,
            o.now,
            `shelter ${roster.shelter} (${roster.shelterName})`,
            'shelter roster: greet and check in evacuees at the door',
            seq,
          ],
        );
        changed += rows.length;
      }
      const gone = heldRows.filter((r) => !r.removed && !onRoster.has(r.key)).map((r) => r.key);
      if (gone.length)
        await q.query(
          'UPDATE roster_keys SET removed_seq = $2 WHERE shelter_id = $1 AND removed_seq IS NULL AND key = ANY($3::text[])',
          [roster.shelter, seq, gone],
        );
      await q.query(
        `INSERT INTO roster_versions (shelter_id, version, seq, at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (shelter_id, version) DO UPDATE SET seq = EXCLUDED.seq, at = EXCLUDED.at`,
        [roster.shelter, roster.version, seq, o.now],
      );
    }
    await appendAudit(
      q,
      {
        actor: o.terminal,
        action: 'roster.disclose',
        subject: roster.shelter,
        details: { version: roster.version, people: roster.people.length, changed },
      },
      o.now,
    );
    return changed;
  });
}

/**
 * The changes from the roster version a terminal holds to the current one (recorded first with
 * recordRosterDisclosure): people changed or added, keys removed. A version the console never
 * recorded gives `reset: true` with everyone.
 */
export async function rosterChanges(q: Queryable, built: BuiltRoster, since: string): Promise<ShelterRosterDelta> {
  const { roster } = built;
  const { events: _e, people, v: _v, kind: _k, version, ...head } = roster;
  const { rows: from } = await q.query<{ seq: string | number }>(
    'SELECT seq FROM roster_versions WHERE shelter_id = $1 AND version = $2',
    [roster.shelter, since],
  );
  const delta = (reset: boolean, upsert: RosterPerson[], remove: string[]): ShelterRosterDelta => ({
    v: 1,
    kind: 'shelter-roster-delta',
    ...head,
    since,
    version,
    reset,
    upsert,
    remove,
    ...(roster.events ? { events: roster.events } : {}),
  });
  if (!from[0]) return delta(true, people, []);
  const { rows } = await q.query<{ key: string; removed: boolean }>(
    `SELECT key, removed_seq IS NOT NULL AS removed FROM roster_keys
     WHERE shelter_id = $1 AND (changed_seq > $2 OR removed_seq > $2)`,
    [roster.shelter, Number(from[0].seq)],
  );
  const changedKeys = new Set(rows.filter((r) => !r.removed).map((r) => r.key));
  return delta(
    false,
    people.filter((p) => changedKeys.has(p.rosterKey)),
    rows.filter((r) => r.removed).map((r) => r.key),
  );
}

/**
 * A fingerprint of everything a shelter's roster is built from: per table, the row count and the
 * sum of the rows' transaction ids (xmin), which changes with every insert, update or delete of a
 * row — also when transactions commit out of order, which a maximum would miss. One scan per
 * table instead of building the roster (seconds at 100,000 residents).
 */
export async function rosterFingerprint(q: Queryable, shelter: string): Promise<string> {
  const part = (table: string, where = '') =>
    `(SELECT count(*) || ':' || coalesce(sum(xmin::text::bigint), 0) FROM ${table} ${where})`;
  const { rows } = await q.query<{ fp: string }>(
    `SELECT concat_ws('|', ${part('residents')}, ${part('bindings')}, ${part('alerts')}, ${part('alert_recipients')},
       ${part('shelters')}, ${part('roster_secrets')}, ${part('checkins', 'WHERE shelter_id = $1')}) AS fp`,
    [shelter],
  );
  return rows[0]!.fp;
}

/** How long a built roster is reused while its fingerprint is unchanged (age groups, the events' window). */
export const ROSTER_REUSE_MS = 10 * 60_000;

/**
 * The last built roster of each shelter, reused while nothing it is built from changed (a
 * terminal's periodic refresh then costs one fingerprint query, not a rebuild), for at most
 * ROSTER_REUSE_MS.
 */
export class RosterCache {
  private readonly byShelter = new Map<string, { fp: string; at: number; built: BuiltRoster }>();

  async get(db: Db, o: { muni: string; shelter: string; now: Date; windowMs: number }): Promise<BuiltRoster> {
    const fp = await rosterFingerprint(db, o.shelter);
    const held = this.byShelter.get(o.shelter);
    const now = o.now.getTime();
    if (held && held.fp === fp && now - held.at >= 0 && now - held.at < ROSTER_REUSE_MS) return held.built;
    const built = await buildRoster(db, o);
    // the fingerprint read before the build: a change during it makes the next request rebuild
    this.byShelter.set(o.shelter, { fp, at: now, built });
    return built;
  }
}
