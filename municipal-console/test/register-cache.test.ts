/**
 * The targetable register kept between alerts (RegisterCache, migration 009): read once, then
 * again only after a change that targeting can see; a change that was rolled back is never
 * served from the cache; the same candidates as a fresh read, whatever the cache holds.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dbEngines } from '@kizuna/test-utils';
import { bindResidentToDevice, listZones, registerDevice, seedResidents } from '../src/index.ts';
import { migrateConsole } from '../src/app.ts';
import { RegisterCache, resolveRecipients } from '../src/alerts/targeting.ts';
import type { MqttClient } from 'mqtt';
import { createLogger } from '@kizuna/core';
import { AlertService } from '../src/alerts/alert-service.ts';
import { seedTown } from './helpers.ts';

const NOW = new Date('2026-11-23T10:00:00Z');
const ALL = { zones: ['z-kawabe', 'z-yamate'] };

for (const engine of dbEngines()) {
  describe(`register cache on ${engine.name}`, () => {
    let db: Awaited<ReturnType<typeof engine.open>>;
    const cache = new RegisterCache();
    const ids = async (t: Parameters<typeof resolveRecipients>[1] = ALL) =>
      (await resolveRecipients(db, t, await listZones(db), NOW, cache))
        .map((c) => `${c.residentId}@${c.deviceId}`)
        .sort();
    const fresh = async (t: Parameters<typeof resolveRecipients>[1] = ALL) =>
      (await resolveRecipients(db, t, await listZones(db), NOW)).map((c) => `${c.residentId}@${c.deviceId}`).sort();

    beforeAll(async () => {
      db = await engine.open();
      await migrateConsole(db);
      await seedTown(db);
    });
    afterAll(async () => {
      await db?.drop();
    });

    it('reads the register once, and serves the same candidates as a fresh read until it changes', async () => {
      expect(await ids()).toEqual(['R1@tv-h1', 'R2@tv-h1', 'R3@tv-s1', 'R4@tv-s2']);
      expect(await ids({ zones: ['z-yamate'] })).toEqual(['R4@tv-s2']);
      expect(await ids({ zones: ['z-kawabe'], group: 'needs-help' })).toEqual(['R1@tv-h1']);
      expect(cache.loads).toBe(1);
      expect(await ids()).toEqual(await fresh());
    });

    it('reads it again after a resident, a TV or a binding changed, and not after a revocation check stamp', async () => {
      await seedResidents(db, [
        {
          id: 'R9',
          familyName: '新井',
          givenName: '九',
          familyKana: 'アライ',
          givenKana: 'キュウ',
          address: '絆市山手9',
          birthDate: '1990-01-01',
          sex: 1,
          language: 'ja',
          needsHelp: false,
          household: 'H9',
          zone: 'z-yamate',
          lat: 36.01,
          lon: 140.05,
        },
      ]);
      await registerDevice(db, [{ id: 'tv-9', zone: 'z-yamate', household: 'H9' }]);
      await bindResidentToDevice(db, [{ residentId: 'R9', deviceId: 'tv-9', authSerial: 'a9' }]);
      expect(await ids({ zones: ['z-yamate'] })).toEqual(['R4@tv-s2', 'R9@tv-9']);
      const loads = cache.loads;
      expect(loads).toBeGreaterThan(1);
      // a column targeting never reads: no new read
      await db.query(`UPDATE bindings SET status_checked_at = now() WHERE resident_id = 'R9'`);
      expect(await ids({ zones: ['z-yamate'] })).toEqual(['R4@tv-s2', 'R9@tv-9']);
      expect(cache.loads).toBe(loads);
      // a revoked TV, a resident who moved zone: read again, and the answer follows
      await db.query(`UPDATE devices SET status = 'revoked' WHERE id = 'tv-9'`);
      expect(await ids({ zones: ['z-yamate'] })).toEqual(['R4@tv-s2']);
      await db.query(`UPDATE residents SET zone_id = 'z-kawabe' WHERE id = 'R4'`);
      await db.query(`UPDATE devices SET zone_id = 'z-kawabe' WHERE id = 'tv-s2'`);
      expect(await ids({ zones: ['z-yamate'] })).toEqual([]);
      expect(await ids()).toEqual(await fresh());
      expect(cache.loads).toBe(loads + 2);
    });

    it('never serves a change that was rolled back, even once the version moves on to the same number', async () => {
      await expect(
        db.tx(async (q) => {
          await q.query(`UPDATE bindings SET status = 'unbound' WHERE resident_id = 'R3'`);
          // read inside the transaction: the cache now holds the uncommitted register
          expect(
            (await resolveRecipients(q, ALL, await listZones(q), NOW, cache)).some((c) => c.residentId === 'R3'),
          ).toBe(false);
          throw new Error('roll back');
        }),
      ).rejects.toThrow('roll back');
      // with no read in between, another change bumps the version to the number the rolled-back one had
      await db.query(`UPDATE residents SET needs_help = true WHERE id = 'R3'`);
      expect(await ids()).toContain('R3@tv-s1');
      expect(await ids({ zones: ['z-kawabe'], group: 'needs-help' })).toEqual(['R1@tv-h1', 'R3@tv-s1']);
      expect(await ids()).toEqual(await fresh());
    });

    it('the alert timer reads a changed register, so the next alert does not have to', async () => {
      const alerts = new AlertService({
        db,
        mqtt: { connected: false } as MqttClient,
        muni: '999999',
        logger: createLogger({ name: 'test', level: 'silent' }),
        clock: { now: () => NOW },
      });
      await alerts.tick();
      expect(alerts.register.loads).toBe(1);
      await alerts.tick();
      expect(alerts.register.loads).toBe(1);
      await db.query(`UPDATE residents SET needs_help = false WHERE id = 'R3'`);
      await alerts.tick();
      expect(alerts.register.loads).toBe(2);
      // what the timer read is what targeting now serves, without a read of its own
      const served = (
        await resolveRecipients(
          db,
          { zones: ['z-kawabe'], group: 'needs-help' },
          await listZones(db),
          NOW,
          alerts.register,
        )
      ).map((c) => c.residentId);
      expect(served).toEqual(['R1']);
      expect(alerts.register.loads).toBe(2);
    });
  });
}
