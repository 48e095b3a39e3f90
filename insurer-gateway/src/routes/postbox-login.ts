/**
 * Card login's guards: a per-client limit on login challenges (so one client can neither fill
 * the challenge store's global cap and turn every resident away with 503, nor mint challenges
 * without end), and the TV named at login, linked only when its municipality bound it to the
 * card's holder (device-links.ts).
 */
import rateLimit, { type RateLimitPluginOptions } from '@fastify/rate-limit';
import Type from 'typebox';
import type { GatewayContext } from '../context.ts';
import { gatewayErrors as E } from '../errors.ts';
import { linkDevice, postboxSerials } from '../device-links.ts';

/** Default challenges per client (IP address) per minute: a TV needs one per login. */
export const LOGIN_CHALLENGES_PER_MINUTE = 20;

export const challengeRateLimit = {
  plugin: rateLimit,
  options: {
    global: false,
    errorResponseBuilder: (_req, c) =>
      E.KZ_GW_LOGIN_RATE_LIMITED(
        `at most ${c.max} login challenges per minute from one client; try again in ${c.after}`,
        {
          retryAfterS: Math.ceil(c.ttl / 1000),
        },
      ),
  } satisfies RateLimitPluginOptions,
  route: (max: number | undefined) => ({ max: max ?? LOGIN_CHALLENGES_PER_MINUTE, timeWindow: '1 minute' }),
};

export const LoginDeviceSchema = Type.Object(
  {
    muni: Type.String(),
    device: Type.String(),
    linked: Type.Boolean({ description: 'true: this TV receives "mail waiting" for this post-box' }),
    code: Type.Optional(
      Type.String({ description: 'why not: KZ_GW_DEVICE_NOT_BOUND or KZ_GW_DEVICE_CHECK_UNAVAILABLE' }),
    ),
  },
  { description: 'the TV named at login, and whether it was linked' },
);

/**
 * The login itself succeeds on any TV (the card is what authenticates); the TV is linked only when
 * its municipality says it is bound to this card's holder, and the answer names why not.
 */
export async function loginDevice(
  ctx: GatewayContext,
  session: { postboxId: string; authSerial: string },
  tv: { muni?: string | undefined; device?: string | undefined },
  now: Date,
): Promise<{ muni: string; device: string; linked: boolean; code?: string }> {
  const muni = tv.muni!;
  const device = tv.device!;
  try {
    const authSerials = await postboxSerials(ctx.db, session.postboxId, session.authSerial);
    await linkDevice(ctx.db, ctx.devices, { postboxId: session.postboxId, authSerials, muni, device }, now);
    return { muni, device, linked: true };
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code !== 'KZ_GW_DEVICE_NOT_BOUND' && code !== 'KZ_GW_DEVICE_CHECK_UNAVAILABLE') throw e;
    ctx.logger.info({ muni, device, code }, 'TV named at login not linked');
    return { muni, device, linked: false, code };
  }
}
