/** The authority's change feed: revocations and renewals in order, as a long poll over HTTP. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '@kizuna/core';
import { createAuthority } from '../src/authority.ts';
import { startAuthorityServer, type RunningAuthority } from '../src/authority-http.ts';
import { HANAKO, SECRETS, TARO, tempDir } from './fixtures.ts';

const silent = createLogger({ name: 'test', level: 'silent' });
let server: RunningAuthority;

beforeAll(async () => {
  server = await startAuthorityServer({ authority: await createAuthority(), port: 0, logger: silent });
});
afterAll(() => server.close());

const events = async (query: string) => {
  const res = await fetch(`${server.url}/events?${query}`);
  return { status: res.status, body: (await res.json()) as any };
};

describe('change feed', () => {
  it('lists revocations and renewals in order, after a given number', async () => {
    const { last: before } = (await events('after=0')).body;
    const a = await server.authority.issueCard(TARO, SECRETS);
    const b = await server.authority.issueCard(HANAKO, SECRETS);
    server.authority.revoke(a.signSerial, 'died'); // the card's authentication certificate goes too
    const renewed = await server.authority.renew(b.signSerial, SECRETS, {
      reason: 'moved',
      person: { address: '絆市2' },
    });

    const { body } = await events(`after=${before}`);
    expect(body.events.map((e: any) => [e.serial, e.kind, e.reason])).toEqual([
      [a.signSerial, 'sign', 'died'],
      [a.authSerial, 'auth', 'died'],
      [b.signSerial, 'sign', 'moved'],
      [b.authSerial, 'auth', 'renewed'],
    ]);
    expect(body.events[2].renewedTo).toBe(renewed.signSerial);
    expect(body.last).toBe(before + 4);
    expect(body.events.map((e: any) => e.seq)).toEqual([1, 2, 3, 4].map((n) => before + n));
    // no personal data travels: serials, kinds, reasons, times and links only
    expect(Object.keys(body.events[2]).sort()).toEqual([
      'kind',
      'reason',
      'renewedTo',
      'revokedAt',
      'seq',
      'serial',
      'status',
    ]);
    expect((await events(`after=${before + 3}`)).body.events.map((e: any) => e.serial)).toEqual([b.authSerial]);
    expect((await events('after=-1')).status).toBe(400);
  });

  it('a long poll answers as soon as a revocation happens', async () => {
    const card = await server.authority.issueCard(TARO, SECRETS);
    const { last } = (await events('after=0')).body;
    const t0 = Date.now();
    const polled = events(`after=${last}&wait=20`);
    setTimeout(() => server.authority.revoke(card.signSerial, 'card-lost'), 300);
    const { body } = await polled;
    expect(Date.now() - t0).toBeLessThan(3000);
    expect(body.events[0]).toMatchObject({ serial: card.signSerial, reason: 'card-lost' });
    // nothing new: an empty answer once the wait is over
    const quiet = await events(`after=${body.last}&wait=1`);
    expect(quiet.body).toEqual({ events: [], last: body.last });
  });

  it('sees a revocation written by another process on the same data directory', async () => {
    const t = tempDir();
    try {
      const served = await createAuthority({ dataDir: t.dir });
      const other = await createAuthority({ dataDir: t.dir }); // stands in for the CLI
      const card = await other.issueCard(TARO, SECRETS);
      const waited = served.waitForChanges(served.changes(0).last, 10_000);
      const t0 = Date.now();
      other.revoke(card.signSerial, 'moved');
      await waited;
      expect(Date.now() - t0).toBeLessThan(2000);
      expect(served.changes(0).events.map((e) => e.serial)).toEqual([card.signSerial]);
    } finally {
      t.cleanup();
    }
  });
});
