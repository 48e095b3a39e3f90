/**
 * Every error code the console's API can answer is worded by the staff UI in Japanese and English
 * (issue 6): the console's catalogues, core's, the card and bridge codes the card login meets,
 * every reason a staff card is refused, and fastify's own 4xx. A new code added to a catalogue
 * without words in web/src/i18n.ts fails here, so it cannot ship as English in the Japanese UI.
 * Node only (no browser): the UI's table is plain TypeScript.
 */
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import rateLimit from '@fastify/rate-limit';
import { errorCodes as fastifyErrorCodes } from 'fastify';
import Type from 'typebox';
import {
  coreErrors,
  createHttpServer,
  inputErrors,
  createLogger,
  rateLimitRefusal,
  type KzFastify,
} from '@kizuna/core';
import { FAILURE_REASONS, jpkiErrors } from '@kizuna/jpki';
import { consoleErrors } from '../src/errors.ts';
import { CAP_REFUSALS } from '../src/alerts/cap-import.ts';
import { uiErrors } from '../src/routes/ui-errors.ts';

// The UI module reads localStorage and sets <html lang> when the language changes: give it just that.
const g = globalThis as unknown as { document?: unknown };
g.document = { documentElement: { lang: 'ja' } };
const ui = await import('../web/src/i18n.ts');

const JAPANESE = /[\u3040-\u30ff\u4e00-\u9fff]/;
const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

/** Both words present, Japanese in Japanese (a polite sentence), English without Japanese, the same placeholders. */
function expectWorded(what: string, words: [string, string] | undefined) {
  expect(words, `${what} has no words in web/src/i18n.ts`).toBeDefined();
  const [ja, en] = words!;
  expect(ja, `${what}: Japanese`).toMatch(JAPANESE);
  expect(ja, `${what}: Japanese ends a sentence`).toMatch(/[。）]$/);
  expect(en.trim().length, `${what}: English`).toBeGreaterThan(5);
  expect(en, `${what}: English has no Japanese`).not.toMatch(JAPANESE);
  expect(placeholders(en), `${what}: same placeholders`).toEqual(placeholders(ja));
}

// fastify codes that cannot reach a request's reply (raised while the server is being built).
const FASTIFY_NOT_ON_REQUESTS = new Set(['FST_ERR_CTP_INSTANCE_ALREADY_STARTED']);
function fastify4xx(): string[] {
  const out: string[] = [];
  for (const [code, E] of Object.entries(
    fastifyErrorCodes as Record<string, new (...a: string[]) => Error & { statusCode?: number }>,
  )) {
    let status: number | undefined;
    try {
      status = new E('a', 'b', 'c').statusCode;
    } catch {
      continue;
    }
    if (status && status >= 400 && status < 500 && !FASTIFY_NOT_ON_REQUESTS.has(code)) out.push(code);
  }
  return out;
}

describe('every error code the console can answer is worded by the staff UI', () => {
  const catalogues: [string, string[]][] = [
    ['consoleErrors (municipal-console/src/errors.ts)', Object.keys(consoleErrors)],
    ['uiErrors (municipal-console/src/routes/ui-errors.ts)', Object.keys(uiErrors)],
    ['coreErrors (core/src/errors.ts)', [...Object.keys(coreErrors), 'KZ_BAD_REQUEST']],
    ['inputErrors (core/src/input-guard.ts)', Object.keys(inputErrors)],
    ['jpkiErrors: card, bridge and verifier (jpki/src/errors.ts)', Object.keys(jpkiErrors)],
    ['fastify 4xx', fastify4xx()],
  ];
  for (const [name, codes] of catalogues) {
    it(`${name}: ${codes.length} codes`, () => {
      expect(codes.length).toBeGreaterThan(0);
      const missing = codes.filter((c) => !ui.errorWords(c));
      expect(missing, `codes without words in web/src/i18n.ts (ERRORS)`).toEqual([]);
      for (const c of codes) expectWorded(c, ui.errorWords(c));
    });
  }
  it('every reason a staff card is refused (details.reason of KZ_CONSOLE_CARD_REFUSED)', () => {
    expect(FAILURE_REASONS.filter((r) => !ui.cardRefusalWords(r))).toEqual([]);
    for (const r of FAILURE_REASONS) expectWorded(`card refusal ${r}`, ui.cardRefusalWords(r));
  });
  it('every reason a CAP import is refused (details.reason of KZ_CONSOLE_CAP_INVALID)', () => {
    expect(CAP_REFUSALS.filter((r) => !ui.capRefusalWords(r))).toEqual([]);
    for (const r of CAP_REFUSALS) expectWorded(`CAP refusal ${r}`, ui.capRefusalWords(r));
  });
  it('field variants', () => {
    for (const c of ['KZ_VALIDATION', 'FST_ERR_VALIDATION', 'KZ_CONSOLE_BAD_RESIDENT', 'KZ_CONSOLE_CAP_INVALID'])
      expectWorded(`${c} with a field`, ui.fieldErrorWords(c));
  });
});

