/**
 * How devices (TVs, shelter terminals) come back to the broker: exponential backoff with full
 * jitter. After a broker restart a whole city's devices lose their connection at the same
 * instant; a fixed retry period would bring them back in one synchronised wave every period,
 * each wave larger than the broker can log in. Full jitter (a uniformly random wait between 0
 * and an exponentially growing ceiling) spreads them out, and devices the broker refused wait
 * longer next time. docs/PROTOCOL.md, "Reconnecting".
 */

export interface ReconnectPolicy {
  /** Ceiling of the first wait (ms); each failed attempt doubles it. */
  baseMs: number;
  /** The ceiling never exceeds this (ms). */
  capMs: number;
}

export const RECONNECT_DEFAULTS: Readonly<ReconnectPolicy> = { baseMs: 1000, capMs: 30_000 };

/**
 * Wait before reconnect attempt `attempt` (0 = the first after a connection was lost): uniform in
 * [0, min(capMs, baseMs · 2^attempt)). `random` returns [0, 1), like Math.random.
 */
export function reconnectDelay(attempt: number, policy: ReconnectPolicy, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.capMs, policy.baseMs * 2 ** Math.max(0, attempt));
  return Math.floor(random() * ceiling);
}

/**
 * The part of an mqtt.js client the scheduler drives, by shape (the contract does not depend on
 * mqtt.js). The client must be created with `reconnectPeriod: 0`: mqtt.js's own timer retries at
 * a fixed period.
 */
export interface ReconnectableClient<Store = unknown> {
  on(event: 'connect' | 'close' | 'end', listener: () => void): unknown;
  reconnect(opts: { incomingStore: Store; outgoingStore: Store }): unknown;
  readonly disconnecting: boolean;
  readonly incomingStore: Store;
  readonly outgoingStore: Store;
}

export interface ReconnectSchedule {
  /** Attempts since the last accepted CONNECT (or the last reset(), with resetOnConnect false). */
  readonly attempt: number;
  /** The connection is good: the next loss is retried within the first ceiling again. */
  reset(): void;
  /** A reconnect is scheduled and not yet made (for diagnostics: Link.inspect). */
  readonly pending: boolean;
  /** Stop scheduling (the client is being closed). */
  stop(): void;
  /**
   * The network is back or the box resumed (issue 25): a wait grown over a long outage (up to the
   * cap) would keep the TV away from an alert for that long. Forget the grown ceiling and retry
   * within the first one — still jittered, so a city's boxes coming back together stay spread.
   * Does nothing while no retry is pending (connected, or an attempt under way).
   */
  soon(): void;
}

/**
 * Reconnect `client` with backoff and full jitter whenever its connection closes, until it is
 * ended. The attempt count resets at every accepted CONNECT (CONNACK 0). The client's message
 * stores are kept across attempts, so QoS 1 messages not yet acknowledged are sent again.
 */
export function scheduleReconnects<Store>(
  client: ReconnectableClient<Store>,
  policy: ReconnectPolicy = RECONNECT_DEFAULTS,
  hooks: {
    onScheduled?: (delayMs: number, attempt: number) => void;
    random?: () => number;
    /**
     * false: a CONNACK does not reset the attempt count, reset() does. For a client whose connection
     * is good only once more is answered (the TV's subscriptions): a broker that accepts CONNECTs and
     * answers nothing else would otherwise have it back within the first ceiling, every time.
     */
    resetOnConnect?: boolean;
  } = {},
): ReconnectSchedule {
  let attempt = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let stopped = false;
  const clear = () => {
    clearTimeout(timer);
    timer = undefined;
  };
  client.on('connect', () => {
    if (hooks.resetOnConnect !== false) attempt = 0;
    clear();
  });
  client.on('end', () => {
    stopped = true;
    clear();
  });
  const schedule = () => {
    const delay = reconnectDelay(attempt, policy, hooks.random);
    hooks.onScheduled?.(delay, attempt);
    attempt += 1;
    timer = setTimeout(() => {
      timer = undefined;
      if (stopped || client.disconnecting) return;
      client.reconnect({ incomingStore: client.incomingStore, outgoingStore: client.outgoingStore });
    }, delay);
  };
  client.on('close', () => {
    // 'close' can come twice for one attempt (error, then stream close): one timer at a time.
    if (stopped || client.disconnecting || timer !== undefined) return;
    schedule();
  });
  return {
    get attempt() {
      return attempt;
    },
    get pending() {
      return timer !== undefined;
    },
    reset() {
      attempt = 0;
    },
    stop() {
      stopped = true;
      clear();
    },
    soon() {
      if (stopped || timer === undefined) return;
      clear();
      attempt = 0;
      schedule();
    },
  };
}
