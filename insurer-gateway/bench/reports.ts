/**
 * Signed life-status reports accepted per second through the whole HTTP path (JSON parse, session,
 * CMS verification with revocation, notice checks, store, signed receipt) with many concurrent
 * clients over a real socket, next to the raw jpki verification rate measured in the same run.
 *
 *   npx tsx insurer-gateway/bench/reports.ts [reports=2000] [clients=64] [statusCacheMs=0,60000] [batch=128]
 *
 * Runs on PGlite, and on PostgreSQL too when KZ_TEST_DATABASE_URL is set (a fresh database).
 * Two revocation modes: statusCacheMs=0 asks the OCSP responder for every report (in-process
 * authority, real signed responses); 60000 reuses a signed "good" answer for up to 60 s.
 * batch: the most reports one group-commit write stores (1 = each report alone; "1,128" runs both).
 * The HTTP clients run in a child process, so the gateway's event loop has a core of its own
 * (the machine's other core is shared with the clients and whatever else is running).
 */
import { fork } from 'node:child_process';
import { Agent, request } from 'node:http';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';

interface Job { token: string; body: string }
interface ClientResult { accepted: number; statuses: Record<string, number>; secs: number; p50: number; p99: number }

/** The client process: posts every job with `clients` concurrent keep-alive connections. */
async function clientMain(): Promise<void> {
  process.once('message', async (msg: { url: string; clients: number; jobs: Job[] }) => {
    const agent = new Agent({ keepAlive: true, maxSockets: msg.clients });
    const url = new URL('/postbox/v1/reports', msg.url);
    const post = (job: Job) => new Promise<number>((ok, fail) => {
      const req = request(url, { method: 'POST', agent, headers: { 'content-type': 'application/json', authorization: `Bearer ${job.token}`, 'content-length': Buffer.byteLength(job.body) } }, (res) => {
        res.resume();
        res.on('end', () => ok(res.statusCode ?? 0));
      });
      req.on('error', fail);
      req.end(job.body);
    });
    let i = 0;
    let accepted = 0;
    const statuses: Record<string, number> = {};
    const lat: number[] = [];
    const t = performance.now();
    await Promise.all(Array.from({ length: msg.clients }, async () => {
      while (i < msg.jobs.length) {
        const job = msg.jobs[i++]!;
        const t0 = performance.now();
        const status = await post(job);
        lat.push(performance.now() - t0);
        statuses[status] = (statuses[status] ?? 0) + 1;
        if (status === 201) accepted += 1;
      }
    }));
    const secs = (performance.now() - t) / 1000;
    lat.sort((a, b) => a - b);
    agent.destroy();
    process.send!({ accepted, statuses, secs, p50: lat[Math.floor(lat.length / 2)]!, p99: lat[Math.floor(lat.length * 0.99)]! } satisfies ClientResult, () => process.exit(0));
  });
}

