/** A resident as staff see them: their TVs and whether personal alerts reach them (a revoked card shows here). */
import type { Queryable } from '@kizuna/core';
import { consoleErrors } from './errors.ts';

export interface ResidentSummaryView {
  id: string; name: string; zoneId: string; householdId: string | null; language: string; needsHelp: boolean;
  devices: { deviceId: string; status: string; reason: string | null; boundAt: string; endedAt: string | null }[];
  personalAlerts: boolean;
}

export async function residentSummary(q: Queryable, id: string): Promise<ResidentSummaryView> {
  const r = (await q.query<{ id: string; family_name: string; given_name: string; zone_id: string; household_id: string | null; language: string; needs_help: boolean }>(
    'SELECT id, family_name, given_name, zone_id, household_id, language, needs_help FROM residents WHERE id = $1', [id])).rows[0];
  if (!r) throw consoleErrors.KZ_CONSOLE_UNKNOWN_RESIDENT(id);
  const { rows } = await q.query<{ device_id: string; status: string; reason: string | null; bound_at: Date; ended_at: Date | null }>(
    'SELECT device_id, status, reason, bound_at, ended_at FROM bindings WHERE resident_id = $1 ORDER BY bound_at DESC, id DESC', [id]);
  const devices = rows.map((b) => ({ deviceId: b.device_id, status: b.status, reason: b.reason, boundAt: new Date(b.bound_at).toISOString(), endedAt: b.ended_at ? new Date(b.ended_at).toISOString() : null }));
  return {
    id: r.id, name: `${r.family_name} ${r.given_name}`, zoneId: r.zone_id, householdId: r.household_id, language: r.language, needsHelp: r.needs_help,
    devices, personalAlerts: devices.some((d) => d.status === 'active'),
  };
}
