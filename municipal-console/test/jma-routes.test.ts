/**
 * The JMA routes (issue 20) on a real console: only an issuer pushes; bad bytes, an oversized body
 * and an unknown element are named 4xx, never a 500; the area settings refuse an unknown zone; a
 * draft is made only from an open suggestion, as a draft (never sent), with level, hazard and zones.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDb } from '@kizuna/core';
import { jmaLandslide, JMA_DEMO_CITY } from '@kizuna/test-utils';
import { bearer, consoleWith, seedTown, staffToken, startBroker } from './helpers.ts';

describe('JMA routes', () => {
  let broker: Awaited<ReturnType<typeof startBroker>>;
  let db: Awaited<ReturnType<typeof openDb>>;
  let c: Awaited<ReturnType<typeof consoleWith>>;
  let issuer: string;
  let viewer: string;
  let admin: string;
  const jst = (min: number) => `2026-07-01T10:${String(min).padStart(2, '0')}:00+09:00`;
  const push = (body: string | Buffer, token = issuer) =>
    c.app.inject({
      method: 'POST',
      url: '/api/jma',
      headers: { ...bearer(token), 'content-type': 'application/xml' },
      payload: body,
    });

  beforeAll(async () => {
    broker = await startBroker();
    db = await openDb({});
    c = await consoleWith(db, broker);
    await seedTown(db);
    issuer = await staffToken(c.app, 'jma-issuer', ['issuer']);
    viewer = await staffToken(c.app, 'jma-viewer', ['viewer']);
    admin = await staffToken(c.app, 'jma-admin', ['admin']);
  });
  afterAll(async () => {
    await c?.close();
    await db?.close();
    await broker?.close();
  });

  it('sets the area codes and zones per hazard (admin), refusing an unknown zone', async () => {
    const areas = {
      areas: [{ code: JMA_DEMO_CITY.code, name: JMA_DEMO_CITY.name }],
      zoneHazards: [{ zone: 'z-yamate', hazard: 'landslide' }],
    };
    const set = (body: object, token = admin) =>
      c.app.inject({ method: 'POST', url: '/api/jma/areas', headers: bearer(token), payload: body });
    expect((await set(areas, issuer)).statusCode).toBe(403);
    expect((await set({ ...areas, zoneHazards: [{ zone: 'z-nowhere', hazard: 'flood' }] })).json().code).toBe(
      'KZ_CONSOLE_UNKNOWN_ZONE',
    );
    expect((await set({ ...areas, areas: [{ code: '13-101', name: 'x' }] })).statusCode).toBe(400);
    expect((await set(areas)).statusCode).toBe(200);
    expect((await c.app.inject({ url: '/api/jma/areas', headers: bearer(viewer) })).json()).toEqual(areas);
  });

  it('only an issuer pushes; refusals are named 4xx', async () => {
    expect((await push(jmaLandslide(), viewer)).statusCode).toBe(403);
    const bad = Buffer.concat([Buffer.from('<Report>'), Buffer.from([0xc3, 0x28]), Buffer.from('</Report>')]);
    const r1 = await push(bad);
    expect(r1.statusCode).toBe(400);
    expect(r1.json()).toMatchObject({ code: 'KZ_CONSOLE_JMA_INVALID', details: { reason: 'utf-8' } });
    const r2 = await push(jmaLandslide().replace('<Head ', '<!DOCTYPE x><Head '));
    expect(r2.json().details.reason).toBe('doctype');
    const r3 = await push(`<Report xmlns="http://xml.kishou.go.jp/jmaxml1/">${' '.repeat(1_100_000)}</Report>`);
    expect(r3.statusCode).toBe(413);
    const r4 = await push(jmaLandslide().replace('<InfoType>発表</InfoType>', ''));
    expect(r4.json().details).toMatchObject({ reason: 'required', field: '/Report/Head/InfoType' });
  });

  it('a pushed document opens a suggestion; a draft from it is a draft; after 取消 no draft', async () => {
    const r = await push(jmaLandslide({ eventId: 'route-1', serial: 1, reportDateTime: jst(0) }));
    expect(r.statusCode).toBe(200);
    const [s] = r.json().opened as { id: string }[];
    const list = await c.app.inject({ url: '/api/jma/suggestions', headers: bearer(viewer) });
    expect(list.json().map((x: { id: string }) => x.id)).toEqual([s!.id]);

    const draftOf = (id: string, token = issuer) =>
      c.app.inject({ method: 'POST', url: `/api/jma/suggestions/${id}/draft`, headers: bearer(token), payload: {} });
    expect((await draftOf(s!.id, viewer)).statusCode).toBe(403);
    const d = await draftOf(s!.id);
    expect(d.statusCode).toBe(201);
    expect(d.json()).toMatchObject({ level: 4, hazard: 'landslide', state: 'draft', status: 'Actual' });
    expect(d.json().spec.target.zones).toEqual(['z-yamate']);
    expect(d.json().firstSent).toBeNull();
    const after = await c.app.inject({ url: '/api/jma/suggestions', headers: bearer(viewer) });
    expect(after.json()[0].draftAlert).toBe(d.json().id);

    await push(jmaLandslide({ eventId: 'route-1', serial: 2, infoType: '取消', reportDateTime: jst(1) }));
    expect((await c.app.inject({ url: '/api/jma/suggestions', headers: bearer(viewer) })).json()).toEqual([]);
    const late = await draftOf(s!.id);
    expect(late.statusCode).toBe(409);
    expect(late.json().code).toBe('KZ_CONSOLE_JMA_WITHDRAWN');
    expect((await draftOf('jma-unknown')).statusCode).toBe(404);
    // the draft made before the 取消 stays a draft: withdrawing a suggestion sends and cancels nothing
    const alert = await c.app.inject({ url: `/api/alerts/${d.json().id}`, headers: bearer(viewer) });
    expect(alert.json().state).toBe('draft');
  });
});