async function benchMain(): Promise<void> {
  const { createLogger } = await import('@kizuna/core');
  const { dbEngines } = await import('@kizuna/test-utils');
  const { createAuthority } = await import('@kizuna/jpki/authority');
  const { createVerifier } = await import('@kizuna/jpki/verifier');
  const { JpkiClient } = await import('@kizuna/jpki/jpki-client');
  const { startGateway } = await import('../src/app.ts');
  const { createInsurer } = await import('../src/insurers.ts');
  const { loginPostbox } = await import('../src/postboxes.ts');
  const { issueConsentNonce, enrolByConsent } = await import('../src/enrolments.ts');
  const { postNotice } = await import('../src/notices.ts');
  const { buildConsentDocument, buildReportDocument } = await import('../src/documents.ts');
  type DbEngine = ReturnType<typeof dbEngines>[number];

  const TOTAL = Number(process.argv[2] ?? 2000);
  const CLIENTS = Number(process.argv[3] ?? 64);
  const MODES = (process.argv[4] ?? '0,60000').split(',').map(Number);
  const BATCHES = (process.argv[5] ?? '128').split(',').map(Number);
  const RESIDENTS = 20;

  const authority = await createAuthority({});
  const residents = await Promise.all(Array.from({ length: RESIDENTS }, async (_, i) => {
    const password = `BENCH${String(i).padStart(4, '0')}`;
    const card = await authority.issueCard({ name: `試験　太郎${i}`, address: `絆市${i}番地`, birthDate: '1950-01-01', sex: 1 }, { authPin: '1234', signPassword: password });
    return { ...card, client: new JpkiClient(card.card), password };
  }));

  const runClients = (url: string, jobs: Job[]) => new Promise<ClientResult>((ok, fail) => {
    const child = fork(fileURLToPath(import.meta.url), ['--client'], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], serialization: 'advanced' });
    child.once('message', (m) => ok(m as ClientResult));
    child.once('error', fail);
    child.once('exit', (code) => { if (code) fail(new Error(`client process exited with ${code}`)); });
    child.send({ url, clients: CLIENTS, jobs });
  });

  async function run(statusCacheMs: number, batch: number, engine: DbEngine) {
    const verifier = createVerifier({ trustAnchors: authority.trustAnchors(), status: authority.statusSource(), statusCacheMs });
    const db = await engine.open();
    const gw = await startGateway({ db, logger: createLogger({ name: 'bench', level: 'silent' }), verifier, port: 0, reportBatchMax: batch });
    const ins = await createInsurer(db, { id: 'bench-life', name: 'Bench Life' });
    const per = Math.ceil(TOTAL / RESIDENTS);
    const jobs: Job[] = [];
    for (const [i, r] of residents.entries()) {
      const s = await loginPostbox(db, { authSerial: r.authSerial, ttlS: 3600 });
      const { nonce } = await issueConsentNonce(db, s.postboxId, new Date());
      const consent = await r.client.signCms(r.password, buildConsentDocument({ insurer: ins.insurerId, policy: `B-${i}`, nonce }));
      const { code } = await enrolByConsent(db, verifier, s.postboxId, { cms: Buffer.from(consent).toString('base64') }, new Date());
      for (let k = 0; k < per && jobs.length < TOTAL; k++) {
        const { id } = await postNotice(db, ins.insurerId, { code, policy: `B-${i}`, kind: 'status-check', subject: '現況届', body: 'b' }, new Date());
        const { rows } = await db.query<{ report_nonce: string }>('SELECT report_nonce FROM gw_notices WHERE id = $1', [id]);
        const doc = buildReportDocument({ notice: id, policy: `B-${i}`, nonce: rows[0]!.report_nonce, statement: { answer: 'living' } });
        jobs.push({ token: s.token, body: JSON.stringify({ cms: Buffer.from(await r.client.signCms(r.password, doc)).toString('base64') }) });
      }
    }
    // Shuffle so concurrent requests come from different residents, as from many TVs.
    for (let k = jobs.length - 1; k > 0; k--) { const j = Math.floor(Math.random() * (k + 1)); [jobs[k], jobs[j]] = [jobs[j]!, jobs[k]!]; }
    const sample = Buffer.from(JSON.parse(jobs[0]!.body).cms, 'base64');

    // Baseline: the raw jpki verification rate of the same CMS, same verifier settings, same concurrency, in this process.
    let t = performance.now();
    const rawN = Math.min(TOTAL, 1000);
    let next = 0;
    await Promise.all(Array.from({ length: CLIENTS }, async () => { while (next < rawN) { next += 1; const v = await verifier.verifyCms(sample, { purpose: 'sign' }); if (!v.ok) throw new Error(v.reason); } }));
    const rawPerS = rawN / ((performance.now() - t) / 1000);

    const load = loadavg()[0]!;
    const c = await runClients(gw.url, jobs);
    const stored = Number((await db.query<{ n: string }>('SELECT count(*) AS n FROM gw_reports')).rows[0]!.n);
    await gw.close();
    await db.drop();
    return { engine: engine.name, statusCacheMs, batch, ...c, stored, perS: c.accepted / c.secs, rawPerS, load };
  }

  console.log(`insurer-gateway reports bench: ${TOTAL} reports, ${CLIENTS} concurrent clients (child process), ${RESIDENTS} residents, in-process OCSP; load average ${loadavg()[0]!.toFixed(1)} on ${cpus().length} cores`);
  for (const engine of dbEngines()) for (const mode of MODES) for (const batch of BATCHES) {
    const r = await run(mode, batch, engine);
    console.log([
      `${r.engine} statusCacheMs=${r.statusCacheMs} batch≤${r.batch}:`,
      `accepted ${r.accepted}/${TOTAL} (stored ${r.stored}; HTTP ${JSON.stringify(r.statuses)})`,
      `${r.perS.toFixed(0)} reports/s through HTTP`,
      `raw jpki verifyCms ${r.rawPerS.toFixed(0)}/s`,
      `ratio HTTP/raw ${(r.perS / r.rawPerS).toFixed(2)}`,
      `latency p50 ${r.p50.toFixed(1)} ms p99 ${r.p99.toFixed(1)} ms`,
      `load ${r.load.toFixed(1)}`,
    ].join('  '));
  }
}

if (process.argv.includes('--client')) await clientMain();
else await benchMain();
