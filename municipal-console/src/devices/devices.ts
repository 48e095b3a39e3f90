/** The municipality's TVs: registered in batches (one statement per 20,000), each in a zone and maybe a household. */
import type { Db } from '@kizuna/core';
import { consoleErrors } from '../errors.ts';
import { appendAudit } from '../staff/audit.ts';
import { safeId } from '../register/safe-id.ts';
import { knownZones } from '../register/zones.ts';

export interface DeviceInput {
  id: string;
  zone: string;
  household?: string | undefined;
  brokerUsername?: string | undefined;
}

const now = () => new Date();

/** Register TVs (one or many). The broker username defaults to the device id (broker policy: client id = username). */
export async function registerDevice(
  db: Db,
  d: DeviceInput | DeviceInput[],
  actor = 'system',
): Promise<{ count: number }> {
  const list = Array.isArray(d) ? d : [d];
  if (list.length === 0) return { count: 0 };
  return db.tx(async (q) => {
    const zones = await knownZones(q);
    for (const x of list) {
      safeId(x.id, 'device id');
      if (!zones.has(x.zone)) throw consoleErrors.KZ_CONSOLE_UNKNOWN_ZONE(`${x.zone} (device ${x.id})`);
      if (x.household) safeId(x.household, 'household id');
    }
    const households = [...new Map(list.filter((x) => x.household).map((x) => [x.household!, x.zone]))];
    if (households.length) {
      await q.query(
        `INSERT INTO households (id, zone_id) SELECT * FROM jsonb_to_recordset($1::jsonb) AS x(id text, zone_id text) ON CONFLICT (id) DO NOTHING`,
        [JSON.stringify(households.map(([id, zone]) => ({ id, zone_id: zone })))],
      );
    }
    for (let i = 0; i < list.length; i += 20_000) {
      await q.query(
        `INSERT INTO devices (id, zone_id, household_id, broker_username)
        SELECT id, zone_id, household_id, broker_username FROM jsonb_to_recordset($1::jsonb) AS x(id text, zone_id text, household_id text, broker_username text)
        ON CONFLICT (id) DO UPDATE SET zone_id = EXCLUDED.zone_id, household_id = EXCLUDED.household_id, broker_username = EXCLUDED.broker_username, status = 'active'`,
        [
          JSON.stringify(
            list.slice(i, i + 20_000).map((x) => ({
              id: x.id,
              zone_id: x.zone,
              household_id: x.household || null,
              broker_username: x.brokerUsername ?? x.id,
            })),
          ),
        ],
      );
    }
    await appendAudit(
      q,
      {
        actor,
        action: 'device.register',
        subject: list.length === 1 ? list[0]!.id : undefined,
        details: { count: list.length },
      },
      now(),
    );
    return { count: list.length };
  });
}
