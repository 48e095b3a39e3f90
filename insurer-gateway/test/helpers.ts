/**
 * Shared set-up for the gateway suites: a real test authority and cards, the real verifier, the app on a given engine.
 * Also the package's `./testing` entry point, so the cross-part suites in system/ drive the gateway the same way.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { HTTPMethods, InjectOptions } from 'fastify';
import { createLogger } from '@kizuna/core';
import {
  type Authority,
  createAuthority,
  createChallengeService,
  createVerifier,
  type EmulatedCard,
  JpkiClient,
  unseal,
} from '@kizuna/jpki';
import type { DbEngine } from '@kizuna/test-utils';
import { buildGatewayApp, type GatewayApp, type GatewayDeps } from '../src/app.ts';
import { createInsurer, type InsurerCredentials } from '../src/insurers.ts';
import { signRequest } from '../src/request-signing.ts';
import { loginPostbox } from '../src/postboxes.ts';
import { buildConsentDocument, buildReportDocument, type Statement } from '@kizuna/contract';
import { createWatchSource, type RenewalLinks } from '../src/watch-source.ts';
import { authorityCardLinks, authorityLinks, challengeLogin } from '../src/jpki-adapters.ts';
import type { CardLinks } from '../src/card-binding.ts';
import { createEvidenceVerifier } from '../src/evidence.ts';

export const OPERATOR_TOKEN = 'operator-token-for-tests-0123456789';
export const silentLogger = () => createLogger({ name: 'gw-test', level: 'silent' });

/** Real time plus an offset the test moves forward (certificates are issued in real time). */
export class TestClock {
  offset = 0;
  now() {
    return new Date(Date.now() + this.offset);
  }
  advance(ms: number) {
    this.offset += ms;
  }
}

export interface Resident {
  client: JpkiClient;
  card: EmulatedCard;
  authSerial: string;
  signSerial: string;
  password: string;
  pin: string;
}

let n = 0;
export async function issueResident(
  authority: Authority,
  opts: { notBefore?: Date; notAfter?: Date; name?: string } = {},
): Promise<Resident> {
  n += 1;
  const password = `PASS${String(n).padStart(4, '0')}`;
  const pin = String(1000 + n).slice(-4);
  const issued = await authority.issueCard(
    { name: opts.name ?? `山田　太郎${n}`, address: `絆市川辺1丁目${n}番1号`, birthDate: '1941-04-12', sex: 1 },
    { authPin: pin, signPassword: password },
    {
      label: `test resident ${n}`,
      ...(opts.notBefore ? { notBefore: opts.notBefore } : {}),
      ...(opts.notAfter ? { notAfter: opts.notAfter } : {}),
    },
  );
  return {
    client: new JpkiClient(issued.card),
    card: issued.card,
    authSerial: issued.authSerial,
    signSerial: issued.signSerial,
    password,
    pin,
  };
}

