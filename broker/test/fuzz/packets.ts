/**
 * fast-check arbitraries for MQTT 3.1.1 traffic aimed at the embedded broker (issue 21, fuzzing):
 * well-formed packets encoded by mqtt-packet (the parser aedes itself uses), the same packets
 * mutated (truncated, an impossible remaining length, wrong fixed-header flags, invalid UTF-8 in a
 * topic, a huge announced length, random bytes), and whole sessions: a CONNECT (the fuzzing TV's
 * real credentials, or a wrong password, another device's id, a will, another protocol level, or
 * none at all) followed by what a stolen TV password could send.
 */
import fc from 'fast-check';
import mqttPacket, { type Packet } from 'mqtt-packet';
import { topics } from '@kizuna/contract';
import { varint } from '../raw-mqtt.ts';

/** Who the fuzzer talks about: its own TV, a victim TV beside it, another municipality. */
export interface FuzzCast {
  muni: string;
  otherMuni: string;
  /** The fuzzing TV's device id and credentials (username = client id). */
  device: string;
  username: string;
  password: string;
  /** Another TV of the same municipality, whose topics the fuzzer must never reach. */
  victimDevice: string;
  victimUsername: string;
}

/** One write on the socket, with what it was meant to be (for reports and shrinking). */
export interface Chunk {
  what: string;
  bytes: Buffer;
}

/** A fuzz case: the chunks are written in order, pipelined, on one fresh connection. */
export interface FuzzSession {
  chunks: Chunk[];
  /** Over the WebSocket listener (each chunk one binary frame) instead of TCP. */
  websocket: boolean;
}

const encode = (what: string, p: Packet, fallback: () => Buffer): Chunk => {
  try {
    return { what, bytes: mqttPacket.generate(p) };
  } catch {
    // mqtt-packet refuses to encode some invalid packets (empty SUBSCRIBE, …): send them by hand.
    return { what: `${what} (by hand)`, bytes: fallback() };
  }
};

const messageId = fc.integer({ min: 0, max: 65_535 });
const qos = fc.constantFrom(0 as const, 1 as const, 2 as const);

/** Topic names and filters a stolen TV password would try, and some no scheme allows. */
export function topicPool(c: FuzzCast): fc.Arbitrary<string> {
  const own = topics.tvOwn(c.muni, c.device);
  const named = [
    topics.tvReceipt(c.muni, c.device),
    topics.tvAlert(c.muni, c.device),
    own,
    own.replace(/\+$/, '#'),
    topics.areaAll(c.muni),
    topics.areaAll(c.otherMuni),
    topics.tvReceipt(c.muni, c.victimDevice),
    topics.tvAlert(c.muni, c.victimDevice),
    topics.tvOwn(c.muni, c.victimDevice),
    topics.allTvAlerts(c.muni),
    topics.allReceipts(c.muni),
    topics.allTvMail(),
    '#',
    '+/#',
    '+',
    'kz/#',
    `kz/${c.muni}/#`,
    `kz/${c.muni}/tv/+/+`,
    `kz/+/tv/${c.device}/alert`,
    '$SYS/#',
    '$SYS/broker/clients/connected',
    '$share/g/#',
    '',
    '/',
    'kz//',
    'a+b/c',
    '#/a',
    `kz/${c.muni}/tv/${c.device}/alert\u0000`,
  ];
  return fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom(...named) },
    { weight: 1, arbitrary: fc.string({ maxLength: 40 }) },
    { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 20 }) },
  );
}

const payload = fc.oneof(
  { weight: 8, arbitrary: fc.uint8Array({ maxLength: 64 }) },
  // above the device limit (8 KB by default): the broker must close, not buffer
  { weight: 1, arbitrary: fc.integer({ min: 1_000, max: 20_000 }).map((n) => new Uint8Array(n).fill(0x61)) },
);

