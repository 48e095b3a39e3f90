import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { requireRole, staffOf, type ConsoleContext } from '../context.ts';
import { addZone, listZones } from '../register/zones.ts';
import { seedResidents } from '../register/resident-records.ts';
import { addShelter, listShelters, setShelterState } from '../shelters/shelter-register.ts';
import { registerDevice } from '../devices/devices.ts';
import { bindResidentToDevice } from '../devices/device-bindings.ts';
import { shelterFigures } from '../shelters/shelter-pool.ts';
import { residentSummary } from '../register/residents.ts';
import { PEOPLE_ROLE, auditRead, residentCounts } from '../register/personal-reads.ts';
import { Count, errors } from '../schemas.ts';
import {
  BindBody,
  DeviceBody,
  DeviceView,
  ResidentBody,
  ResidentCountsView,
  ResidentSummary,
  ShelterBody,
  ShelterPatch,
  ShelterView,
  ZoneBody,
  ZoneView,
} from '../register-schemas.ts';

const sec: Record<string, string[]>[] = [{ bearer: [] }, { cookie: [] }];

export async function registerRoutes(app: FastifyInstance, ctx: ConsoleContext) {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const viewer = requireRole(ctx, 'viewer');
  const admin = requireRole(ctx, 'admin');
  const people = requireRole(ctx, PEOPLE_ROLE);

  r.get(
    '/api/zones',
    {
      preHandler: viewer,
      schema: {
        tags: ['register'],
        summary: 'Zones',
        security: sec,
        response: { 200: Type.Array(ZoneView), ...errors(401) },
      },
    },
    async () => (await listZones(ctx.db)).map((z) => ({ id: z.id, name: z.name, nameEn: z.nameEn, polygon: z.ring })),
  );
  r.post(
    '/api/zones',
    {
      preHandler: admin,
      schema: {
        tags: ['register'],
        summary: 'Add or replace a zone (admin)',
        security: sec,
        body: ZoneBody,
        response: { 201: ZoneView, ...errors(400, 401, 403) },
      },
    },
    async (req, reply) => {
      const z = await addZone(ctx.db, req.body, staffOf(req).username);
      return reply.status(201).send({ id: z.id, name: z.name, nameEn: z.nameEn, polygon: z.ring });
    },
  );

  r.get(
    '/api/shelters',
    {
      preHandler: viewer,
      schema: {
        tags: ['register'],
        summary:
          'Shelters with their occupancy now, how many of those present need care and how many are from outside the municipality',
        security: sec,
        response: { 200: Type.Array(ShelterView), ...errors(401) },
      },
    },
    async () => {
      const figures = await shelterFigures(ctx.db);
      return (await listShelters(ctx.db)).map((s) => ({
        ...s,
        occupancy: figures.get(s.id)?.present ?? 0,
        needsCare: figures.get(s.id)?.needsCare ?? 0,
        outside: figures.get(s.id)?.outside ?? 0,
      }));
    },
  );
  r.post(
    '/api/shelters',
    {
      preHandler: admin,
      schema: {
        tags: ['register'],
        summary: 'Add or replace a shelter (admin)',
        security: sec,
        body: ShelterBody,
        response: { 201: ShelterView, ...errors(400, 401, 403) },
      },
    },
    async (req, reply) => reply.status(201).send(await addShelter(ctx.db, req.body, staffOf(req).username)),
  );
  r.patch(
    '/api/shelters/:id',
    {
      preHandler: requireRole(ctx, 'issuer'),
      schema: {
        tags: ['register'],
        summary: 'Open or close a shelter, change its capacity',
        security: sec,
        params: Type.Object({ id: Type.String() }),
        body: ShelterPatch,
        response: { 200: ShelterView, ...errors(400, 401, 403, 404) },
      },
    },
    async (req) => setShelterState(ctx.db, req.params.id, req.body, staffOf(req).username),
  );

  r.post(
    '/api/residents',
    {
      preHandler: admin,
      schema: {
        tags: ['register'],
        summary: 'Import residents from the register extract (admin; upsert, all or nothing)',
        security: sec,
        body: Type.Array(ResidentBody, { maxItems: 50_000 }),
        response: { 200: Count, ...errors(400, 401, 403) },
      },
      bodyLimit: 64 * 1024 * 1024,
    },
    async (req) => seedResidents(ctx.db, req.body, staffOf(req).username),
  );
  r.get(
    '/api/residents/counts',
    {
      preHandler: viewer,
      schema: {
        tags: ['register'],
        summary: 'The register in figures, in total and per zone (every role; no one named)',
        security: sec,
        response: { 200: ResidentCountsView, ...errors(401) },
      },
    },
    async () => residentCounts(ctx.db),
  );
  r.get(
    '/api/residents/:id',
    {
      preHandler: people,
      schema: {
        tags: ['register'],
        summary: "A resident's TVs and whether personal alerts reach them (issuer or admin; the read is audited)",
        security: sec,
        params: Type.Object({ id: Type.String({ maxLength: 64 }) }),
        response: { 200: ResidentSummary, ...errors(401, 403, 404) },
      },
    },
    async (req) => {
      const out = await residentSummary(ctx.db, req.params.id);
      await auditRead(ctx, staffOf(req), 'read.resident', req.params.id, {});
      return out;
    },
  );
  r.get(
    '/api/residents',
    {
      preHandler: people,
      schema: {
        tags: ['register'],
        summary: 'Residents (paged; issuer or admin, the read is audited — viewers have GET /api/residents/counts)',
        security: sec,
        querystring: Type.Object({
          zone: Type.Optional(Type.String({ maxLength: 64 })),
          offset: Type.Optional(Type.Integer({ minimum: 0, maximum: 10_000_000 })),
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, description: 'default 100' })),
        }),
        response: { 200: Type.Array(ResidentSummary), ...errors(401, 403) },
      },
    },
    async (req) => {
      const { rows } = await ctx.db.query<{ id: string }>(
        'SELECT id FROM residents WHERE ($1::text IS NULL OR zone_id = $1) ORDER BY id OFFSET $2 LIMIT $3',
        [req.query.zone ?? null, req.query.offset ?? 0, req.query.limit ?? 100],
      );
      const out = await Promise.all(rows.map((x) => residentSummary(ctx.db, x.id)));
      await auditRead(ctx, staffOf(req), 'read.residents', req.query.zone, {
        count: out.length,
        offset: req.query.offset ?? 0,
        residentIds: out.map((x) => x.id),
      });
      return out;
    },
  );

  r.post(
    '/api/devices',
    {
      preHandler: admin,
      schema: {
        tags: ['register'],
        summary: 'Register TVs (admin)',
        security: sec,
        body: Type.Array(DeviceBody, { maxItems: 50_000 }),
        response: { 200: Count, ...errors(400, 401, 403) },
      },
      bodyLimit: 16 * 1024 * 1024,
    },
    async (req) => registerDevice(ctx.db, req.body, staffOf(req).username),
  );
  r.get(
    '/api/devices',
    {
      preHandler: viewer,
      schema: {
        tags: ['register'],
        summary: 'TVs (paged)',
        security: sec,
        querystring: Type.Object({
          zone: Type.Optional(Type.String()),
          offset: Type.Optional(Type.Integer({ minimum: 0, maximum: 10_000_000 })),
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, description: 'default 100' })),
        }),
        response: { 200: Type.Array(DeviceView), ...errors(401) },
      },
    },
    async (req) => {
      const { rows } = await ctx.db.query<{
        id: string;
        zone_id: string;
        household_id: string | null;
        status: string;
        residents: number;
      }>(
        `
      SELECT d.id, d.zone_id, d.household_id, d.status, (SELECT count(*)::int FROM bindings b WHERE b.device_id = d.id AND b.status = 'active') AS residents
      FROM devices d WHERE ($1::text IS NULL OR d.zone_id = $1) ORDER BY d.id OFFSET $2 LIMIT $3`,
        [req.query.zone ?? null, req.query.offset ?? 0, req.query.limit ?? 100],
      );
      return rows.map((d) => ({
        id: d.id,
        zoneId: d.zone_id,
        householdId: d.household_id,
        status: d.status,
        residents: Number(d.residents),
      }));
    },
  );
  r.post(
    '/api/bindings',
    {
      preHandler: admin,
      schema: {
        tags: ['register'],
        summary: 'Bind a resident to a TV directly (admin; the card path is POST /api/bind)',
        security: sec,
        body: BindBody,
        response: { 200: Count, ...errors(400, 401, 403, 404) },
      },
    },
    async (req) => bindResidentToDevice(ctx.db, req.body, staffOf(req).username),
  );
}
