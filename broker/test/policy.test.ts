import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { topics } from '@kizuna/contract';
import { filterCovers, isValidTopicFilter, policy, topicMatches, type BrokerIdentity } from '../src/index.ts';

const M = '999997';
const tv: BrokerIdentity = { kind: 'tv', muni: M, device: 'tv0001' };
const term: BrokerIdentity = { kind: 'terminal', muni: M, shelter: 'sh1', terminal: 't1' };
const muni: BrokerIdentity = { kind: 'municipality', muni: M };
const postbox: BrokerIdentity = { kind: 'postbox' };
const admin: BrokerIdentity = { kind: 'admin' };

describe('topic matching (MQTT 3.1.1 §4.7)', () => {
  it.each([
    ['kz/+/tv/+/alert', 'kz/1/tv/a/alert', true],
    ['kz/#', 'kz', true], // '#' includes the parent level [MQTT-4.7.1-2]
    ['kz/+', 'kz', false],
    ['#', '$SYS/x', false], // [MQTT-4.7.2-1]
    ['+/x', '$SYS/x', false],
    ['$SYS/#', '$SYS/x', true],
    ['kz/1/tv/a/alert', 'kz/1/tv/a/alert/extra', false],
  ])('%s matches %s: %s', (f, t, want) => expect(topicMatches(f, t)).toBe(want));

  it.each(['a/#/b', 'a/b#', 'a+/b', '', 'a/\u0000'])('refuses the malformed filter %j', (f) =>
    expect(isValidTopicFilter(f)).toBe(false),
  );

  it.each([
    ['kz/1/tv/a/+', 'kz/1/tv/a/alert', true],
    ['kz/1/tv/a/+', 'kz/1/tv/a/+', true],
    ['kz/1/tv/a/+', 'kz/1/tv/a/#', false],
    ['kz/1/tv/a/+', 'kz/1/tv/+/alert', false],
    ['kz/#', 'kz/1/#', true],
    ['#', '$SYS/#', false],
  ])('grant %s covers filter %s: %s', (g, f, want) => expect(filterCovers(g, f)).toBe(want));

  it('covers only filters whose every match the grant also matches (property)', () => {
    const level = fc.constantFrom('kz', '1', '2', 'tv', 'a', 'b', 'alert', '+', '$SYS');
    const filterArb = fc
      .tuple(fc.array(level, { minLength: 1, maxLength: 5 }), fc.boolean())
      .map(([ls, hash]) => [...ls, ...(hash ? ['#'] : [])].join('/'))
      .filter(isValidTopicFilter);
    const topicArb = fc
      .array(fc.constantFrom('kz', '1', '2', 'tv', 'a', 'b', 'alert', '$SYS', 'x'), { minLength: 1, maxLength: 6 })
      .map((l) => l.join('/'));
    fc.assert(
      fc.property(filterArb, filterArb, topicArb, (grant, filter, topic) => {
        if (filterCovers(grant, filter) && topicMatches(filter, topic)) expect(topicMatches(grant, topic)).toBe(true);
      }),
      { numRuns: 5000 },
    );
  });
});