describe('errorText says each in the page language, with the details the server gives', () => {
  it('a field named by the schema check, in the form’s words', () => {
    ui.setLang('ja');
    expect(ui.errorText('KZ_VALIDATION', { field: 'body/expires' }, 400)).toBe(
      '「有効期限」の値が正しくありません。確かめて、もう一度お試しください。',
    );
    expect(ui.errorText('KZ_VALIDATION', { field: 'body/target/zones/0' }, 400)).toContain('「対象地区」');
    expect(ui.errorText('KZ_VALIDATION', {}, 400)).toBe(
      '入力内容に誤りがあります。内容を確かめて、もう一度お試しください。',
    );
    expect(ui.errorText('KZ_CONSOLE_CAP_INVALID', { field: '/alert/info/expires' })).toBe(
      'CAP 1.2 の /alert/info/expires に誤りがあるため、取り込んでいません。',
    );
    expect(ui.errorText('KZ_CONSOLE_CAP_INVALID', { field: '/' })).toMatch(/^CAP 1.2 の XML として読み取れない/);
    // with the reason the server gives: what is wrong, with what it found
    expect(
      ui.errorText('KZ_CONSOLE_CAP_INVALID', {
        field: '/alert/info[1]/urgency',
        reason: 'one-of',
        allowed: 'Immediate, Expected',
        got: 'Soon',
      }),
    ).toBe(
      'CAP 1.2 を取り込んでいません。/alert/info[1]/urgency は Immediate, Expected のいずれかにしてください（「Soon」でした）。',
    );
    expect(
      ui.errorText('KZ_CONSOLE_CAP_INVALID', {
        field: '/alert/info/area/polygon[1]',
        reason: 'polygon-point',
        point: 3,
      }),
    ).toBe('CAP 1.2 を取り込んでいません。/alert/info/area/polygon[1] の 3 番目の点が「緯度,経度」になっていません。');
    expect(ui.errorText('KZ_CONSOLE_CAP_INVALID', { field: '/', reason: 'not-xml', line: 2 })).toMatch(
      /^CAP 1.2 の XML として読み取れない/,
    );
    // a reason newer than this page: the words for the field
    expect(ui.errorText('KZ_CONSOLE_CAP_INVALID', { field: '/alert/info/expires', reason: 'a-newer-reason' })).toBe(
      'CAP 1.2 の /alert/info/expires に誤りがあるため、取り込んでいません。',
    );
    // what the document held is cut short
    expect(
      ui.errorText('KZ_CONSOLE_CAP_INVALID', { field: '/alert/msgType', reason: 'not-an-alert', got: 'x'.repeat(500) })!
        .length,
    ).toBeLessThan(120);
    ui.setLang('en');
    expect(ui.errorText('KZ_VALIDATION', { field: 'body/expires' }, 400)).toBe(
      'The value of “expiry” is invalid. Check it and try again.',
    );
    expect(ui.errorText('KZ_VALIDATION', { field: 'body/whatever' }, 400)).toContain('“whatever”');
  });
  it('a refused card by its reason; PIN tries left; the bridge', () => {
    ui.setLang('ja');
    expect(ui.errorText('KZ_CONSOLE_CARD_REFUSED', { reason: 'challenge-expired' })).toBe(
      'ログインの確認の期限（2分）が切れました。もう一度ログインしてください。',
    );
    expect(ui.errorText('KZ_CONSOLE_CARD_REFUSED', { reason: 'a-newer-reason' })).toBe(
      'カードを確認できませんでした。もう一度お試しください。',
    );
    expect(
      ui.describeError({ code: 'KZ_CARD_PIN_WRONG', message: 'the PIN or password is wrong', triesLeft: 2 }).text,
    ).toContain('あと 2 回');
    expect(ui.describeError({ code: 'KZ_BRIDGE_TIMEOUT', message: 'x' }).text).toContain(
      'カードリーダーに接続できません',
    );
    ui.setLang('en');
    expect(ui.errorText('KZ_CONSOLE_CARD_REFUSED', { reason: 'expired' })).toMatch(
      /^The card’s certificate has expired/,
    );
  });
  it('no code at all (fetch failed) and a reply without JSON go by what is known', () => {
    ui.setLang('ja');
    expect(ui.describeError(new TypeError('Failed to fetch'))).toEqual({
      code: '',
      text: 'サーバーに接続できません。ネットワークを確認して、もう一度お試しください。',
      worded: true,
    });
    expect(ui.errorText('HTTP_502', {}, 502)).toContain('サーバーに接続できません');
    expect(ui.errorText('HTTP_418', {}, 418)).toContain('（HTTP 418）');
    expect(ui.errorText('HTTP_500', {}, 500)).toContain('サーバーで問題が起きました（HTTP 500）');
  });
  it('a code newer than this page keeps the server’s message (the fallback)', () => {
    ui.setLang('ja');
    expect(ui.errorText('KZ_CONSOLE_SOMETHING_NEW')).toBeNull();
    expect(ui.describeError({ code: 'KZ_CONSOLE_SOMETHING_NEW', message: 'something new went wrong' })).toEqual({
      code: 'KZ_CONSOLE_SOMETHING_NEW',
      text: 'something new went wrong',
      worded: false,
    });
  });
});