/** The card's keys and certificates as PEM, for OpenSSL interop tests (read from its sealed file). */
export function cardPem(card: EmulatedCard): { signKey: string; signCert: string; authKey: string; authCert: string } {
  const dir = mkdtempSync(join(tmpdir(), 'kz-card-'));
  try {
    const file = join(dir, 'card.json');
    card.save(file, 'test-file-key');
    const c = JSON.parse(unseal(readFileSync(file, 'utf8'), 'test-file-key').plain.toString('utf8')) as Record<
      string,
      string
    >;
    const pem = (label: string, b64: string) =>
      `-----BEGIN ${label}-----\n${b64.match(/.{1,64}/g)!.join('\n')}\n-----END ${label}-----\n`;
    return {
      signKey: pem('PRIVATE KEY', c.signKeyPkcs8!),
      signCert: pem('CERTIFICATE', c.signCert!),
      authKey: pem('PRIVATE KEY', c.authKeyPkcs8!),
      authCert: pem('CERTIFICATE', c.authCert!),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The authority, a verifier trusting it, and (optional) renewal and card links other than the in-process ones (say over HTTP). */
export interface Pki {
  authority: Authority;
  verifier: ReturnType<typeof createVerifier>;
  links?: RenewalLinks;
  cardLinks?: CardLinks;
}
export async function createPki(): Promise<Pki> {
  const authority = await createAuthority({});
  const verifier = createVerifier({ trustAnchors: authority.trustAnchors(), status: authority.statusSource() });
  return { authority, verifier };
}

export interface Harness {
  app: GatewayApp;
  clock: TestClock;
  db: GatewayDeps['db'];
  insurer(id?: string, name?: string): Promise<InsurerCredentials>;
  call<T = any>(
    creds: { keyId: string; secret: string },
    method: HTTPMethods,
    path: string,
    body?: unknown,
  ): Promise<{ status: number; body: T }>;
  /** A session as a card login opens it (the TV named is linked without asking its municipality). */
  login(
    resident: Resident,
    device?: { muni: string; device: string },
    previousSerials?: string[],
  ): Promise<{ token: string; postboxId: string }>;
  tv<T = any>(
    token: string,
    method: HTTPMethods,
    path: string,
    body?: InjectOptions['payload'],
  ): Promise<{ status: number; body: T }>;
  enrol(token: string, resident: Resident, insurerId: string, policy: string): Promise<{ status: number; body: any }>;
  sign(resident: Resident, doc: Uint8Array, detached?: boolean): Promise<{ cms: string; content?: string }>;
  report(
    resident: Resident,
    notice: { id: string; policy: string | null; reportNonce?: string | null },
    statement?: Statement,
  ): Promise<{ cms: string }>;
  close(): Promise<void>;
}

export async function openHarness(engine: DbEngine, pki: Pki, extra: Partial<GatewayDeps> = {}): Promise<Harness> {
  const db = await engine.open();
  const clock = new TestClock();
  const status = createWatchSource({
    db,
    verifier: pki.verifier,
    links: pki.links ?? authorityLinks(pki.authority),
  });
  const app = await buildGatewayApp({
    db,
    logger: silentLogger(),
    verifier: pki.verifier,
    challenges: challengeLogin(createChallengeService({ verifier: pki.verifier })),
    status,
    clock,
    evidenceVerifier: createEvidenceVerifier({ trustAnchors: pki.authority.trustAnchors() }),
    operatorToken: OPERATOR_TOKEN,
    cardLinks: pki.cardLinks ?? authorityCardLinks(pki.authority),
    cardStatus: pki.verifier,
    ...extra,
  });
  let seq = 0;
  const h: Harness = {
    app,
    clock,
    db,
    insurer: (id = `ins-${++seq}`, name = `保険会社${seq}`) => createInsurer(db, { id, name }, clock.now()),
    async call(creds, method, path, body) {
      const text = body === undefined ? '' : JSON.stringify(body);
      const res = await app.inject({
        method,
        url: path,
        payload: body === undefined ? undefined : text,
        headers: {
          authorization: signRequest(creds, method, path, text, clock.now()),
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
      });
      return { status: res.statusCode, body: (res.body ? res.json() : undefined) as any };
    },
    async login(resident, device, previousSerials) {
      const authCert = await resident.client.readAuthCertificate();
      const s = await loginPostbox(
        db,
        {
          authSerial: resident.authSerial,
          authCert,
          ttlS: 3600,
          ...device,
          ...(previousSerials ? { previousSerials } : {}),
        },
        clock.now(),
      );
      return { token: s.token, postboxId: s.postboxId };
    },
    async tv(token, method, path, body) {
      const res = await app.inject({
        method,
        url: `/postbox/v1${path}`,
        headers: { authorization: `Bearer ${token}` },
        ...(body === undefined ? {} : { payload: body }),
      });
      return {
        status: res.statusCode,
        body: (res.headers['content-type']?.toString().includes('json') ? res.json() : res.rawPayload) as any,
      };
    },
    async sign(resident, doc, detached = false) {
      const der = await resident.client.signCms(resident.password, doc, { detached });
      return {
        cms: Buffer.from(der).toString('base64'),
        ...(detached ? { content: Buffer.from(doc).toString('base64') } : {}),
      };
    },
    async enrol(token, resident, insurerId, policy) {
      const { body: nonce } = await h.tv(token, 'POST', '/consent-nonce');
      const signed = await h.sign(resident, buildConsentDocument({ insurer: insurerId, policy, nonce: nonce.nonce }));
      return h.tv(token, 'POST', '/enrolments', signed);
    },
    report(resident, notice, statement = { answer: 'living' }) {
      return h.sign(
        resident,
        buildReportDocument({ notice: notice.id, policy: notice.policy!, nonce: notice.reportNonce!, statement }),
      );
    },
    async close() {
      await app.close();
      await db.drop();
    },
  };
  return h;
}

/** A resident enrolled with an insurer for one policy, and an open status-check notice for it. */
export async function enrolledWithNotice(h: Harness, resident: Resident, creds: InsurerCredentials, policy: string) {
  const { token, postboxId } = await h.login(resident);
  const e = await h.enrol(token, resident, creds.insurerId, policy);
  if (e.status !== 201) throw new Error(`enrol failed: ${JSON.stringify(e.body)}`);
  const { body: ph } = await h.call(creds, 'GET', '/insurer/v1/policyholders');
  const code = ph.policyholders.find((p: { policy: string }) => p.policy === policy).code as string;
  const sent = await h.call(creds, 'POST', '/insurer/v1/notices', {
    code,
    policy,
    kind: 'status-check',
    subject: '現況届のお願い',
    body: 'ご本人様の現況をお知らせください。',
  });
  if (sent.status !== 201) throw new Error(`notice failed: ${JSON.stringify(sent.body)}`);
  const opened = await h.tv(token, 'GET', `/notices/${sent.body.id}`);
  return { token, postboxId, code, noticeId: sent.body.id as string, notice: opened.body };
}
