/**
 * Devices belong to their household (issue 23, item 5): "mail waiting" goes only to TVs the
 * municipality has bound to the resident whose card opened the post-box. The gateway asks the
 * TV's municipal console (contract/src/postbox-link.ts) when a TV is named — at login or when
 * the resident links it — and keeps the link; the resident lists and removes linked TVs.
 */
import type { Queryable } from '@kizuna/core';
import { POSTBOX_LINK_PATHS, type DeviceCheckAnswer, type DeviceCheckRequest } from '@kizuna/contract';
import { gatewayErrors as E } from './errors.ts';
import { unlinkDevice } from './postboxes.ts';

/** The municipalities' answer: is this TV bound to the holder of one of these cards? */
export interface DeviceBindings {
  isBound(q: { muni: string; device: string; authSerials: string[] }): Promise<boolean>;
}

/**
 * Asks each municipality's console over HTTP with the post-box operator's broker credentials.
 * A municipality without a console here has bound no TV for the post-box: the answer is no.
 */
export function consoleDeviceBindings(opts: {
  consoles: Record<string, string>;
  username: string;
  password: string;
  timeoutMs?: number;
}): DeviceBindings {
  const authorization = `Basic ${Buffer.from(`${opts.username}:${opts.password}`).toString('base64')}`;
  return {
    async isBound({ muni, device, authSerials }) {
      const base = opts.consoles[muni];
      if (!base) return false;
      const body: DeviceCheckRequest = { device, authSerials };
      let res: Response;
      try {
        res = await fetch(new URL(POSTBOX_LINK_PATHS.deviceCheck, base), {
          method: 'POST',
          headers: { authorization, 'content-type': 'application/json' },
          body: JSON.stringify(body),
          signal: AbortSignal.timeout(opts.timeoutMs ?? 5000),
        });
      } catch (e) {
        throw E.KZ_GW_DEVICE_CHECK_UNAVAILABLE(`municipality ${muni}: ${(e as Error).message}`);
      }
      if (!res.ok) throw E.KZ_GW_DEVICE_CHECK_UNAVAILABLE(`municipality ${muni} answered HTTP ${res.status}`);
      return ((await res.json()) as DeviceCheckAnswer).bound === true;
    },
  };
}

/** `KZ_GATEWAY_CONSOLES`: `muni=url` pairs separated by commas (say `999996=http://127.0.0.1:18800`). */
export function parseConsoleList(text: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (text ?? '').split(',').map((p) => p.trim())) {
    if (!part) continue;
    const i = part.indexOf('=');
    if (i <= 0) throw new Error(`KZ_GATEWAY_CONSOLES: "${part}" is not muni=url`);
    out[part.slice(0, i)] = new URL(part.slice(i + 1)).toString();
  }
  return out;
}

/**
 * Links a TV to the post-box after its municipality confirmed it is bound to this card's holder
 * (`authSerials`: the session's card and the ones it renewed). Refused with 403
 * KZ_GW_DEVICE_NOT_BOUND otherwise; 503 KZ_GW_DEVICE_CHECK_UNAVAILABLE when nobody can be asked.
 */
export async function linkDevice(
  db: Queryable,
  devices: DeviceBindings | undefined,
  input: { postboxId: string; authSerials: string[]; muni: string; device: string },
  now: Date,
): Promise<void> {
  if (!devices) throw E.KZ_GW_DEVICE_CHECK_UNAVAILABLE('no municipal consoles are configured on this server');
  const bound = await devices.isBound({ muni: input.muni, device: input.device, authSerials: input.authSerials });
  if (!bound) {
    // The municipality says no (now): a link made earlier, when it said yes, ends too.
    await unlinkDevice(db, input.postboxId, input.muni, input.device);
    throw E.KZ_GW_DEVICE_NOT_BOUND(`TV ${input.device} of municipality ${input.muni}`, {
      muni: input.muni,
      device: input.device,
    });
  }
  await db.query(
    `INSERT INTO gw_postbox_devices (postbox_id, muni, device, last_login_at) VALUES ($1, $2, $3, $4)
    ON CONFLICT (postbox_id, muni, device) DO UPDATE SET last_login_at = EXCLUDED.last_login_at`,
    [input.postboxId, input.muni, input.device, now],
  );
}

/** The authentication serials that opened this post-box (its card and the ones it renewed), newest first. */
export async function postboxSerials(db: Queryable, postboxId: string, current: string): Promise<string[]> {
  const { rows } = await db.query<{ serial: string }>(
    'SELECT serial FROM gw_postbox_certs WHERE postbox_id = $1 ORDER BY added_at DESC LIMIT 8',
    [postboxId],
  );
  return [...new Set([current, ...rows.map((r) => r.serial)])].slice(0, 9);
}
