/**
 * The insurer gateway as the card suites use it (system/test/helpers/card-rig.ts): the real app on
 * a test database with the authority's verifier, an insurer's signed API calls, a resident's
 * post-box session and signed enrolment. Built from @kizuna/insurer-gateway's public entry point
 * the way the gateway's own suites build it (insurer-gateway/test/helpers.ts).
 */
import type { HTTPMethods, InjectOptions } from 'fastify';
import { createLogger } from '@kizuna/core';
import { buildConsentDocument } from '@kizuna/contract';
import {
  createChallengeService,
  type Authority,
  type EmulatedCard,
  type JpkiClient,
  type Verifier,
} from '@kizuna/jpki';
import {
  authorityLinks,
  buildGatewayApp,
  challengeLogin,
  createEvidenceVerifier,
  createInsurer,
  createWatchSource,
  loginPostbox,
  signRequest,
  type GatewayApp,
  type GatewayDeps,
  type InsurerCredentials,
} from '@kizuna/insurer-gateway';
import type { DbEngine } from '@kizuna/test-utils';

export const OPERATOR_TOKEN = 'operator-token-for-tests-0123456789';

/** Real time plus an offset a test may move forward (certificates are issued in real time). */
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
  login(resident: Resident, device?: { muni: string; device: string }): Promise<{ token: string; postboxId: string }>;
  tv<T = any>(
    token: string,
    method: HTTPMethods,
    path: string,
    body?: InjectOptions['payload'],
  ): Promise<{ status: number; body: T }>;
  enrol(token: string, resident: Resident, insurerId: string, policy: string): Promise<{ status: number; body: any }>;
  sign(resident: Resident, doc: Uint8Array, detached?: boolean): Promise<{ cms: string; content?: string }>;
  close(): Promise<void>;
}

export async function openGatewayHarness(
  engine: DbEngine,
  pki: { authority: Authority; verifier: Verifier },
): Promise<Harness> {
  const db = await engine.open();
  const clock = new TestClock();
  const status = createWatchSource({ db, verifier: pki.verifier, links: authorityLinks(pki.authority) });
  const app = await buildGatewayApp({
    db,
    logger: createLogger({ name: 'gw-test', level: 'silent' }),
    verifier: pki.verifier,
    challenges: challengeLogin(createChallengeService({ verifier: pki.verifier })),
    status,
    clock,
    evidenceVerifier: createEvidenceVerifier({ trustAnchors: pki.authority.trustAnchors() }),
    operatorToken: OPERATOR_TOKEN,
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
    async login(resident, device) {
      const s = await loginPostbox(db, { authSerial: resident.authSerial, ttlS: 3600, ...device }, clock.now());
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
    async close() {
      await app.close();
      await db.drop();
    },
  };
  return h;
}