// What fastify itself answers, through core's error handler as the console uses it: each reply's
// code (and status) gets the UI's words, in Japanese.
describe('fastify’s own refusals reach the UI with words', () => {
  let app: KzFastify;
  beforeAll(async () => {
    const logger = createLogger({
      name: 'ui-error-words',
      level: 'silent',
      destination: new Writable({ write: (_c, _e, cb) => cb() }),
    });
    app = await createHttpServer({ name: 'ui-error-words', logger, bodyLimit: 1024 });
    await app.register(rateLimit, { global: false, errorResponseBuilder: rateLimitRefusal });
    app.post('/limited', { config: { rateLimit: { max: 1, timeWindow: '1 minute' } } }, async () => ({ ok: true }));
    app.post(
      '/typed',
      { schema: { body: Type.Object({ expires: Type.String({ format: 'date-time' }) }) } },
      async () => ({ ok: true }),
    );
    await app.ready();
  });
  afterAll(async () => {
    await app?.close();
  });
  const wordsOf = async (res: { statusCode: number; json(): unknown }) => {
    const body = res.json() as { code?: string; field?: string; details?: Record<string, unknown> };
    ui.setLang('ja');
    return {
      code: body.code,
      text: ui.errorText(body.code, body.details ?? (body.field ? { field: body.field } : {}), res.statusCode),
    };
  };
  it('rate limit (429, KZ_RATE_LIMITED)', async () => {
    expect((await app.inject({ method: 'POST', url: '/limited', payload: {} })).statusCode).toBe(200);
    const res = await app.inject({ method: 'POST', url: '/limited', payload: {} });
    expect(res.statusCode).toBe(429);
    expect(await wordsOf(res)).toEqual({
      code: 'KZ_RATE_LIMITED',
      text: '操作の回数が多すぎます。1分ほど待ってから、もう一度お試しください。',
    });
  });
  it('body too large, bad JSON, unsupported type, schema check', async () => {
    const big = await app.inject({
      method: 'POST',
      url: '/typed',
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify({ expires: 'x'.repeat(2000) }),
    });
    expect(await wordsOf(big)).toEqual({
      code: 'KZ_BODY_TOO_LARGE',
      text: 'ファイルが大きすぎます。小さく分けてから取り込んでください。',
    });
    const bad = await app.inject({
      method: 'POST',
      url: '/typed',
      headers: { 'content-type': 'application/json' },
      payload: '{"expires":',
    });
    expect((await wordsOf(bad)).code).toBe('KZ_INVALID_JSON');
    expect((await wordsOf(bad)).text).toMatch(JAPANESE);
    const type = await app.inject({
      method: 'POST',
      url: '/typed',
      headers: { 'content-type': 'application/x-unknown' },
      payload: 'x',
    });
    expect(await wordsOf(type)).toEqual({
      code: 'KZ_UNSUPPORTED_MEDIA_TYPE',
      text: 'この形式のデータは受け付けられません。',
    });
    const invalid = await app.inject({ method: 'POST', url: '/typed', payload: { expires: 'tomorrow' } });
    expect(await wordsOf(invalid)).toEqual({
      code: 'KZ_VALIDATION',
      text: '「有効期限」の値が正しくありません。確かめて、もう一度お試しください。',
    });
    const none = await app.inject({ method: 'GET', url: '/nowhere' });
    expect(await wordsOf(none)).toEqual({
      code: 'KZ_NOT_FOUND',
      text: '見つかりません。ページを再読み込みしてください。',
    });
  });
});
