/**
 * Tapping a card: real emulated My Number cards read over JPKI APDUs, real certificates from the
 * test authority, the jpki verifier with revocation (OCSP answered in-process by the authority).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDb, type Db } from '@kizuna/core';
import { type Authority, createAuthority, createVerifier, JpkiClient } from '@kizuna/jpki';
import { buildTerminalApp, type TerminalApp } from '../src/app.ts';
import { jpkiCardVerifier } from '../src/verifier.ts';
import { migrateTerminalDb, TerminalStore } from '../src/store.ts';
import { makeRoster, quietLogger, IDS } from './helpers.ts';

const person = (name: string) => ({ name, address: '絆市山手一丁目2番3号', birthDate: '1950-04-01', sex: 2 as const });
const secrets = { authPin: '1234', signPassword: 'KIZUNA01' };

describe('card taps', () => {
  let authority: Authority;
  let db: Db;
  let app: TerminalApp;
  const cards: Record<string, { der: Uint8Array; serial: string }> = {};

  beforeAll(async () => {
    authority = await createAuthority();
    for (const who of ['hanako', 'taro', 'stranger', 'lost']) {
      const issued = await authority.issueCard(person(who), secrets);
      // read as a reader would: SELECT AP, SELECT EF 000A, READ BINARY — no PIN
      const der = await new JpkiClient(issued.card).readAuthCertificate();
      cards[who] = { der, serial: issued.authSerial };
    }
    authority.revoke(cards.lost!.serial, 'card-lost');
    const roster = await makeRoster(
      [
        { key: 'p-hanako', name: '山田 花子', household: 'h-yamada', serials: [cards.hanako!.serial], needsCare: true },
        { key: 'p-taro', name: '山田 太郎', household: 'h-yamada', serials: [cards.taro!.serial] },
        { key: 'p-child', name: '山田 陽菜', household: 'h-yamada', ageGroup: 'child' },
        { key: 'p-lost', name: '佐藤 茂', household: 'h-sato', serials: [cards.lost!.serial] },
        { key: 'p-other', name: '鈴木 幸子', household: 'h-suzuki' },
      ],
      { capacity: 4 },
    );
    db = await openDb({});
    await migrateTerminalDb(db);
    await new TerminalStore(db, IDS).saveRoster(roster.version, roster);
    const verifier = createVerifier({ trustAnchors: authority.trustAnchors(), status: authority.statusSource() });
    app = await buildTerminalApp({ db, logger: quietLogger(), ...IDS, verifier: jpkiCardVerifier(verifier) });
  });
  afterAll(async () => {
    await app?.close();
    await db?.close();
  });

  const tap = (der: Uint8Array) =>
    app.inject({ method: 'POST', url: '/api/taps', payload: { certificate: Buffer.from(der).toString('base64') } });
  const checkIn = (payload: object) => app.inject({ method: 'POST', url: '/api/check-ins', payload });

  it('finds the tapped resident and their household on the roster, then checks in the chosen members', async () => {
    const r = await tap(cards.hanako!.der);
    expect(r.statusCode).toBe(200);
    const body = r.json();
    expect(body).toMatchObject({
      status: 'roster',
      person: { rosterKey: 'p-hanako', displayName: '山田 花子', needsCare: true, present: false },
    });
    expect(body.household.map((p: { rosterKey: string }) => p.rosterKey).sort()).toEqual(['p-child', 'p-taro']);
    // someone from another household cannot ride on this tap
    expect((await checkIn({ tap: body.tap, rosterKeys: ['p-hanako', 'p-other'] })).json()).toMatchObject({
      code: 'KZ_SHELTER_NOT_IN_HOUSEHOLD',
    });
    const ok = await checkIn({ tap: body.tap, rosterKeys: ['p-hanako', 'p-child'] });
    expect(ok.statusCode).toBe(201);
    expect(ok.json().occupancy).toMatchObject({ present: 2, needsCare: 1 });
    // the tap is used up
    expect((await checkIn({ tap: body.tap })).json()).toMatchObject({ code: 'KZ_SHELTER_TAP_EXPIRED' });
    // a second tap shows who is already in, and refuses a double check-in
    const again = (await tap(cards.hanako!.der)).json();
    expect(again.person.present).toBe(true);
    expect((await checkIn({ tap: again.tap })).json()).toMatchObject({ code: 'KZ_SHELTER_ALREADY_CHECKED_IN' });
  });

  it('records a card that is not on the roster by its serial and what staff typed', async () => {
    const r = (await tap(cards.stranger!.der)).json();
    expect(r).toMatchObject({ status: 'unknown-card', serialHint: cards.stranger!.serial.slice(-4), present: false });
    const res = await checkIn({ tap: r.tap, manual: { name: 'Visitor from another city', ageGroup: 'adult' } });
    expect(res.statusCode).toBe(201);
    const [row] = await new TerminalStore(db, IDS).unsent(res.json().events[0].seq - 1, 1);
    expect(JSON.parse(row!.payload)).toMatchObject({
      type: 'check-in',
      certSerial: cards.stranger!.serial,
      manual: { name: 'Visitor from another city' },
    });
    expect(JSON.parse(row!.payload).rosterKey).toBeUndefined();
  });

  it('refuses a revoked card with its own code, and a non-certificate as unreadable', async () => {
    const revoked = await tap(cards.lost!.der);
    expect(revoked.statusCode).toBe(422);
    expect(revoked.json()).toMatchObject({ code: 'KZ_SHELTER_CARD_REVOKED' });
    const junk = await tap(new Uint8Array(64).fill(7));
    expect(junk.json()).toMatchObject({ code: 'KZ_SHELTER_CARD_UNREADABLE' });
    const truncated = await tap(cards.taro!.der.slice(0, 200));
    expect(truncated.json().code).toMatch(/^KZ_SHELTER_CARD_(UNREADABLE|INVALID)$/);
    const notBase64 = await app.inject({ method: 'POST', url: '/api/taps', payload: { certificate: '%%%' } });
    expect(notBase64.json()).toMatchObject({ code: 'KZ_VALIDATION' });
  });

  it('refuses a check-in past capacity until staff confirm', async () => {
    const r = (await tap(cards.taro!.der)).json();
    await checkIn({ manual: { name: 'fills the last place' } });
    const full = await checkIn({ tap: r.tap });
    expect(full.statusCode).toBe(409);
    expect(full.json()).toMatchObject({ code: 'KZ_SHELTER_FULL', details: { capacity: 4 } });
    const r2 = (await tap(cards.taro!.der)).json();
    expect((await checkIn({ tap: r2.tap, override: true })).json().occupancy).toMatchObject({
      present: 5,
      level: 'full',
    });
  });
});
