/** The broker reads when a queued alert expires (issue 21): alerts only, from the contract's `expires`. */
import { describe, expect, it } from 'vitest';
import { topics } from '@kizuna/contract';
import { alertExpiresAt } from '../src/alert-expiry.ts';

const EXPIRES = '2026-12-06T18:00:00.000Z';
const AT = Date.parse(EXPIRES);
const alert = { v: 1, kind: 'personal-alert', alertId: 'a1', expires: EXPIRES, recipients: [] };

describe('alertExpiresAt', () => {
  it('reads a personal and an area alert, as the console encodes them and pretty-printed', () => {
    expect(
      alertExpiresAt({ topic: topics.tvAlert('999997', 'tv1'), payload: Buffer.from(JSON.stringify(alert)) }),
    ).toBe(AT);
    expect(alertExpiresAt({ topic: topics.areaAll('999997').replace('+', 'z1'), payload: JSON.stringify(alert) })).toBe(
      AT,
    );
    const pretty = Buffer.from(JSON.stringify(alert, null, 2));
    expect(alertExpiresAt({ topic: topics.tvAlert('999997', 'tv1'), payload: pretty })).toBe(AT);
  });

  it('is not fooled by an `expires` inside a text, and gives nothing where there is nothing to go by', () => {
    const tricky = { ...alert, recipients: [{ headline: '"expires":"2000-01-01T00:00:00Z"' }] };
    const moved = JSON.stringify({ recipients: tricky.recipients, expires: EXPIRES });
    expect(alertExpiresAt({ topic: topics.tvAlert('999997', 'tv1'), payload: Buffer.from(moved) })).toBe(AT);
    expect(
      alertExpiresAt({ topic: topics.tvReceipt('999997', 'tv1'), payload: JSON.stringify(alert) }),
    ).toBeUndefined();
    expect(alertExpiresAt({ topic: topics.tvAlert('999997', 'tv1'), payload: Buffer.alloc(0) })).toBeUndefined();
    expect(alertExpiresAt({ topic: topics.tvAlert('999997', 'tv1'), payload: 'not json' })).toBeUndefined();
    expect(alertExpiresAt({ topic: topics.tvAlert('999997', 'tv1'), payload: '{"expires":"soon"}' })).toBeUndefined();
  });
});
