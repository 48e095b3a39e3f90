/**
 * Device credentials for the broker: the municipality issues each TV and terminal its own
 * username and random password, can rotate and revoke them. The same store serves all three
 * brokers (aedes hooks, the Mosquitto adapter, RabbitMQ's HTTP backend), so the console
 * provisions devices without knowing which broker runs.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { loadMigrations, migrate, type Db, type Logger, type Queryable } from '@kizuna/core';
import { brokerErrors } from './errors.ts';
import { checkIdentity, isTvUsername, sameIdentity, usernameOf, type BrokerIdentity } from './identity.ts';
import { mosquittoHash, newPassword, hashPassword, verifyMosquittoHash, type MosquittoHash } from './password-hash.ts';
import { rowBatcher } from './row-batcher.ts';
import { verifySlots } from './verify-slots.ts';

export const BROKER_MIGRATIONS_DIR = fileURLToPath(new URL('../migrations', import.meta.url));

export interface IssuedCredentials {
  username: string;
  password: string;
}

/**
 * A change, told to listeners after it is committed. `password` (issued/rotated only) is the
 * new secret, there for a broker adapter that must hand it to its broker: never log it.
 */
export type CredentialChange =
  | { type: 'issued' | 'rotated'; username: string; identity: BrokerIdentity; password: string }
  | { type: 'revoked'; username: string; identity: BrokerIdentity };

export interface CredentialInfo {
  username: string;
  identity: BrokerIdentity;
  status: 'active' | 'revoked';
  generation: number;
  issuedAt: Date;
  rotatedAt: Date | null;
  revokedAt: Date | null;
}

export interface CredentialStore {
  /** New credentials for a device (or re-issue after a revocation). KZ_BROKER_ALREADY_ISSUED if active. */
  issue(identity: BrokerIdentity): Promise<IssuedCredentials>;
  /** Issue for many NEW devices in one transaction (provisioning a town's TVs); all or nothing. */
  issueMany(identities: BrokerIdentity[]): Promise<IssuedCredentials[]>;
  /** A new password; the old one stops working at once. */
  rotate(username: string): Promise<IssuedCredentials>;
  /** Refuse this device from now on. Idempotent: true if it was active. */
  revoke(username: string): Promise<boolean>;
  /**
   * The identity for a correct username and password of active credentials, else null. With
   * `stillWanted`, a verification whose turn comes after it returned false is skipped (null): the
   * broker passes "the socket is still open".
   */
  authenticate(
    username: string,
    password: string,
    opts?: { stillWanted?: () => boolean },
  ): Promise<BrokerIdentity | null>;
  /** The identity of ACTIVE credentials (null if unknown or revoked): callers use it to authorise. */
  identityOf(username: string): Promise<BrokerIdentity | null>;
  info(username: string): Promise<CredentialInfo | null>;
  list(filter?: { muni?: string; status?: 'active' | 'revoked' }): Promise<CredentialInfo[]>;
  /** Active credentials with their Mosquitto-format hashes (for the Mosquitto adapter). */
  mosquittoClients(): Promise<Array<{ username: string; identity: BrokerIdentity; hash: MosquittoHash }>>;
  /** Awaited after each committed change; a listener error fails the call with KZ_BROKER_SYNC_FAILED. */
  onChange(listener: (change: CredentialChange) => void | Promise<void>): () => void;
  onRevoked(listener: (username: string, identity: BrokerIdentity) => void | Promise<void>): () => void;
}

export interface CredentialStoreOptions {
  logger?: Logger;
  /** How long a verified password is remembered (ms), saving a hash check on reconnects. Default 60 000. */
  cacheTtlMs?: number;
  /** Most remembered passwords at once. Default 100 000. */
  cacheMax?: number;
}

interface Row {
  username: string;
  kind: BrokerIdentity['kind'];
  muni: string | null;
  device: string | null;
  shelter: string | null;
  terminal: string | null;
  password_hash: string;
  mosquitto_hash: string;
  generation: number;
  issued_at: Date | string;
  rotated_at: Date | string | null;
  revoked_at: Date | string | null;
}

const COLUMNS =
  'username, kind, muni, device, shelter, terminal, password_hash, mosquitto_hash, generation, issued_at, rotated_at, revoked_at';

function identityFromRow(r: Row): BrokerIdentity {
  return checkIdentity({ kind: r.kind, muni: r.muni, device: r.device, shelter: r.shelter, terminal: r.terminal });
}

const toDate = (v: Date | string | null) => (v === null ? null : new Date(v));

