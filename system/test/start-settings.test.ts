/**
 * Issue 23, item 8: `npm start` honours every KZ_CONSOLE_*, KZ_GATEWAY_*, KZ_JPKI_* and
 * KZ_BROKER_AUTH_PORT variable that .env.example lists (and its own, and KZ_METRICS_TOKEN): each one, set alone to a
 * valid value other than its default, either changes what npm start runs or is refused with a
 * line naming it — none is silently ignored.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { TObject } from 'typebox';
import { MetricsConfigSchema } from '@kizuna/core';
import { GatewayConfigSchema } from '@kizuna/insurer-gateway';
import { JpkiConfigSchema } from '@kizuna/jpki';
import { BrokerConfigSchema } from '@kizuna/broker';
import { ConsoleConfigSchema } from '@kizuna/municipal-console';
import { WebConfigSchema } from '@kizuna/municipal-console/web-plugin';
import { SystemConfigSchema, loadSystemConfig } from '../src/config.ts';
import { ENV_EXAMPLE_PATH } from '../src/env-example.ts';
import { startSettings } from '../src/start-settings.ts';

const SCHEMAS: TObject[] = [
  SystemConfigSchema,
  MetricsConfigSchema,
  GatewayConfigSchema,
  JpkiConfigSchema,
  BrokerConfigSchema,
  ConsoleConfigSchema,
];

interface Prop {
  type?: string;
  default?: unknown;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  pattern?: string;
  anyOf?: { const?: unknown }[];
}
const propOf = (name: string): Prop => {
  for (const s of SCHEMAS) if (name in s.properties) return s.properties[name] as Prop;
  throw new Error(`${name} is in .env.example but in no schema`);
};

/** A valid value other than the default. */
function otherValue(name: string): string {
  const p = propOf(name);
  if (p.anyOf) return String(p.anyOf.map((a) => a.const).find((c) => c !== p.default && c !== 'silent'));
  if (p.type === 'integer') {
    const d = typeof p.default === 'number' ? p.default : (p.minimum ?? 0);
    return String(p.maximum !== undefined && d + 1 > p.maximum ? d - 1 : d + 1);
  }
  if (p.type === 'boolean') return String(!p.default);
  if (p.pattern?.startsWith('^postgres')) return 'postgres://kz@db.example:5432/kizuna';
  if (name.endsWith('_LOG_LEVEL')) return p.default === 'debug' ? 'warn' : 'debug';
  if (p.minLength && p.minLength > 10) return 'x'.repeat(p.minLength + 6);
  return `/srv/kizuna-test/${name.toLowerCase()}`;
}

