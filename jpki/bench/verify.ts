/**
 * CMS reports verified per second (signature, chain, certificate type, validity and revocation
 * included) against the raw RSA-2048 verification rate of node:crypto, measured in the same run.
 * Also shown: naive pkijs (SignedData.verify with checkChain, which does NOT check revocation) and
 * the verifier asking the OCSP responder for every report.   npx tsx jpki/bench/verify.ts
 */
import { verify as rsaVerify, X509Certificate } from 'node:crypto';
import { createAuthority } from '../src/authority.ts';
import { JpkiClient } from '../src/jpki-client.ts';
import { createVerifier } from '../src/verifier.ts';
import { parseCms } from '../src/cms-parse.ts';
import { pkijs } from '../src/engine.ts';
import { toArrayBuffer } from '../src/bytes.ts';

const SIGNERS = 8;
const REPORTS_PER_SIGNER = 8;
const SECONDS = Number(process.env.BENCH_SECONDS ?? 3);

async function rate(name: string, op: (i: number) => unknown | Promise<unknown>, seconds = SECONDS): Promise<number> {
  for (let i = 0; i < 200; i++) await op(i); // warm-up (JIT, caches)
  let n = 0;
  const start = performance.now();
  const end = start + seconds * 1000;
  while (performance.now() < end) {
    for (let k = 0; k < 50; k++) await op(n++);
  }
  const perSecond = n / ((performance.now() - start) / 1000);
  console.log(`${name.padEnd(58)} ${perSecond.toFixed(0).padStart(8)} /s  (${(1e6 / perSecond).toFixed(1)} µs each)`);
  return perSecond;
}

const authority = await createAuthority({ ocspValidityMs: 5 * 60_000 });
const reports: Uint8Array[] = [];
for (let s = 0; s < SIGNERS; s++) {
  const { card } = await authority.issueCard(
    { name: `住民　${s}`, address: '絆市山手一丁目2番3号', birthDate: '1950-04-01', sex: 2 },
    { authPin: '1234', signPassword: 'ABC123' },
  );
  const client = new JpkiClient(card);
  for (let r = 0; r < REPORTS_PER_SIGNER; r++) {
    reports.push(
      await client.signCms('ABC123', new TextEncoder().encode(`現況届 ${s}-${r}: 受給者は生存しています。`.repeat(20))),
    );
  }
}
const anchors = authority.trustAnchors();
console.log(
  `${reports.length} CMS reports from ${SIGNERS} cards, ${reports[0]!.length} bytes each; ${SECONDS} s per measurement\n`,
);

// baseline: the RSA-2048 verification alone, on the same signed attributes and keys
const raw = reports.map((der) => {
  const p = parseCms(der);
  return { data: p.signedAttrs!, sig: p.signature, key: new X509Certificate(p.certificates[0]!).publicKey };
});
const rawRate = await rate('node:crypto RSA-2048 verify (baseline)', (i) => {
  const r = raw[i % raw.length]!;
  if (!rsaVerify('sha256', r.data, r.key, r.sig)) throw new Error('baseline failed');
});

const trusted = anchors.certificates.map((d) => pkijs.Certificate.fromBER(toArrayBuffer(d)));
const naiveRate = await rate(
  'naive pkijs SignedData.verify (no revocation!)',
  async (i) => {
    const info = pkijs.ContentInfo.fromBER(toArrayBuffer(reports[i % reports.length]!));
    const sd = new pkijs.SignedData({ schema: info.content });
    if (!(await sd.verify({ signer: 0, checkChain: true, trustedCerts: trusted }))) throw new Error('pkijs failed');
  },
  Math.min(SECONDS, 2),
);

const cached = createVerifier({ trustAnchors: anchors, status: authority.statusSource(), statusCacheMs: 60_000 });
const cachedRate = await rate('verifier, OCSP answers cached within validity', async (i) => {
  if (!(await cached.verifyCms(reports[i % reports.length]!)).ok) throw new Error('verifier failed');
});

const fresh = createVerifier({ trustAnchors: anchors, status: authority.statusSource() });
const freshRate = await rate(
  'verifier, fresh signed OCSP answer per report (default)',
  async (i) => {
    if (!(await fresh.verifyCms(reports[i % reports.length]!)).ok) throw new Error('verifier failed');
  },
  Math.min(SECONDS, 2),
);

const pct = (x: number) => `${((x / rawRate) * 100).toFixed(1)} %`;
console.log(
  `\nratio to raw RSA-2048 verify: naive pkijs ${pct(naiveRate)}, verifier cached ${pct(cachedRate)}, verifier fresh OCSP ${pct(freshRate)}`,
);
console.log(
  JSON.stringify({
    bench: 'jpki-verify',
    rawRsaVerifyPerSec: Math.round(rawRate),
    naivePkijsPerSec: Math.round(naiveRate),
    verifierCachedPerSec: Math.round(cachedRate),
    verifierFreshOcspPerSec: Math.round(freshRate),
    cachedRatio: +(cachedRate / rawRate).toFixed(3),
  }),
);
