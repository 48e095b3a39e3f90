import { describe, expect, it } from 'vitest';
import { loadSystemConfig } from '../src/config.ts';
import { startSettings } from '../src/start-settings.ts';

const gateway = (env: Record<string, string>) => startSettings(loadSystemConfig(env), env).gateway;

describe('npm start: the gateway settings of issue #23', () => {
  it('takes the re-check interval (default 4 minutes), the feed and the private webhook ranges from the environment', () => {
    expect(gateway({}).options.watchIntervalS).toBe(240);
    expect(gateway({ KZ_GATEWAY_WATCH_INTERVAL_S: '30' }).options.watchIntervalS).toBe(30);
    expect(() => gateway({ KZ_GATEWAY_WATCH_INTERVAL_S: '0' })).toThrow(/KZ_GATEWAY_WATCH_INTERVAL_S/);
    expect(gateway({}).options.webhookAllowPrivate).toEqual([]);
    expect(gateway({ KZ_GATEWAY_WEBHOOK_ALLOW_PRIVATE: '127.0.0.0/8' }).options.webhookAllowPrivate).toEqual([
      '127.0.0.0/8',
    ]);
    expect(gateway({}).revocationFeed).toBe(true);
    expect(gateway({ KZ_GATEWAY_REVOCATION_FEED: 'false' }).revocationFeed).toBe(false);
  });
});