function infoFromRow(r: Row): CredentialInfo {
  return {
    username: r.username,
    identity: identityFromRow(r),
    status: r.revoked_at ? 'revoked' : 'active',
    generation: Number(r.generation),
    issuedAt: toDate(r.issued_at)!,
    rotatedAt: toDate(r.rotated_at),
    revokedAt: toDate(r.revoked_at),
  };
}

function identityColumns(i: BrokerIdentity): [string | null, string | null, string | null, string | null] {
  return [
    'muni' in i ? i.muni : null,
    i.kind === 'tv' ? i.device : null,
    i.kind === 'terminal' ? i.shelter : null,
    i.kind === 'terminal' ? i.terminal : null,
  ];
}

// Usernames are ours (safe ids joined by '-'); anything else is refused before the database.
const USERNAME = /^[A-Za-z0-9_-]{1,220}$/;
/**
 * Whose logins go first (row read and hash check): everyone's but the TVs' — the municipality
 * publishing the alert, the shelters' terminals, the post-box: a handful against a city's TVs after
 * a restart. A stranger naming itself so gains a place in the queue, no more; the pre-login caps
 * bound how many such CONNECTs wait (embedded-broker.ts).
 */
const isUrgentLogin = (username: unknown) => typeof username === 'string' && !isTvUsername(username);
/** How logins share reads of their rows (row-batcher.ts): gather for 20 ms while logins keep coming. */
const LOGIN_READS = { gatherMs: 20, busyMs: 100 } as const;

export async function migrateBroker(db: Db): Promise<void> {
  await migrate(db, await loadMigrations(BROKER_MIGRATIONS_DIR), { component: 'broker' });
}

