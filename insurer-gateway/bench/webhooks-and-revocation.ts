/**
 * Issue #23's figures, each with its baseline from the same run (gateway on PGlite in memory):
 *
 *   npx tsx insurer-gateway/bench/webhooks-and-revocation.ts [events=100] [revocations=30] [enrolments=100000]
 *
 * 1. Webhook throughput: 10 insurers × `events` events each, delivered to real HTTP receivers on
 *    loopback; once all ten healthy (baseline), once with one receiver that never answers (5 s
 *    timeout per attempt). Figure: time until the nine healthy insurers have all their events.
 * 2. Revocation → insurer webhook: `revocations` cards revoked one by one at the authority (served
 *    over HTTP), time until the insurer's receiver has `certificate.revoked`: through the change
 *    feed, and (baseline) by the periodic re-check alone at a 10 s interval (its latency grows with
 *    the interval: about half of it plus the tick on average).
 * 3. The periodic re-check at `enrolments` enrolments: one full pass of the watcher's own work
 *    (database) with a status source that answers at once, next to the cost of a real status
 *    check (jpki verifier, signed OCSP answer with a nonce from the in-process authority) per
 *    certificate measured on the cards of part 2. A pass costs about their sum.
 */
import { createServer, type Server } from 'node:http';
import { loadavg } from 'node:os';
import { createLogger, openDb } from '@kizuna/core';
import { createAuthority, createVerifier, startAuthorityServer } from '@kizuna/jpki';
import { buildGatewayApp, type GatewayApp } from '../src/app.ts';
import { createInsurer } from '../src/insurers.ts';
import { emitEvent } from '../src/events.ts';
import { createWatchSource } from '../src/watch-source.ts';
import { authorityLinks } from '../src/jpki-adapters.ts';
import { httpRevocationFeed } from '../src/watch-feed.ts';
import type { StatusSource } from '../src/ports.ts';

const [EVENTS = 100, REVOCATIONS = 30, ENROLMENTS = 100_000] = process.argv.slice(2).map(Number);
const logger = createLogger({ name: 'bench', level: 'silent' });
const load = () => loadavg()[0]!.toFixed(1);
const pct = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;
const sleep = (ms: number) => new Promise((ok) => setTimeout(ok, ms));

/** A receiver counting deliveries by event type and policy; `hang` never answers. */
async function receiver(hang: boolean, onEvent?: (e: { type: string; data: Record<string, string> }) => void) {
  let count = 0;
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      if (hang) return;
      count += 1;
      onEvent?.(JSON.parse(body));
      res.statusCode = 204;
      res.end();
    });
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', () => ok()));
  return {
    url: `http://127.0.0.1:${(server.address() as { port: number }).port}/hook`,
    count: () => count,
    close: () => new Promise<void>((ok) => (server.closeAllConnections(), server.close(() => ok()))),
  };
}

type Db = Awaited<ReturnType<typeof openDb>>;
type Extra = Partial<Parameters<typeof buildGatewayApp>[0]>;

/** A gateway on a fresh in-memory PGlite; `extra` may depend on its database. */
async function gatewayWithDb(extra: Extra | ((db: Db) => Extra) = {}): Promise<{ app: GatewayApp; db: Db }> {
  const db = await openDb({ dataDir: 'memory' });
  const more = typeof extra === 'function' ? extra(db) : extra;
  const app = await buildGatewayApp({ db, logger, webhookAllowPrivate: ['127.0.0.0/8'], ...more });
  app.addHook('onClose', () => db.close());
  return { app, db };
}

async function webhookThroughput(withHanging: boolean): Promise<number> {
  const { app, db } = await gatewayWithDb();
  const receivers = await Promise.all(Array.from({ length: 10 }, (_, i) => receiver(withHanging && i === 0)));
  for (const [i, rx] of receivers.entries()) {
    const ins = await createInsurer(db, { id: `ins-${i}`, name: `保険${i}`, webhookUrl: rx.url });
    await db.tx(async (q) => {
      for (let n = 0; n < EVENTS; n++)
        await emitEvent(q, ins.insurerId, 'notice.read', { code: 'ph_x', notice: `n${n}` }, new Date());
    });
  }
  const healthy = receivers.slice(1);
  const t0 = performance.now();
  app.gateway.webhooks.start(100);
  while (healthy.some((r) => r.count() < EVENTS)) await sleep(20);
  const ms = performance.now() - t0;
  await app.close();
  await Promise.all(receivers.map((r) => r.close()));
  return ms;
}

/** Enrols `serials` directly (one post-box and policy each) for insurer `ins-1`. */
async function seedEnrolments(db: Db, serials: string[] | number) {
  await createInsurer(db, { id: 'ins-1', name: '保険' });
  const list = typeof serials === 'number' ? null : serials;
  const n = list ? list.length : (serials as number);
  await db.query(
    `WITH s AS (SELECT g, COALESCE(($2::text[])[g], lpad(to_hex(g), 32, '0')) AS serial FROM generate_series(1, $1) g),
     p AS (INSERT INTO gw_postboxes (id, created_at) SELECT 'pb_' || g, now() FROM s RETURNING id),
     c AS (INSERT INTO gw_insurer_codes (insurer_id, postbox_id, code, created_at) SELECT 'ins-1', 'pb_' || g, 'ph_' || g, now() FROM s RETURNING code)
     INSERT INTO gw_enrolments (id, insurer_id, postbox_id, policy, sign_serial, consent_cms, consent_sha256, created_at)
     SELECT 'en_' || g, 'ins-1', 'pb_' || g, 'POL-' || g, serial, '\\x00'::bytea, 'sha-' || g, now() FROM s`,
    [n, list ?? []],
  );
}