// The variables npm start must honour: its own section, and every KZ_CONSOLE_*, KZ_GATEWAY_*, KZ_JPKI_*,
// KZ_BROKER_AUTH_PORT, KZ_METRICS_TOKEN listed (the staff web UI's own settings — card-bridge URL, base map —
// are read by the web plugin itself, from the environment, in npm start as in the console alone).
const listed = [...readFileSync(ENV_EXAMPLE_PATH, 'utf8').matchAll(/^(?:# )?(KZ_[A-Z0-9_]+)=/gm)].map((m) => m[1]!);
const honoured = [
  ...new Set(
    listed.filter(
      (v) =>
        v in SystemConfigSchema.properties ||
        (/^KZ_(CONSOLE|GATEWAY|JPKI)_/.test(v) && !(v in WebConfigSchema.properties)) ||
        v === 'KZ_BROKER_AUTH_PORT' ||
        /^KZ_BROKER_(MAX_|CONNECT_TIMEOUT)/.test(v) ||
        v === 'KZ_METRICS_TOKEN',
    ),
  ),
];

const settingsFor = (env: Record<string, string>) => startSettings(loadSystemConfig(env), env);
const baseline = JSON.stringify(settingsFor({}));

describe('npm start reads every documented variable of the parts it runs', () => {
  it('covers what .env.example lists', () => {
    for (const v of ['KZ_GATEWAY_WATCH_INTERVAL_S', 'KZ_JPKI_OCSP_VALIDITY', 'KZ_BROKER_AUTH_PORT', 'KZ_METRICS_TOKEN'])
      expect(honoured).toContain(v);
    expect(honoured.filter((v) => v.startsWith('KZ_GATEWAY_')).length).toBeGreaterThanOrEqual(20);
    expect(honoured.filter((v) => v.startsWith('KZ_CONSOLE_')).length).toBeGreaterThanOrEqual(30);
  });

  for (const name of honoured) {
    it(name, () => {
      const value = otherValue(name);
      let changed: string | undefined;
      try {
        changed = JSON.stringify(settingsFor({ [name]: value }));
      } catch (e) {
        // refused: the line names the variable and says what to do
        expect((e as { code?: string }).code).toBe('KZ_CONFIG_INVALID');
        expect((e as Error).message).toContain(name.replace(/_(CERT|KEY)_FILE$/, ''));
        return;
      }
      expect(changed, `${name}=${value} changed nothing npm start runs`).not.toBe(baseline);
    });
  }

  it('applies the gateway tuning and the authority settings where given', () => {
    const s = settingsFor({
      KZ_GATEWAY_WATCH_INTERVAL_S: '300',
      KZ_GATEWAY_SIGNATURE_WINDOW_S: '60',
      KZ_GATEWAY_IDEMPOTENCY_DAYS: '30',
      KZ_GATEWAY_OPERATOR_TOKEN: 'operator-token-0123456789abcdef',
      KZ_JPKI_AUTHORITY_PORT: '28840',
      KZ_JPKI_OCSP_VALIDITY: '60',
      KZ_BROKER_AUTH_PORT: '28832',
    });
    expect(s.gateway.options).toMatchObject({
      watchIntervalS: 300,
      signatureWindowS: 60,
      idempotencyDays: 30,
      operatorToken: 'operator-token-0123456789abcdef',
    });
    expect(s.authority).toMatchObject({ port: 28840, ocspValidityMs: 60_000, publicUrl: 'http://127.0.0.1:28840' });
    expect(s.brokerAuthPort).toBe(28832);
    // the defaults .env.example shows, copied whole, are consistent with npm start's own wiring
    const copied = Object.fromEntries(
      [...readFileSync(ENV_EXAMPLE_PATH, 'utf8').matchAll(/^(KZ_(?:GATEWAY|JPKI)_[A-Z0-9_]+)=(.*)$/gm)].map((m) => [
        m[1]!,
        m[2]!,
      ]),
    );
    expect(() => settingsFor(copied)).not.toThrow();
  });

  it("applies the embedded broker's queue caps per TV (issue 21)", () => {
    for (const v of ['KZ_BROKER_MAX_QUEUED_MESSAGES', 'KZ_BROKER_MAX_QUEUED_BYTES']) expect(honoured).toContain(v);
    const s = settingsFor({ KZ_BROKER_MAX_QUEUED_MESSAGES: '20', KZ_BROKER_MAX_QUEUED_BYTES: '2097152' });
    expect(s.brokerLimits).toMatchObject({ maxQueuedMessages: 20, maxQueuedBytes: 2_097_152 });
    expect(settingsFor({}).brokerLimits).toMatchObject({ maxQueuedMessages: 100, maxQueuedBytes: 1_048_576 });
    expect(() => settingsFor({ KZ_BROKER_MAX_QUEUED_BYTES: '1000' })).toThrow(/KZ_BROKER_MAX_QUEUED_BYTES/);
  });

  it('gives the console publishing connections on RabbitMQ, and as many as told (issue 22)', () => {
    expect(honoured).toContain('KZ_CONSOLE_MQTT_PUBLISHERS');
    expect(settingsFor({}).console.publishers).toBe(0);
    expect(settingsFor({ KZ_SYSTEM_BROKER: 'rabbitmq-cluster' }).console.publishers).toBe(8);
    expect(
      settingsFor({ KZ_SYSTEM_BROKER: 'rabbitmq-cluster', KZ_CONSOLE_MQTT_PUBLISHERS: '2' }).console.publishers,
    ).toBe(2);
    expect(settingsFor({ KZ_CONSOLE_MQTT_PUBLISHERS: '3' }).console.publishers).toBe(3);
    expect(() => settingsFor({ KZ_CONSOLE_MQTT_PUBLISHERS: '33' })).toThrow(/KZ_CONSOLE_MQTT_PUBLISHERS/);
  });

  it("applies the console's session, lockout and audit settings (the console alone reads the same mapping)", () => {
    const s = settingsFor({
      KZ_CONSOLE_REAUTH_S: '60',
      KZ_CONSOLE_SESSION_IDLE_S: '600',
      KZ_CONSOLE_LOGIN_LOCK_AFTER: '3',
      KZ_CONSOLE_TRUST_PROXY: '10.0.0.1',
      KZ_CONSOLE_DATA_DIR: '/srv/kizuna/municipality',
    });
    expect(s.console.options).toMatchObject({
      reauthS: 60,
      sessionIdleS: 600,
      loginThrottle: { freeFailures: 3 },
      trustProxy: '10.0.0.1',
    });
    expect(s.console.dataDir).toBe('/srv/kizuna/municipality');
    expect(s.console.audit.keyFile).toBe('/srv/kizuna/municipality/audit.key');
    expect(() => settingsFor({ KZ_CONSOLE_MQTT_URL: 'mqtt://elsewhere:1883' })).toThrow(/KZ_CONSOLE_MQTT_URL/);
    expect(() => settingsFor({ KZ_CONSOLE_MUNI: '011002' })).toThrow(/KZ_CONSOLE_MUNI/);
  });

  it('refuses what npm start wires itself, naming the variable', () => {
    expect(() => settingsFor({ KZ_GATEWAY_MQTT_URL: 'mqtt://elsewhere:1883' })).toThrow(/KZ_GATEWAY_MQTT_URL/);
    expect(() => settingsFor({ KZ_GATEWAY_AUTHORITY_URL: 'http://ca.example:18840' })).toThrow(
      /KZ_GATEWAY_AUTHORITY_URL/,
    );
    expect(() => settingsFor({ KZ_JPKI_AUTHORITY_PORT: '1', KZ_AUTHORITY_PORT: '2' })).toThrow(
      /KZ_JPKI_AUTHORITY_PORT/,
    );
  });
});
