/** The SQL of the fan-out journal (table `fanout_chunks`, migration 008; its format: fanout-journal.ts). */
import type { Queryable } from '@kizuna/core';

export interface JournalRow {
  revision: number;
  owner: string;
  chunk: number;
  written_at: Date;
  tvs: number;
  /** Null for the chunks of the owner named to journalRows (it has them in memory). */
  body: Uint8Array | null;
}

export async function insertChunk(
  q: Queryable,
  c: { id: string; revision: number; owner: string; chunk: number; at: Date; tvs: number; body: Buffer },
): Promise<void> {
  // the body goes as a binary parameter, its bytes as they are, on either engine (see core's PGlite bytea serializer)
  await q.query(
    'INSERT INTO fanout_chunks (alert_id, revision, owner, chunk, written_at, tvs, body) VALUES ($1, $2, $3, $4, $5, $6, $7::bytea)',
    [c.id, c.revision, c.owner, c.chunk, c.at, c.tvs, c.body],
  );
}

/** The alert's journal, oldest revision first, in the order written; `ownBodies`' chunks without their body. */
export async function journalRows(q: Queryable, id: string, ownBodies: string): Promise<JournalRow[]> {
  const { rows } = await q.query<JournalRow>(
    `
    SELECT revision, owner, chunk, written_at, tvs, CASE WHEN owner = $2 THEN NULL ELSE body END AS body
    FROM fanout_chunks WHERE alert_id = $1 ORDER BY revision, written_at, chunk`,
    [id, ownBodies],
  );
  return rows;
}

export async function chunkBody(q: Queryable, id: string, r: JournalRow): Promise<Uint8Array> {
  return (
    await q.query<{ body: Uint8Array }>(
      'SELECT body FROM fanout_chunks WHERE alert_id = $1 AND revision = $2 AND owner = $3 AND chunk = $4',
      [id, r.revision, r.owner, r.chunk],
    )
  ).rows[0]!.body;
}

export async function deleteJournal(q: Queryable, id: string): Promise<void> {
  await q.query('DELETE FROM fanout_chunks WHERE alert_id = $1', [id]);
}

/** Alerts and revisions with journal rows written at or before `stale`. */
export async function staleJournals(q: Queryable, stale: Date): Promise<{ alert_id: string; revision: number }[]> {
  const { rows } = await q.query<{ alert_id: string; revision: number }>(
    'SELECT DISTINCT alert_id, revision FROM fanout_chunks WHERE written_at <= $1',
    [stale],
  );
  return rows;
}

/** Those of these alerts that have journal rows (their fan-out's rows are not all written yet). */
export async function alertsWithJournal(q: Queryable, ids: readonly string[]): Promise<Set<string>> {
  const { rows } = await q.query<{ alert_id: string }>(
    'SELECT DISTINCT alert_id FROM fanout_chunks WHERE alert_id = ANY($1::text[])',
    [ids],
  );
  return new Set(rows.map((r) => r.alert_id));
}
