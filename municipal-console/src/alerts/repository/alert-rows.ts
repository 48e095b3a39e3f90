/**
 * The SQL of tables `alerts` and `alert_revisions`: an alert's row (its current revision, copied
 * there when published) and its revisions' rows, including the fan-out lease columns
 * (fanout_owner, fanout_at: see fanout-lease.ts).
 */
import type { Queryable } from '@kizuna/core';
import type { AlertStatus, EndReason, Hazard, MsgType } from '@kizuna/contract';
import type { AlertSpec } from '../alert-spec.ts';
import type { AlertState, RevisionState } from '../alert-states.ts';

export interface AlertRow {
  id: string;
  identifier: string;
  sender: string;
  status: AlertStatus;
  created_by: string;
  created_at: Date;
  revision: number;
  msg_type: MsgType;
  level: number;
  hazard: Hazard;
  expires: Date;
  first_sent: Date | null;
  last_sent: Date | null;
  state: AlertState;
  spec: AlertSpec;
}
export interface RevRow {
  alert_id: string;
  revision: number;
  msg_type: MsgType;
  level: number;
  hazard: Hazard;
  expires: Date;
  spec: AlertSpec;
  created_by: string;
  created_at: Date;
  state: RevisionState;
  approved_by: string | null;
  approved_at: Date | null;
  published_at: Date | null;
  fanout_owner?: string | null;
  fanout_at?: Date | null;
  /** On a Cancel: lifted (解除) or sent in error (取消) (migration 014). */
  end_reason?: EndReason | null;
  /** Whom it reached when submitted for approval (migration 011; part of its approval digest). */
  counts?: { devices: number; residents: number; zones: number; unboundTvs: number } | null;
}

// ---------------------------------------------------------------- alerts

export async function alertRow(q: Queryable, id: string): Promise<AlertRow | undefined> {
  return (await q.query<AlertRow>('SELECT * FROM alerts WHERE id = $1', [id])).rows[0];
}

/** The alert's row, locked until the transaction ends: every change to an alert and every fan-out chunk takes it first. */
export async function lockAlertRow(q: Queryable, id: string): Promise<AlertRow | undefined> {
  return (await q.query<AlertRow>('SELECT * FROM alerts WHERE id = $1 FOR UPDATE', [id])).rows[0];
}

/** Alerts newest first, optionally in one state. */
export async function alertRows(q: Queryable, state: AlertState | null, limit: number): Promise<AlertRow[]> {
  const { rows } = await q.query<AlertRow>(
    `SELECT * FROM alerts WHERE ($1::text IS NULL OR state = $1) ORDER BY created_at DESC LIMIT $2`,
    [state, limit],
  );
  return rows;
}

export async function identifierTaken(q: Queryable, identifier: string): Promise<boolean> {
  return (await q.query('SELECT 1 FROM alerts WHERE identifier = $1', [identifier])).rows.length > 0;
}

export async function insertAlert(
  q: Queryable,
  a: { id: string; identifier: string; sender: string; spec: AlertSpec; by: string; now: Date },
): Promise<void> {
  await q.query(
    `INSERT INTO alerts (id, identifier, sender, status, created_by, created_at, level, hazard, expires, state, spec)
        VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,'draft',$10::jsonb)`,
    [
      a.id,
      a.identifier,
      a.sender,
      a.spec.status,
      a.by,
      a.now,
      a.spec.level,
      a.spec.hazard,
      a.spec.expires,
      JSON.stringify(a.spec),
    ],
  );
}

export async function setAlertState(q: Queryable, id: string, state: AlertState): Promise<void> {
  await q.query('UPDATE alerts SET state = $2 WHERE id = $1', [id, state]);
}

/** A draft's content changed before it was ever sent (the level staff answered): the alert's row shows it. */
export async function setDraftSpec(q: Queryable, id: string, spec: AlertSpec): Promise<void> {
  await q.query("UPDATE alerts SET level = $2, spec = $3::jsonb WHERE id = $1 AND state = 'draft'", [
    id,
    spec.level,
    JSON.stringify(spec),
  ]);
}

