/**
 * Signed life-status reports accepted per second through the whole HTTP path (JSON parse, session,
 * CMS verification with revocation, notice checks, store, signed receipt) with many concurrent
 * clients over a real socket, next to the raw jpki verification rate measured in the same run.
 *
 *   npx tsx insurer-gateway/bench/reports.ts [reports=2000] [clients=64] [statusCacheMs=0,60000] [batch=128] [workers=1]
 *
 * Runs on PGlite, and on PostgreSQL too when KZ_TEST_DATABASE_URL is set (a fresh database).
 * Two revocation modes: statusCacheMs=0 asks the OCSP responder for every report (in-process
 * authority, real signed responses); 60000 reuses a signed "good" answer for up to 60 s. Each
 * request carries a nonce (the responder signs an answer for it) unless the mode is written with
 * ":no-nonce" (e.g. "0,0:no-nonce"): the verifier then sends none (KZ_GATEWAY_OCSP_NONCE=false)
 * and the responder serves its pre-produced answer (RFC 5019), still asked at every report.
 * batch: the most reports one group-commit write stores (1 = each report alone; "1,128" runs both).
 * workers: gateway processes serving the same port (node:cluster) on the same PostgreSQL ("1,2"
 * runs both); with more than one, each worker is a gateway as `src/server.ts` runs it, asking the
 * authority's OCSP responder over HTTP (served by the bench process), and PGlite is skipped (one
 * process owns a PGlite database). 1 = the gateway in the bench process with the in-process responder.
 * The HTTP clients run in a child process, so the gateway's event loop has a core of its own
 * (the machine's other core is shared with the clients and whatever else is running).
 * Each row also gives the CPU time per accepted report of the gateway, the clients, the
 * PostgreSQL server and the whole machine (from /proc), to tell where the time goes.
 */
import { fork } from 'node:child_process';
import cluster, { type Worker } from 'node:cluster';
import { Agent, request } from 'node:http';
import { readdirSync, readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';

interface Job {
  token: string;
  body: string;
}
interface ClientResult {
  accepted: number;
  statuses: Record<string, number>;
  secs: number;
  p50: number;
  p99: number;
  cpuMs: number;
}

/** CPU time (ms) of every process whose command name is `comm` (the PostgreSQL server and its backends), from /proc. */
function cpuMsOf(comm: string): number {
  let ticks = 0;
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const close = stat.lastIndexOf(')');
      if (stat.slice(stat.indexOf('(') + 1, close) !== comm) continue;
      const f = stat.slice(close + 2).split(' ');
      ticks += Number(f[11]) + Number(f[12]); // utime, stime (fields 14, 15)
    } catch {
      /* gone meanwhile */
    }
  }
  return ticks * 10; // USER_HZ 100
}
/** Busy and total CPU time of the whole machine (ms, all cores), from /proc/stat. */
function machineMs(): { busy: number; total: number } {
  const f = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  const total = f.reduce((a, b) => a + b, 0);
  return { busy: (total - f[3]! - (f[4] ?? 0)) * 10, total: total * 10 };
}

/** The client process: posts every job with `clients` concurrent keep-alive connections. */
async function clientMain(): Promise<void> {
  process.once('message', async (msg: { url: string; clients: number; jobs: Job[] }) => {
    const agent = new Agent({ keepAlive: true, maxSockets: msg.clients });
    const url = new URL('/postbox/v1/reports', msg.url);
    const post = (job: Job) =>
      new Promise<number>((ok, fail) => {
        const req = request(
          url,
          {
            method: 'POST',
            agent,
            headers: {
              'content-type': 'application/json',
              authorization: `Bearer ${job.token}`,
              'content-length': Buffer.byteLength(job.body),
            },
          },
          (res) => {
            res.resume();
            res.on('end', () => ok(res.statusCode ?? 0));
          },
        );
        req.on('error', fail);
        req.end(job.body);
      });
    let i = 0;
    let accepted = 0;
    const statuses: Record<string, number> = {};
    const lat: number[] = [];
    const t = performance.now();
    const cpu0 = process.cpuUsage();
    await Promise.all(
      Array.from({ length: msg.clients }, async () => {
        while (i < msg.jobs.length) {
          const job = msg.jobs[i++]!;
          const t0 = performance.now();
          const status = await post(job);
          lat.push(performance.now() - t0);
          statuses[status] = (statuses[status] ?? 0) + 1;
          if (status === 201) accepted += 1;
        }
      }),
    );
    const secs = (performance.now() - t) / 1000;
    const cpu = process.cpuUsage(cpu0);
    lat.sort((a, b) => a - b);
    agent.destroy();
    process.send!(
      {
        accepted,
        statuses,
        secs,
        p50: lat[Math.floor(lat.length / 2)]!,
        p99: lat[Math.floor(lat.length * 0.99)]!,
        cpuMs: (cpu.user + cpu.system) / 1000,
      } satisfies ClientResult,
      () => process.exit(0),
    );
  });
}

