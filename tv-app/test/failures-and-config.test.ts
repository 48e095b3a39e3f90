/**
 * The plain-words failure sorting (flows/failures.ts) on the codes the bridge, the console and the
 * gateway really send, and the configuration's relative server paths (forwarded by the TV server).
 */
import { describe, expect, it } from 'vitest';
import { CardBridgeError } from '@kizuna/jpki';
import { classify } from '../src/flows/failures.ts';
import { ApiError } from '../src/net/http.ts';
import { validateConfig } from '../src/config.ts';

describe('failure sorting', () => {
  it('tells a wrong secret (with tries left) from a locked card, a revoked certificate and a lost server', () => {
    expect(classify(new CardBridgeError('KZ_CARD_PIN_WRONG', 'the PIN or password is wrong', 2))).toMatchObject({
      kind: 'wrong-secret',
      triesLeft: 2,
    });
    expect(classify(new CardBridgeError('KZ_CARD_LOCKED', 'locked'))).toMatchObject({ kind: 'locked', triesLeft: 0 });
    expect(classify(new CardBridgeError('KZ_BRIDGE_UNAVAILABLE', 'not running')).kind).toBe('reader');
    expect(classify(new ApiError('KZ_CONSOLE_BIND_CERT_REVOKED', 'revoked', 403)).kind).toBe('revoked');
    expect(classify(new ApiError('KZ_GW_REPORT_REJECTED', 'revoked: x', 422, { reason: 'revoked' })).kind).toBe(
      'revoked',
    );
    expect(classify(new ApiError('KZ_GW_STATUS_UNAVAILABLE', 'x', 503, { reason: 'status-unknown' })).kind).toBe(
      'status-unknown',
    );
    expect(classify(new ApiError('KZ_TV_SERVER_UNREACHABLE', 'x', 0)).kind).toBe('network');
    expect(classify(new ApiError('KZ_CONSOLE_BIND_NO_MATCH', 'x', 404)).kind).toBe('no-match');
    expect(
      classify(new ApiError('KZ_GW_REPORT_REJECTED', 'nonce-mismatch: x', 422, { reason: 'nonce-mismatch' })),
    ).toMatchObject({ kind: 'refused', detail: 'nonce-mismatch' });
    // Linking a policy: already linked here, linked elsewhere, a stale consent nonce (start again).
    expect(classify(new ApiError('KZ_GW_ALREADY_ENROLLED', 'x', 409)).kind).toBe('already-linked');
    expect(classify(new ApiError('KZ_GW_POLICY_TAKEN', 'x', 409)).kind).toBe('policy-taken');
    expect(
      classify(new ApiError('KZ_GW_CONSENT_REJECTED', 'nonce-invalid: x', 422, { reason: 'nonce-invalid' })).kind,
    ).toBe('session');
    expect(classify(new Error('boom'))).toMatchObject({ kind: 'refused', code: 'KZ_TV_UNEXPECTED' });
  });
});

describe('server addresses in the configuration', () => {
  it('takes a path relative to the page, and refuses a path without one', () => {
    const cfg = validateConfig(
      { device: 'tv1', muni: '999', console: '/console', postbox: '/gateway/' },
      'http://127.0.0.1:18810/#device=tv1',
    );
    expect(cfg.console).toBe('http://127.0.0.1:18810/console');
    expect(cfg.postbox).toBe('http://127.0.0.1:18810/gateway');
    expect(() => validateConfig({ device: 'tv1', muni: '999', console: '/console' })).toThrow(/console is a path/);
    expect(() => validateConfig({ device: 'tv1', muni: '999', postbox: 'ftp://x' })).toThrow(/postbox must be an http/);
  });
});

describe('the PIN lock warning (issue 18, item 9)', () => {
  it('says once, in every language, that one more mistake locks the card', async () => {
    const { LANGUAGES } = await import('@kizuna/contract/levels');
    const { flowStrings, loadFlowStrings } = await import('../src/i18n/flow-strings.ts');
    const { triesWarning } = await import('../src/flows/card-flow.ts');
    for (const l of LANGUAGES) {
      await loadFlowStrings(l);
      const s = flowStrings(l);
      expect(triesWarning(s, 1), l).toBe(s.lastTry);
      expect(triesWarning(s, 2), l).toContain('2');
    }
    expect(triesWarning(flowStrings('ja'), 1)).toBe(
      '次にまちがえるとロックされます。わからないときは入力せず、市区町村の窓口にご相談ください。',
    );
  });
});
