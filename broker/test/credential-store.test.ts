import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { dbEngines } from '@kizuna/test-utils';
import { KzError, type Db } from '@kizuna/core';
import { createCredentialStore, usernameOf, type CredentialChange, type CredentialStore } from '../src/index.ts';

for (const engine of dbEngines()) {
  describe(`credential store on ${engine.name}`, () => {
    let db: Db & { drop(): Promise<void> };
    let store: CredentialStore;
    // One database per engine (a fresh PGlite takes seconds here); each test starts from empty tables.
    beforeAll(async () => {
      db = await engine.open();
    });
    afterAll(async () => {
      await db.drop();
    });
    beforeEach(async () => {
      store = await createCredentialStore(db);
      await db.exec('TRUNCATE broker_credential_events, broker_credentials');
    });

    const tv = { kind: 'tv', muni: '999997', device: 'tv0001' } as const;

    it('issues a username derived from the identity and a random ≥128-bit password', async () => {
      const a = await store.issue(tv);
      const b = await store.issue({ kind: 'tv', muni: '999997', device: 'tv0002' });
      expect(a.username).toBe('tv-999997-tv0001');
      expect(a.username).toBe(usernameOf(tv));
      expect(Buffer.from(a.password, 'base64url').length).toBeGreaterThanOrEqual(16);
      expect(a.password).not.toBe(b.password);
      expect(await store.authenticate(a.username, a.password)).toEqual(tv);
      expect(await store.identityOf(a.username)).toEqual(tv);
    });

    it('stores hashes only (scrypt and Mosquitto’s PBKDF2), never the password', async () => {
      const a = await store.issue(tv);
      const { rows } = await db.query<Record<string, string>>('SELECT * FROM broker_credentials');
      const text = JSON.stringify(rows);
      expect(text).not.toContain(a.password);
      expect(rows[0]!.password_hash).toMatch(/^scrypt\$\d+\$\d+\$\d+\$/);
    });

    it('refuses a wrong password, an unknown user and malformed input with null', async () => {
      const a = await store.issue(tv);
      expect(await store.authenticate(a.username, a.password + 'x')).toBeNull();
      expect(await store.authenticate(a.username, '')).toBeNull();
      expect(await store.authenticate('tv-999997-nobody', a.password)).toBeNull();
      expect(await store.authenticate('../etc', a.password)).toBeNull();
      expect(await store.authenticate(a.username, 'x'.repeat(5000))).toBeNull();
    });

    it('rotation replaces the password at once, even after a cached login', async () => {
      const a = await store.issue(tv);
      expect(await store.authenticate(a.username, a.password)).not.toBeNull(); // now cached
      const b = await store.rotate(a.username);
      expect(b.username).toBe(a.username);
      expect(await store.authenticate(a.username, a.password)).toBeNull();
      expect(await store.authenticate(a.username, b.password)).toEqual(tv);
      expect((await store.info(a.username))?.generation).toBe(2);
    });

    it('revocation refuses the device at once, even after a cached login, and tells listeners', async () => {
      const changes: CredentialChange['type'][] = [];
      const revoked: string[] = [];
      store.onChange((c) => {
        changes.push(c.type);
      });
      store.onRevoked((u) => {
        revoked.push(u);
      });
      const a = await store.issue(tv);
      expect(await store.authenticate(a.username, a.password)).not.toBeNull();
      expect(await store.revoke(a.username)).toBe(true);
      expect(await store.authenticate(a.username, a.password)).toBeNull();
      expect(await store.identityOf(a.username)).toBeNull();
      expect(await store.revoke(a.username)).toBe(false); // idempotent, no second event
      expect(changes).toEqual(['issued', 'revoked']);
      expect(revoked).toEqual([a.username]);
      expect((await store.info(a.username))?.status).toBe('revoked');
    });

    it('sees a revocation made through another store on the same database (another process)', async () => {
      const other = await createCredentialStore(db);
      const a = await store.issue(tv);
      expect(await store.authenticate(a.username, a.password)).not.toBeNull();
      await other.revoke(a.username);
      expect(await store.authenticate(a.username, a.password)).toBeNull();
    });

    it('a storm of logins shares its credential reads (issue 21), each still answered from the database', async () => {
      const devices = await store.issueMany(
        Array.from({ length: 120 }, (_, i) => ({ kind: 'tv' as const, muni: '999997', device: `storm${i}` })),
      );
      const revoked = devices[7]!;
      await createCredentialStore(db).then((other) => other.revoke(revoked.username)); // another process
      // The same database, its reads counted: the broker's process after a restart, every TV at once.
      let reads = 0;
      const counted = new Proxy(db, {
        get(target, key, receiver) {
          if (key !== 'query') return Reflect.get(target, key, receiver) as unknown;
          return (sql: string, params?: unknown[]) => {
            if (/FROM broker_credentials/.test(sql)) reads += 1;
            return target.query(sql, params);
          };
        },
      });
      const fresh = await createCredentialStore(counted);
      reads = 0;
      const answers = await Promise.all([
        ...devices.map((d, i) => fresh.authenticate(d.username, i === 3 ? 'a-wrong-password-of-24ch' : d.password)),
        fresh.authenticate('tv-999997-nobody', 'a-password-of-24-chars--'),
      ]);
      expect(answers.filter((a) => a !== null)).toHaveLength(devices.length - 2);
      expect(answers[3]).toBeNull(); // wrong password
      expect(answers[7]).toBeNull(); // revoked
      expect(answers.at(-1)).toBeNull(); // unknown
      expect(answers[0]).toEqual({ kind: 'tv', muni: '999997', device: 'storm0' });
      expect(reads).toBeLessThanOrEqual(10);
    });

    it('skips the verification of a login nobody waits for any more (its socket closed in a storm)', async () => {
      const a = await store.issue(tv);
      const fresh = await createCredentialStore(db); // empty cache: this login would cost a scrypt
      expect(await fresh.authenticate(a.username, a.password, { stillWanted: () => false })).toBeNull();
      expect(await fresh.authenticate(a.username, a.password, { stillWanted: () => true })).toEqual(tv);
      // a remembered password costs no verification, so it is answered whoever waits
      expect(await fresh.authenticate(a.username, a.password, { stillWanted: () => false })).toEqual(tv);
    });

    it('checks a login against the row’s PBKDF2 hash, as Mosquitto does: no scrypt per login after a restart (issue 21)', async () => {
      const a = await store.issue(tv);
      const other = await store.issue({ kind: 'tv', muni: '999997', device: 'tv0002' });
      // scrypt's hash unusable: a login still succeeds on the PBKDF2 hash alone
      await db.query(`UPDATE broker_credentials SET password_hash = 'scrypt$1024$8$1$AAAA$AAAA' WHERE username = $1`, [
        a.username,
      ]);
      expect(await (await createCredentialStore(db)).authenticate(a.username, a.password)).toEqual(tv);
      // the PBKDF2 hash of another password: refused, whatever scrypt's hash says
      await db.query(
        `UPDATE broker_credentials SET mosquitto_hash = (SELECT mosquitto_hash FROM broker_credentials WHERE username = $2)
         WHERE username = $1`,
        [a.username, other.username],
      );
      expect(await (await createCredentialStore(db)).authenticate(a.username, a.password)).toBeNull();
      // a malformed one verifies nothing
      for (const bad of ['not json', '{}', '{"password":"AA==","salt":"AA==","iterations":101}']) {
        await db.query('UPDATE broker_credentials SET mosquitto_hash = $2 WHERE username = $1', [a.username, bad]);
        expect(await (await createCredentialStore(db)).authenticate(a.username, a.password)).toBeNull();
      }
    });

    it('re-issues after revocation with a new password; refuses a second issue while active', async () => {
      const a = await store.issue(tv);
      await expect(store.issue(tv)).rejects.toMatchObject({ code: 'KZ_BROKER_ALREADY_ISSUED' });
      await store.revoke(a.username);
      await expect(store.rotate(a.username)).rejects.toMatchObject({ code: 'KZ_BROKER_REVOKED' });
      const b = await store.issue(tv);
      expect(await store.authenticate(a.username, a.password)).toBeNull();
      expect(await store.authenticate(b.username, b.password)).toEqual(tv);
    });

    it('refuses an identity whose derived username belongs to someone else', async () => {
      await store.issue({ kind: 'terminal', muni: '999997', shelter: 'a-b', terminal: 'c' });
      await expect(
        store.issue({ kind: 'terminal', muni: '999997', shelter: 'a', terminal: 'b-c' }),
      ).rejects.toMatchObject({ code: 'KZ_BROKER_USERNAME_TAKEN' });
    });

    it.each([
      [{ kind: 'tv', muni: '999997', device: 'tv.1' }, /device/],
      [{ kind: 'tv', muni: '999997/#', device: 'tv1' }, /muni/],
      [{ kind: 'tv', muni: '999997' }, /device/],
      [{ kind: 'robot' }, /kind/],
      [null, /not an object/],
    ])('refuses the invalid identity %j with a coded error naming the field', async (identity, field) => {
      const err = await store.issue(identity as never).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(KzError);
      expect((err as KzError).code).toBe('KZ_BROKER_IDENTITY_INVALID');
      expect((err as KzError).message).toMatch(field);
      expect(await store.list()).toEqual([]);
    });

    it('names unknown usernames on rotate and revoke', async () => {
      await expect(store.rotate('tv-999997-none')).rejects.toMatchObject({ code: 'KZ_BROKER_UNKNOWN_USERNAME' });
      await expect(store.revoke('tv-999997-none')).rejects.toMatchObject({ code: 'KZ_BROKER_UNKNOWN_USERNAME' });
      await expect(store.revoke('bad name!')).rejects.toMatchObject({ code: 'KZ_BROKER_UNKNOWN_USERNAME' });
    });

    it('fails the call with KZ_BROKER_SYNC_FAILED when a listener could not apply it, keeping the database change', async () => {
      const a = await store.issue(tv);
      store.onChange(() => {
        throw new Error('mosquitto is down');
      });
      await expect(store.revoke(a.username)).rejects.toMatchObject({ code: 'KZ_BROKER_SYNC_FAILED' });
      expect(await store.identityOf(a.username)).toBeNull();
    });

    it('issues many new devices in one transaction, all or nothing', async () => {
      const seen: string[] = [];
      store.onChange((c) => {
        seen.push(c.username);
      });
      const many = await store.issueMany(
        Array.from({ length: 1200 }, (_, i) => ({ kind: 'tv' as const, muni: '999997', device: `b${i}` })),
      );
      expect(many).toHaveLength(1200);
      expect(seen).toHaveLength(1200);
      expect(await store.authenticate(many[1100]!.username, many[1100]!.password)).toEqual({
        kind: 'tv',
        muni: '999997',
        device: 'b1100',
      });
      await expect(
        store.issueMany([
          { kind: 'tv', muni: '999997', device: 'new1' },
          { kind: 'tv', muni: '999997', device: 'b5' },
        ]),
      ).rejects.toMatchObject({ code: 'KZ_BROKER_ALREADY_ISSUED' });
      expect(await store.info('tv-999997-new1')).toBeNull(); // rolled back
      await expect(store.issueMany([tv, tv])).rejects.toMatchObject({ code: 'KZ_BROKER_USERNAME_TAKEN' });
    });

    it('lists by municipality and status, and keeps an audit trail without secrets', async () => {
      await store.issue(tv);
      const t2 = await store.issue({ kind: 'tv', muni: '131016', device: 'tv0001' });
      await store.issue({ kind: 'postbox' });
      await store.revoke(t2.username);
      expect((await store.list({ muni: '999997' })).map((c) => c.username)).toEqual(['tv-999997-tv0001']);
      expect((await store.list({ status: 'revoked' })).map((c) => c.username)).toEqual(['tv-131016-tv0001']);
      expect((await store.mosquittoClients()).map((c) => c.username)).toEqual(['postbox', 'tv-999997-tv0001']);
      const { rows } = await db.query<{ action: string }>(
        'SELECT action FROM broker_credential_events WHERE username = $1 ORDER BY id',
        [t2.username],
      );
      expect(rows.map((r) => r.action)).toEqual(['issued', 'revoked']);
    });
  });
}
