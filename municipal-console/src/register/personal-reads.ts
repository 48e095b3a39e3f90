/**
 * Who sees residents as people (names, addresses, phones, supporters, needs-help), and the audit
 * of every such read. A viewer sees counts only; the roles that act on people — issuers, who send
 * alerts and rescue teams, and admins, who keep the register — see them (admin holds every role).
 * Each read is one audit entry `read.*` naming what was read by ids and counts, never by content;
 * a download that leaves the console stays a `disclosure.*` (shown on the residents' TVs).
 */
import type { Queryable } from '@kizuna/core';
import type { ConsoleContext } from '../context.ts';
import { audit } from '../staff/audit.ts';
import { hasRole, type Role, type StaffMember } from '../staff/staff.ts';

export const PEOPLE_ROLE: Role = 'issuer';

export const seesPeople = (s: StaffMember): boolean => hasRole(s, PEOPLE_ROLE);

export function auditRead(
  ctx: ConsoleContext,
  staff: StaffMember,
  action: `read.${string}`,
  subject: string | undefined,
  details: Record<string, unknown>,
): Promise<void> {
  return audit(ctx.db, { actor: staff.username, action, subject, details }, ctx.clock.now());
}

export interface ResidentCounts {
  residents: number;
  needsHelp: number;
  personalAlerts: number;
  zones: { zoneId: string; residents: number; needsHelp: number; personalAlerts: number }[];
}

/** The register in figures, per zone: what every staff member may see. */
export async function residentCounts(q: Queryable): Promise<ResidentCounts> {
  const { rows } = await q.query<{ zone_id: string; residents: number; needs_help: number; personal: number }>(
    `SELECT z.id AS zone_id, count(r.id)::int AS residents, count(r.id) FILTER (WHERE r.needs_help)::int AS needs_help,
       count(r.id) FILTER (WHERE EXISTS (SELECT 1 FROM bindings b WHERE b.resident_id = r.id AND b.status = 'active'))::int AS personal
     FROM zones z LEFT JOIN residents r ON r.zone_id = z.id GROUP BY z.id ORDER BY z.id`,
  );
  const zones = rows.map((r) => ({
    zoneId: r.zone_id,
    residents: Number(r.residents),
    needsHelp: Number(r.needs_help),
    personalAlerts: Number(r.personal),
  }));
  const sum = (k: 'residents' | 'needsHelp' | 'personalAlerts') => zones.reduce((s, z) => s + z[k], 0);
  return { residents: sum('residents'), needsHelp: sum('needsHelp'), personalAlerts: sum('personalAlerts'), zones };
}
