/**
 * The messages of a revision: planned (personal messages per TV, area messages per zone) for an
 * Alert or Update, or a Cancel for each TV that had the alert; and area messages written and
 * turned into what is published.
 */
import type { Queryable } from '@kizuna/core';
import { encodeMessage, topics, type AreaAlert, type EvacuationLevel } from '@kizuna/contract';
import { listShelters } from '../shelters/shelter-register.ts';
import { listZones } from '../register/zones.ts';
import { ShelterPool, shelterOccupancy } from '../shelters/shelter-pool.ts';
import { resolveRecipients, targetZones, type RegisterCache } from './targeting.ts';
import { areaAlert } from './area-message.ts';
import { cancelFor } from './cancel-message.ts';
import { planAlert, type AlertHead } from './personalise.ts';
import { iso } from './alert-views.ts';
import type { OutMessage } from './alert-publisher.ts';
import { reachOf, type AlertRow, type RevRow } from './repository/alert-rows.ts';
import {
  cancelRecipients,
  devicesBefore,
  liveAreaZones,
  previousRecipients,
  unboundDevices,
  writeAreas,
} from './repository/delivery-rows.ts';

/** The messages of a revision; `countUnbound` (the preview's figure) costs a query the fan-out does not need. */
export async function buildMessages(
  q: Queryable,
  a: AlertRow,
  rev: RevRow,
  now: Date,
  register: RegisterCache,
  countUnbound = true,
) {
  const spec = rev.spec;
  const head: AlertHead = {
    alertId: a.id,
    revision: rev.revision,
    msgType: rev.msg_type,
    ...(rev.msg_type === 'Cancel' ? { end: rev.end_reason ?? 'sent-in-error' } : {}),
    status: a.status,
    level: Number(rev.level) as EvacuationLevel,
    hazard: rev.hazard,
    sent: now.toISOString(),
    expires: iso(rev.expires)!,
  };
  const zones = await listZones(q);
  const zonesById = new Map(zones.map((z) => [z.id, z]));
  const pool = new ShelterPool(await listShelters(q), await shelterOccupancy(q), head.hazard);
  const previous = await previousRecipients(q, a.id);
  const candidates = await resolveRecipients(q, spec.target, zones, now, register);
  const plan = planAlert(head, spec, candidates, pool, zonesById, previous);
  const areaZones = targetZones(spec.target, zones)
    .map((z) => zonesById.get(z)!)
    .filter(Boolean);
  const areas = areaZones.map((z) => areaAlert(head, spec, z, pool));
  const unboundTvs = countUnbound
    ? await unboundDevices(
        q,
        areaZones.map((z) => z.id),
      )
    : 0;
  return { head, spec, plan, recipients: plan.recipients, areas, unboundTvs };
}

/**
 * A Cancel for every TV that had an older revision than `head`'s: it names the residents the TV
 * showed the alert to. Used by a Cancel (every TV) and by an Update (TVs no longer targeted).
 */
export async function cancelsBefore(
  q: Queryable,
  head: AlertHead,
): Promise<{ device_id: string; zone_id: string; payload: string }[]> {
  const devices = await devicesBefore(q, head.alertId, head.revision);
  if (devices.length === 0) return [];
  const zones = new Map((await listZones(q)).map((z) => [z.id, z]));
  const people = await cancelRecipients(q, head.alertId, head.revision);
  // an Update that no longer targets a TV lifts the alert for it (解除 of that area)
  const cancel = { ...head, msgType: 'Cancel' as const, end: head.end ?? ('lifted' as const) };
  return devices.map((d) => ({
    device_id: d.device_id,
    zone_id: d.zone_id,
    payload: encodeMessage(
      cancelFor(
        cancel,
        { id: d.zone_id, name: zones.get(d.zone_id)?.name ?? d.zone_id },
        people.get(d.device_id) ?? [],
      ),
    ),
  }));
}

/** Area messages (retained; null clears the zone's message): rows written, messages returned. */
export async function publishAreas(
  q: Queryable,
  muni: string,
  id: string,
  revision: number,
  areaRows: { zone_id: string; payload: AreaAlert | null }[],
): Promise<OutMessage[]> {
  await writeAreas(q, id, revision, areaRows);
  return areaRows.map((ar) => ({
    topic: topics.areaAlert(muni, ar.zone_id),
    payload: ar.payload ? encodeMessage(ar.payload) : '',
    retain: true,
  }));
}

/** Personal messages, one per TV (not retained). */
export const tvMessages = (
  muni: string,
  ds: readonly { device_id: string; payload: string | Buffer }[],
): OutMessage[] => ds.map((d) => ({ topic: topics.tvAlert(muni, d.device_id), payload: d.payload, retain: false }));

/**
 * Whom the revision reaches, counted as the preview counts them: its plan for an Alert or Update,
 * the TVs and zones that have the alert for a Cancel.
 */
export async function revisionCounts(
  q: Queryable,
  a: AlertRow,
  rev: RevRow,
  now: Date,
  register: RegisterCache,
): Promise<NonNullable<RevRow['counts']>> {
  if (rev.msg_type === 'Cancel') {
    const reach = (await reachOf(q, [a.id])).get(a.id) ?? { devices: 0, residents: 0, zones: 0 };
    return { ...reach, unboundTvs: await unboundDevices(q, await liveAreaZones(q, a.id)) };
  }
  const m = await buildMessages(q, a, rev, now, register);
  return {
    devices: m.plan.devices.length,
    residents: m.recipients.length,
    zones: m.areas.length,
    unboundTvs: m.unboundTvs,
  };
}
