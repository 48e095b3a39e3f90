/**
 * Issue 7, "done means": the terminal and the real municipal console through the real broker.
 * The console (@kizuna/municipal-console) issues the terminal its broker credentials and serves
 * the shelter's roster; @kizuna/broker's embedded broker enforces the access policy; the kiosk in
 * Chromium reads an emulated My Number card through jpki's card-reader bridge. A card on the
 * roster is greeted by name with its household; the check-ins appear in the console's shelter
 * occupancy and in the alert's `arrived` count while the terminal is connected.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import type { Browser, Page } from 'puppeteer';
import mqtt, { type MqttClient } from 'mqtt';
import { openDb, type Db } from '@kizuna/core';
import { dbEngines, launchBrowser, quietLogger, screenshotDir } from '@kizuna/test-utils';
import { createCredentialStore, createEmbeddedBroker, type EmbeddedBroker } from '@kizuna/broker';
import { createAuthority, createVerifier, startCardBridge, type RunningBridge } from '@kizuna/jpki';
import {
  addShelter,
  addZone,
  bindResidentToDevice,
  createStaff,
  registerDevice,
  seedResidents,
  startConsole,
  type StartedConsole,
} from '@kizuna/municipal-console';
import { jpkiCardVerifier, startTerminal } from '@kizuna/evacuation-center';

const MUNI = '999997';
const SHELTER = 'sh-school';
const square = (lon0: number, lat0: number, d = 0.02): [number, number][] => [
  [lon0, lat0],
  [lon0 + d, lat0],
  [lon0 + d, lat0 + d],
  [lon0, lat0 + d],
  [lon0, lat0],
];
const resident = (
  id: string,
  familyName: string,
  givenName: string,
  familyKana: string,
  givenKana: string,
  more: { needsHelp?: boolean; birthDate?: string } = {},
) => ({
  id,
  familyName,
  givenName,
  familyKana,
  givenKana,
  address: `絆市川辺${id}`,
  birthDate: more.birthDate ?? '1980-01-01',
  sex: 2 as const,
  language: 'ja' as const,
  needsHelp: more.needsHelp ?? false,
  household: 'H1',
  zone: 'z-kawabe',
  lat: 36.004,
  lon: 140.004,
});

async function until<T>(fn: () => Promise<T | false | undefined>, what: string, ms = 30_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 150));
  }
}

for (const engine of dbEngines()) {
  describe(`terminal ↔ console through the broker (console on ${engine.name})`, () => {
    let credDb: Db;
    let consoleDb: Awaited<ReturnType<typeof engine.open>>;
    let terminalDb: Db;
    let broker: EmbeddedBroker;
    let muniMqtt: MqttClient;
    let consoleServer: StartedConsole;
    let bridge: RunningBridge;
    let terminal: Awaited<ReturnType<typeof startTerminal>>;
    let creds: { username: string; password: string };
    let browser: Browser;
    let page: Page;
    let staff: string;
    let alertId: string;

    const api = async (path: string, init: RequestInit = {}) => {
      const res = await fetch(`${consoleServer.url}${path}`, {
        ...init,
        headers: { authorization: `Bearer ${staff}`, 'content-type': 'application/json', ...init.headers },
      });
      return { status: res.status, body: (await res.json()) as any };
    };
    const occupancy = async () =>
      (await api('/api/shelters')).body.find((s: { id: string }) => s.id === SHELTER)?.occupancy ?? 0;
    const needsCare = async (): Promise<number> =>
      (await api('/api/shelters')).body.find((s: { id: string }) => s.id === SHELTER)?.needsCare ?? 0;
    /** The dashboard's live data (GET /api/live, Server-Sent Events), read as the staff browser reads it. */
    const liveStream = async () => {
      const totals: { arrived: number }[] = [];
      const ctl = new AbortController();
      const res = await fetch(`${consoleServer.url}/api/live`, {
        headers: { authorization: `Bearer ${staff}`, accept: 'text/event-stream' },
        signal: ctl.signal,
      });
      expect(res.status).toBe(200);
      void (async () => {
        const decoder = new TextDecoder();
        let buf = '';
        try {
          for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
            buf += decoder.decode(chunk, { stream: true });
            let end: number;
            while ((end = buf.indexOf('\n\n')) >= 0) {
              const block = buf.slice(0, end);
              buf = buf.slice(end + 2);
              const data = block.split('\n').find((l) => l.startsWith('data: '));
              if (!block.includes('event: alert') || !data) continue;
              const ev = JSON.parse(data.slice(6)) as { alert: { id: string }; totals: { arrived: number } };
              if (ev.alert.id === alertId) totals.push(ev.totals);
            }
          }
        } catch {
          /* aborted */
        }
      })();
      return { totals, close: () => ctl.abort() };
    };
    const terminalStatus = async () =>
      (await (await fetch(`${terminal.url}/api/status`)).json()) as {
        link: { connected: boolean; backlog: number; peers: string };
        roster: { version: string | null; people: number };
      };

    beforeAll(async () => {
      const logger = quietLogger();
      const authority = await createAuthority();
      const hanako = await authority.issueCard(
        { name: '山田 花子', address: '絆市川辺R1', birthDate: '1980-01-01', sex: 2 },
        { authPin: '1234', signPassword: 'KIZUNA01' },
      );
      const visitor = await authority.issueCard(
        { name: 'Visitor', address: '他市', birthDate: '1990-01-01', sex: 1 },
        { authPin: '1234', signPassword: 'KIZUNA01' },
      );

      credDb = await openDb({});
      const credentials = await createCredentialStore(credDb, { logger });
      broker = await createEmbeddedBroker({ credentials, logger, port: 0 });
      const muni = await credentials.issue({ kind: 'municipality', muni: MUNI });
      muniMqtt = await mqtt.connectAsync(broker.mqttUrl, {
        clientId: muni.username,
        username: muni.username,
        password: muni.password,
        protocolVersion: 4,
        reconnectPeriod: 200,
      });
      consoleDb = await engine.open();
      consoleServer = await startConsole({
        db: consoleDb,
        logger,
        mqtt: muniMqtt,
        muni: MUNI,
        credentials,
        tickS: 0,
        liveThrottleMs: 50,
        port: 0,
      });
      // as `npm start` wires it: the embedded broker acknowledges a shelter event once the console has stored it
      consoleServer.app.kz.ingest.holdShelterAcks(broker.aedes);

      // the municipality: one riverside household, its TV bound to 花子's card, the school as its designated shelter
      await addZone(consoleDb, { id: 'z-kawabe', name: '川辺地区', nameEn: 'Kawabe', polygon: square(140.0, 36.0) });
      await addShelter(consoleDb, {
        id: SHELTER,
        name: '絆市立第一小学校',
        address: '絆市川辺2-1',
        lat: 36.006,
        lon: 140.006,
        capacity: 300,
        hazards: ['flood', 'earthquake'],
        welfare: false,
        serves: ['z-kawabe'],
      });
      await seedResidents(consoleDb, [
        resident('R1', '山田', '花子', 'ヤマダ', 'ハナコ'),
        resident('R2', '山田', '太郎', 'ヤマダ', 'タロウ', { needsHelp: true, birthDate: '1941-04-12' }),
      ]);
      await registerDevice(consoleDb, [{ id: 'tv-h1', zone: 'z-kawabe', household: 'H1' }]);
      await bindResidentToDevice(consoleDb, [
        { residentId: 'R1', deviceId: 'tv-h1', authSerial: hanako.authSerial },
        { residentId: 'R2', deviceId: 'tv-h1' },
      ]);
      await createStaff(consoleDb, { username: 'admin1', password: 'admin1-password-1', roles: ['admin', 'issuer'] });
      const session = await fetch(`${consoleServer.url}/api/session`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'admin1', password: 'admin1-password-1' }),
      });
      staff = ((await session.json()) as { token: string }).token;
      const alert = await api('/api/alerts', {
        method: 'POST',
        body: JSON.stringify({
          level: 4,
          hazard: 'flood',
          status: 'Exercise',
          expires: new Date(Date.now() + 3 * 3600_000).toISOString(),
          target: { zones: ['z-kawabe'] },
          draft: true,
        }),
      });
      expect(alert.status, JSON.stringify(alert.body)).toBe(201);
      alertId = alert.body.id;
      // sent as its confirmation showed it (issue 19)
      const seen = (await api(`/api/alerts/${alertId}/confirmation`)).body;
      const sent = await api(`/api/alerts/${alertId}/send`, {
        method: 'POST',
        body: JSON.stringify({ revision: seen.revision, digest: seen.digest }),
      });
      expect(sent.status, JSON.stringify(sent.body)).toBe(200);

      // the console issues the door terminal its own broker credentials (also its roster login)
      const issued = await api(`/api/shelters/${SHELTER}/terminals/door-1/credentials`, { method: 'POST', body: '{}' });
      expect(issued.status, JSON.stringify(issued.body)).toBe(201);
      creds = issued.body as { username: string; password: string };

      bridge = await startCardBridge({
        port: 0,
        logger,
        cards: [
          { id: 'hanako', label: 'カード 1', transmit: (a) => hanako.card.transmit(a) },
          { id: 'visitor', label: 'カード 2', transmit: (a) => visitor.card.transmit(a) },
        ],
      });
      terminalDb = await openDb({});
      terminal = await startTerminal({
        db: terminalDb,
        logger,
        muni: MUNI,
        shelter: SHELTER,
        terminal: 'door-1',
        port: 0,
        mqttUrl: broker.mqttUrl,
        mqttCredentials: { username: issued.body.username, password: issued.body.password },
        consoleUrl: consoleServer.url,
        cardBridgeUrl: bridge.url,
        verifier: jpkiCardVerifier(
          createVerifier({ trustAnchors: authority.trustAnchors().certificates, status: authority.statusSource() }),
        ),
      });
      browser = await launchBrowser({ width: 1280, height: 800 });
      page = await browser.newPage();
    });
    afterAll(async () => {
      await browser?.close();
      await terminal?.close();
      await terminalDb?.close();
      await bridge?.close();
      await consoleServer?.close();
      await muniMqtt?.endAsync(true);
      await consoleDb?.drop();
      await broker?.close();
      await credDb?.close();
    });

    it('connects with the credentials the console issued and fetches its roster', async () => {
      const s = await until(async () => {
        const x = await terminalStatus();
        return x.link.connected && x.roster.version !== null && x.link.peers !== 'pending' ? x : false;
      }, 'link and roster');
      expect(s.roster.people).toBe(2);
      expect(s.link.peers).toBe('subscribed');
    });

    it('greets a card on the roster by name at the kiosk, with the household, and the console sees both arrive', async () => {
      const live = await liveStream();
      await page.goto(terminal.url);
      await page.waitForSelector('body[data-ready=true]');
      await page.waitForSelector('#reader[data-state=ready]', { timeout: 15_000 });
      await page.select('#reader-card', 'hanako');
      await page.click('[data-action=hold-card]');
      await page.waitForSelector('[data-screen=confirm]', { timeout: 15_000 });
      expect(await page.$eval('.person.main .name', (e) => (e as HTMLElement).innerText)).toBe('山田 花子 さん');
      expect(await page.$eval('.person.main .reading', (e) => (e as HTMLElement).innerText)).toBe('ヤマダ ハナコ');
      const household = await page.$$eval('.person:not(.main) .name', (n) =>
        n.map((e) => (e as HTMLElement).innerText),
      );
      expect(household).toEqual(['山田 太郎 さん']);
      await page.click('.person:not(.main) input[type=checkbox]');
      await page.screenshot({
        path: join(await screenshotDir('evacuation-center'), '11-console-roster-name.png') as `${string}.png`,
      });
      await page.click('[data-action=check-in]');
      await page.waitForSelector('[data-screen=done]');

      expect(await until(async () => (await occupancy()) === 2 && 2, 'occupancy 2 at the console')).toBe(2);
      const status = await until(async () => {
        const s = await api(`/api/alerts/${alertId}/status?residents=true`);
        return s.body.totals?.arrived === 2 && s.body;
      }, 'arrived 2 on the alert');
      const arrived = status.residents
        .filter((r: { arrivedShelterId?: string }) => r.arrivedShelterId === SHELTER)
        .map((r: { residentId: string }) => r.residentId)
        .sort();
      expect(arrived).toEqual(['R1', 'R2']);
      expect((await terminalStatus()).link.backlog).toBe(0);
      // and the dashboard's live stream shows them, with no page reload
      await until(async () => live.totals.some((t) => t.arrived === 2), 'arrived 2 in the live stream');
      expect(live.totals.every((t) => t.arrived <= 2)).toBe(true);
      live.close();
    });

    it('records a valid card that is not on the (whole-municipality) roster as an outside evacuee, counted at the console', async () => {
      await page.keyboard.press('Escape');
      await page.waitForSelector('#reader[data-state=ready]');
      await page.select('#reader-card', 'visitor');
      await page.click('[data-action=hold-card]');
      // the roster holds every resident (issue 19): this card is from outside the municipality
      await page.waitForSelector('[data-screen=outside-card]', { timeout: 15_000 });
      const careBefore = await needsCare();
      await page.type('#f-name', 'Visitor from another city');
      await page.click('#f-care'); // 配慮が必要: the console counts it (issue 19, item 8)
      await page.click('[data-action=check-in]');
      await page.waitForSelector('[data-screen=done]');
      expect(await until(async () => (await occupancy()) === 3 && 3, 'occupancy 3 at the console')).toBe(3);
      expect(await until(async () => (await needsCare()) === careBefore + 1, 'one more 要配慮 at the console')).toBe(
        true,
      );
      // it counts at the shelter as an outside evacuee, not as an arrival of any resident of the alert
      const outside = async (): Promise<number> =>
        (await api('/api/shelters')).body.find((s: { id: string }) => s.id === SHELTER)?.outside ?? 0;
      expect(await until(async () => (await outside()) === 1 && 1, 'one outside evacuee at the console')).toBe(1);
      expect((await api(`/api/alerts/${alertId}/status`)).body.totals.arrived).toBe(2);
    });

    it('after its first sync the terminal fetches only what changed on the roster (issue 19)', async () => {
      const roster = terminal.app.roster;
      await roster.refresh();
      const before = roster.current!.roster.version;
      await consoleDb.query(`UPDATE residents SET given_name = '花代' WHERE id = 'R1'`);
      expect(await roster.refresh()).toBe('updated');
      expect(roster.lastRefresh).toMatchObject({ kind: 'changes', upsert: 1, remove: 0 });
      expect(roster.current!.roster.version).not.toBe(before);
      expect(roster.current!.roster.people.map((p) => p.displayName).sort()).toEqual(['山田 太郎', '山田 花代']);
      // the same content a full fetch gives
      const full = (await (
        await fetch(`${consoleServer.url}/api/shelters/${SHELTER}/roster`, {
          headers: { authorization: `Basic ${Buffer.from(`${creds.username}:${creds.password}`).toString('base64')}` },
        })
      ).json()) as { version: string; people: unknown[] };
      expect(full.version).toBe(roster.current!.roster.version);
      expect(roster.current!.roster.people).toEqual(full.people);
      expect(await roster.refresh()).toBe('unchanged');
    });
  });
}
