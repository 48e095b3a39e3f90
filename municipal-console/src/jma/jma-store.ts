/**
 * The JMA suggestions in the console's database (migrations/020_jma_suggestions.sql): the
 * municipality's area codes and zones per hazard, where each stream of documents stands, and the
 * suggestions. A document is applied in one transaction: an older or repeated one changes nothing;
 * a newer one supersedes the stream's open suggestions (one that says the same — hazard, level,
 * zones — stays open, so a 継続 does not churn the dashboard); a 取消 withdraws them.
 */
import { randomUUID } from 'node:crypto';
import type { Db, Queryable } from '@kizuna/core';
import type { EvacuationLevel, Hazard } from '@kizuna/contract';
import { appendAudit } from '../staff/audit.ts';
import type { JmaDocument } from './jma-document.ts';
import { suggestionsFor, type MunicipalityAreas } from './jma-suggest.ts';

export interface JmaSuggestion {
  id: string;
  state: 'open' | 'superseded' | 'withdrawn';
  level: EvacuationLevel;
  hazard: Hazard;
  kinds: string[];
  zones: string[];
  areaNames: string[];
  exercise: boolean;
  title: string;
  headline: string;
  office: string;
  eventId: string;
  reportAt: string;
  receivedAt: string;
  closedAt: string | null;
  draftAlert: string | null;
}

export interface JmaOutcome {
  /** applied: the stream moved on; stale/duplicate: an older or the same document, nothing changed; test: 試験, ignored. */
  outcome: 'applied' | 'stale' | 'duplicate' | 'test';
  opened: JmaSuggestion[];
  kept: number;
  closed: number;
}

/** The municipality's JMA area codes and which zones each hazard concerns (replaces both). */
export async function setJmaAreas(
  db: Db,
  o: { areas: { code: string; name: string }[]; zoneHazards: { zone: string; hazard: Hazard }[] },
  actor = 'system',
  now = new Date(),
): Promise<void> {
  await db.tx(async (q) => {
    await q.query('DELETE FROM jma_areas');
    await q.query('DELETE FROM zone_hazards');
    for (const a of o.areas) await q.query('INSERT INTO jma_areas (code, name) VALUES ($1, $2)', [a.code, a.name]);
    for (const z of o.zoneHazards)
      await q.query('INSERT INTO zone_hazards (zone_id, hazard) VALUES ($1, $2)', [z.zone, z.hazard]);
    await appendAudit(q, { actor, action: 'jma.areas', details: o }, now);
  });
}

export async function municipalityAreas(q: Queryable): Promise<MunicipalityAreas> {
  const codes = await q.query<{ code: string; name: string }>('SELECT code, name FROM jma_areas');
  const zh = await q.query<{ zone_id: string; hazard: string }>(
    'SELECT zone_id, hazard FROM zone_hazards ORDER BY zone_id',
  );
  const zones = await q.query<{ id: string }>('SELECT id FROM zones ORDER BY id');
  const zonesByHazard = new Map<string, string[]>();
  for (const r of zh.rows) zonesByHazard.set(r.hazard, [...(zonesByHazard.get(r.hazard) ?? []), r.zone_id]);
  return {
    codes: new Map(codes.rows.map((r) => [r.code, r.name])),
    zonesByHazard,
    allZones: zones.rows.map((r) => r.id),
  };
}

interface Row {
  id: string;
  state: JmaSuggestion['state'];
  level: number;
  hazard: string;
  kinds: string[];
  zones: string[];
  area_names: string[];
  exercise: boolean;
  title: string;
  headline: string;
  office: string;
  event_id: string;
  report_at: Date | string;
  received_at: Date | string;
  closed_at: Date | string | null;
  draft_alert: string | null;
}
const iso = (d: Date | string) => new Date(d).toISOString();
const view = (r: Row): JmaSuggestion => ({
  id: r.id,
  state: r.state,
  level: r.level as EvacuationLevel,
  hazard: r.hazard as Hazard,
  kinds: r.kinds,
  zones: r.zones,
  areaNames: r.area_names,
  exercise: r.exercise,
  title: r.title,
  headline: r.headline,
  office: r.office,
  eventId: r.event_id,
  reportAt: iso(r.report_at),
  receivedAt: iso(r.received_at),
  closedAt: r.closed_at ? iso(r.closed_at) : null,
  draftAlert: r.draft_alert,
});

/** A stream: documents that follow one another (same kind, office and EventID). */
export const streamOf = (d: JmaDocument) => `${d.title}|${d.publishingOffice}|${d.eventId}`;