/** A well-formed packet a client may send after CONNECT (and some it may not: CONNACK, SUBACK, …). */
export function validPacket(c: FuzzCast): fc.Arbitrary<Chunk> {
  const topic = topicPool(c);
  const publish = fc
    .record({ topic, payload, qos, retain: fc.boolean(), dup: fc.boolean(), messageId })
    .map((p) =>
      encode(
        `PUBLISH ${JSON.stringify(p.topic)} q${p.qos}${p.retain ? ' retain' : ''}`,
        { cmd: 'publish', ...p, payload: Buffer.from(p.payload) },
        () => Buffer.from([0x30, 0]),
      ),
    );
  const subscribe = fc
    .record({ messageId, subscriptions: fc.array(fc.record({ topic, qos }), { maxLength: 4 }) })
    .map((p) =>
      encode(`SUBSCRIBE ${JSON.stringify(p.subscriptions.map((s) => s.topic))}`, { cmd: 'subscribe', ...p }, () =>
        Buffer.from([0x82, 2, p.messageId >> 8, p.messageId & 0xff]),
      ),
    );
  const unsubscribe = fc
    .record({ messageId, unsubscriptions: fc.array(topic, { maxLength: 3 }) })
    .map((p) =>
      encode(`UNSUBSCRIBE ${JSON.stringify(p.unsubscriptions)}`, { cmd: 'unsubscribe', ...p }, () =>
        Buffer.from([0xa2, 2, p.messageId >> 8, p.messageId & 0xff]),
      ),
    );
  const ack = fc
    .record({
      cmd: fc.constantFrom('puback' as const, 'pubrec' as const, 'pubrel' as const, 'pubcomp' as const),
      messageId,
    })
    .map((p) => encode(`${p.cmd.toUpperCase()} ${p.messageId}`, p, () => Buffer.alloc(0)));
  const bare = fc
    .constantFrom<Packet>(
      { cmd: 'pingreq' },
      { cmd: 'disconnect' },
      { cmd: 'pingresp' },
      { cmd: 'connack', returnCode: 0, sessionPresent: false },
      { cmd: 'suback', messageId: 1, granted: [0] },
      { cmd: 'unsuback', messageId: 1, granted: [] },
    )
    .map((p) => encode(p.cmd.toUpperCase(), p, () => Buffer.alloc(0)));
  return fc.oneof(
    { weight: 5, arbitrary: publish },
    { weight: 5, arbitrary: subscribe },
    { weight: 2, arbitrary: unsubscribe },
    { weight: 2, arbitrary: ack },
    { weight: 2, arbitrary: bare },
    { weight: 1, arbitrary: connectPacket(c) },
  );
}

/** The CONNECT a session starts with: mostly the fuzzing TV's own, sometimes one the broker must refuse. */
export function connectPacket(c: FuzzCast): fc.Arbitrary<Chunk> {
  const own = {
    label: 'own credentials',
    clientId: c.username,
    username: c.username as string | undefined,
    password: c.password,
  };
  const login = fc.oneof(
    { weight: 12, arbitrary: fc.constant(own) },
    fc.constantFrom(
      { ...own, label: 'wrong password', password: `${c.password}x` },
      { ...own, label: "the victim's client id", clientId: c.victimUsername },
      { ...own, label: "the victim's name", clientId: c.victimUsername, username: c.victimUsername },
      { ...own, label: 'no username', username: undefined },
      { ...own, label: 'empty client id', clientId: '' },
    ),
  );
  const will = fc.oneof(
    { weight: 3, arbitrary: fc.constant(undefined) },
    fc.record({ topic: topicPool(c), payload: fc.uint8Array({ maxLength: 32 }), qos, retain: fc.boolean() }),
  );
  return fc
    .record({
      login,
      will,
      clean: fc.boolean(),
      keepalive: fc.oneof(fc.constant(60), fc.integer({ min: 0, max: 65_535 })),
      version: fc.oneof({ weight: 10, arbitrary: fc.constant(4 as const) }, fc.constantFrom(3 as const, 5 as const)),
    })
    .map(({ login, will, clean, keepalive, version }) =>
      encode(
        `CONNECT ${login.label}${will ? ` will ${JSON.stringify(will.topic)} q${will.qos}${will.retain ? ' retain' : ''}` : ''} v${version}`,
        {
          cmd: 'connect',
          protocolId: version === 3 ? 'MQIsdp' : 'MQTT',
          protocolVersion: version,
          clientId: login.clientId,
          clean,
          keepalive,
          ...(login.username !== undefined ? { username: login.username, password: Buffer.from(login.password) } : {}),
          ...(will ? { will: { ...will, payload: Buffer.from(will.payload) } } : {}),
        },
        () => Buffer.from([0x10, 0]),
      ),
    );
}

/** Replaces some bytes of a topic (or any string field) with sequences that are not UTF-8. */
const NOT_UTF8 = [[0xff], [0xc3, 0x28], [0xed, 0xa0, 0x80], [0xe2, 0x82], [0xf8, 0x88, 0x80, 0x80, 0x80], [0x00]];

