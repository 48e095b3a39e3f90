/**
 * Configuration checks (each bad field named), the per-box key map, Japanese line-break
 * marking and the screen wording rules.
 */
import { describe, expect, it } from 'vitest';
import { LEVELS } from '@kizuna/contract';
import { ConfigError, parseHash, validateConfig, loadTvConfig } from '../src/config.ts';
import { DEFAULT_KEYS, digitOf, parseKeyMap } from '../src/keymap.ts';
import { zwsp } from '../src/text/ja-wrap.ts';
import { STRINGS } from '../src/i18n/strings.ts';
import { homeModel, levelPhrase, distanceText, takeoverModel } from '../src/view-models.ts';

describe('TV configuration', () => {
  it('reads the hash', () => {
    const c = validateConfig(
      parseHash(
        '#device=tv-1&muni=999997&mqtt=ws%3A%2F%2F127.0.0.1%3A18831&user=tv-1&pass=p%26w&lang=en&keys=82:Red,71:Green',
      ),
    );
    expect(c).toMatchObject({
      device: 'tv-1',
      muni: '999997',
      mqtt: 'ws://127.0.0.1:18831',
      user: 'tv-1',
      pass: 'p&w',
      lang: 'en',
      inspect: false,
    });
    expect(c.keys[82]).toBe('Red');
    expect(c.keys[403]).toBe('Red'); // defaults stay
  });

  it('names every failed check', () => {
    try {
      validateConfig({ device: 'a/b', muni: '', mqtt: 'http://x', lang: 'fr', keys: '403:Purple', console: 'ftp://x' });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      const p = (e as ConfigError).problems.join('\n');
      expect((e as ConfigError).code).toBe('KZ_TV_CONFIG_INVALID');
      for (const s of [
        'device is missing',
        'muni is missing',
        'lang must be one of',
        'mqtt must be a ws://',
        'user is required with mqtt',
        '"Purple" is not a key name',
        'console must be an http',
      ]) {
        expect(p).toContain(s);
      }
    }
  });

  it('reads the colour-key order, the alert return time and the city phone, and names bad ones', () => {
    const d = validateConfig({ device: 'tv1', muni: '999997' });
    expect(d.colours).toEqual(['Blue', 'Red', 'Green', 'Yellow']);
    expect(d.alertReturn).toBe(180_000);
    expect(d.phone).toBeUndefined();
    const c = validateConfig(
      parseHash('#device=tv1&muni=999997&colours=Red,Green,Yellow,Blue&alertReturn=5000&phone=0120-123-456'),
    );
    expect([c.colours, c.alertReturn, c.phone]).toEqual([['Red', 'Green', 'Yellow', 'Blue'], 5000, '0120-123-456']);
    try {
      validateConfig({
        device: 'tv1',
        muni: '999997',
        colours: 'Red,Red,Green,Blue',
        alertReturn: '0',
        phone: 'call us',
      });
      expect.unreachable();
    } catch (e) {
      const p = (e as ConfigError).problems.join('\n');
      for (const s of ['colours must name each of', 'alertReturn must be', 'phone must be a telephone number'])
        expect(p).toContain(s);
    }
  });

  it("reads a cluster's nodes from a comma-separated mqtt list and the clean-session flag, and names a bad node", () => {
    const cfg = validateConfig({
      device: 'tv-1',
      muni: '999997',
      user: 'tv-1',
      mqtt: 'ws://127.0.0.1:1/ws,ws://127.0.0.1:2/ws, ws://127.0.0.1:3/ws',
      clean: '1',
    });
    expect(cfg.mqtt).toBe('ws://127.0.0.1:1/ws');
    expect(cfg.mqttFallback).toEqual(['ws://127.0.0.1:2/ws', 'ws://127.0.0.1:3/ws']);
    expect(cfg.cleanSession).toBe(true);
    const single = validateConfig({ device: 'tv-1', muni: '999997', user: 'tv-1', mqtt: 'ws://127.0.0.1:1/ws' });
    expect(single.mqttFallback).toEqual([]);
    expect(single.cleanSession).toBe(false);
    expect(() =>
      validateConfig({ device: 'tv-1', muni: '999997', user: 'tv-1', mqtt: 'ws://127.0.0.1:1/ws,http://x' }),
    ).toThrow(/mqtt \(URL 2\) must be a ws:\/\//);
  });

  it('reads the reconnect backoff in milliseconds and names a bad value', () => {
    const c = validateConfig(parseHash('#device=tv1&muni=999997&reconnectBase=500&reconnectCap=20000'));
    expect([c.reconnectBase, c.reconnectCap]).toEqual([500, 20_000]);
    const d = validateConfig({ device: 'tv1', muni: '999997' });
    expect([d.reconnectBase, d.reconnectCap]).toEqual([undefined, undefined]);
    for (const bad of ['0', '-5', '1.5', 'soon', '600001'])
      expect(() => validateConfig({ device: 'tv1', muni: '999997', reconnectCap: bad })).toThrow(
        /reconnectCap must be/,
      );
  });

  it('falls back to tv-config.json for a packaged box; the hash overrides single fields', async () => {
    const loc = { hash: '#lang=ko', href: 'http://box.local/app/index.html' } as Location;
    const fetchFn = (async (url: string) => {
      expect(url).toBe('http://box.local/app/tv-config.json');
      return new Response(JSON.stringify({ device: 'stb-9', muni: '999997', lang: 'ja', keys: { 461: 'Back' } }));
    }) as unknown as typeof fetch;
    const c = await loadTvConfig(loc, fetchFn);
    expect(c).toMatchObject({ device: 'stb-9', lang: 'ko' });
    expect(c.keys[461]).toBe('Back');
    const bad = (async () => new Response('{oops')) as unknown as typeof fetch;
    await expect(loadTvConfig(loc, bad)).rejects.toThrow('tv-config.json is not valid JSON');
  });
});

describe('key map', () => {
  it('maps the HbbTV colour keys, arrows, OK, Back and digits by default', () => {
    expect([DEFAULT_KEYS[403], DEFAULT_KEYS[404], DEFAULT_KEYS[405], DEFAULT_KEYS[406]]).toEqual([
      'Red',
      'Green',
      'Yellow',
      'Blue',
    ]);
    expect(DEFAULT_KEYS[13]).toBe('Enter');
    expect(DEFAULT_KEYS[461]).toBe('Back');
    expect(digitOf(DEFAULT_KEYS, 55)).toBe(7);
    expect(digitOf(DEFAULT_KEYS, 101)).toBe(5);
    expect(digitOf(DEFAULT_KEYS, 13)).toBeNull();
  });

  it('accepts JSON or code:Name lists and refuses bad entries by name', () => {
    expect(parseKeyMap({ 172: 'Red' })).toEqual({ 172: 'Red' });
    expect(parseKeyMap('1:Back,2:Digit3')).toEqual({ 1: 'Back', 2: 'Digit3' });
    expect(() => parseKeyMap('x:Red')).toThrow('"x" is not a key code');
    expect(() => parseKeyMap(42)).toThrow('keys must be');
  });
});

describe('Japanese line breaking', () => {
  const marks = (t: string) => zwsp(t).split('\u200B');

  it('marks breaks between phrases, keeping particles and endings with their word', () => {
    const parts = marks('川の水位が上がっています。明るいうちに避難所へ向かってください。');
    expect(parts.join('')).toBe('川の水位が上がっています。明るいうちに避難所へ向かってください。');
    expect(parts.length).toBeGreaterThan(3);
    // a particle (が・を・の・へ・に) stays with the word before it
    for (const p of parts.slice(1)) expect(p[0]).not.toMatch(/[がをのへに]/u);
  });

  it('never starts a line with closing punctuation or small kana, nor ends one with an opening bracket', () => {
    const parts = marks('「カードを登録する」を選んで、決定（けってい）を押してください。ちょっと待ってね');
    for (const p of parts.slice(1)) expect('、。）」ー'.includes(p[0]!)).toBe(false);
    for (const p of parts.slice(0, -1)) expect('（「'.includes(p[p.length - 1]!)).toBe(false);
  });

  // Issue 18, item 7: the hand-written wrapper broke 「（絆｜市山手」「8番10｜号」「保険｜会社」「マイ｜ナンバー」「（個人｜番号）」「（任｜意）」.
  it.each([
    ['避難所：絆市立山手小学校（絆市山手1丁目8番10号）まで 1.2 km', ['（絆市', '絆市山手', '8番10号', '山手小学校']],
    ['保険会社から届いたお知らせを読みます。', ['保険会社']],
    ['マイナンバーカード（個人番号カード）を登録してください。', ['マイナンバー', '（個人番号']],
    ['電話番号（任意）を入力します。', ['（任意）']],
    ['山田 太郎さん、洪水のため危険な場所から全員避難してください。', ['山田', '太郎さん、', '避難して']],
  ])('never breaks inside a word, a name or an address number: %s', (text, whole) => {
    const parts = marks(text);
    expect(parts.join('')).toBe(text);
    expect(parts.length, parts.join('｜')).toBeGreaterThan(1);
    for (const w of whole)
      expect(
        parts.some((p) => p.includes(w)),
        `${w} in ${parts.join('｜')}`,
      ).toBe(true);
  });

  it('breaks Chinese between characters, still by the punctuation rules', () => {
    const parts = marks('请前往避难所（山手小学校）。');
    expect(parts.length).toBeGreaterThan(5);
    for (const p of parts.slice(1)) expect('、。）」'.includes(p[0]!)).toBe(false);
    for (const p of parts.slice(0, -1)) expect('（「'.includes(p[p.length - 1]!)).toBe(false);
  });

  it('leaves ASCII text alone', () => {
    expect(zwsp('Go to the shelter now.')).toBe('Go to the shelter now.');
  });
});

describe('screen wording', () => {
  it('has every string in all seven languages', () => {
    const keys = Object.keys(STRINGS.ja);
    for (const [lang, s] of Object.entries(STRINGS)) {
      expect(Object.keys(s), lang).toEqual(keys);
      for (const k of keys) expect((s as unknown as Record<string, string>)[k], `${lang}.${k}`).not.toBe('');
    }
  });

  it('uses the fixed level phrases', () => {
    expect(levelPhrase(4, 'ja').phrase).toBe(LEVELS[4].phrase);
    expect(levelPhrase(5, 'en').phrase).toBe(LEVELS[5].english);
    expect(levelPhrase(4, 'ja-x-easy').action).toBe(LEVELS[4].easyPhrase);
  });

  it('writes distances for people, not for machines', () => {
    expect(distanceText(1234, 'ja')).toBe('約1.2キロメートル');
    expect(distanceText(447, 'en')).toBe('about 450 m');
    expect(distanceText(undefined, 'en')).toBe('');
  });

  it('marks exercises and tests on the takeover, and says when an update replaced the message', () => {
    const base = {
      v: 1 as const,
      kind: 'personal-alert' as const,
      alertId: 'a',
      revision: 2,
      msgType: 'Update' as const,
      status: 'Exercise' as const,
      level: 4 as const,
      hazard: 'flood' as const,
      sent: '2026-06-01T09:00:00Z',
      expires: '2099-01-01T00:00:00Z',
      zone: { id: 'z', name: 'Z' },
      recipients: [
        { ref: 'r', displayName: 'X', language: 'en' as const, needsHelp: false, headline: 'h', instruction: 'i' },
      ],
    };
    const m = takeoverModel({
      entry: { alert: base, answers: {}, sent: {}, updated: true },
      recipient: base.recipients[0]!,
      online: true,
      scale: 1,
    });
    expect(m.exercise).toContain('EXERCISE');
    expect(m.levelLabel).toContain('EXERCISE');
    expect(m.notice?.text).toBe(STRINGS.en.updated);
    // In the order of a Japanese remote (青・赤・緑・黄; blue reads aloud again).
    expect(m.choices.map((c) => [c.key, c.answer])).toEqual([
      ['Red', 'need-help'],
      ['Green', 'evacuating'],
      ['Yellow', 'safe-indoors'],
    ]);
    const offline = takeoverModel({
      entry: { alert: { ...base, status: 'Actual' }, answers: {}, sent: {}, updated: false },
      recipient: base.recipients[0]!,
      online: false,
      scale: 1,
    });
    expect(offline.exercise).toBeUndefined();
    expect(offline.notice?.text).toBe(STRINGS.en.offlineWarning);
  });

  it('Home explains binding when no resident is known, and lists the alert first when one is active', () => {
    const empty = homeModel({
      lang: 'ja',
      conn: 'none',
      residents: [],
      active: [],
      areas: [],
      mailUnread: null,
      scale: 1,
    });
    expect(empty.howToBind).toBe(STRINGS.ja.howToBind);
    expect(empty.menu.map((i) => i.id)).toEqual(['bind', 'postbox', 'myinfo', 'settings']);
    expect(empty.areaLines).toEqual([{ text: STRINGS.ja.areaNone }]);
    expect(empty.connText).toBe(STRINGS.ja.connNoBroker);
  });
});
