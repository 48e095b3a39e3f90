import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dbEngines } from '@kizuna/test-utils';
import { createAuthority, createVerifier } from '@kizuna/jpki';
import { buildReportDocument } from '@kizuna/contract';
import { verifyReceipt } from '../src/receipts.ts';
import type { CmsVerifier } from '../src/ports.ts';
import {
  cardPem,
  createPki,
  enrolledWithNotice,
  issueResident,
  openHarness,
  type Harness,
  type Pki,
  type Resident,
} from './helpers.ts';

let pki: Pki;
let tmp: string;
/** The verifier the gateway uses, switchable to a dead status source or a throwing verifier. */
const mode = { current: 'normal' as 'normal' | 'status-down' | 'throws' };
let downVerifier: CmsVerifier;
const switchable: CmsVerifier = {
  verifyCms: (der, o) => {
    if (mode.current === 'throws') throw new Error('verifier crashed');
    return (mode.current === 'status-down' ? downVerifier : pki.verifier).verifyCms(der, o);
  },
};

beforeAll(async () => {
  pki = await createPki();
  downVerifier = createVerifier({
    trustAnchors: pki.authority.trustAnchors(),
    status: {
      kind: 'ocsp',
      name: 'unreachable',
      send: async () => {
        throw new Error('connection refused');
      },
    },
  });
  tmp = mkdtempSync(join(tmpdir(), 'kz-gw-openssl-'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function opensslSign(
  pem: { key: string; cert: string },
  content: Uint8Array,
  detached: boolean,
): { cms: string; content?: string } {
  const [k, c, i, o] = ['key.pem', 'cert.pem', 'in.json', 'out.der'].map((f) => join(tmp, f)) as [
    string,
    string,
    string,
    string,
  ];
  writeFileSync(k, pem.key, { mode: 0o600 });
  writeFileSync(c, pem.cert);
  writeFileSync(i, content);
  execFileSync('openssl', [
    'cms',
    '-sign',
    '-binary',
    '-md',
    'sha256',
    '-outform',
    'DER',
    ...(detached ? [] : ['-nodetach']),
    '-signer',
    c,
    '-inkey',
    k,
    '-in',
    i,
    '-out',
    o,
  ]);
  return {
    cms: readFileSync(o).toString('base64'),
    ...(detached ? { content: Buffer.from(content).toString('base64') } : {}),
  };
}

for (const engine of dbEngines()) {
  describe(`signed reports (${engine.name})`, () => {
    let h: Harness;
    let seq = 0;
    beforeAll(async () => {
      h = await openHarness(engine, pki, { verifier: switchable });
    });
    afterAll(async () => {
      await h.close();
    });

    async function fresh(resident?: Resident) {
      const ins = await h.insurer();
      const r = resident ?? (await issueResident(pki.authority));
      const policy = `POL-${++seq}`;
      return { ins, r, policy, ...(await enrolledWithNotice(h, r, ins, policy)) };
    }
    const docFor = (n: { id: string; policy: string; reportNonce: string }, over: Record<string, unknown> = {}) =>
      buildReportDocument({
        notice: n.id,
        policy: n.policy,
        nonce: n.reportNonce,
        statement: { answer: 'living' },
        ...over,
      });

    it('accepts a card-signed report: stamps the time, signs a receipt, delivers result and evidence to the insurer', async () => {
      const f = await fresh();
      const res = await h.tv(
        f.token,
        'POST',
        '/reports',
        await h.report(f.r, f.notice, { answer: 'living', note: '元気です' }),
      );
      expect(res.status).toBe(201);
      const keys = (await h.app.inject({ method: 'GET', url: '/postbox/v1/receipt-keys' })).json().keys;
      expect(verifyReceipt(res.body.receipt, keys[0])).toBe(true);
      expect(
        verifyReceipt({ ...res.body.receipt, receipt: { ...res.body.receipt.receipt, policy: 'OTHER' } }, keys[0]),
      ).toBe(false);
      expect(res.body.receipt.receipt).toMatchObject({
        notice: f.noticeId,
        policy: f.policy,
        verification: { result: 'valid', reason: 'ok' },
      });

      const rep = await h.call(f.ins, 'GET', `/insurer/v1/reports/${res.body.reportId}`);
      expect(rep.body).toMatchObject({
        noticeId: f.noticeId,
        code: f.code,
        policy: f.policy,
        statement: { answer: 'living', note: '元気です' },
        verification: { result: 'valid', reason: 'ok', signerSerial: f.r.signSerial },
      });
      const signCert = await f.r.client.readSigningCertificate(f.r.password);
      expect(rep.body.evidence.signerCertificate).toBe(Buffer.from(signCert).toString('base64'));
      expect(rep.body.evidence.ocspResponse).toMatch(/^[A-Za-z0-9+/]+=*$/);
      expect((await h.call(f.ins, 'GET', `/insurer/v1/notices/${f.noticeId}`)).body.status).toBe('answered');
      const ev = (await h.call(f.ins, 'GET', '/insurer/v1/events')).body.events.find(
        (e: any) => e.type === 'report.received',
      );
      expect(ev.data).toMatchObject({
        reportId: res.body.reportId,
        code: f.code,
        answer: 'living',
        verification: { result: 'valid', reason: 'ok' },
      });
      expect((await h.call(f.ins, 'POST', `/insurer/v1/reports/${res.body.reportId}/ack`)).status).toBe(200);
      expect((await h.call(f.ins, 'GET', '/insurer/v1/reports?unacknowledged=true')).body.reports).toEqual([]);
    });

    it('gives a receipt number a resident can read over the phone, and names a misread one (issue 19, item 9)', async () => {
      const f = await fresh();
      const res = await h.tv(f.token, 'POST', '/reports', await h.report(f.r, f.notice, { answer: 'living' }));
      const id: string = res.body.reportId;
      expect(id).toMatch(/^\d{4}-\d{4}-\d{4}-\d{4}$/);
      expect(res.body.receipt.receipt.report).toBe(id);
      const typedWithoutHyphens = await h.call(f.ins, 'GET', `/insurer/v1/reports/${id.replace(/-/g, '')}`);
      expect(typedWithoutHyphens.status).toBe(200);
      expect(typedWithoutHyphens.body.id).toBe(id);
      const d = id.replace(/-/g, '');
      const at = [...d].findIndex((c, i) => i < 15 && c !== d[i + 1]);
      const swapped = d.slice(0, at) + d[at + 1] + d[at] + d.slice(at + 2);
      const misread = await h.call(f.ins, 'GET', `/insurer/v1/reports/${swapped}`);
      expect(misread.status).toBe(400);
      expect(misread.body.code).toBe('KZ_GW_RECEIPT_NUMBER_CHECK');
      expect((await h.call(f.ins, 'POST', `/insurer/v1/reports/${swapped}/ack`)).body.code).toBe(
        'KZ_GW_RECEIPT_NUMBER_CHECK',
      );
    });

    it('re-verifies a stored report from its evidence alone, as of when it was received — even after the certificate is revoked', async () => {
      const f = await fresh();
      const res = await h.tv(f.token, 'POST', '/reports', await h.report(f.r, f.notice));
      pki.authority.revoke(f.r.signSerial, 'died');
      const again = await h.call(f.ins, 'POST', `/insurer/v1/reports/${res.body.reportId}/reverify`);
      expect(again.body).toMatchObject({ reportId: res.body.reportId, result: 'valid', reason: 'ok' });
      // evidence tampered in storage is caught: the OCSP response is re-checked, not trusted
      await h.db.query(`UPDATE gw_reports SET evidence_ocsp = $2 WHERE id = $1`, [
        res.body.reportId,
        Buffer.from('garbage'),
      ]);
      const broken = await h.call(f.ins, 'POST', `/insurer/v1/reports/${res.body.reportId}/reverify`);
      expect(broken.body.result).toBe('invalid');
      expect(broken.body.reason).toBe('status-unknown');
    });

    it('refuses replays: the same signed report again, and a second report for an answered notice', async () => {
      const f = await fresh();
      const body = await h.report(f.r, f.notice);
      expect((await h.tv(f.token, 'POST', '/reports', body)).status).toBe(201);
      const again = await h.tv(f.token, 'POST', '/reports', body);
      expect(again).toMatchObject({ status: 409, body: { code: 'KZ_GW_REPLAYED', details: { reason: 'replayed' } } });
      const second = await h.tv(
        f.token,
        'POST',
        '/reports',
        await h.report(f.r, f.notice, { answer: 'living-details-changed' }),
      );
      expect(second).toMatchObject({ status: 422, body: { details: { reason: 'notice-already-answered' } } });
    });

    it('accepts a detached CMS from the card', async () => {
      const f = await fresh();
      const res = await h.tv(f.token, 'POST', '/reports', await h.sign(f.r, docFor(f.notice), true));
      expect(res.status).toBe(201);
      expect(
        (await h.call(f.ins, 'GET', `/insurer/v1/reports/${res.body.reportId}`)).body.detachedContent,
      ).not.toBeNull();
    });

    for (const detached of [false, true]) {
      it(`accepts a report signed with OpenSSL (${detached ? 'detached' : 'attached'}) exactly like the card's`, async () => {
        const f = await fresh();
        const pem = cardPem(f.r.card);
        const res = await h.tv(
          f.token,
          'POST',
          '/reports',
          opensslSign({ key: pem.signKey, cert: pem.signCert }, docFor(f.notice), detached),
        );
        expect(res.body).toMatchObject({ receipt: { receipt: { verification: { result: 'valid' } } } });
        expect(res.status).toBe(201);
      });
    }

    // Every refusal, by its named reason.
    const cases: {
      reason: string;
      status: number;
      body: (f: Awaited<ReturnType<typeof fresh>>) => Promise<{ cms: string; content?: string }>;
      before?: (f: Awaited<ReturnType<typeof fresh>>) => Promise<void> | void;
    }[] = [
      {
        reason: 'malformed',
        status: 422,
        body: async () => ({ cms: Buffer.from('not a CMS at all').toString('base64') }),
      },
      { reason: 'malformed', status: 422, body: async () => ({ cms: '***' }) },
      {
        reason: 'bad-signature',
        status: 422,
        body: async (f) => {
          const b = Buffer.from((await h.report(f.r, f.notice)).cms, 'base64');
          b[b.length - 1]! ^= 0x01;
          return { cms: b.toString('base64') };
        },
      },
      {
        reason: 'content-tampered',
        status: 422,
        body: async (f) => {
          const s = await h.sign(f.r, docFor(f.notice), true);
          return {
            ...s,
            content: Buffer.from(docFor(f.notice, { statement: { answer: 'living-details-changed' } })).toString(
              'base64',
            ),
          };
        },
      },
      {
        reason: 'unknown-issuer',
        status: 422,
        body: async (f) => {
          const other = await createAuthority({});
          const x = await issueResident(other);
          return h.sign(x, docFor(f.notice));
        },
      },
      {
        reason: 'wrong-certificate-type',
        status: 422,
        body: async (f) => {
          const pem = cardPem(f.r.card);
          return opensslSign({ key: pem.authKey, cert: pem.authCert }, docFor(f.notice), false);
        },
      },
      {
        reason: 'expired',
        status: 422,
        body: async (f) => {
          const x = await issueResident(pki.authority, {
            notBefore: new Date(Date.now() - 10 * 86400_000),
            notAfter: new Date(Date.now() - 86400_000),
          });
          return h.sign(x, docFor(f.notice));
        },
      },
      {
        reason: 'not-yet-valid',
        status: 422,
        body: async (f) => {
          const x = await issueResident(pki.authority, {
            notBefore: new Date(Date.now() + 86400_000),
            notAfter: new Date(Date.now() + 10 * 86400_000),
          });
          return h.sign(x, docFor(f.notice));
        },
      },
      {
        reason: 'revoked',
        status: 422,
        before: (f) => {
          pki.authority.revoke(f.r.signSerial, 'moved');
        },
        body: (f) => h.report(f.r, f.notice),
      },
      {
        reason: 'status-unknown',
        status: 503,
        before: () => {
          mode.current = 'status-down';
        },
        body: (f) => h.report(f.r, f.notice),
      },
      {
        reason: 'verifier-error',
        status: 503,
        before: () => {
          mode.current = 'throws';
        },
        body: (f) => h.report(f.r, f.notice),
      },
      {
        reason: 'content-not-json',
        status: 422,
        body: (f) => h.sign(f.r, new TextEncoder().encode('私は生きています')),
      },
      {
        reason: 'content-wrong-kind',
        status: 422,
        body: (f) => h.sign(f.r, new TextEncoder().encode(JSON.stringify({ kind: 'something-else' }))),
      },
      {
        reason: 'content-invalid',
        status: 422,
        body: (f) => h.sign(f.r, docFor(f.notice, { statement: { answer: 'dead' } })),
      },
      {
        reason: 'notice-unknown',
        status: 422,
        body: (f) => h.sign(f.r, docFor({ ...f.notice, id: 'ntc_doesnotexist' })),
      },
      {
        reason: 'nonce-mismatch',
        status: 422,
        body: (f) => h.sign(f.r, docFor({ ...f.notice, reportNonce: 'AAAAAAAAAAAAAAAAAAAAAA' })),
      },
      {
        reason: 'policy-mismatch',
        status: 422,
        body: (f) => h.sign(f.r, docFor({ ...f.notice, policy: 'POL-OTHER' })),
      },
      {
        reason: 'signer-not-enrolled',
        status: 422,
        // the session's own card, but the enrolment follows another certificate
        before: async (f) => {
          await h.db.query(`UPDATE gw_enrolments SET sign_serial = 'ab12' WHERE policy = $1`, [f.policy]);
        },
        body: (f) => h.report(f.r, f.notice),
      },
      {
        reason: 'signer-not-session-card',
        status: 403,
        body: async (f) => {
          const x = await issueResident(pki.authority);
          return h.sign(x, docFor(f.notice));
        },
      },
      {
        reason: 'notice-closed',
        status: 422,
        before: async (f) => {
          await h.call(f.ins, 'DELETE', `/insurer/v1/notices/${f.noticeId}`);
        },
        body: (f) => h.report(f.r, f.notice),
      },
    ];
    for (const c of cases) {
      it(`refuses with reason ${c.reason}`, async () => {
        const f = await fresh();
        try {
          await c.before?.(f);
          const res = await h.tv(f.token, 'POST', '/reports', await c.body(f));
          expect(res.body.details?.reason, JSON.stringify(res.body)).toBe(c.reason);
          expect(res.status).toBe(c.status);
          expect(res.body.code).toMatch(/^KZ_GW_/);
        } finally {
          mode.current = 'normal';
        }
        // nothing was accepted; the insurer sees a refusal only when the document named its notice
        expect((await h.call(f.ins, 'GET', '/insurer/v1/reports')).body.reports).toEqual([]);
      });
    }

    it('refuses a report for a notice of another post-box, and an info notice (not a status check)', async () => {
      const a = await fresh();
      const b = await fresh();
      const cross = await h.tv(b.token, 'POST', '/reports', await h.report(b.r, a.notice));
      expect(cross.body.details.reason).toBe('notice-unknown');
      const info = await h.call(a.ins, 'POST', '/insurer/v1/notices', {
        code: a.code,
        kind: 'info',
        subject: 's',
        body: 'b',
      });
      const res = await h.tv(
        a.token,
        'POST',
        '/reports',
        await h.sign(a.r, docFor({ id: info.body.id, policy: a.policy, reportNonce: a.notice.reportNonce })),
      );
      expect(res.body.details.reason).toBe('notice-not-status-check');
    });

    it('shows the insurer refused attempts on its notice, by reason only', async () => {
      const f = await fresh();
      await h.tv(
        f.token,
        'POST',
        '/reports',
        await h.sign(f.r, docFor({ ...f.notice, reportNonce: 'BBBBBBBBBBBBBBBBBBBBBB' })),
      );
      const n = await h.call(f.ins, 'GET', `/insurer/v1/notices/${f.noticeId}`);
      expect(n.body.refusedReports).toEqual([{ reason: 'nonce-mismatch', at: expect.any(String) }]);
      expect(n.body.status).toBe('read');
    });
  });
}