describe('access policy, deny by default', () => {
  it("lets a TV read its own topics and its municipality's areas, publish only its receipt", () => {
    expect(policy.canSubscribe(tv, topics.tvOwn(M, 'tv0001'))).toBe(true);
    expect(policy.canSubscribe(tv, topics.tvAlert(M, 'tv0001'))).toBe(true);
    expect(policy.canSubscribe(tv, topics.areaAll(M))).toBe(true);
    expect(policy.canSubscribe(tv, topics.areaAlert(M, 'z1'))).toBe(true);
    expect(policy.canPublish(tv, topics.tvReceipt(M, 'tv0001'))).toBe(true);
    expect(policy.canReceive(tv, topics.tvMail(M, 'tv0001'))).toBe(true);
  });

  it.each([
    ["another TV's alerts", topics.tvAlert(M, 'tv0002')],
    ["another TV's own topics", topics.tvOwn(M, 'tv0002')],
    ['every TV (+)', `kz/${M}/tv/+/alert`],
    ['every TV (#)', `kz/${M}/tv/#`],
    ['everything', '#'],
    ['its own subtree with #', `kz/${M}/tv/tv0001/#`],
    ["another municipality's areas", topics.areaAll('131016')],
    ['$SYS', '$SYS/#'],
    ['a malformed filter', 'kz/+x/tv'],
  ])('refuses a TV subscribing to %s', (_what, filter) => expect(policy.canSubscribe(tv, filter)).toBe(false));

  it.each([
    ['a fake alert to itself', topics.tvAlert(M, 'tv0001')],
    ['a fake area alert', topics.areaAlert(M, 'z1')],
    ["another TV's receipt", topics.tvReceipt(M, 'tv0002')],
    ['a check-in', topics.shelterEvent(M, 'sh1', 't1')],
    ['$SYS', '$SYS/broker/x'],
    ['a wildcard', `kz/${M}/tv/+/receipt`],
  ])('refuses a TV publishing %s', (_what, topic) => expect(policy.canPublish(tv, topic)).toBe(false));

  it("lets a terminal publish only its own check-ins and read its shelter's", () => {
    expect(policy.canPublish(term, topics.shelterEvent(M, 'sh1', 't1'))).toBe(true);
    expect(policy.canPublish(term, topics.shelterEvent(M, 'sh1', 't2'))).toBe(false);
    expect(policy.canPublish(term, topics.shelterEvent(M, 'sh2', 't1'))).toBe(false);
    expect(policy.canSubscribe(term, topics.shelterEventsAt(M, 'sh1'))).toBe(true);
    expect(policy.canSubscribe(term, topics.allShelterEvents(M))).toBe(false);
    expect(policy.canSubscribe(term, topics.areaAll(M))).toBe(false);
  });

  it('keeps the municipality inside its own municipality', () => {
    expect(policy.canPublish(muni, topics.tvAlert(M, 'tv0001'))).toBe(true);
    expect(policy.canPublish(muni, topics.areaAlert(M, 'z1'))).toBe(true);
    expect(policy.canPublish(muni, topics.tvAlert('131016', 'tv0001'))).toBe(false);
    expect(policy.canPublish(muni, topics.tvMail(M, 'tv0001'))).toBe(false);
    expect(policy.canPublish(muni, topics.tvReceipt(M, 'tv0001'))).toBe(false);
    expect(policy.canSubscribe(muni, topics.allReceipts(M))).toBe(true);
    expect(policy.canSubscribe(muni, topics.allShelterEvents(M))).toBe(true);
    expect(policy.canSubscribe(muni, topics.allReceipts('131016'))).toBe(false);
    expect(policy.canSubscribe(muni, topics.tvAlert(M, 'tv0001'))).toBe(false);
  });

  it('lets the post-box publish only mail notices, in any municipality', () => {
    expect(policy.canPublish(postbox, topics.tvMail(M, 'tv0001'))).toBe(true);
    expect(policy.canPublish(postbox, topics.tvMail('131016', 'x'))).toBe(true);
    expect(policy.canPublish(postbox, topics.tvAlert(M, 'tv0001'))).toBe(false);
    expect(policy.canSubscribe(postbox, topics.allReceipts(M))).toBe(false);
  });

  it('lets the admin read $SYS but nobody publish there', () => {
    expect(policy.canSubscribe(admin, '$SYS/#')).toBe(true);
    expect(policy.canSubscribe(admin, '#')).toBe(false);
    expect(policy.canPublish(admin, '$SYS/broker/x')).toBe(false);
    expect(policy.canPublish(admin, topics.tvAlert(M, 'x'))).toBe(true);
  });
});