/** The revision becomes the alert's current one (what the TVs show): its fields are copied to the alert's row. */
export async function makeCurrent(q: Queryable, rev: RevRow, state: AlertState, now: Date): Promise<void> {
  await q.query(
    `UPDATE alerts SET revision = $2, msg_type = $3, level = $4, hazard = $5, expires = $6, spec = $7::jsonb, state = $8,
        first_sent = COALESCE(first_sent, $9), last_sent = $9 WHERE id = $1`,
    [
      rev.alert_id,
      rev.revision,
      rev.msg_type,
      rev.level,
      rev.hazard,
      rev.expires,
      JSON.stringify(rev.spec),
      state,
      now,
    ],
  );
}

/** Alerts past their expiry, now 'expired': their ids. */
/** Expire what is due; each with the state it left, for the audit entry. */
export async function expireAlerts(
  q: Queryable,
  now: Date,
): Promise<{ id: string; revision: number; level: number; from: AlertState }[]> {
  const { rows } = await q.query<{ id: string; revision: number; level: number; from: AlertState }>(
    `WITH due AS (SELECT id, state FROM alerts WHERE state <> 'expired' AND expires <= $1 FOR UPDATE)
     UPDATE alerts a SET state = 'expired' FROM due WHERE a.id = due.id
     RETURNING a.id, a.revision, a.level, due.state AS "from"`,
    [now],
  );
  return rows.map((r) => ({ ...r, revision: Number(r.revision), level: Number(r.level) }));
}

/** What each alert's latest publication reached, by alert id (one query for any number of alerts). */
export async function reachOf(
  q: Queryable,
  ids: readonly string[],
): Promise<Map<string, { devices: number; residents: number; zones: number }>> {
  const { rows } = await q.query<{ id: string; devices: number; residents: number; zones: number }>(
    `SELECT x.id,
        (SELECT count(*)::int FROM deliveries WHERE alert_id = x.id) AS devices,
        (SELECT count(*)::int FROM alert_recipients WHERE alert_id = x.id AND active) AS residents,
        (SELECT count(*)::int FROM area_messages WHERE alert_id = x.id AND NOT cleared) AS zones
      FROM unnest($1::text[]) AS x(id)`,
    [ids],
  );
  return new Map(rows.map(({ id, ...reach }) => [id, reach]));
}

// ---------------------------------------------------------------- revisions

/** The one SELECT of revisions; the functions below add their conditions to it. */
const REVISIONS = 'SELECT * FROM alert_revisions WHERE alert_id = $1';

export async function revisionRow(q: Queryable, id: string, revision: number): Promise<RevRow | undefined> {
  return (await q.query<RevRow>(`${REVISIONS} AND revision = $2`, [id, revision])).rows[0];
}

/** The alert's newest revision, or its newest in one of these states. */
export async function latestRevision(
  q: Queryable,
  id: string,
  states?: readonly RevisionState[],
): Promise<RevRow | undefined> {
  const { rows } = states
    ? await q.query<RevRow>(`${REVISIONS} AND state = ANY($2::text[]) ORDER BY revision DESC LIMIT 1`, [id, states])
    : await q.query<RevRow>(`${REVISIONS} ORDER BY revision DESC LIMIT 1`, [id]);
  return rows[0];
}

export async function revisionRows(q: Queryable, id: string): Promise<RevRow[]> {
  return (await q.query<RevRow>(`${REVISIONS} ORDER BY revision`, [id])).rows;
}

/** The latest revision waiting for approval and the latest draft of each alert, in one query (the list's). */
export async function openRevisions(
  q: Queryable,
  ids: readonly string[],
): Promise<{ pending: Map<string, RevRow>; draft: Map<string, RevRow> }> {
  const { rows } = await q.query<RevRow>(
    `SELECT DISTINCT ON (alert_id, state) * FROM alert_revisions
      WHERE alert_id = ANY($1::text[]) AND state IN ('pending-approval', 'draft')
      ORDER BY alert_id, state, revision DESC`,
    [ids],
  );
  const pick = (state: string) => new Map(rows.filter((r) => r.state === state).map((r) => [r.alert_id, r]));
  return { pending: pick('pending-approval'), draft: pick('draft') };
}

