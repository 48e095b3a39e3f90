import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dbEngines } from '@kizuna/test-utils';
import { gatewayErrors } from '../src/errors.ts';
import { REPORT_REASONS } from '../src/reports.ts';
import { loadGatewayConfig } from '../src/config.ts';
import { createPki, openHarness, type Harness } from './helpers.ts';

describe('OpenAPI description, documented errors, config', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await openHarness(dbEngines()[0]!, await createPki());
  });
  afterAll(async () => {
    await h.close();
  });

  it('serves an OpenAPI document where every route declares its body and responses', async () => {
    const res = await h.app.inject({ method: 'GET', url: '/docs/json' });
    expect(res.statusCode).toBe(200);
    const doc = res.json();
    expect(doc.openapi).toMatch(/^3\./);
    const paths = Object.keys(doc.paths);
    for (const p of [
      '/insurer/v1/notices',
      '/insurer/v1/reports/{id}',
      '/insurer/v1/events',
      '/postbox/v1/reports',
      '/postbox/v1/enrolments',
      '/operator/v1/insurers/{id}/suspend',
    ])
      expect(paths).toContain(p);
    for (const [path, ops] of Object.entries<Record<string, any>>(doc.paths)) {
      for (const [method, op] of Object.entries(ops)) {
        expect(Object.keys(op.responses ?? {}), `${method} ${path}`).not.toHaveLength(0);
        if (
          ['post', 'put'].includes(method) &&
          !/\/(ack|reverify|suspend|resume|keys|webhook-secret|rotate|replay|logout|consent-nonce|challenge)$/.test(
            path,
          )
        ) {
          expect(op.requestBody, `${method} ${path} declares its body`).toBeDefined();
        }
      }
    }
    expect((await h.app.inject({ method: 'GET', url: '/docs' })).statusCode).toBeLessThan(400);
  });

  it('documents every error code and every report reason in docs/PROTOCOL.md', () => {
    const protocol = readFileSync(new URL('../../docs/PROTOCOL.md', import.meta.url), 'utf8');
    const section = protocol.slice(protocol.indexOf('## Post-box and insurer API'));
    for (const code of Object.keys(gatewayErrors)) expect(section, code).toContain(code);
    for (const reason of Object.keys(REPORT_REASONS)) expect(section, reason).toContain(`\`${reason}\``);
  });

  it('refuses bad configuration naming the variable', () => {
    expect(() => loadGatewayConfig({ KZ_GATEWAY_PORT: 'abc' })).toThrow(/KZ_GATEWAY_PORT/);
    expect(() => loadGatewayConfig({ KZ_GATEWAY_OPERATOR_TOKEN: 'short' })).toThrow(/KZ_GATEWAY_OPERATOR_TOKEN/);
    expect(loadGatewayConfig({}).KZ_GATEWAY_PORT).toBe(18850);
    // revocation is asked at every use unless the operator chooses a window (at most 5 min)
    expect(loadGatewayConfig({}).KZ_GATEWAY_STATUS_CACHE_MS).toBe(0);
    expect(loadGatewayConfig({ KZ_GATEWAY_STATUS_CACHE_MS: '60000' }).KZ_GATEWAY_STATUS_CACHE_MS).toBe(60_000);
    expect(() => loadGatewayConfig({ KZ_GATEWAY_STATUS_CACHE_MS: '-1' })).toThrow(/KZ_GATEWAY_STATUS_CACHE_MS/);
    expect(() => loadGatewayConfig({ KZ_GATEWAY_STATUS_CACHE_MS: '3600000' })).toThrow(/KZ_GATEWAY_STATUS_CACHE_MS/);
    expect(loadGatewayConfig({}).KZ_GATEWAY_OCSP_NONCE).toBe(true);
    expect(loadGatewayConfig({ KZ_GATEWAY_OCSP_NONCE: 'false' }).KZ_GATEWAY_OCSP_NONCE).toBe(false);
    expect(() => loadGatewayConfig({ KZ_GATEWAY_OCSP_NONCE: 'sometimes' })).toThrow(/KZ_GATEWAY_OCSP_NONCE/);
  });
});