export async function createCredentialStore(db: Db, opts: CredentialStoreOptions = {}): Promise<CredentialStore> {
  await migrateBroker(db);
  const log = opts.logger;
  const ttl = opts.cacheTtlMs ?? 60_000;
  const cacheMax = opts.cacheMax ?? 100_000;
  // Remembers HMAC(password) next to the hash it was verified against: a rotation changes the
  // hash, so a stale entry can never let an old password in; revocation is read from the row.
  const cacheKey = randomBytes(32);
  const cache = new Map<string, { storedHash: string; digest: Buffer; expires: number }>();
  const digest = (pw: string) => createHmac('sha256', cacheKey).update(pw).digest();
  const changeListeners = new Set<(c: CredentialChange) => void | Promise<void>>();
  const revokedListeners = new Set<(u: string, i: BrokerIdentity) => void | Promise<void>>();
  // Run against when the username is unknown, so timing does not tell which usernames exist.
  const dummyHash = JSON.stringify(await mosquittoHash(newPassword()));

  async function row(q: Queryable, username: string, lock = false): Promise<Row | null> {
    if (typeof username !== 'string' || !USERNAME.test(username)) return null;
    const { rows } = await q.query<Row>(
      `SELECT ${COLUMNS} FROM broker_credentials WHERE username = $1${lock ? ' FOR UPDATE' : ''}`,
      [username],
    );
    return rows[0] ?? null;
  }

  // Verifications in turn, one per libuv pool thread; stale ones skipped (verify-slots.ts).
  const slots = verifySlots(Number(process.env.UV_THREADPOOL_SIZE) || 4);
  // Logins read their row through one shared query per batch (a restart's storm of CONNECTs).
  const loginRow = rowBatcher<Row>(
    async (usernames) => {
      const { rows } = await db.query<Row>(
        `SELECT ${COLUMNS} FROM broker_credentials WHERE username = ANY($1::text[])`,
        [usernames],
      );
      return new Map(rows.map((r) => [r.username, r]));
    },
    { ...LOGIN_READS, first: isUrgentLogin },
  );

  async function event(q: Queryable, username: string, action: CredentialChange['type'], generation: number) {
    await q.query('INSERT INTO broker_credential_events (username, action, generation) VALUES ($1, $2, $3)', [
      username,
      action,
      generation,
    ]);
  }

  async function notify(change: CredentialChange): Promise<void> {
    const failures: string[] = [];
    const run = async (fn: () => void | Promise<void>) => {
      try {
        await fn();
      } catch (e) {
        failures.push((e as Error).message);
      }
    };
    for (const l of changeListeners) await run(() => l(change));
    if (change.type === 'revoked')
      for (const l of revokedListeners) await run(() => l(change.username, change.identity));
    if (failures.length) {
      log?.error(
        { username: change.username, change: change.type, failures },
        'credential change not applied everywhere',
      );
      throw brokerErrors.KZ_BROKER_SYNC_FAILED(`${change.type} ${change.username}: ${failures.join('; ')}`);
    }
  }

  async function newSecret() {
    const password = newPassword();
    const [hash, mq] = await Promise.all([hashPassword(password), mosquittoHash(password)]);
    return { password, hash, mq: JSON.stringify(mq) };
  }

  async function missing(username: string): Promise<never> {
    const r = await row(db, username);
    if (!r) throw brokerErrors.KZ_BROKER_UNKNOWN_USERNAME(username);
    throw brokerErrors.KZ_BROKER_REVOKED(username);
  }

  const store: CredentialStore = {
    async issue(given) {
      const identity = checkIdentity(given);
      const username = usernameOf(identity);
      const secret = await newSecret();
      const cols = identityColumns(identity);
      try {
        await db.tx(async (q) => {
          const existing = await row(q, username, true);
          if (existing) {
            if (!sameIdentity(identityFromRow(existing), identity))
              throw brokerErrors.KZ_BROKER_USERNAME_TAKEN(username);
            if (!existing.revoked_at) throw brokerErrors.KZ_BROKER_ALREADY_ISSUED(username);
            const { rows } = await q.query<{ generation: number }>(
              `UPDATE broker_credentials SET password_hash = $2, mosquitto_hash = $3, generation = generation + 1,
                 issued_at = now(), rotated_at = NULL, revoked_at = NULL WHERE username = $1 RETURNING generation`,
              [username, secret.hash, secret.mq],
            );
            await event(q, username, 'issued', Number(rows[0]!.generation));
          } else {
            await q.query(
              `INSERT INTO broker_credentials (username, kind, muni, device, shelter, terminal, password_hash, mosquitto_hash)
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
              [username, identity.kind, ...cols, secret.hash, secret.mq],
            );
            await event(q, username, 'issued', 1);
          }
        });
      } catch (e) {
        // Two issues racing on PostgreSQL: the loser sees the primary key, not a lost update.
        if ((e as { code?: string }).code === '23505') throw brokerErrors.KZ_BROKER_ALREADY_ISSUED(username);
        throw e;
      }
      cache.delete(username);
      log?.info({ username }, 'broker credentials issued');
      await notify({ type: 'issued', username, identity, password: secret.password });
      return { username, password: secret.password };
    },

    async issueMany(given) {
      const identities = given.map((g) => checkIdentity(g));
      const usernames = identities.map(usernameOf);
      const dup = usernames.find((u, i) => usernames.indexOf(u) !== i);
      if (dup) throw brokerErrors.KZ_BROKER_USERNAME_TAKEN(`${dup} appears twice in the batch`);
      const secrets = await Promise.all(identities.map(() => newSecret()));
      const cols = identities.map(identityColumns);
      try {
        await db.tx(async (q) => {
          // One statement per 1000 rows: batched writes, not one round trip per device.
          for (let i = 0; i < identities.length; i += 1000) {
            const slice = (a: unknown[]) => a.slice(i, i + 1000);
            const { rows } = await q.query<{ username: string }>(
              `INSERT INTO broker_credentials (username, kind, muni, device, shelter, terminal, password_hash, mosquitto_hash)
               SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[])
               ON CONFLICT (username) DO NOTHING RETURNING username`,
              [
                slice(usernames),
                slice(identities.map((x) => x.kind)),
                ...[0, 1, 2, 3].map((k) => slice(cols.map((c) => c[k]))),
                slice(secrets.map((x) => x.hash)),
                slice(secrets.map((x) => x.mq)),
              ],
            );
            if (rows.length !== slice(usernames).length) {
              const got = new Set(rows.map((r) => r.username));
              throw brokerErrors.KZ_BROKER_ALREADY_ISSUED(
                slice(usernames).find((u) => !got.has(u as string)) as string,
              );
            }
            await q.query(
              `INSERT INTO broker_credential_events (username, action, generation) SELECT u, 'issued', 1 FROM unnest($1::text[]) AS u`,
              [slice(usernames)],
            );
          }
        });
      } catch (e) {
        if ((e as { code?: string }).code === '23505') throw brokerErrors.KZ_BROKER_ALREADY_ISSUED('one of the batch');
        throw e;
      }
      log?.info({ count: identities.length }, 'broker credentials issued');
      const out = identities.map((identity, i) => ({
        username: usernames[i]!,
        password: secrets[i]!.password,
        identity,
      }));
      for (const c of out)
        await notify({ type: 'issued', username: c.username, identity: c.identity, password: c.password });
      return out.map(({ username, password }) => ({ username, password }));
    },

    async rotate(username) {
      const secret = await newSecret();
      const r = await db.tx(async (q) => {
        const { rows } = await q.query<Row>(
          `UPDATE broker_credentials SET password_hash = $2, mosquitto_hash = $3, generation = generation + 1, rotated_at = now()
           WHERE username = $1 AND revoked_at IS NULL RETURNING ${COLUMNS}`,
          [typeof username === 'string' && USERNAME.test(username) ? username : '', secret.hash, secret.mq],
        );
        if (rows[0]) await event(q, username, 'rotated', Number(rows[0].generation));
        return rows[0] ?? null;
      });
      if (!r) return missing(username);
      cache.delete(username);
      log?.info({ username }, 'broker credentials rotated');
      await notify({ type: 'rotated', username, identity: identityFromRow(r), password: secret.password });
      return { username, password: secret.password };
    },

    async revoke(username) {
      const r = await db.tx(async (q) => {
        const { rows } = await q.query<Row>(
          `UPDATE broker_credentials SET revoked_at = now() WHERE username = $1 AND revoked_at IS NULL RETURNING ${COLUMNS}`,
          [typeof username === 'string' && USERNAME.test(username) ? username : ''],
        );
        if (rows[0]) await event(q, username, 'revoked', Number(rows[0].generation));
        return rows[0] ?? null;
      });
      cache.delete(username);
      if (!r) {
        if (!(await row(db, username))) throw brokerErrors.KZ_BROKER_UNKNOWN_USERNAME(username);
        return false;
      }
      log?.warn({ username }, 'broker credentials revoked');
      await notify({ type: 'revoked', username, identity: identityFromRow(r) });
      return true;
    },

    async authenticate(username, password, opts = {}) {
      if (typeof password !== 'string' || password.length === 0 || password.length > 1024) return null;
      const wanted = opts.stillWanted ?? (() => true);
      const first = isUrgentLogin(username);
      const r = typeof username === 'string' && USERNAME.test(username) ? await loginRow(username) : null;
      if (!r || r.revoked_at) {
        await slots.run(wanted, () => verifyMosquittoHash(password, dummyHash), false, first);
        return null;
      }
      const now = Date.now();
      const hit = cache.get(username);
      const d = digest(password);
      if (hit && hit.expires > now && hit.storedHash === r.mosquitto_hash && timingSafeEqual(hit.digest, d))
        return identityFromRow(r);
      // The row's PBKDF2 hash, as Mosquitto verifies it: the cheap one of the two (password-hash.ts).
      if (!(await slots.run(wanted, () => verifyMosquittoHash(password, r.mosquitto_hash), false, first))) return null;
      if (cache.size >= cacheMax) {
        for (const [k, v] of cache) if (v.expires <= now) cache.delete(k);
        if (cache.size >= cacheMax) cache.delete(cache.keys().next().value!);
      }
      cache.set(username, { storedHash: r.mosquitto_hash, digest: d, expires: now + ttl });
      return identityFromRow(r);
    },

    async identityOf(username) {
      const r = await row(db, username);
      return r && !r.revoked_at ? identityFromRow(r) : null;
    },

    async info(username) {
      const r = await row(db, username);
      return r ? infoFromRow(r) : null;
    },

    async list(filter = {}) {
      const where: string[] = [];
      const params: unknown[] = [];
      if (filter.muni !== undefined) {
        params.push(filter.muni);
        where.push(`muni = $${params.length}`);
      }
      if (filter.status === 'active') where.push('revoked_at IS NULL');
      if (filter.status === 'revoked') where.push('revoked_at IS NOT NULL');
      const { rows } = await db.query<Row>(
        `SELECT ${COLUMNS} FROM broker_credentials ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY username`,
        params,
      );
      return rows.map(infoFromRow);
    },

    async mosquittoClients() {
      const { rows } = await db.query<Row>(
        `SELECT ${COLUMNS} FROM broker_credentials WHERE revoked_at IS NULL ORDER BY username`,
      );
      return rows.map((r) => ({
        username: r.username,
        identity: identityFromRow(r),
        hash: JSON.parse(r.mosquitto_hash) as MosquittoHash,
      }));
    },

    onChange(listener) {
      changeListeners.add(listener);
      return () => {
        changeListeners.delete(listener);
      };
    },
    onRevoked(listener) {
      revokedListeners.add(listener);
      return () => {
        revokedListeners.delete(listener);
      };
    },
  };
  return store;
}
