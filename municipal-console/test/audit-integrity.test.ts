/**
 * The audit log proves itself (issue 24, item 9): its chain is keyed (HMAC under a key outside the
 * database), so someone with the database alone who edits an entry and recomputes the chain is
 * caught at that entry; its head is exported outside the database, so a cut tail or a chain
 * recomputed from the start is caught against it; TRUNCATE, UPDATE and DELETE are refused; verify
 * names the first bad entry and why; every entry records what changed.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dbEngines } from '@kizuna/test-utils';
import type { Db } from '@kizuna/core';
import { canonicalJson } from '../src/staff/audit.ts';
import { bearer, consoleWith, logCapture, seedTown, staffToken, startBroker } from './helpers.ts';

interface Row {
  seq: string | number;
  at: Date;
  actor: string;
  action: string;
  subject: string | null;
  details: unknown;
  prev_hash: string;
}

/** What someone holding only the database can do: bypass the triggers, change rows, recompute every hash after. */
async function tamper(db: Db, edit: string, params: unknown[], opts: { fromSeq: number; unkeyAll?: boolean }) {
  await db.tx(async (q) => {
    await q.exec('ALTER TABLE audit_log DISABLE TRIGGER USER');
    if (edit) await q.query(edit, params);
    const { rows } = await q.query<Row>('SELECT * FROM audit_log ORDER BY seq');
    let prev = '0'.repeat(64);
    for (const r of rows) {
      const seq = Number(r.seq);
      if (seq >= opts.fromSeq) {
        const text = canonicalJson([seq, new Date(r.at).toISOString(), r.actor, r.action, r.subject, r.details, prev]);
        const hash = createHash('sha256').update(text).digest('hex');
        await q.query(
          `UPDATE audit_log SET prev_hash = $2, hash = $3${opts.unkeyAll ? ', key_id = NULL' : ''} WHERE seq = $1`,
          [seq, prev, hash],
        );
        prev = hash;
      } else {
        prev = (await q.query<{ hash: string }>('SELECT hash FROM audit_log WHERE seq = $1', [seq])).rows[0]!.hash;
      }
    }
    await q.exec('ALTER TABLE audit_log ENABLE TRIGGER USER');
  });
}

describe.each(dbEngines())('the audit log on $name', (engine) => {
  let broker: Awaited<ReturnType<typeof startBroker>>;
  let db: Db & { drop(): Promise<void> };
  let c: Awaited<ReturnType<typeof consoleWith>>;
  let admin: string;
  let dir: string;
  const cap = logCapture();
  const key = randomBytes(32);
  const headFile = () => join(dir, 'audit-heads.jsonl');

  const start = async () =>
    consoleWith(db, broker, undefined, { logger: cap.logger, auditKey: key, auditHeadFile: headFile(), auditHeadS: 0 });
  const verify = async (query = '') => {
    const r = await c.app.inject({ method: 'GET', url: `/api/audit/verify${query}`, headers: bearer(admin) });
    return { status: r.statusCode, body: r.json() as Record<string, unknown> & { details?: { seq: number } } };
  };
  const lastSeq = async () => Number((await db.query<{ n: string }>('SELECT max(seq) AS n FROM audit_log')).rows[0]!.n);
  const some = async (n: number) => {
    for (let i = 0; i < n; i++)
      await c.app.inject({
        method: 'PATCH',
        url: '/api/shelters/sh-school',
        headers: bearer(admin),
        payload: { capacity: 300 + i + 1 },
      });
  };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kz-audit-'));
    broker = await startBroker();
    db = await engine.open();
    c = await start();
    await seedTown(db);
    admin = await staffToken(c.app, 'admin1', ['admin', 'issuer']);
  });
  afterAll(async () => {
    await c?.close();
    await db?.drop();
    await broker?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('refuses TRUNCATE, UPDATE and DELETE', async () => {
    for (const sql of ['TRUNCATE audit_log', "UPDATE audit_log SET actor = 'x'", 'DELETE FROM audit_log'])
      await expect(db.exec(sql), sql).rejects.toThrow(/append-only/);
    expect(await lastSeq()).toBeGreaterThan(0);
  });

  it('records what changed: a shelter update has each field as it was and became', async () => {
    const r = await c.app.inject({
      method: 'PATCH',
      url: '/api/shelters/sh-school',
      headers: bearer(admin),
      payload: { open: false, capacity: 250 },
    });
    expect(r.statusCode, r.body).toBe(200);
    const { rows } = await db.query<{ details: unknown }>(
      "SELECT details FROM audit_log WHERE action = 'shelter.update' ORDER BY seq DESC LIMIT 1",
    );
    expect(rows[0]!.details).toEqual({ open: { from: true, to: false }, capacity: { from: 300, to: 250 } });
    const zone = await db.query<{ details: { name?: string } }>(
      "SELECT details FROM audit_log WHERE action = 'zone.upsert' AND subject = 'z-kawabe'",
    );
    expect(zone.rows[0]!.details.name).toBe('川辺地区');
    const issued = await c.app.inject({
      method: 'POST',
      url: '/api/devices/tv-h1/credentials',
      headers: bearer(admin),
      payload: {},
    });
    expect(issued.statusCode, issued.body).toBe(201);
    const cred = await db.query<{ details: unknown }>(
      "SELECT details FROM audit_log WHERE action LIKE 'device.credentials.%' AND subject = 'tv-h1'",
    );
    expect(cred.rows[0]!.details).toEqual({ brokerUsername: issued.json().username, status: 'active' });
    expect((await verify()).status).toBe(200);
  });

  it('names an edited entry whose chain was recomputed without the key', async () => {
    await some(3);
    const target = (await lastSeq()) - 1;
    await tamper(db, `UPDATE audit_log SET details = '{"capacity":{"from":300,"to":5}}' WHERE seq = $1`, [target], {
      fromSeq: target,
    });
    const v = await verify();
    expect(v.status).toBe(409);
    expect(v.body.code).toBe('KZ_CONSOLE_AUDIT_BROKEN');
    expect(v.body.message).toContain(`entry ${target} does not match its hash: edited, or recomputed without the key`);
    expect(v.body.details).toMatchObject({ seq: target });
  });
});

