/**
 * The console's settings that tune a running console, as startConsole options: one mapping for
 * the console alone (server.ts) and for npm start (system/src/start-settings.ts), so a variable
 * documented for the console works the same under both.
 */
import type { ConsoleOptions } from './app.ts';
import type { ConsoleConfig } from './config.ts';

export type ConsoleTuning = Pick<
  ConsoleOptions,
  | 'resendAfterS'
  | 'fanoutStaleS'
  | 'fanoutChunk'
  | 'wakeBoxes'
  | 'tickS'
  | 'rescueAfterS'
  | 'sessionTtlS'
  | 'sessionIdleS'
  | 'reauthS'
  | 'loginThrottle'
  | 'trustProxy'
  | 'liveThrottleMs'
  | 'bindNonceTtlS'
  | 'revocationCheckS'
  | 'revocationBatch'
  | 'rosterWindowDays'
  | 'auditHeadS'
  | 'capLimits'
  | 'jmaDir'
>;

export function consoleTuning(cfg: ConsoleConfig): ConsoleTuning {
  return {
    resendAfterS: cfg.KZ_CONSOLE_RESEND_AFTER_S,
    fanoutStaleS: cfg.KZ_CONSOLE_FANOUT_STALE_S,
    fanoutChunk: { first: cfg.KZ_CONSOLE_FANOUT_CHUNK_FIRST, max: cfg.KZ_CONSOLE_FANOUT_CHUNK_MAX },
    wakeBoxes: cfg.KZ_CONSOLE_WAKE_BOXES === 'on',
    tickS: cfg.KZ_CONSOLE_TICK_S,
    rescueAfterS: cfg.KZ_CONSOLE_RESCUE_AFTER_S,
    sessionTtlS: cfg.KZ_CONSOLE_SESSION_TTL_S,
    sessionIdleS: cfg.KZ_CONSOLE_SESSION_IDLE_S,
    reauthS: cfg.KZ_CONSOLE_REAUTH_S,
    loginThrottle: {
      freeFailures: cfg.KZ_CONSOLE_LOGIN_LOCK_AFTER,
      ipFailures: cfg.KZ_CONSOLE_LOGIN_FAILURES_PER_ADDRESS,
    },
    ...(cfg.KZ_CONSOLE_TRUST_PROXY ? { trustProxy: cfg.KZ_CONSOLE_TRUST_PROXY } : {}),
    liveThrottleMs: cfg.KZ_CONSOLE_LIVE_THROTTLE_MS,
    bindNonceTtlS: cfg.KZ_CONSOLE_BIND_NONCE_TTL_S,
    revocationCheckS: cfg.KZ_CONSOLE_REVOCATION_CHECK_S,
    revocationBatch: cfg.KZ_CONSOLE_REVOCATION_BATCH,
    rosterWindowDays: cfg.KZ_CONSOLE_ROSTER_WINDOW_DAYS,
    auditHeadS: cfg.KZ_CONSOLE_AUDIT_HEAD_S,
    ...(cfg.KZ_CONSOLE_JMA_DIR ? { jmaDir: cfg.KZ_CONSOLE_JMA_DIR } : {}),
    capLimits: {
      bytes: cfg.KZ_CONSOLE_CAP_MAX_BYTES,
      infos: cfg.KZ_CONSOLE_CAP_MAX_INFOS,
      areas: cfg.KZ_CONSOLE_CAP_MAX_AREAS,
      polygonPoints: cfg.KZ_CONSOLE_CAP_MAX_POLYGON_POINTS,
      points: cfg.KZ_CONSOLE_CAP_MAX_POINTS,
      textChars: cfg.KZ_CONSOLE_CAP_MAX_TEXT,
      trustedSenders: (cfg.KZ_CONSOLE_CAP_TRUSTED_SENDERS ?? '')
        .split(',')
        .map((x) => x.trim())
        .filter(Boolean),
    },
  };
}
