import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { newReceiptNumber, normaliseReceiptNumber } from '../src/receipt-number.ts';

const digitsOf = (n: string) => n.replace(/-/g, '');
const regroup = (d: string) => d.match(/.{4}/g)!.join('-');

describe('receipt numbers a resident can read over the phone (issue 19, item 9)', () => {
  it('are four groups of four digits and verify', () => {
    for (let i = 0; i < 200; i++) {
      const n = newReceiptNumber();
      expect(n).toMatch(/^\d{4}-\d{4}-\d{4}-\d{4}$/);
      expect(normaliseReceiptNumber(n)).toBe(n);
      expect(normaliseReceiptNumber(digitsOf(n))).toBe(n); // typed without hyphens
    }
  });

  it('catch every single misread digit', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 15 }), fc.integer({ min: 1, max: 9 }), (pos, delta) => {
        const d = digitsOf(newReceiptNumber());
        const wrong = d.slice(0, pos) + String((Number(d[pos]) + delta) % 10) + d.slice(pos + 1);
        expect(normaliseReceiptNumber(regroup(wrong))).toBeNull();
      }),
      { numRuns: 500 },
    );
  });

  it('catch every swap of two different neighbouring digits', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 14 }), (pos) => {
        const d = digitsOf(newReceiptNumber());
        fc.pre(d[pos] !== d[pos + 1]);
        const swapped = d.slice(0, pos) + d[pos + 1] + d[pos] + d.slice(pos + 2);
        expect(normaliseReceiptNumber(swapped)).toBeNull();
      }),
      { numRuns: 500 },
    );
  });

  it('leave older ids alone', () => {
    expect(normaliseReceiptNumber('rpt_BrGMFyAcHG5dQbIx')).toBe('rpt_BrGMFyAcHG5dQbIx');
  });
});
