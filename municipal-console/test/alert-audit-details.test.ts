/**
 * Every alert audit entry records what changed (issue 24, item 9): withdrawing a never-published
 * alert and the timer expiring one name the alert, its revision, the state it left and entered,
 * and its level — not just the alert id.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dbEngines } from '@kizuna/test-utils';
import {
  bearer,
  consoleWith,
  endAlert,
  ManualClock,
  seedTown,
  staffToken,
  startBroker,
  issueAlert,
} from './helpers.ts';

describe.each(dbEngines())('alert audit details on $name', (engine) => {
  let broker: Awaited<ReturnType<typeof startBroker>>;
  let db: Awaited<ReturnType<typeof engine.open>>;
  let c: Awaited<ReturnType<typeof consoleWith>>;
  let issuer: string;
  let approver: string;
  let admin: string;
  const clock = new ManualClock();

  beforeAll(async () => {
    broker = await startBroker();
    db = await engine.open();
    c = await consoleWith(db, broker, clock);
    await seedTown(db);
    issuer = await staffToken(c.app, 'issuer1', ['issuer']);
    approver = await staffToken(c.app, 'approver1', ['approver']);
    admin = await staffToken(c.app, 'admin1', ['admin']);
  });
  afterAll(async () => {
    await c?.close();
    await db?.drop();
    await broker?.close();
  });
  const post = (url: string, token: string, payload?: object) =>
    c.app.inject({ method: 'POST', url, headers: token ? bearer(token) : {}, ...(payload ? { payload } : {}) });
  const create = async (level: number) => {
    const r = await issueAlert(c.app, issuer, {
      level,
      hazard: 'flood',
      status: 'Actual',
      expires: '2026-11-23T12:00:00Z',
      target: { zones: ['z-kawabe'] },
    });
    expect(r.statusCode, r.body).toBe(200);
    return r.json().id as string;
  };
  const entry = async (action: string, subject: string) => {
    const r = await c.app.inject({ url: `/api/audit?action=${action}`, headers: bearer(admin) });
    expect(r.statusCode, r.body).toBe(200);
    return (r.json() as { subject: string; details: unknown }[]).find((e) => e.subject === subject);
  };

  it('alert.withdraw records the alert, revision, from → to state and level', async () => {
    const id = await create(4);
    expect((await endAlert(c.app, issuer, id)).json()).toMatchObject({ state: 'cancelled' });
    expect((await entry('alert.withdraw', id))?.details).toEqual({
      alert: id,
      revision: 1,
      from: 'pending-approval',
      to: 'cancelled',
      level: 4,
    });
  });

  it('alert.expire records the alert, revision, from → to state and level', async () => {
    const id = await create(4);
    const p = (await c.app.inject({ url: `/api/alerts/${id}`, headers: bearer(approver) })).json().pending;
    const ok = await post(`/api/alerts/${id}/approve`, approver, { revision: p.revision, digest: p.digest });
    expect(ok.json()).toMatchObject({ state: 'active', revision: 1 });
    clock.advance(3 * 3600_000);
    expect((await c.app.kz.alerts.tick()).expired).toContain(id);
    const login = await post('/api/session', '', { username: 'admin1', password: 'admin1-password-1' });
    admin = login.json().token; // the earlier session has idled out meanwhile
    expect((await entry('alert.expire', id))?.details).toEqual({
      alert: id,
      revision: 1,
      from: 'active',
      to: 'expired',
      level: 4,
    });
  });
});
