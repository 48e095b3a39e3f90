/**
 * The confirmation before a draft is sent (issue 19, item 1) — a new alert, or the Update or
 * Cancel stored for an active alert: what it would publish — mode
 * (本番/訓練), level, hazard, the areas by name, the text per language and whom it reaches (people,
 * TVs, zones) — with the digest of exactly that (approval-digest.ts, counts as they are now).
 * Sending carries the revision and digest back; a send that skipped the confirmation is refused
 * by the route's body schema (400), one whose content or reach changed since is 409
 * KZ_CONSOLE_CONFIRMATION_STALE and publishes nothing.
 */
import type { Queryable } from '@kizuna/core';
import type { AlertStatus, EndReason, EvacuationLevel, Hazard, MsgType } from '@kizuna/contract';
import { consoleErrors } from '../errors.ts';
import { listZones } from '../register/zones.ts';
import { approvalDigest } from './approval-digest.ts';
import { needsSecondPerson, readRule } from './approval-rule.ts';
import { revisionCounts } from './revision-messages.ts';
import type { RegisterCache } from './targeting.ts';
import * as rows from './repository/alert-rows.ts';

export interface SendConfirmation {
  alertId: string;
  revision: number;
  status: AlertStatus;
  level: EvacuationLevel;
  hazard: Hazard;
  expires: string;
  areas: { zones: { id: string; name: string }[]; shape: boolean; group: string };
  text: Record<string, string>;
  counts: NonNullable<rows.RevRow['counts']>;
  /** Alert (a new alert), Update or Cancel (a draft stored for an active alert). */
  msgType: MsgType;
  /** On a Cancel: lifted (解除) or sent in error (取消). */
  end?: EndReason;
  /** For an active alert's draft: the revision TVs show now. */
  onTvs?: number;
  /** Whether sending waits for a second person (the approval rule) instead of publishing at once. */
  needsApproval: boolean;
  /** What an imported CAP draft asks staff to confirm: the send carries each back in `acknowledged`. */
  warnings: string[];
  digest: string;
}

/**
 * The draft revision of alert `id` — a new alert's, or the Update or Cancel stored for an active
 * alert (POST …/update, a CAP Update or Cancel) — and the digest of it with its reach counted now.
 */
export async function draftAsShown(q: Queryable, id: string, now: Date, register: RegisterCache) {
  const a = await rows.alertRow(q, id);
  if (!a) throw consoleErrors.KZ_CONSOLE_UNKNOWN_ALERT(id);
  const rev = await rows.latestRevision(q, id, ['draft']);
  const sendable = a.state === 'draft' || (a.state === 'active' && !!rev && Number(rev.revision) > Number(a.revision));
  if (!rev || !sendable)
    throw consoleErrors.KZ_CONSOLE_ALERT_STATE(
      a.state === 'active'
        ? `alert ${id} has no draft update or cancel to send (POST /api/alerts/${id}/update stores one)`
        : `alert ${id} is ${a.state}, not a draft`,
    );
  const counts = await revisionCounts(q, a, rev, now, register);
  return { a, rev, counts, digest: approvalDigest(id, a.status, { ...rev, counts }) };
}

export async function sendConfirmation(
  q: Queryable,
  id: string,
  now: Date,
  register: RegisterCache,
): Promise<SendConfirmation> {
  const { a, rev, counts, digest } = await draftAsShown(q, id, now, register);
  const t = rev.spec.target ?? {};
  const names = new Map((await listZones(q)).map((z) => [z.id, z.name]));
  return {
    alertId: id,
    revision: Number(rev.revision),
    status: a.status,
    level: Number(rev.level) as EvacuationLevel,
    hazard: rev.hazard,
    expires: new Date(rev.expires).toISOString(),
    areas: {
      zones: [...(t.zones ?? [])].sort().map((z) => ({ id: z, name: names.get(z) ?? z })),
      shape: !!(t.polygon || t.circle),
      group: t.group ?? 'all',
    },
    text: Object.fromEntries(Object.entries(rev.spec.extra ?? {}).filter(([, v]) => !!v)) as Record<string, string>,
    counts,
    msgType: rev.msg_type,
    ...(rev.end_reason ? { end: rev.end_reason } : {}),
    ...(a.state === 'active' ? { onTvs: Number(a.revision) } : {}),
    needsApproval: needsSecondPerson(await readRule(q), {
      status: a.status,
      level: Number(rev.level),
      msgType: rev.msg_type,
      // what TVs show now: if a second person approved it, no one person changes it (alert-service.ts submitIn)
      approvedOnTvs: a.state === 'active' && !!(await rows.revisionRow(q, id, Number(a.revision)))?.approved_by,
    }),
    warnings: confirmable(rev.spec),
    digest,
  };
}

/** The warnings a send must acknowledge ('level-unknown' is not one: staff answer it, POST …/level). */
export function confirmable(spec: rows.RevRow['spec']): string[] {
  return (spec.cap?.warnings ?? []).filter((w) => w !== 'level-unknown');
}

/** Inside send's transaction: the draft is still what the confirmation showed, or 409 naming what it shows now. */
export async function requireConfirmed(
  q: Queryable,
  id: string,
  seen: { revision: number; digest: string; acknowledged?: string[] | undefined },
  now: Date,
  register: RegisterCache,
): Promise<void> {
  const { rev, digest } = await draftAsShown(q, id, now, register);
  const unconfirmed = confirmable(rev.spec).filter((w) => !seen.acknowledged?.includes(w));
  if (unconfirmed.length)
    throw consoleErrors.KZ_CONSOLE_WARNING_UNCONFIRMED(`confirm ${unconfirmed.join(', ')} to send this draft`, {
      warnings: unconfirmed,
    });
  if (Number(rev.revision) !== seen.revision || digest !== seen.digest)
    throw consoleErrors.KZ_CONSOLE_CONFIRMATION_STALE(
      Number(rev.revision) !== seen.revision
        ? `revision ${rev.revision} is the draft, not ${seen.revision}`
        : `the draft or whom it reaches changed since the confirmation (digest ${seen.digest})`,
      { revision: Number(rev.revision), digest },
    );
}