export async function maxRevision(q: Queryable, id: string): Promise<number> {
  const r = (
    await q.query<{ m: number }>('SELECT max(revision)::int AS m FROM alert_revisions WHERE alert_id = $1', [id])
  ).rows[0]!;
  return Number(r.m);
}

export async function insertRevision(
  q: Queryable,
  r: {
    id: string;
    revision: number;
    msgType: MsgType;
    spec: AlertSpec;
    by: string;
    now: Date;
    state: RevisionState;
    end?: EndReason | undefined;
  },
): Promise<void> {
  await q.query(
    `INSERT INTO alert_revisions (alert_id, revision, msg_type, level, hazard, expires, spec, created_by, created_at, state, end_reason)
      VALUES ($1,$2,$3,$4,$5,$6,$7::jsonb,$8,$9,$10,$11)`,
    [
      r.id,
      r.revision,
      r.msgType,
      r.spec.level,
      r.spec.hazard,
      r.spec.expires,
      JSON.stringify(r.spec),
      r.by,
      r.now,
      r.state,
      r.end ?? null,
    ],
  );
}

export async function approveRevision(
  q: Queryable,
  id: string,
  revision: number,
  by: string,
  now: Date,
): Promise<void> {
  await q.query('UPDATE alert_revisions SET approved_by = $3, approved_at = $4 WHERE alert_id = $1 AND revision = $2', [
    id,
    revision,
    by,
    now,
  ]);
}

/** A revision submitted for approval: 'pending-approval', with whom it reached then (its digest covers them). */
export async function submitRevision(
  q: Queryable,
  id: string,
  revision: number,
  counts: NonNullable<RevRow['counts']>,
): Promise<void> {
  await q.query(
    "UPDATE alert_revisions SET state = 'pending-approval', counts = $3::jsonb WHERE alert_id = $1 AND revision = $2",
    [id, revision, JSON.stringify(counts)],
  );
}

/** The revision waiting for approval, now 'rejected'. */
export async function rejectRevision(q: Queryable, id: string, revision: number): Promise<void> {
  await q.query("UPDATE alert_revisions SET state = 'rejected' WHERE alert_id = $1 AND revision = $2", [id, revision]);
}

/**
 * Revisions not yet published (a draft, one waiting for approval, one still fanning out) are replaced
 * by a newer one: 'superseded', and a fan-out among them stops at its next chunk (its lease is gone).
 */
export async function supersedeUnpublished(q: Queryable, id: string): Promise<void> {
  await q.query(
    "UPDATE alert_revisions SET state = 'superseded', fanout_owner = NULL WHERE alert_id = $1 AND state IN ('pending-approval', 'draft', 'fanning-out')",
    [id],
  );
}

/** Every unpublished revision but `revision` (the draft being sent) is replaced: a fan-out among them stops at its next chunk. */
export async function supersedeOtherUnpublished(q: Queryable, id: string, revision: number): Promise<void> {
  await q.query(
    "UPDATE alert_revisions SET state = 'superseded', fanout_owner = NULL WHERE alert_id = $1 AND state IN ('pending-approval', 'draft', 'fanning-out') AND revision <> $2",
    [id, revision],
  );
}

/** A draft never sent is replaced by a newer one (what is waiting or fanning out stays until the new one is sent). */
export async function supersedeDrafts(q: Queryable, id: string): Promise<void> {
  await q.query("UPDATE alert_revisions SET state = 'superseded' WHERE alert_id = $1 AND state = 'draft'", [id]);
}

/** An older revision still fanning out stops at its next chunk; this one reaches every TV. */
export async function supersedeOtherFanouts(q: Queryable, id: string, revision: number): Promise<void> {
  await q.query(
    "UPDATE alert_revisions SET state = 'superseded', fanout_owner = NULL WHERE alert_id = $1 AND state = 'fanning-out' AND revision <> $2",
    [id, revision],
  );
}

