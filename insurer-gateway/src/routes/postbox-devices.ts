/**
 * The TVs linked to a post-box (issue 23, item 5): the resident lists them, links the TV in front
 * of them (only one its municipality bound to them) and removes any. Registered inside the
 * session scope of routes/postbox.ts.
 */
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import type { GatewayContext } from '../context.ts';
import { gatewayErrors as E } from '../errors.ts';
import { unlinkDevice } from '../postboxes.ts';
import { linkDevice, postboxSerials } from '../device-links.ts';
import { errors, Id, Ok } from '../schemas.ts';

const tags = ['post-box'];
const security = [{ postboxSession: [] }];
const DeviceParams = Type.Object({ muni: Id, device: Id });

export async function postboxDeviceRoutes(base: FastifyInstance, ctx: GatewayContext): Promise<void> {
  const app = base.withTypeProvider<TypeBoxTypeProvider>();

  app.get(
    '/devices',
    {
      schema: {
        tags,
        security,
        summary: 'The TVs that receive "mail waiting" for this post-box',
        response: {
          200: Type.Object({
            devices: Type.Array(Type.Object({ muni: Type.String(), device: Type.String(), linkedAt: Type.String() })),
          }),
          ...errors(400, 401),
        },
      },
    },
    async (req) => {
      const { rows } = await ctx.db.query<{ muni: string; device: string; last_login_at: Date }>(
        'SELECT muni, device, last_login_at FROM gw_postbox_devices WHERE postbox_id = $1 ORDER BY muni, device',
        [req.postbox!.postboxId],
      );
      return {
        devices: rows.map((r) => ({
          muni: r.muni,
          device: r.device,
          linkedAt: new Date(r.last_login_at).toISOString(),
        })),
      };
    },
  );

  app.post(
    '/devices',
    {
      schema: {
        tags,
        security,
        summary: "Link a TV: only one the municipality bound to this card's holder (else 403 KZ_GW_DEVICE_NOT_BOUND)",
        body: DeviceParams,
        response: { 200: Ok, ...errors(400, 401, 403, 503) },
      },
    },
    async (req) => {
      const s = req.postbox!;
      const authSerials = await postboxSerials(ctx.db, s.postboxId, s.authSerial);
      await linkDevice(ctx.db, ctx.devices, { postboxId: s.postboxId, authSerials, ...req.body }, ctx.clock.now());
      return { ok: true as const };
    },
  );

  app.delete(
    '/devices/:muni/:device',
    {
      schema: {
        tags,
        security,
        summary: 'Remove a TV: it no longer receives "mail waiting" for this post-box',
        params: DeviceParams,
        response: { 200: Ok, ...errors(400, 401, 404) },
      },
    },
    async (req) => {
      const p = req.params;
      if (!(await unlinkDevice(ctx.db, req.postbox!.postboxId, p.muni, p.device)))
        throw E.KZ_GW_UNKNOWN_DEVICE(`${p.muni}/${p.device}`);
      return { ok: true as const };
    },
  );
}