interface WorkerConfig {
  dbUrl: string;
  anchors: string;
  ocspUrl: string;
  statusCacheMs: number;
  ocspNonce: boolean;
  batch: number;
  port: number;
}

/** A cluster worker: one gateway, as src/server.ts runs it, on the bench's database and OCSP responder. */
async function workerMain(): Promise<void> {
  const { createLogger, openDb } = await import('@kizuna/core');
  const { createVerifier, ocspStatusSource } = await import('@kizuna/jpki');
  const { startGateway } = await import('../src/app.ts');
  const { httpCardLinks } = await import('../src/jpki-adapters.ts');
  const cfg = JSON.parse(process.env.KZ_BENCH_WORKER!) as WorkerConfig;
  const db = await openDb({ url: cfg.dbUrl, max: 4 });
  const verifier = createVerifier({
    trustAnchors: cfg.anchors,
    status: ocspStatusSource(cfg.ocspUrl),
    statusCacheMs: cfg.statusCacheMs,
    ocspNonce: cfg.ocspNonce,
  });
  const gw = await startGateway({
    db,
    logger: createLogger({ name: 'bench-worker', level: 'silent' }),
    verifier,
    cardLinks: httpCardLinks(new URL('/', cfg.ocspUrl).toString()),
    port: cfg.port,
    reportBatchMax: cfg.batch,
  });
  let cpu0 = process.cpuUsage();
  process.on('message', async (m: string) => {
    if (m === 'cpu-start') {
      cpu0 = process.cpuUsage();
      return;
    }
    if (m !== 'stop') return;
    const cpu = process.cpuUsage(cpu0);
    await gw.close();
    await db.close();
    process.send!({ cpuMs: (cpu.user + cpu.system) / 1000 }, () => process.exit(0));
  });
  process.send!({ url: gw.url });
}

/** Starts `n` gateway workers on one port; resolves with the URL and the workers. */
async function startWorkers(n: number, cfg: WorkerConfig): Promise<{ url: string; workers: Worker[] }> {
  cluster.setupPrimary({ exec: fileURLToPath(import.meta.url), args: ['--gateway-worker'], silent: false });
  const workers = Array.from({ length: n }, () => cluster.fork({ KZ_BENCH_WORKER: JSON.stringify(cfg) }));
  const urls = await Promise.all(
    workers.map(
      (w) =>
        new Promise<string>((ok, fail) => {
          w.once('message', (m: { url: string }) => ok(m.url));
          w.once('exit', (code) => fail(new Error(`gateway worker exited with ${code}`)));
        }),
    ),
  );
  return { url: urls[0]!, workers };
}

/** Stops the workers; their CPU time (ms) since 'cpu-start'. */
async function stopWorkers(workers: Worker[]): Promise<number> {
  const ms = await Promise.all(
    workers.map(
      (w) =>
        new Promise<number>((ok) => {
          w.once('message', (m: { cpuMs: number }) => ok(m.cpuMs));
          w.send('stop');
        }),
    ),
  );
  return ms.reduce((a, b) => a + b, 0);
}

