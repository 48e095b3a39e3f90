/**
 * JMA documents as files in a watched folder (KZ_CONSOLE_JMA_DIR, issue 20): each file is applied
 * like a pushed one and moved to done/; a file the parser refuses goes to refused/ with the reason
 * beside it; a file still being written waits.
 */
import { mkdtemp, readdir, readFile, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDb, type Db } from '@kizuna/core';
import { jmaLandslide, JMA_DEMO_CITY } from '@kizuna/test-utils';
import { migrateConsole } from '../src/app.ts';
import { JmaFolder } from '../src/jma/jma-folder.ts';
import { openSuggestions, setJmaAreas } from '../src/jma/jma-store.ts';
import { seedTown, silentLogger } from './helpers.ts';

describe('JMA watched folder', () => {
  let db: Db;
  let dir: string;
  let changes = 0;
  let folder: JmaFolder;
  const old = new Date(Date.now() - 60_000);
  const drop = async (name: string, text: string, settled = true) => {
    await writeFile(join(dir, name), text);
    if (settled) await utimes(join(dir, name), old, old);
  };

  beforeAll(async () => {
    db = await openDb({});
    await migrateConsole(db);
    await seedTown(db);
    await setJmaAreas(db, {
      areas: [{ code: JMA_DEMO_CITY.code, name: JMA_DEMO_CITY.name }],
      zoneHazards: [{ zone: 'z-yamate', hazard: 'landslide' }],
    });
    dir = await mkdtemp(join(tmpdir(), 'kz-jma-'));
    folder = new JmaFolder({ dir, db, logger: silentLogger(), now: () => new Date(), onChange: () => changes++ });
  });
  afterAll(async () => {
    await folder?.stop();
    await db?.close();
  });

  it('applies each settled file and moves it to done/, refused ones to refused/ with the reason', async () => {
    await drop('a-landslide.xml', jmaLandslide({ eventId: 'folder-1', serial: 1 }));
    await drop(
      'b-weather.xml',
      jmaLandslide().replace(/<Title>土砂災害警戒情報<\/Title>/, '<Title>府県天気予報</Title>'),
    );
    await drop('c-writing.xml', jmaLandslide({ eventId: 'folder-2' }), false);
    await drop('notes.txt', 'not a document');
    expect(await folder.scan()).toBe(2);
    expect(changes).toBe(1);
    expect((await openSuggestions(db)).map((s) => [s.level, s.hazard, s.zones])).toEqual([
      [4, 'landslide', ['z-yamate']],
    ]);
    expect((await readdir(dir)).sort()).toEqual(['c-writing.xml', 'done', 'notes.txt', 'refused']);
    expect(await readdir(join(dir, 'done'))).toEqual(['a-landslide.xml']);
    expect((await readdir(join(dir, 'refused'))).sort()).toEqual(['b-weather.xml', 'b-weather.xml.error.json']);
    const why = JSON.parse(await readFile(join(dir, 'refused', 'b-weather.xml.error.json'), 'utf8'));
    expect(why).toMatchObject({ code: 'KZ_CONSOLE_JMA_INVALID', details: { reason: 'unsupported-kind' } });
  });

  it('its 取消 withdraws the suggestion', async () => {
    await drop(
      'd-cancel.xml',
      jmaLandslide({ eventId: 'folder-1', serial: 2, infoType: '取消', reportDateTime: '2026-07-01T11:00:00+09:00' }),
    );
    await folder.scan();
    expect(await openSuggestions(db)).toEqual([]);
    expect((await readdir(join(dir, 'done'))).sort()).toEqual(['a-landslide.xml', 'd-cancel.xml']);
  });
});