/** A packet made wrong in one of the ways a parser has to survive. */
export function mutatedPacket(c: FuzzCast): fc.Arbitrary<Chunk> {
  const base = validPacket(c);
  const truncated = fc
    .tuple(base, fc.nat())
    .filter(([b]) => b.bytes.length > 1)
    .map(([b, n]) => ({ what: `truncated ${b.what}`, bytes: b.bytes.subarray(0, n % b.bytes.length) }));
  // A remaining length of five bytes (the longest allowed is four) [MQTT-2.2.3].
  const badLength = base.map((b) => ({
    what: `bad remaining length ${b.what}`,
    bytes: Buffer.concat([b.bytes.subarray(0, 1), Buffer.from([0xff, 0xff, 0xff, 0xff, 0x7f]), b.bytes.subarray(2)]),
  }));
  // Reserved flag bits of the fixed header set or cleared (SUBSCRIBE without 0b0010, PUBLISH QoS 3, …).
  const badFlags = fc.tuple(base, fc.integer({ min: 1, max: 15 })).map(([b, x]) => {
    const bytes = Buffer.from(b.bytes);
    bytes[0] = bytes[0]! ^ x;
    return { what: `flags ^${x} ${b.what}`, bytes };
  });
  const badUtf8 = fc
    .record({
      kind: fc.constantFrom('publish', 'subscribe', 'connect-id'),
      n: fc.integer({ min: 1, max: 20 }),
      bad: fc.constantFrom(...NOT_UTF8),
      at: fc.nat(),
    })
    .map(({ kind, n, bad, at }) => {
      const marker = 'Z'.repeat(n);
      const packet: Packet =
        kind === 'publish'
          ? { cmd: 'publish', topic: marker, payload: Buffer.from('x'), qos: 0, retain: false, dup: false }
          : kind === 'subscribe'
            ? { cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: marker, qos: 1 }] }
            : {
                cmd: 'connect',
                protocolId: 'MQTT',
                protocolVersion: 4,
                clientId: marker,
                clean: true,
                keepalive: 60,
                username: c.username,
                password: Buffer.from(c.password),
              };
      const bytes = Buffer.from(mqttPacket.generate(packet));
      const start = bytes.indexOf(marker);
      const pos = start + (at % Math.max(1, n - bad.length + 1));
      for (let i = 0; i < bad.length && pos + i < start + n; i++) bytes[pos + i] = bad[i]!;
      return { what: `not UTF-8 ${Buffer.from(bad).toString('hex')} in ${kind}`, bytes };
    });
  // A fixed header announcing up to 256 MB, then a little of it: nothing may be buffered for it.
  const hugeLength = fc
    .record({
      type: fc.integer({ min: 0, max: 15 }),
      flags: fc.integer({ min: 0, max: 15 }),
      length: fc.integer({ min: 8_193, max: 268_435_455 }),
      tail: fc.uint8Array({ maxLength: 256 }),
    })
    .map(({ type, flags, length, tail }) => ({
      what: `type ${type} announcing ${length} bytes`,
      bytes: Buffer.concat([Buffer.from([(type << 4) | flags]), varint(length), Buffer.from(tail)]),
    }));
  const random = fc
    .uint8Array({ minLength: 1, maxLength: 64 })
    .map((b) => ({ what: 'random bytes', bytes: Buffer.from(b) }));
  return fc.oneof(truncated, badLength, badFlags, badUtf8, hugeLength, random);
}

/** What follows the CONNECT: mostly well-formed, sometimes not. */
export function anyPacket(c: FuzzCast): fc.Arbitrary<Chunk> {
  return fc.oneof({ weight: 4, arbitrary: validPacket(c) }, { weight: 1, arbitrary: mutatedPacket(c) });
}

/**
 * Packets the broker answers without closing the connection (SUBSCRIBE, UNSUBSCRIBE, PINGREQ,
 * stray acks): a session of only these stays logged in, so the canaries test what it subscribed to.
 */
export function probePacket(c: FuzzCast): fc.Arbitrary<Chunk> {
  return validPacket(c).filter((p) => /^(SUBSCRIBE|UNSUBSCRIBE|PINGREQ|PUBACK|PUBCOMP)/.test(p.what));
}

/**
 * A whole session: a CONNECT (or, now and then, garbage or nothing) and up to `maxPackets`
 * packets; one session in three logs in with the fuzzing TV's own credentials and only probes.
 */
export function fuzzSession(c: FuzzCast, maxPackets = 8): fc.Arbitrary<FuzzSession> {
  const head = fc.oneof(
    { weight: 6, arbitrary: connectPacket(c).map((p) => [p]) },
    { weight: 1, arbitrary: mutatedPacket(c).map((p) => [p]) },
    { weight: 1, arbitrary: fc.constant([] as Chunk[]) },
  );
  const anything = fc
    .tuple(head, fc.array(anyPacket(c), { maxLength: maxPackets }))
    .map(([h, rest]) => ({ chunks: [...h, ...rest] }));
  const login: Chunk = {
    what: 'CONNECT own credentials',
    bytes: mqttPacket.generate({
      cmd: 'connect',
      protocolId: 'MQTT',
      protocolVersion: 4,
      clientId: c.username,
      clean: true,
      keepalive: 60,
      username: c.username,
      password: Buffer.from(c.password),
    }),
  };
  const probe = fc
    .array(probePacket(c), { minLength: 1, maxLength: maxPackets })
    .map((rest) => ({ chunks: [login, ...rest] }));
  return fc
    .tuple(
      fc.oneof({ weight: 2, arbitrary: anything }, { weight: 1, arbitrary: probe }),
      fc.oneof({ weight: 3, arbitrary: fc.constant(false) }, fc.constant(true)),
    )
    .map(([session, websocket]) => ({ ...session, websocket }));
}
