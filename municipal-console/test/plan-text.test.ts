/**
 * The fan-out sends AlertPlan.encode's bytes: each TV's message assembled from parts kept for the whole
 * alert. It must be, byte for byte, encodeMessage(AlertPlan.message) — for any names (quotes,
 * backslashes, control characters, emoji), households, languages, levels, shelters or none,
 * homes or none, and staff's extra text.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { encodeMessage, HAZARDS, LANGUAGES, type EvacuationLevel } from '@kizuna/contract';
import type { AlertSpec } from '../src/alerts/alert-spec.ts';
import { planAlert, type AlertHead } from '../src/alerts/personalise.ts';
import type { Shelter } from '../src/shelters/shelter-register.ts';
import type { Zone } from '../src/register/zones.ts';
import { ShelterPool } from '../src/shelters/shelter-pool.ts';
import type { Candidate } from '../src/alerts/targeting.ts';

const awkward = fc.oneof(
  fc.string({ maxLength: 6 }),
  fc.constantFrom(
    '山田',
    'ヤマダ',
    '"quoted"',
    'back\\slash',
    'line\nbreak',
    'tab\t',
    '\u0001',
    '😀',
    '\u2028',
    'Nguyễn',
    'José',
  ),
);
const ZONES: Zone[] = [
  {
    id: 'z-1',
    name: '第1地区',
    nameEn: 'District 1',
    ring: [
      [140, 36],
      [140.02, 36],
      [140.02, 36.02],
      [140, 36.02],
      [140, 36],
    ],
  },
  { id: 'z-"2"', name: '第"2"地区\\', nameEn: null, ring: [] },
];
const zones = new Map(ZONES.map((z) => [z.id, z]));

const shelters = (welfareCap: number, ordinaryCap: number): Shelter[] => [
  {
    id: 'sh-1',
    name: '第1小学校',
    address: '絆市1-1',
    lat: 36.01,
    lon: 140.01,
    capacity: ordinaryCap,
    hazards: ['flood', 'earthquake'],
    welfare: false,
    open: true,
    serves: [],
  },
  {
    id: 'sh-"w"',
    name: 'Welfare "Centre"',
    address: 'Kizuna\\2',
    lat: 36.005,
    lon: 140.015,
    capacity: welfareCap,
    hazards: ['flood'],
    welfare: true,
    open: true,
    serves: [],
  },
];

const candidate = fc.record({
  familyName: awkward,
  givenName: awkward,
  familyKana: awkward,
  givenKana: awkward,
  sex: fc.constantFrom(1, 2, 3),
  language: fc.constantFrom(...LANGUAGES),
  needsHelp: fc.boolean(),
  elderly: fc.boolean(),
  home: fc.option(
    fc.record({
      lat: fc.double({ min: 35.99, max: 36.03, noNaN: true }),
      lon: fc.double({ min: 139.99, max: 140.03, noNaN: true }),
    }),
  ),
  zone: fc.constantFrom('z-1', 'z-"2"'),
  device: fc.integer({ min: 0, max: 7 }),
});

describe('AlertPlan.encode', () => {
  it("gives exactly the encoded message's bytes, for every TV of any plan", () => {
    fc.assert(
      fc.property(
        fc.array(candidate, { minLength: 1, maxLength: 25 }),
        fc.constantFrom<EvacuationLevel>(3, 4, 5),
        fc.constantFrom(...HAZARDS),
        fc.constantFrom('Actual', 'Exercise', 'Test' as const),
        fc.constantFrom('Alert', 'Update' as const),
        fc.constantFrom(undefined, 'go-to-shelter', 'stay-upstairs' as const),
        fc.dictionary(fc.constantFrom(...LANGUAGES), awkward),
        fc.integer({ min: 0, max: 3 }),
        fc.integer({ min: 0, max: 6 }),
        (people, level, hazard, status, msgType, template, extra, welfareCap, ordinaryCap) => {
          const cs: Candidate[] = people.map((p, i) => ({
            residentId: `R${String(i).padStart(3, '0')}`,
            familyName: p.familyName,
            givenName: p.givenName,
            familyKana: p.familyKana,
            givenKana: p.givenKana,
            sex: p.sex,
            language: p.language,
            needsHelp: p.needsHelp,
            elderly: p.elderly,
            lat: p.home?.lat ?? null,
            lon: p.home?.lon ?? null,
            zoneId: p.zone,
            deviceId: `tv-${p.device}`,
            deviceZoneId: p.device % 2 ? 'z-1' : 'z-"2"',
          }));
          const head: AlertHead = {
            alertId: 'A-"1"',
            revision: 2,
            msgType,
            status,
            level,
            hazard,
            sent: '2026-11-24T06:00:00.000Z',
            expires: '2026-11-24T09:00:00.000Z',
          };
          const spec: AlertSpec = {
            level,
            hazard,
            status,
            expires: head.expires,
            target: { zones: ['z-1'] },
            template,
            extra,
          };
          const plan = planAlert(
            head,
            spec,
            cs,
            new ShelterPool(shelters(welfareCap, ordinaryCap), new Map(), hazard),
            zones,
            new Map([['R000', { ref: 'kept-ref', shelterId: 'sh-1' }]]),
          );
          // in two chunks, the second written in a buffer sized from the first
          const half = Math.ceil(plan.devices.length / 2);
          for (const part of [plan.devices.slice(0, half), plan.devices.slice(half)]) {
            const { zoneIds, payloads } = plan.encode(part);
            part.forEach((d, k) => {
              const m = plan.message(d)!;
              expect(payloads[k]!.equals(Buffer.from(encodeMessage(m), 'utf8'))).toBe(true);
              expect(zoneIds[k]).toBe(m.zone.id);
            });
          }
          expect(() => plan.encode(['tv-none'])).toThrow(/tv-none/);
        },
      ),
      { numRuns: 400 },
    );
  });

  it('gives the same bytes when asked again (the kept parts are not changed by use)', () => {
    const c: Candidate = {
      residentId: 'R1',
      familyName: '山田',
      givenName: '花子',
      familyKana: 'ヤマダ',
      givenKana: 'ハナコ',
      sex: 2,
      language: 'ja',
      needsHelp: true,
      elderly: true,
      lat: 36.01,
      lon: 140.01,
      zoneId: 'z-1',
      deviceId: 'tv-1',
      deviceZoneId: 'z-1',
    };
    const head: AlertHead = {
      alertId: 'A1',
      revision: 1,
      msgType: 'Alert',
      status: 'Exercise',
      level: 4,
      hazard: 'flood',
      sent: '2026-11-24T06:00:00.000Z',
      expires: '2026-11-24T09:00:00.000Z',
    };
    const plan = planAlert(
      head,
      { level: 4, hazard: 'flood', status: 'Exercise', expires: head.expires, target: {} },
      [c, { ...c, residentId: 'R2', deviceId: 'tv-2' }],
      new ShelterPool(shelters(5, 5), new Map(), 'flood'),
      zones,
      new Map(),
    );
    const first = plan.encode(['tv-1']).payloads[0]!.toString('utf8');
    const [again, second] = plan.encode(['tv-1', 'tv-2']).payloads;
    expect(second!.toString('utf8')).toBe(encodeMessage(plan.message('tv-2')));
    expect(again!.toString('utf8')).toBe(first);
    expect(JSON.parse(first).recipients[0].instruction).toContain('福祉避難所');
  });
});