/** A revision written whole (a Cancel) is published at once. */
export async function markPublished(q: Queryable, id: string, revision: number, now: Date): Promise<void> {
  await q.query(
    "UPDATE alert_revisions SET state = 'published', published_at = $3 WHERE alert_id = $1 AND revision = $2",
    [id, revision, now],
  );
}

/** How many TVs this revision addresses: the live figures show the fan-out's progress. */
export async function setFanoutTvs(q: Queryable, id: string, revision: number, tvs: number): Promise<void> {
  await q.query('UPDATE alert_revisions SET fanout_tvs = $3 WHERE alert_id = $1 AND revision = $2', [
    id,
    revision,
    tvs,
  ]);
}

/**
 * Fan-outs still running for these (expired) alerts stop at their next chunk (their lease needs an
 * active alert); each revision went out as far as it got, and is not resumed.
 */
export async function endFanoutsOf(q: Queryable, ids: readonly string[]): Promise<void> {
  await q.query(
    `UPDATE alert_revisions SET state = 'published', fanout_owner = NULL, fanout_at = NULL
        WHERE alert_id = ANY($1::text[]) AND state = 'fanning-out'`,
    [ids],
  );
}

// ---------------------------------------------------------------- the fan-out lease

/** The revision is committed as 'fanning-out' under this owner's lease (its heartbeat starts now). */
export async function startFanout(q: Queryable, id: string, revision: number, owner: string, now: Date): Promise<void> {
  await q.query(
    `UPDATE alert_revisions SET state = 'fanning-out', published_at = $3, fanout_owner = $4, fanout_at = $3
        WHERE alert_id = $1 AND revision = $2`,
    [id, revision, now, owner],
  );
}

/** Renew the lease's heartbeat; false when this owner no longer holds it (or the revision is no longer fanning out). */
export async function renewLease(
  q: Queryable,
  id: string,
  revision: number,
  owner: string,
  now: Date,
): Promise<boolean> {
  const { rows } = await q.query(
    `UPDATE alert_revisions SET fanout_at = $4 WHERE alert_id = $1 AND revision = $2 AND state = 'fanning-out' AND fanout_owner = $3 RETURNING 1`,
    [id, revision, owner, now],
  );
  return rows.length > 0;
}

/** Take a lease whose heartbeat is stale (at or before `stale`); false when another took it first or it was renewed. */
export async function takeOverLease(
  q: Queryable,
  id: string,
  revision: number,
  owner: string,
  now: Date,
  stale: Date,
): Promise<boolean> {
  const t = await q.query(
    `UPDATE alert_revisions SET fanout_owner = $3, fanout_at = $4
          WHERE alert_id = $1 AND revision = $2 AND state = 'fanning-out' AND (fanout_at IS NULL OR fanout_at <= $5) RETURNING 1`,
    [id, revision, owner, now, stale],
  );
  return t.rows.length > 0;
}

/** The fan-out finished: the revision is 'published' and its lease released. */
export async function finishFanout(q: Queryable, id: string, revision: number): Promise<void> {
  await q.query(
    "UPDATE alert_revisions SET state = 'published', fanout_owner = NULL, fanout_at = NULL WHERE alert_id = $1 AND revision = $2",
    [id, revision],
  );
}

/** Current revisions of active alerts still 'fanning-out' whose heartbeat is at or before `stale`. */
export async function staleFanouts(
  q: Queryable,
  now: Date,
  stale: Date,
): Promise<{ alert_id: string; revision: number }[]> {
  const { rows } = await q.query<{ alert_id: string; revision: number }>(
    `
      SELECT r.alert_id, r.revision FROM alert_revisions r JOIN alerts a ON a.id = r.alert_id AND a.revision = r.revision
      WHERE r.state = 'fanning-out' AND a.state = 'active' AND a.expires > $1 AND (r.fanout_at IS NULL OR r.fanout_at <= $2)`,
    [now, stale],
  );
  return rows;
}
