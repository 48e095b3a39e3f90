/**
 * The read model of alerts: one alert, a list, an alert's revisions. A list costs a fixed number of
 * queries however many alerts it shows (the rows, their pending revisions, their reach).
 */
import type { Queryable } from '@kizuna/core';
import { consoleErrors } from '../errors.ts';
import { alertView, revView, type AlertState, type AlertView, type RevisionView } from './alert-views.ts';
import { alertRow, alertRows, openRevisions, reachOf, revisionRows, type AlertRow } from './repository/alert-rows.ts';

const NO_REACH = { devices: 0, residents: 0, zones: 0 };

async function views(q: Queryable, rows: AlertRow[]): Promise<AlertView[]> {
  if (rows.length === 0) return [];
  const ids = rows.map((a) => a.id);
  const { pending, draft: drafts } = await openRevisions(q, ids);
  const reach = await reachOf(q, ids);
  return rows.map((a) => {
    const p = pending.get(a.id);
    // a draft revision above what TVs show is an active alert's unsent update or cancel
    const d = a.state === 'active' ? drafts.get(a.id) : undefined;
    const draft = d && Number(d.revision) > Number(a.revision) ? revView(d, a.status) : null;
    return alertView(a, p ? revView(p, a.status) : null, reach.get(a.id) ?? NO_REACH, draft);
  });
}

export async function readAlert(q: Queryable, id: string): Promise<AlertView> {
  const a = await alertRow(q, id);
  if (!a) throw consoleErrors.KZ_CONSOLE_UNKNOWN_ALERT(id);
  return (await views(q, [a]))[0]!;
}

export async function listAlerts(
  q: Queryable,
  opts: { state?: AlertState; limit?: number } = {},
): Promise<AlertView[]> {
  return views(q, await alertRows(q, opts.state ?? null, opts.limit ?? 100));
}

export async function readRevisions(q: Queryable, id: string): Promise<RevisionView[]> {
  const a = await readAlert(q, id);
  return (await revisionRows(q, id)).map((r) => revView(r, a.status));
}