async function benchMain(): Promise<void> {
  const { createLogger } = await import('@kizuna/core');
  const { dbEngines } = await import('@kizuna/test-utils');
  const { createAuthority, createVerifier, JpkiClient } = await import('@kizuna/jpki');
  const { startGateway } = await import('../src/app.ts');
  const { authorityCardLinks } = await import('../src/jpki-adapters.ts');
  const { createInsurer } = await import('../src/insurers.ts');
  const { loginPostbox } = await import('../src/postboxes.ts');
  const { issueConsentNonce, enrolByConsent } = await import('../src/enrolments.ts');
  const { postNotice } = await import('../src/notices.ts');
  const { buildConsentDocument, buildReportDocument } = await import('@kizuna/contract');
  type DbEngine = ReturnType<typeof dbEngines>[number];

  const TOTAL = Number(process.argv[2] ?? 2000);
  const CLIENTS = Number(process.argv[3] ?? 64);
  const MODES = (process.argv[4] ?? '0,60000').split(',').map((m) => {
    const [ms, flag] = m.split(':');
    if (!/^\d+$/.test(ms ?? '') || (flag !== undefined && flag !== 'no-nonce'))
      throw new Error(`mode "${m}": write statusCacheMs, optionally followed by ":no-nonce"`);
    return { statusCacheMs: Number(ms), ocspNonce: flag !== 'no-nonce' };
  });
  const BATCHES = (process.argv[5] ?? '128').split(',').map(Number);
  const WORKERS = (process.argv[6] ?? '1').split(',').map(Number);
  const RESIDENTS = 20;

  const authority = await createAuthority({});
  const residents = await Promise.all(
    Array.from({ length: RESIDENTS }, async (_, i) => {
      const password = `BENCH${String(i).padStart(4, '0')}`;
      const card = await authority.issueCard(
        { name: `試験　太郎${i}`, address: `絆市${i}番地`, birthDate: '1950-01-01', sex: 1 },
        { authPin: '1234', signPassword: password },
      );
      return { ...card, client: new JpkiClient(card.card), password };
    }),
  );

  const runClients = (url: string, jobs: Job[]) =>
    new Promise<ClientResult>((ok, fail) => {
      const child = fork(fileURLToPath(import.meta.url), ['--client'], {
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
        serialization: 'advanced',
      });
      child.once('message', (m) => ok(m as ClientResult));
      child.once('error', fail);
      child.once('exit', (code) => {
        if (code) fail(new Error(`client process exited with ${code}`));
      });
      child.send({ url, clients: CLIENTS, jobs });
    });

  // The authority's OCSP responder over HTTP, for gateway workers in other processes.
  const { startAuthorityServer } = await import('@kizuna/jpki');
  const authorityHttp = WORKERS.some((w) => w > 1)
    ? await startAuthorityServer({
        authority,
        port: 0,
        logger: createLogger({ name: 'bench-authority', level: 'silent' }),
      })
    : null;

  async function run(statusCacheMs: number, ocspNonce: boolean, batch: number, engine: DbEngine, workers: number) {
    const verifier = createVerifier({
      trustAnchors: authority.trustAnchors(),
      status: authority.statusSource(),
      statusCacheMs,
      ocspNonce,
    });
    const db = await engine.open();
    const gw = await startGateway({
      db,
      logger: createLogger({ name: 'bench', level: 'silent' }),
      verifier,
      cardLinks: authorityCardLinks(authority),
      port: 0,
      reportBatchMax: batch,
    });
    const ins = await createInsurer(db, { id: 'bench-life', name: 'Bench Life' });
    const per = Math.ceil(TOTAL / RESIDENTS);
    const jobs: Job[] = [];
    for (const [i, r] of residents.entries()) {
      const s = await loginPostbox(db, { authSerial: r.authSerial, ttlS: 3600 });
      const session = { postboxId: s.postboxId, authSerial: r.authSerial };
      const { nonce } = await issueConsentNonce(db, s.postboxId, new Date());
      const consent = await r.client.signCms(
        r.password,
        buildConsentDocument({ insurer: ins.insurerId, policy: `B-${i}`, nonce }),
      );
      const { code } = await enrolByConsent(
        db,
        verifier,
        session,
        { cms: Buffer.from(consent).toString('base64') },
        new Date(),
        authorityCardLinks(authority),
      );
      for (let k = 0; k < per && jobs.length < TOTAL; k++) {
        const { id } = await postNotice(
          db,
          ins.insurerId,
          { code, policy: `B-${i}`, kind: 'status-check', subject: '現況届', body: 'b' },
          new Date(),
        );
        const { rows } = await db.query<{ report_nonce: string }>('SELECT report_nonce FROM gw_notices WHERE id = $1', [
          id,
        ]);
        const doc = buildReportDocument({
          notice: id,
          policy: `B-${i}`,
          nonce: rows[0]!.report_nonce,
          statement: { answer: 'living' },
        });
        jobs.push({
          token: s.token,
          body: JSON.stringify({ cms: Buffer.from(await r.client.signCms(r.password, doc)).toString('base64') }),
        });
      }
    }
    // Shuffle so concurrent requests come from different residents, as from many TVs.
    for (let k = jobs.length - 1; k > 0; k--) {
      const j = Math.floor(Math.random() * (k + 1));
      [jobs[k], jobs[j]] = [jobs[j]!, jobs[k]!];
    }
    const sample = Buffer.from(JSON.parse(jobs[0]!.body).cms, 'base64');

    // Baseline: the raw jpki verification rate of the same CMS, same verifier settings, same concurrency, in this process.
    const t = performance.now();
    const rawN = Math.min(TOTAL, 1000);
    let next = 0;
    await Promise.all(
      Array.from({ length: CLIENTS }, async () => {
        while (next < rawN) {
          next += 1;
          const v = await verifier.verifyCms(sample, { purpose: 'sign' });
          if (!v.ok) throw new Error(v.reason);
        }
      }),
    );
    const rawPerS = rawN / ((performance.now() - t) / 1000);

    let url = gw.url;
    let pool: Worker[] = [];
    if (workers > 1) {
      const {
        rows: [dbName],
      } = await db.query<{ name: string }>('SELECT current_database() AS name');
      const dbUrl = new URL(process.env.KZ_TEST_DATABASE_URL!);
      dbUrl.pathname = `/${dbName!.name}`;
      const started = await startWorkers(workers, {
        dbUrl: dbUrl.toString(),
        anchors: authority.trustAnchors().pem,
        ocspUrl: new URL('/ocsp', authorityHttp!.url).toString(),
        statusCacheMs,
        ocspNonce,
        batch,
        port: 0,
      });
      url = started.url;
      pool = started.workers;
      for (const w of pool) w.send('cpu-start');
    }

    const load = loadavg()[0]!;
    const gw0 = process.cpuUsage();
    const pg0 = cpuMsOf('postgres');
    const m0 = machineMs();
    const c = await runClients(url, jobs);
    const gwCpu = process.cpuUsage(gw0);
    const m1 = machineMs();
    const pg1 = cpuMsOf('postgres');
    // with workers, the gateway's CPU is theirs plus this process's (the OCSP responder, the cluster's connection hand-out)
    const workersMs = pool.length ? await stopWorkers(pool) : 0;
    // CPU per accepted report (ms) by the gateway (this process), the clients, PostgreSQL, and the whole machine
    const perReport = (ms: number) => ms / Math.max(1, c.accepted);
    const cpu = {
      gateway: perReport((gwCpu.user + gwCpu.system) / 1000 + workersMs),
      clients: perReport(c.cpuMs),
      postgres: perReport(pg1 - pg0),
      machine: perReport(m1.busy - m0.busy),
      machineBusy: (m1.busy - m0.busy) / Math.max(1, m1.total - m0.total),
    };
    const stored = Number((await db.query<{ n: string }>('SELECT count(*) AS n FROM gw_reports')).rows[0]!.n);
    await gw.close();
    await db.drop();
    return {
      engine: engine.name,
      statusCacheMs,
      ocspNonce,
      batch,
      workers,
      ...c,
      stored,
      perS: c.accepted / c.secs,
      rawPerS,
      load,
      cpu,
    };
  }

  console.log(
    `insurer-gateway reports bench: ${TOTAL} reports, ${CLIENTS} concurrent clients (child process), ${RESIDENTS} residents, in-process OCSP; load average ${loadavg()[0]!.toFixed(1)} on ${cpus().length} cores`,
  );
  for (const engine of dbEngines())
    for (const mode of MODES)
      for (const batch of BATCHES)
        for (const workers of WORKERS) {
          if (workers > 1 && engine.name !== 'postgres') continue;
          const r = await run(mode.statusCacheMs, mode.ocspNonce, batch, engine, workers);
          console.log(
            [
              `${r.engine} statusCacheMs=${r.statusCacheMs}${r.ocspNonce ? '' : ' no-nonce'} batch≤${r.batch}${r.workers > 1 ? ` workers=${r.workers}` : ''}:`,
              `accepted ${r.accepted}/${TOTAL} (stored ${r.stored}; HTTP ${JSON.stringify(r.statuses)})`,
              `${r.perS.toFixed(0)} reports/s through HTTP`,
              `raw jpki verifyCms ${r.rawPerS.toFixed(0)}/s`,
              `ratio HTTP/raw ${(r.perS / r.rawPerS).toFixed(2)}`,
              `latency p50 ${r.p50.toFixed(1)} ms p99 ${r.p99.toFixed(1)} ms`,
              `load ${r.load.toFixed(1)}`,
              `CPU ms/report: gateway ${r.cpu.gateway.toFixed(2)} clients ${r.cpu.clients.toFixed(2)} postgres ${r.cpu.postgres.toFixed(2)} machine ${r.cpu.machine.toFixed(2)} (busy ${(r.cpu.machineBusy * 100).toFixed(0)} %)`,
            ].join('  '),
          );
        }
  await authorityHttp?.close();
}

if (process.argv.includes('--client')) await clientMain();
else if (process.argv.includes('--gateway-worker')) await workerMain();
else await benchMain();
