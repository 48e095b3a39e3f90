/**
 * The confirmation before an active alert is ended (issues 18/19): lifted (解除: the danger is
 * over) or cancelled (取消: it was sent in error). Like a send's (send-confirmation.ts), it shows
 * what would go out — which alert, its mode, level and hazard, the areas by name, whom the Cancel
 * reaches now — and the digest of exactly that: the digest of the Cancel revision it would write
 * (approval-digest.ts, with its reason and counts). Lift carries it back (required); a stale one is
 * 409 KZ_CONSOLE_CONFIRMATION_STALE and publishes nothing.
 */
import type { Queryable } from '@kizuna/core';
import type { AlertStatus, EndReason, EvacuationLevel, Hazard } from '@kizuna/contract';
import { consoleErrors } from '../errors.ts';
import { listZones } from '../register/zones.ts';
import { approvalDigest } from './approval-digest.ts';
import { needsSecondPerson, readRule } from './approval-rule.ts';
import { revisionCounts } from './revision-messages.ts';
import type { RegisterCache } from './targeting.ts';
import * as rows from './repository/alert-rows.ts';

export interface EndConfirmation {
  alertId: string;
  end: EndReason;
  /** The revision the Cancel would be (one above the alert's latest). */
  revision: number;
  /** The revision TVs show now. */
  onTvs: number;
  status: AlertStatus;
  level: EvacuationLevel;
  hazard: Hazard;
  areas: { zones: { id: string; name: string }[] };
  counts: NonNullable<rows.RevRow['counts']>;
  needsApproval: boolean;
  digest: string;
}

/** The Cancel revision ending alert `id` would write now, with its reach counted and its digest. */
async function endAsShown(q: Queryable, id: string, end: EndReason, now: Date, register: RegisterCache) {
  const a = await rows.alertRow(q, id);
  if (!a) throw consoleErrors.KZ_CONSOLE_UNKNOWN_ALERT(id);
  if (a.state !== 'active')
    throw consoleErrors.KZ_CONSOLE_ALERT_STATE(
      `alert ${id} is ${a.state}; only an active alert can be lifted or cancelled on TVs`,
    );
  const onTvs = (await rows.revisionRow(q, id, Number(a.revision)))!;
  const rev: rows.RevRow = {
    ...onTvs,
    revision: (await rows.maxRevision(q, id)) + 1,
    msg_type: 'Cancel',
    end_reason: end,
    spec: a.spec,
    counts: null,
  };
  const counts = await revisionCounts(q, a, rev, now, register);
  return { a, rev, counts, digest: approvalDigest(id, a.status, { ...rev, counts }) };
}

export async function endConfirmation(
  q: Queryable,
  id: string,
  end: EndReason,
  now: Date,
  register: RegisterCache,
): Promise<EndConfirmation> {
  const { a, rev, counts, digest } = await endAsShown(q, id, end, now, register);
  const names = new Map((await listZones(q)).map((z) => [z.id, z.name]));
  const approvedOnTvs = !!(await rows.revisionRow(q, id, Number(a.revision)))?.approved_by;
  return {
    alertId: id,
    end,
    revision: rev.revision,
    onTvs: Number(a.revision),
    status: a.status,
    level: Number(a.level) as EvacuationLevel,
    hazard: a.hazard,
    areas: {
      zones: [...(a.spec.target?.zones ?? [])].sort().map((z) => ({ id: z, name: names.get(z) ?? z })),
    },
    counts,
    needsApproval: needsSecondPerson(await readRule(q), {
      status: a.status,
      level: Number(a.level),
      msgType: 'Cancel',
      approvedOnTvs,
    }),
    digest,
  };
}

/** Inside the ending's transaction: the alert and its reach are still what the confirmation showed, or 409. */
export async function requireEndConfirmed(
  q: Queryable,
  id: string,
  end: EndReason,
  seen: { revision: number; digest: string },
  now: Date,
  register: RegisterCache,
): Promise<void> {
  const { rev, digest } = await endAsShown(q, id, end, now, register);
  if (rev.revision !== seen.revision || digest !== seen.digest)
    throw consoleErrors.KZ_CONSOLE_CONFIRMATION_STALE(
      rev.revision !== seen.revision
        ? `the ${end === 'lifted' ? 'lifting' : 'cancel'} would be revision ${rev.revision}, not ${seen.revision}`
        : `the alert or whom it reaches changed since the confirmation (digest ${seen.digest})`,
      { revision: rev.revision, digest },
    );
}
