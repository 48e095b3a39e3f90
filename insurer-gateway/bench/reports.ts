/**
 * Signed life-status reports accepted per second through the whole HTTP path (JSON parse, session,
 * CMS verification with revocation, notice checks, store, signed receipt) with many concurrent
 * clients over a real socket, next to the raw jpki verification rate measured in the same run.
 *
 *   npx tsx insurer-gateway/bench/reports.ts [reports=2000] [clients=64] [statusCacheMs=0,60000]
 *
 * Runs on PGlite, and on PostgreSQL too when KZ_TEST_DATABASE_URL is set (a fresh database).
 * Two revocation modes: statusCacheMs=0 asks the OCSP responder for every report (in-process
 * authority, real signed responses); 60000 reuses a signed "good" answer for up to 60 s.
 */
import { Agent, request } from 'node:http';
import { createLogger } from '@kizuna/core';
import { dbEngines, type DbEngine } from '@kizuna/test-utils';
import { createAuthority } from '@kizuna/jpki/authority';
import { createVerifier } from '@kizuna/jpki/verifier';
import { JpkiClient } from '@kizuna/jpki/jpki-client';
import { startGateway } from '../src/app.ts';
import { createInsurer } from '../src/insurers.ts';
import { loginPostbox } from '../src/postboxes.ts';
import { issueConsentNonce, enrolByConsent } from '../src/enrolments.ts';
import { postNotice } from '../src/notices.ts';
import { buildConsentDocument, buildReportDocument } from '../src/documents.ts';

const TOTAL = Number(process.argv[2] ?? 2000);
const CLIENTS = Number(process.argv[3] ?? 64);
const MODES = (process.argv[4] ?? '0,60000').split(',').map(Number);
const RESIDENTS = 20;

const authority = await createAuthority({});
const residents = await Promise.all(Array.from({ length: RESIDENTS }, async (_, i) => {
  const password = `BENCH${String(i).padStart(4, '0')}`;
  const card = await authority.issueCard({ name: `試験　太郎${i}`, address: `絆市${i}番地`, birthDate: '1950-01-01', sex: 1 }, { authPin: '1234', signPassword: password });
  return { ...card, client: new JpkiClient(card.card), password };
}));

async function run(statusCacheMs: number, engine: DbEngine) {
  const verifier = createVerifier({ trustAnchors: authority.trustAnchors(), status: authority.statusSource(), statusCacheMs });
  const db = await engine.open();
  const gw = await startGateway({ db, logger: createLogger({ name: 'bench', level: 'silent' }), verifier, port: 0 });
  const ins = await createInsurer(db, { id: 'bench-life', name: 'Bench Life' });
  const per = Math.ceil(TOTAL / RESIDENTS);
  const jobs: { token: string; body: string }[] = [];
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
  const sample = Buffer.from(JSON.parse(jobs[0]!.body).cms, 'base64');

  // Baseline: the raw jpki verification rate of the same CMS, same verifier settings, same concurrency.
  let t = performance.now();
  const rawN = Math.min(TOTAL, 1000);
  let next = 0;
  await Promise.all(Array.from({ length: CLIENTS }, async () => { while (next < rawN) { next += 1; const v = await verifier.verifyCms(sample, { purpose: 'sign' }); if (!v.ok) throw new Error(v.reason); } }));
  const rawPerS = rawN / ((performance.now() - t) / 1000);

  // The whole HTTP path.
  const agent = new Agent({ keepAlive: true, maxSockets: CLIENTS });
  const url = new URL('/postbox/v1/reports', gw.url);
  const post = (job: { token: string; body: string }) => new Promise<number>((ok, fail) => {
    const req = request(url, { method: 'POST', agent, headers: { 'content-type': 'application/json', authorization: `Bearer ${job.token}`, 'content-length': Buffer.byteLength(job.body) } }, (res) => {
      res.resume();
      res.on('end', () => ok(res.statusCode ?? 0));
    });
    req.on('error', fail);
    req.end(job.body);
  });
  let i = 0;
  let ok = 0;
  const lat: number[] = [];
  t = performance.now();
  await Promise.all(Array.from({ length: CLIENTS }, async () => {
    while (i < jobs.length) {
      const job = jobs[i++]!;
      const t0 = performance.now();
      const status = await post(job);
      lat.push(performance.now() - t0);
      if (status === 201) ok += 1;
    }
  }));
  const secs = (performance.now() - t) / 1000;
  lat.sort((a, b) => a - b);
  const stored = Number((await db.query<{ n: string }>('SELECT count(*) AS n FROM gw_reports')).rows[0]!.n);
  agent.destroy();
  await gw.close();
  await db.drop();
  return { engine: engine.name, statusCacheMs, accepted: ok, stored, perS: ok / secs, rawPerS, p50: lat[Math.floor(lat.length / 2)]!, p99: lat[Math.floor(lat.length * 0.99)]! };
}

console.log(`insurer-gateway reports bench: ${TOTAL} reports, ${CLIENTS} concurrent clients, ${RESIDENTS} residents, in-process OCSP; load average ${(await import("node:os")).loadavg()[0]!.toFixed(1)} on ${(await import("node:os")).cpus().length} cores`);
for (const engine of dbEngines()) for (const mode of MODES) {
  const r = await run(mode, engine);
  console.log([
    `${r.engine} statusCacheMs=${r.statusCacheMs}:`,
    `accepted ${r.accepted}/${TOTAL} (stored ${r.stored})`,
    `${r.perS.toFixed(0)} reports/s through HTTP`,
    `raw jpki verifyCms ${r.rawPerS.toFixed(0)}/s`,
    `ratio HTTP/raw ${(r.perS / r.rawPerS).toFixed(2)}`,
    `latency p50 ${r.p50.toFixed(1)} ms p99 ${r.p99.toFixed(1)} ms`,
  ].join('  '));
}
