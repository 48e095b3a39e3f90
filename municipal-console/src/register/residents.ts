/** A resident as staff see them: their TVs and whether personal alerts reach them (a revoked card shows here). */
import type { Queryable } from '@kizuna/core';
import { consoleErrors } from '../errors.ts';

/**
 * Why a binding ended, as a code the staff UI words in its own language. The stored `reason` is
 * text written by whoever ended it (binding.ts, the staff unbind route); this reads all of them.
 */
export const BINDING_END_REASONS = {
  'staff-unbind': 'unbound by a staff member (endedBy)',
  'tv-unbind': 'unbound on the TV by the resident',
  rebound: 'bound again to the same TV with another card',
  'card-renewed': 'the card was renewed and the binding moved to the new card',
  'card-renewed-rebind': 'the card was renewed; the resident must bind the new card',
  'card-revoked': 'the card was revoked (lifeEvent: moved-or-renamed, died, card-lost, renewed or other)',
  other: 'a reason this console version does not know (see reason)',
} as const;
export type BindingEndReason = keyof typeof BINDING_END_REASONS;

const STAFF_UNBIND = 'staff-unbind:';
/** The stored reason of an unbinding done by staff from the residents screen. */
export const staffUnbindReason = (username: string) => `${STAFF_UNBIND}${username}`;

export function bindingEndReason(
  reason: string | null,
): { reasonCode: BindingEndReason; endedBy: string | null; lifeEvent: string | null } | null {
  if (reason === null) return null;
  const out = (reasonCode: BindingEndReason, endedBy: string | null = null, lifeEvent: string | null = null) => ({
    reasonCode,
    endedBy,
    lifeEvent,
  });
  if (reason.startsWith(STAFF_UNBIND)) return out('staff-unbind', reason.slice(STAFF_UNBIND.length));
  // Older and other writers' wording: the staff unbind route before codes ("staff <user>"), DELETE /api/bindings/:id ("unbound by <user>").
  const staff = /^(?:staff|unbound by) (\S+)$/.exec(reason);
  if (staff) return out('staff-unbind', staff[1]!);
  if (reason === 'unbound on the TV') return out('tv-unbind');
  if (reason === 'bound again with another card') return out('rebound');
  if (reason === 'card renewed') return out('card-renewed');
  if (reason === 'card renewed: bind the new card') return out('card-renewed-rebind');
  const revoked = /^card revoked \(([a-z-]+)[:)]/.exec(reason);
  if (revoked) return out('card-revoked', null, revoked[1]!);
  return out('other');
}

export interface ResidentSummaryView {
  id: string;
  name: string;
  zoneId: string;
  householdId: string | null;
  language: string;
  needsHelp: boolean;
  devices: {
    deviceId: string;
    status: string;
    reason: string | null;
    reasonCode: BindingEndReason | null;
    endedBy: string | null;
    lifeEvent: string | null;
    boundAt: string;
    endedAt: string | null;
  }[];
  personalAlerts: boolean;
}

export async function residentSummary(q: Queryable, id: string): Promise<ResidentSummaryView> {
  const r = (
    await q.query<{
      id: string;
      family_name: string;
      given_name: string;
      zone_id: string;
      household_id: string | null;
      language: string;
      needs_help: boolean;
    }>('SELECT id, family_name, given_name, zone_id, household_id, language, needs_help FROM residents WHERE id = $1', [
      id,
    ])
  ).rows[0];
  if (!r) throw consoleErrors.KZ_CONSOLE_UNKNOWN_RESIDENT(id);
  const { rows } = await q.query<{
    device_id: string;
    status: string;
    reason: string | null;
    bound_at: Date;
    ended_at: Date | null;
  }>(
    'SELECT device_id, status, reason, bound_at, ended_at FROM bindings WHERE resident_id = $1 ORDER BY bound_at DESC, id DESC',
    [id],
  );
  const devices = rows.map((b) => ({
    deviceId: b.device_id,
    status: b.status,
    reason: b.reason,
    ...(bindingEndReason(b.reason) ?? { reasonCode: null, endedBy: null, lifeEvent: null }),
    boundAt: new Date(b.bound_at).toISOString(),
    endedAt: b.ended_at ? new Date(b.ended_at).toISOString() : null,
  }));
  return {
    id: r.id,
    name: `${r.family_name} ${r.given_name}`,
    zoneId: r.zone_id,
    householdId: r.household_id,
    language: r.language,
    needsHelp: r.needs_help,
    devices,
    personalAlerts: devices.some((d) => d.status === 'active'),
  };
}
