/**
 * A failed register import and a failed staff insert leave no personal data in the log (issue 24,
 * item 3): the log entry names the error's code (and constraint, table) but holds no name, kana,
 * address, phone, birth date, supporter or password hash, on both engines.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { dbEngines } from '@kizuna/test-utils';
import type { Db } from '@kizuna/core';
import { createStaff } from '../src/index.ts';
import { bearer, consoleWith, logCapture, seedTown, staffToken, startBroker } from './helpers.ts';

const PERSON = {
  id: 'R77001',
  familyName: '秘匿',
  givenName: '花子',
  familyKana: 'ヒトク',
  givenKana: 'ハナコ',
  address: '絆市川辺7-7-7',
  birthDate: '1941-12-08',
  sex: 2,
  language: 'ja',
  needsHelp: true,
  supporter: '支援者一郎',
  phone: '090-7777-0001',
  zone: 'z-kawabe',
};
const PERSONAL = ['秘匿', '花子', 'ヒトク', 'ハナコ', '絆市川辺7-7-7', '1941-12-08', '支援者一郎', '090-7777-0001'];
const PASSWORD = 'a-secret-password-7';

describe.each(dbEngines())('no personal data in the log on $name', (engine) => {
  let broker: Awaited<ReturnType<typeof startBroker>>;
  let db: Db & { drop(): Promise<void> };
  let c: Awaited<ReturnType<typeof consoleWith>>;
  let admin: string;
  const cap = logCapture();
  beforeAll(async () => {
    broker = await startBroker();
    db = await engine.open();
    c = await consoleWith(db, broker, undefined, { logger: cap.logger });
    await seedTown(db);
    admin = await staffToken(c.app, 'admin1', ['admin']);
  });
  afterAll(async () => {
    await c?.close();
    await db?.drop();
    await broker?.close();
  });
  afterEach(() => {
    cap.lines.length = 0;
  });
  const logged = () => cap.lines.join('');
  const importRows = (rows: unknown[]) =>
    c.app.inject({ method: 'POST', url: '/api/residents', headers: bearer(admin), payload: rows });

  it('an import that fails in the database (the same id twice in one batch) logs the code, not the batch', async () => {
    const r = await importRows([PERSON, { ...PERSON, phone: '090-7777-0002' }]);
    expect(r.statusCode).toBeGreaterThanOrEqual(400);
    expect(await db.query('SELECT 1 FROM residents WHERE id = $1', [PERSON.id])).toMatchObject({ rowCount: 0 });
    const out = logged();
    for (const p of PERSONAL) expect(out).not.toContain(p);
    if (r.statusCode === 500) expect(out).toContain('"code":"21000"'); // cardinality violation, named
  });

  it('an import row whose address holds U+0000 logs no personal data', async () => {
    const r = await importRows([{ ...PERSON, id: 'R77002', address: `${PERSON.address}\u0000` }]);
    expect(r.statusCode).toBeGreaterThanOrEqual(400);
    for (const p of PERSONAL) expect(logged()).not.toContain(p);
  });

  it('a staff insert that fails in the database logs no password hash', async () => {
    const r = await c.app.inject({
      method: 'POST',
      url: '/api/staff',
      headers: bearer(admin),
      payload: { username: 'clerk7', password: PASSWORD, roles: ['viewer'], displayName: `${PERSON.familyName}\u0000` },
    });
    expect(r.statusCode).toBeGreaterThanOrEqual(400);
    // the same insert below the HTTP layer (where an input guard cannot stop it), logged as the server would
    const err = await createStaff(db, {
      username: 'clerk8',
      password: PASSWORD,
      roles: ['viewer'],
      displayName: `${PERSON.familyName}\u0000`,
    }).catch((e: unknown) => e);
    c.app.log.error({ err }, 'unhandled error');
    const out = logged();
    expect(out).toContain('"code":"22021"'); // invalid byte sequence, named
    expect(out).not.toMatch(/scrypt\$/);
    expect(out).not.toContain(PASSWORD);
    for (const p of PERSONAL) expect(out).not.toContain(p);
  });
});
