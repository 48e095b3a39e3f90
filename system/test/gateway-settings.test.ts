import { describe, expect, it } from 'vitest';
import { loadSystemConfig } from '../src/config.ts';

describe('npm start: the gateway settings of issue #23', () => {
  it('takes the re-check interval (default 4 minutes) and the private webhook ranges from the environment', () => {
    expect(loadSystemConfig({}).KZ_GATEWAY_WATCH_INTERVAL_S).toBe(240);
    expect(loadSystemConfig({ KZ_GATEWAY_WATCH_INTERVAL_S: '30' }).KZ_GATEWAY_WATCH_INTERVAL_S).toBe(30);
    expect(() => loadSystemConfig({ KZ_GATEWAY_WATCH_INTERVAL_S: '0' })).toThrow(/KZ_GATEWAY_WATCH_INTERVAL_S/);
    expect(loadSystemConfig({}).KZ_GATEWAY_WEBHOOK_ALLOW_PRIVATE).toBe('');
    expect(loadSystemConfig({ KZ_GATEWAY_WEBHOOK_ALLOW_PRIVATE: '127.0.0.0/8' }).KZ_GATEWAY_WEBHOOK_ALLOW_PRIVATE).toBe(
      '127.0.0.0/8',
    );
  });
});