describe.each(dbEngines())('the audit log head on $name', (engine) => {
  let broker: Awaited<ReturnType<typeof startBroker>>;
  let db: Db & { drop(): Promise<void> };
  let c: Awaited<ReturnType<typeof consoleWith>>;
  let admin: string;
  let dir: string;
  const cap = logCapture();
  const key = randomBytes(32);

  beforeAll(async () => {
    broker = await startBroker();
    dir = await mkdtemp(join(tmpdir(), 'kz-audit-'));
  });
  afterAll(async () => {
    await broker?.close();
    await rm(dir, { recursive: true, force: true });
  });
  let headFile = '';
  const open = async () => {
    db = await engine.open();
    headFile = join(dir, `${engine.name}-${Date.now()}.jsonl`);
    c = await consoleWith(db, broker, undefined, {
      logger: cap.logger,
      auditKey: key,
      auditHeadFile: headFile,
      auditHeadS: 0,
    });
    await seedTown(db);
    admin = await staffToken(c.app, 'admin1', ['admin']);
    for (let i = 0; i < 4; i++)
      await c.app.inject({
        method: 'PATCH',
        url: '/api/shelters/sh-school',
        headers: bearer(admin),
        payload: { capacity: 100 + i },
      });
  };
  const close = async () => {
    await c.close();
    await db.drop();
  };
  const verify = async (query = '') => {
    const r = await c.app.inject({ method: 'GET', url: `/api/audit/verify${query}`, headers: bearer(admin) });
    return { status: r.statusCode, body: r.json() as Record<string, unknown> };
  };
  const head = async () => {
    const h = await c.app.kz.auditHeads!.exportNow();
    return h!;
  };

  it('exports the head to the log and the head file, and catches a cut tail against it', async () => {
    await open();
    try {
      const h = await head();
      const file = (await readFile(headFile, 'utf8')).trim().split('\n');
      expect(JSON.parse(file.at(-1)!)).toEqual(h);
      expect(cap.lines.some((l) => l.includes('"msg":"audit log head"') && l.includes(h.hash))).toBe(true);
      expect((await verify()).status).toBe(200);
      await db.tx(async (q) => {
        await q.exec('ALTER TABLE audit_log DISABLE TRIGGER USER');
        await q.query('DELETE FROM audit_log WHERE seq > $1', [h.seq - 2]);
        await q.exec('ALTER TABLE audit_log ENABLE TRIGGER USER');
      });
      const v = await verify();
      expect(v.status).toBe(409);
      expect(v.body.message).toContain(
        `entry ${h.seq - 1} is missing: the log ends at entry ${h.seq - 2}, an exported head is entry ${h.seq}`,
      );
    } finally {
      await close();
    }
  });

  it('catches a chain recomputed from its start (no key anywhere) against the exported head, and a head given', async () => {
    await open();
    try {
      const h = await head();
      await tamper(db, `UPDATE audit_log SET actor = 'someone-else' WHERE seq = 2`, [], { fromSeq: 1, unkeyAll: true });
      const v = await verify();
      expect(v.status).toBe(409);
      expect(v.body.message).toContain(
        `entry ${h.seq} differs from the exported head: the chain was rewritten up to it`,
      );
      // the head kept elsewhere (a syslog, the operator's copy) can be given too
      c.app.kz.auditHeads!.last = null;
      expect((await verify(`?seq=${h.seq}&hash=${h.hash}`)).status).toBe(409);
    } finally {
      await close();
    }
  });
});
