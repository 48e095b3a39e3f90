/**
 * Publishing a revision, inside the caller's transaction (which holds the alert's row lock): the
 * revision becomes the alert's current one; a Cancel is written whole and its messages returned,
 * an Alert or Update is committed as 'fanning-out' with a new lease, its fan-out to run after the commit.
 */
import type { Queryable } from '@kizuna/core';
import type { AreaAlert, EvacuationLevel } from '@kizuna/contract';
import { appendAudit } from '../staff/audit.ts';
import { listZones } from '../register/zones.ts';
import { areaAlert } from './area-message.ts';
import { type AlertHead } from './personalise.ts';
import { iso, type AlertState } from './alert-views.ts';
import type { OutMessage } from './alert-publisher.ts';
import { materialiseJournal } from './fanout-journal.ts';
import { newOwner, type FanoutJob } from './fanout-lease.ts';
import { cancelsBefore, publishAreas, tvMessages } from './revision-messages.ts';
import {
  alertRow,
  makeCurrent,
  markPublished,
  revisionRow,
  startFanout,
  supersedeOtherFanouts,
} from './repository/alert-rows.ts';
import { liveAreaZones, writeDeliveries } from './repository/delivery-rows.ts';

/** What a committed transaction leaves to do: messages to publish, and maybe a fan-out. */
export interface Publication {
  messages: OutMessage[];
  fanout: FanoutJob | null;
}
export const NOTHING: Publication = { messages: [], fanout: null };

/**
 * Inside the caller's transaction. A Cancel is written whole (one row per TV that had the
 * alert) and its messages returned; an Alert or Update is committed as 'fanning-out' with this
 * service holding its lease, and the fan-out runs once the transaction has committed.
 */
export async function publishRevision(
  q: Queryable,
  muni: string,
  id: string,
  revision: number,
  now: Date,
): Promise<Publication> {
  const a = (await alertRow(q, id))!;
  const rev = (await revisionRow(q, id, revision))!;
  const end = rev.end_reason ?? 'sent-in-error';
  const state: AlertState = rev.msg_type !== 'Cancel' ? 'active' : end === 'lifted' ? 'lifted' : 'cancelled';
  await supersedeOtherFanouts(q, id, revision);
  await makeCurrent(q, rev, state, now);
  if (rev.msg_type !== 'Cancel') {
    const owner = newOwner();
    await startFanout(q, id, revision, owner, now);
    return { messages: [], fanout: { alertId: id, revision, owner } };
  }

  // every TV a fan-out has journaled gets the Cancel too (the caller holds the alert's row lock)
  await materialiseJournal(q, id);
  const head: AlertHead = {
    alertId: id,
    revision,
    msgType: 'Cancel',
    end,
    status: a.status,
    level: Number(a.level) as EvacuationLevel,
    hazard: a.hazard,
    sent: now.toISOString(),
    expires: iso(a.expires)!,
  };
  const deliveries = await cancelsBefore(q, head);
  const zones = new Map((await listZones(q)).map((z) => [z.id, z]));
  const areaRows: { zone_id: string; payload: AreaAlert | null }[] = [];
  for (const zoneId of await liveAreaZones(q, id)) {
    const z = zones.get(zoneId);
    if (z) areaRows.push({ zone_id: zoneId, payload: areaAlert(head, a.spec, z, undefined) });
  }
  await writeDeliveries(q, id, revision, now, deliveries);
  const out = tvMessages(muni, deliveries);
  out.push(...(await publishAreas(q, muni, id, revision, areaRows)));
  await markPublished(q, id, revision, now);
  await appendAudit(
    q,
    {
      actor: 'system',
      action: 'alert.publish',
      subject: id,
      details: {
        revision,
        msgType: rev.msg_type,
        end,
        devices: deliveries.length,
        residents: 0,
        zones: areaRows.length,
      },
    },
    now,
  );
  return { messages: out, fanout: null };
}