async function revocationLatency(feed: boolean, authorityUrl: string, ca: Awaited<ReturnType<typeof createAuthority>>) {
  const verifier = createVerifier({ trustAnchors: ca.trustAnchors(), status: ca.statusSource() });
  const cards = [];
  for (let i = 0; i < REVOCATIONS; i++) cards.push(await ca.issueCard(PERSON, SECRETS, { label: `bench ${i}` }));
  const revokedAt = new Map<string, number>();
  const latencies: number[] = [];
  const rx = await receiver(false, (e) => {
    if (e.type === 'certificate.revoked') latencies.push(performance.now() - revokedAt.get(e.data.policy!)!);
  });
  const { app, db } = await gatewayWithDb((d) => ({
    status: createWatchSource({ db: d, verifier, links: authorityLinks(ca) }),
    watchIntervalS: feed ? 3600 : 10,
    revocationFeed: feed ? httpRevocationFeed(authorityUrl, 25) : undefined,
  }));
  await seedEnrolments(
    db,
    cards.map((c) => c.signSerial.toLowerCase()),
  );
  await db.query('UPDATE gw_insurers SET webhook_url = $1', [rx.url]);
  await db.query('UPDATE gw_enrolments SET checked_at = now()');
  app.gateway.webhooks.start(2000); // the default tick: the watcher kicks it on news
  app.gateway.watcher!.start(feed ? 60_000 : 1250);
  app.gateway.feed?.start();
  await sleep(1000);
  for (const [i, c] of cards.entries()) {
    revokedAt.set(`POL-${i + 1}`, performance.now());
    ca.revoke(c.signSerial, 'died');
    await sleep(feed ? 300 : 700);
  }
  const deadline = Date.now() + 60_000;
  while (latencies.length < cards.length && Date.now() < deadline) await sleep(50);
  await app.close();
  await rx.close();
  return { latencies, cards, verifier };
}

const PERSON = { name: '試験　太郎', address: '絆市1丁目1番1号', birthDate: '1950-01-01', sex: 1 as const };
const SECRETS = { authPin: '1234', signPassword: 'BENCH1234' };

console.log(`load at start ${load()}; events/insurer ${EVENTS}, revocations ${REVOCATIONS}, enrolments ${ENROLMENTS}`);

// 1. webhooks
{
  await webhookThroughput(false); // warm-up, not counted
  const healthy = await webhookThroughput(false);
  const hanging = await webhookThroughput(true);
  const n = 9 * EVENTS;
  console.log(
    `webhooks: 9 healthy insurers × ${EVENTS} events: all 10 healthy ${healthy.toFixed(0)} ms (${((n / healthy) * 1000).toFixed(0)}/s); ` +
      `one of 10 hanging ${hanging.toFixed(0)} ms (${((n / hanging) * 1000).toFixed(0)}/s) — ${(hanging / healthy).toFixed(2)}× (load ${load()})`,
  );
}

// 2. revocation → webhook
const ca = await createAuthority({});
const server = await startAuthorityServer({ authority: ca, port: 0, logger });
const viaFeed = await revocationLatency(true, server.url, ca);
const viaPeriodic = await revocationLatency(false, server.url, ca);
for (const [name, r] of [
  ['change feed', viaFeed],
  ['periodic 10 s (baseline)', viaPeriodic],
] as const)
  console.log(
    `revocation → webhook, ${name}: ${r.latencies.length}/${r.cards.length} delivered, p50 ${pct(r.latencies, 50).toFixed(0)} ms, p99 ${pct(r.latencies, 99).toFixed(0)} ms, max ${Math.max(...r.latencies).toFixed(0)} ms (load ${load()})`,
  );
console.log(`  ratio p50 feed / periodic: ${(pct(viaFeed.latencies, 50) / pct(viaPeriodic.latencies, 50)).toFixed(3)}`);

// 3. the re-check at scale
{
  const good: StatusSource = { status: async () => ({ status: 'good' }) };
  const { app, db } = await gatewayWithDb({ status: good });
  let t0 = performance.now();
  await seedEnrolments(db, ENROLMENTS);
  const seedMs = performance.now() - t0;
  const cpu0 = process.cpuUsage();
  t0 = performance.now();
  const res = await app.gateway.watcher!.runOnce(true);
  const passMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  await app.close();
  // the real check per certificate: jpki verifier + signed OCSP answer (nonce) from the authority
  const { app: app2, db: db2 } = await gatewayWithDb();
  const serials = viaFeed.cards.map((c) => c.signSerial.toLowerCase());
  const src = createWatchSource({ db: db2, verifier: viaFeed.verifier, links: authorityLinks(ca) });
  t0 = performance.now();
  for (const s of serials) await src.status(s);
  const perCheck = (performance.now() - t0) / serials.length;
  await app2.close();
  console.log(
    `re-check pass over ${res.checked} enrolments (seeded in ${seedMs.toFixed(0)} ms): watcher's own work ${(passMs / 1000).toFixed(1)} s ` +
      `(${((cpu.user + cpu.system) / 1e6).toFixed(1)} s CPU, ${((passMs * 1000) / res.checked).toFixed(0)} µs per enrolment); ` +
      `real status check ${perCheck.toFixed(1)} ms per certificate (baseline, ${serials.length} certificates) → ` +
      `about ${((passMs + perCheck * res.checked) / 1000).toFixed(0)} s per pass (load ${load()})`,
  );
}
await server.close();
