/**
 * What an approver is shown, as one digest: the revision's number and type, mode (Actual, Exercise,
 * Test), level, hazard, template, expiry, the staff's text per language, the areas (zones, polygon,
 * circle, group) and how many TVs, residents and zones it reached when submitted. Approve and reject
 * carry it back, so an approval applies to exactly that content (issue 24); the audit records it.
 */
import { createHash } from 'node:crypto';
import type { AlertStatus } from '@kizuna/contract';
import { canonicalJson } from '../staff/audit.ts';
import type { RevRow } from './repository/alert-rows.ts';

/** The digest of a revision (counts null for one that never waited for approval). */
export function approvalDigest(alertId: string, status: AlertStatus, r: RevRow): string {
  const s = r.spec;
  const t = s.target ?? {};
  const shown = {
    v: 1,
    alertId,
    revision: Number(r.revision),
    msgType: r.msg_type,
    status,
    level: Number(r.level),
    hazard: r.hazard,
    template: s.template ?? null,
    expires: new Date(r.expires).toISOString(),
    text: s.extra ?? {},
    areas: {
      zones: [...(t.zones ?? [])].sort(),
      polygon: t.polygon ?? null,
      circle: t.circle ?? null,
      group: t.group ?? 'all',
    },
    counts: r.counts ?? null,
    // a Cancel's reason (lifted or sent in error) is part of what is shown; absent otherwise, so older digests hold
    ...(r.end_reason ? { end: r.end_reason } : {}),
  };
  return createHash('sha256').update(canonicalJson(shown)).digest('hex');
}
