import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { decodeMessage, ReceiptSchema, MessageError, LEVELS, ALERT_PANEL } from '../src/index.ts';

const good = {
  v: 1,
  kind: 'receipt',
  alertId: 'a1',
  revision: 1,
  state: 'acknowledged',
  ref: 'r1',
  answer: 'need-help',
  at: '2026-11-23T10:00:00Z',
};

describe('message validation', () => {
  it('accepts a valid receipt', () => {
    expect(decodeMessage(ReceiptSchema, JSON.stringify(good))).toEqual(good);
  });
  it('names the failed field', () => {
    try {
      decodeMessage(ReceiptSchema, JSON.stringify({ ...good, answer: 'maybe' }), 'receipt');
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(MessageError);
      expect((e as Error).message).toMatch(/answer/);
    }
  });
  it('refuses a bad timestamp', () => {
    expect(() => decodeMessage(ReceiptSchema, JSON.stringify({ ...good, at: 'yesterday' }))).toThrow(/at/);
  });
  it('refuses non-JSON and random bytes without crashing (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        expect(() => decodeMessage(ReceiptSchema, bytes)).toThrow(MessageError);
      }),
    );
  });
});

describe('alert levels', () => {
  it('uses the Cabinet Office colours', () => {
    expect(LEVELS[4].rgb).toEqual([170, 0, 170]);
    expect(LEVELS[5].rgb).toEqual([12, 0, 12]);
    expect(LEVELS[3].phrase).toBe('高齢者等避難');
  });
  const lum = ([r, g, b]: readonly number[]) => {
    const c = [r!, g!, b!].map((v) => {
      const s = v / 255;
      return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * c[0]! + 0.7152 * c[1]! + 0.0722 * c[2]!;
  };
  const contrast = (x: readonly number[], y: readonly number[]) => {
    const [a, b] = [lum(x), lum(y)].sort((p, q) => q - p);
    return (a! + 0.05) / (b! + 0.05);
  };
  it('gives the large phrase at least 4.5:1 on every level colour', () => {
    for (const l of Object.values(LEVELS))
      expect(contrast(l.rgb, l.textRgb), `level ${l.level}`).toBeGreaterThanOrEqual(4.5);
  });
  it('gives alert body text at least 7:1 on the panel', () => {
    expect(contrast(ALERT_PANEL.rgb, ALERT_PANEL.textRgb)).toBeGreaterThanOrEqual(7);
  });
  it('knows the official red fails 7:1 with any text colour (why the panel exists)', () => {
    expect(Math.max(contrast(LEVELS[3].rgb, [0, 0, 0]), contrast(LEVELS[3].rgb, [255, 255, 255]))).toBeLessThan(7);
  });
});
