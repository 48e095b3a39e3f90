/**
 * The post-box session cache (postboxes.ts): a few seconds in memory, never past the session's
 * own expiry, forgotten at once on logout through this gateway, and a logout through another
 * gateway instance (same database) seen within the cache time.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dbEngines } from '@kizuna/test-utils';
import { loadMigrations, migrate } from '@kizuna/core';
import { createSessionCache, endSession, loginPostbox } from '../src/postboxes.ts';
import { MIGRATIONS_DIR } from '../src/app.ts';

for (const engine of dbEngines()) {
  describe(`post-box session cache (${engine.name})`, () => {
    let db: Awaited<ReturnType<typeof engine.open>>;
    beforeAll(async () => {
      db = await engine.open();
      await migrate(db, await loadMigrations(MIGRATIONS_DIR), { component: 'insurer-gateway' });
    });
    afterAll(async () => {
      await db.drop();
    });
    const t0 = new Date('2026-11-23T00:00:00Z');
    const at = (ms: number) => new Date(t0.getTime() + ms);

    it('serves a session from memory within ttlMs, then sees a logout made elsewhere', async () => {
      const s = await loginPostbox(db, { authSerial: 'aa01', ttlS: 3600 }, t0);
      const cache = createSessionCache(db, { ttlMs: 5000 });
      expect((await cache.get(s.token, at(0))).postboxId).toBe(s.postboxId);
      await endSession(db, s.token, at(100)); // another gateway instance
      expect((await cache.get(s.token, at(1000))).postboxId).toBe(s.postboxId); // still cached (documented bound)
      await expect(cache.get(s.token, at(5001))).rejects.toMatchObject({ code: 'KZ_GW_SESSION_EXPIRED' });
    });

    it('forgets at once on logout through it, never outlives the session, and refuses unknown or missing tokens', async () => {
      const cache = createSessionCache(db, { ttlMs: 60_000 });
      const a = await loginPostbox(db, { authSerial: 'aa02', ttlS: 3600 }, t0);
      await cache.get(a.token, at(0));
      await cache.end(a.token, at(10));
      await expect(cache.get(a.token, at(20))).rejects.toMatchObject({ code: 'KZ_GW_SESSION_EXPIRED' });

      const b = await loginPostbox(db, { authSerial: 'aa03', ttlS: 60 }, t0);
      await cache.get(b.token, at(59_000));
      await expect(cache.get(b.token, at(60_001))).rejects.toMatchObject({ code: 'KZ_GW_SESSION_EXPIRED' });

      await expect(cache.get('x'.repeat(40), at(0))).rejects.toMatchObject({ code: 'KZ_GW_SESSION_EXPIRED' });
      await expect(cache.get(undefined, at(0))).rejects.toMatchObject({ code: 'KZ_GW_SESSION_MISSING' });
    });
  });
}