export async function receiveJma(db: Db, doc: JmaDocument, now: Date, actor: string): Promise<JmaOutcome> {
  if (doc.status === '試験') return { outcome: 'test', opened: [], kept: 0, closed: 0 };
  const stream = streamOf(doc);
  return db.tx(async (q) => {
    const last = (
      await q.query<{ report_at: Date | string; serial: number | null; info_type: string }>(
        'SELECT report_at, serial, info_type FROM jma_streams WHERE stream = $1 FOR UPDATE',
        [stream],
      )
    ).rows[0];
    if (last) {
      const was = new Date(last.report_at).getTime();
      const is = Date.parse(doc.reportDateTime);
      const order = is - was || (doc.serial ?? 0) - (last.serial ?? 0);
      if (order < 0) return { outcome: 'stale', opened: [], kept: 0, closed: 0 };
      if (order === 0 && last.info_type === doc.infoType)
        return { outcome: 'duplicate', opened: [], kept: 0, closed: 0 };
    }
    await q.query(
      `INSERT INTO jma_streams (stream, report_at, serial, info_type, received_at) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (stream) DO UPDATE SET report_at = EXCLUDED.report_at, serial = EXCLUDED.serial,
         info_type = EXCLUDED.info_type, received_at = EXCLUDED.received_at`,
      [stream, doc.reportDateTime, doc.serial, doc.infoType, now],
    );
    const open = (await q.query<Row>("SELECT * FROM jma_suggestions WHERE stream = $1 AND state = 'open'", [stream]))
      .rows;
    const wanted = doc.infoType === '取消' ? [] : suggestionsFor(doc, await municipalityAreas(q));
    const keep = new Set<string>();
    const opened: JmaSuggestion[] = [];
    for (const s of wanted) {
      const same = open.find(
        (r) => r.hazard === s.hazard && r.level === s.level && r.zones.join() === s.zones.join() && !keep.has(r.id),
      );
      if (same) {
        keep.add(same.id);
        await q.query('UPDATE jma_suggestions SET report_at = $2, headline = $3, kinds = $4 WHERE id = $1', [
          same.id,
          doc.reportDateTime,
          doc.headline,
          s.kinds,
        ]);
        continue;
      }
      const r = (
        await q.query<Row>(
          `INSERT INTO jma_suggestions (id, stream, state, level, hazard, kinds, zones, area_names, exercise, title,
             headline, office, event_id, report_at, received_at)
           VALUES ($1, $2, 'open', $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) RETURNING *`,
          [
            `jma-${randomUUID()}`,
            stream,
            s.level,
            s.hazard,
            s.kinds,
            s.zones,
            s.areaNames,
            doc.status === '訓練',
            doc.headTitle,
            doc.headline,
            doc.publishingOffice,
            doc.eventId,
            doc.reportDateTime,
            now,
          ],
        )
      ).rows[0]!;
      opened.push(view(r));
    }
    const closing = open.filter((r) => !keep.has(r.id)).map((r) => r.id);
    if (closing.length)
      await q.query('UPDATE jma_suggestions SET state = $2, closed_at = $3 WHERE id = ANY($1::text[])', [
        closing,
        doc.infoType === '取消' ? 'withdrawn' : 'superseded',
        now,
      ]);
    await appendAudit(
      q,
      {
        actor,
        action: 'jma.received',
        subject: stream,
        details: {
          infoType: doc.infoType,
          serial: doc.serial,
          reportDateTime: doc.reportDateTime,
          opened: opened.map((s) => s.id),
          closed: closing,
        },
      },
      now,
    );
    return { outcome: 'applied', opened, kept: keep.size, closed: closing.length };
  });
}

/** The open suggestions, highest level first, newest first. */
export async function openSuggestions(q: Queryable): Promise<JmaSuggestion[]> {
  const { rows } = await q.query<Row>(
    "SELECT * FROM jma_suggestions WHERE state = 'open' ORDER BY level DESC, report_at DESC, id",
  );
  return rows.map(view);
}

export async function getSuggestion(q: Queryable, id: string): Promise<JmaSuggestion | undefined> {
  const { rows } = await q.query<Row>('SELECT * FROM jma_suggestions WHERE id = $1', [id]);
  return rows[0] ? view(rows[0]) : undefined;
}

export async function markDrafted(q: Queryable, id: string, alertId: string): Promise<void> {
  await q.query('UPDATE jma_suggestions SET draft_alert = $2 WHERE id = $1', [id, alertId]);
}
