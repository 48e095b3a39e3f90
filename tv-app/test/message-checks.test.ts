/**
 * The TV's message checks compiled ahead of time (src/net/message-checks.ts) are the contract's:
 * the file is what the generator writes today, and on valid messages and thousands of broken ones
 * each check answers as the contract's TypeBox validator does.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import Compile from 'typebox/compile';
import type { TSchema } from 'typebox';
import { AreaAlertSchema, MailWaitingSchema, PersonalAlertSchema, type AreaAlert } from '@kizuna/contract';
import { MESSAGE_CHECKS_FILE, messageChecksSource } from '../server/message-checks.ts';
import { checkAreaAlert, checkMailWaiting, checkPersonalAlert } from '../src/net/message-checks.ts';
import { personalAlert, recipient } from './helpers/harness.ts';

const area: AreaAlert = {
  v: 1,
  kind: 'area-alert',
  alertId: 'area-1',
  revision: 2,
  msgType: 'Update',
  status: 'Exercise',
  level: 5,
  hazard: 'tsunami',
  sent: '2026-12-07T03:00:00+09:00',
  expires: '2026-12-07T04:00:00Z',
  zone: { id: 'z-kawabe', name: '川辺地区' },
  text: { ja: { headline: '見出し', instruction: '指示' }, en: { headline: 'h', instruction: 'i' } },
};
const mail = { v: 1, kind: 'mail-waiting', unread: 2, at: '2026-12-07T03:00:00.123Z' };
const withShelterless = personalAlert({
  recipients: [recipient(), recipient({ shelter: undefined, language: 'en', needsHelp: true })],
});

const cases: [string, (v: unknown) => boolean, TSchema, unknown[]][] = [
  ['personal alert', checkPersonalAlert, PersonalAlertSchema, [personalAlert(), withShelterless]],
  ['area alert', checkAreaAlert, AreaAlertSchema, [area]],
  ['mail waiting', checkMailWaiting, MailWaitingSchema, [mail]],
];

/** A value with one place (a path of keys / indexes) replaced, or its key deleted. */
function mutate(value: unknown, path: (string | number)[], replacement: unknown, remove: boolean): unknown {
  const copy = structuredClone(value) as Record<string | number, unknown>;
  let at: Record<string | number, unknown> = copy;
  for (const k of path.slice(0, -1)) at = at[k] as Record<string | number, unknown>;
  const last = path[path.length - 1]!;
  if (remove) delete at[last];
  else at[last] = replacement;
  return copy;
}

function paths(v: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  if (typeof v !== 'object' || v === null) return [];
  return Object.entries(v).flatMap(([k, x]) => {
    const p = [...prefix, Array.isArray(v) ? Number(k) : k];
    return [p, ...paths(x, p)];
  });
}

const oddValues = fc.oneof(
  fc.anything(),
  fc.constantFrom(
    '2026-02-29T00:00:00Z',
    '2028-02-29T00:00:00Z',
    '2026-12-07T24:00:00Z',
    '2026-12-07T03:00:00',
    '2026-12-07T23:59:60Z',
    '2026-12-07T03:00:00+09:00[Asia/Tokyo]',
    'bad id!',
    'x'.repeat(65),
    0,
    6,
    2.5,
    -1,
    'Alert',
    'lifted',
    'en',
    'pt',
    'xx',
    null,
  ),
);

describe('message checks compiled ahead of time', () => {
  it('the file is what the generator writes from the contract today', async () => {
    expect(readFileSync(MESSAGE_CHECKS_FILE, 'utf8')).toBe(await messageChecksSource());
  });

  for (const [name, check, schema, valid] of cases) {
    it(`${name}: accepts and refuses exactly what the contract's validator does`, () => {
      const contract = Compile(schema);
      for (const v of valid) {
        expect(contract.Check(v)).toBe(true);
        expect(check(v)).toBe(true);
      }
      fc.assert(
        fc.property(
          fc.constantFrom(...valid),
          fc.nat(),
          oddValues,
          fc.boolean(),
          fc.dictionary(fc.string(), fc.anything()),
          (base, i, odd, remove, extra) => {
            const ps = paths(base);
            const broken = mutate(base, ps[i % ps.length]!, odd, remove);
            expect(check(broken)).toBe(contract.Check(broken));
            const widened = { ...(base as object), ...extra };
            expect(check(widened)).toBe(contract.Check(widened));
          },
        ),
        { numRuns: 3000 },
      );
    });
  }
});