describe("no device ever receives another device's topic (property)", () => {
  const id = fc.constantFrom('tv0001', 'tv0002', 'a', 'a-b', 'b', 'sh1', 't1');
  const muniArb = fc.constantFrom(M, '131016');
  const identityArb: fc.Arbitrary<BrokerIdentity> = fc.oneof(
    fc.record({ kind: fc.constant('tv' as const), muni: muniArb, device: id }),
    fc.record({ kind: fc.constant('terminal' as const), muni: muniArb, shelter: id, terminal: id }),
    fc.record({ kind: fc.constant('municipality' as const), muni: muniArb }),
    fc.constant({ kind: 'postbox' as const }),
  );
  const levelArb = fc.oneof(
    fc.constantFrom(
      'kz',
      M,
      '131016',
      'tv',
      'area',
      'shelter',
      'terminal',
      'alert',
      'receipt',
      'mail',
      'event',
      '+',
      '$SYS',
    ),
    id,
  );
  const randomFilterArb = fc
    .tuple(fc.array(levelArb, { minLength: 1, maxLength: 7 }), fc.boolean())
    .map(([ls, hash]) => [...ls, ...(hash ? ['#'] : [])].join('/'));
  const topicArb: fc.Arbitrary<string> = fc.oneof(
    fc.tuple(muniArb, id).map(([m, d]) => topics.tvAlert(m, d)),
    fc.tuple(muniArb, id).map(([m, d]) => topics.tvMail(m, d)),
    fc.tuple(muniArb, id).map(([m, d]) => topics.tvReceipt(m, d)),
    fc.tuple(muniArb, id).map(([m, z]) => topics.areaAlert(m, z)),
    fc.tuple(muniArb, id, id).map(([m, s, t]) => topics.shelterEvent(m, s, t)),
  );

  // Real topics with some levels widened to '+' or cut off by '#': the filters an attacker would try.
  const widen = (t: string, plus: boolean[], cut: number) => {
    const ls = t.split('/').map((l, i) => (plus[i] ? '+' : l));
    return cut > 0 && cut < ls.length ? [...ls.slice(0, cut), '#'].join('/') : ls.join('/');
  };
  const widenedArb = fc
    .tuple(topicArb, fc.array(fc.boolean(), { minLength: 7, maxLength: 7 }), fc.nat(7))
    .map(([t, p, c]) => widen(t, p, c));
  const filterArb = fc.oneof(randomFilterArb, widenedArb, topicArb);
  /** A filter and a topic, half of the time the topic one the filter was widened from (so it matches). */
  const filterTopicArb: fc.Arbitrary<[string, string]> = fc.oneof(
    fc.tuple(filterArb, topicArb),
    fc
      .tuple(topicArb, fc.array(fc.boolean(), { minLength: 7, maxLength: 7 }), fc.nat(7))
      .map(([t, p, c]): [string, string] => [widen(t, p, c), t]),
  );

  /** Who a topic is private to, if anyone. */
  function ownerOk(who: BrokerIdentity, topic: string): boolean {
    const p = topic.split('/');
    if (p[2] === 'tv') {
      if (who.kind === 'tv') return p[1] === who.muni && p[3] === who.device;
      if (who.kind === 'municipality') return p[1] === who.muni && p[4] === 'receipt';
      return false;
    }
    if (p[2] === 'area') return who.kind === 'tv' && p[1] === who.muni;
    if (who.kind === 'terminal') return p[1] === who.muni && p[3] === who.shelter;
    return who.kind === 'municipality' && p[1] === who.muni;
  }

  it('whatever filter it subscribes to, a subscriber only receives what is its own', () => {
    let deliveries = 0;
    fc.assert(
      fc.property(identityArb, filterTopicArb, (who, [filter, topic]) => {
        const delivered =
          policy.canSubscribe(who, filter) && topicMatches(filter, topic) && policy.canReceive(who, topic);
        if (delivered) {
          deliveries++;
          expect(ownerOk(who, topic)).toBe(true);
        }
      }),
      { numRuns: 20_000 },
    );
    expect(deliveries).toBeGreaterThan(10); // the generator does reach allowed deliveries
  });

  it('an allowed subscription never reaches beyond what canReceive allows (subscribe ⇒ receive)', () => {
    fc.assert(
      fc.property(identityArb, filterTopicArb, (who, [filter, topic]) => {
        if (policy.canSubscribe(who, filter) && topicMatches(filter, topic))
          expect(policy.canReceive(who, topic)).toBe(true);
      }),
      { numRuns: 20_000 },
    );
  });

  it('no device publishes where another device listens, except through its own sender role', () => {
    fc.assert(
      fc.property(identityArb, topicArb, (who, topic) => {
        if (!policy.canPublish(who, topic)) return;
        const p = topic.split('/');
        if (who.kind === 'tv') expect(topic).toBe(topics.tvReceipt(who.muni, who.device));
        if (who.kind === 'terminal') expect(topic).toBe(topics.shelterEvent(who.muni, who.shelter, who.terminal));
        if (who.kind === 'municipality') expect(p[1] === who.muni && p[4] === 'alert').toBe(true);
        if (who.kind === 'postbox') expect(p[4]).toBe('mail');
      }),
      { numRuns: 5_000 },
    );
  });
});

describe('retain, QoS and will in the policy', () => {
  const receipt = topics.tvReceipt(M, 'tv0001');
  it('refuses a retained PUBLISH or will from a device, and QoS above 1', () => {
    expect(policy.publishRefusal(tv, { topic: receipt, qos: 1, retain: false })).toBeNull();
    expect(policy.publishRefusal(tv, { topic: receipt, qos: 1, retain: true })).toBe('retain');
    expect(policy.publishRefusal(tv, { topic: receipt, qos: 2, retain: false })).toBe('qos');
    expect(policy.publishRefusal(tv, { topic: topics.tvAlert(M, 'tv0002'), qos: 0, retain: false })).toBe('topic');
    const event = topics.shelterEvent(M, 'sh1', 't1');
    expect(policy.publishRefusal(term, { topic: event, qos: 1, retain: true })).toBe('retain');
    expect(policy.maxQos(tv)).toBe(1);
    expect(policy.maxQos(term)).toBe(1);
  });
  it("lets the municipality retain its area alerts (the console's only retained messages)", () => {
    expect(policy.publishRefusal(muni, { topic: topics.areaAlert(M, 'z1'), qos: 1, retain: true })).toBeNull();
    expect(policy.maxQos(muni)).toBe(2);
    expect(policy.publishRefusal(postbox, { topic: topics.tvReceipt(M, 'tv0001'), qos: 1, retain: false })).toBe(
      'topic',
    );
  });
});
