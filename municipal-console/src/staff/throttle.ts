/**
 * Login throttling that slows guessing without locking an office out (ASVS V2.2.1). Two budgets,
 * both counting FAILURES only, so a shift change of fifty good logins costs nothing:
 * - per account (in the database, shared by every console server): after `freeFailures` failed
 *   logins in a row the account is locked for 30 s, doubling with each further failure up to
 *   15 minutes; a good login (or a password reset) clears it. A locked account answers exactly as
 *   a wrong password does, so the lock does not tell which usernames exist.
 * - per client address (in memory): `ipFailures` failures in `ipWindowMs` answer 429. The address
 *   is the real client's only when the console sits behind the proxy named in
 *   KZ_CONSOLE_TRUST_PROXY (fastify trustProxy); otherwise every user behind a proxy shares one
 *   address, which is why this budget is generous and counts failures only.
 */
import { coreErrors, type Queryable } from '@kizuna/core';

export interface ThrottleSettings {
  /** Failed logins in a row before the account is locked. */
  freeFailures: number;
  /** First lock, milliseconds; doubles per further failure. */
  baseLockMs: number;
  maxLockMs: number;
  /** Failed logins one client address may make per window before 429. */
  ipFailures: number;
  ipWindowMs: number;
}

export const DEFAULT_THROTTLE: ThrottleSettings = {
  freeFailures: 5,
  baseLockMs: 30_000,
  maxLockMs: 15 * 60_000,
  ipFailures: 50,
  ipWindowMs: 15 * 60_000,
};

/** How long the account stays locked after its `failures`-th failure in a row (0: not locked). */
export function lockFor(failures: number, s: ThrottleSettings): number {
  if (failures < s.freeFailures) return 0;
  return Math.min(s.maxLockMs, s.baseLockMs * 2 ** Math.min(20, failures - s.freeFailures));
}

/** Count a failed login; returns the new lock end, if this failure starts or extends one. */
export async function recordFailure(
  q: Queryable,
  username: string,
  now: Date,
  s: ThrottleSettings,
): Promise<{ failures: number; lockedUntil: Date | null }> {
  const { rows } = await q.query<{ failed_logins: number }>(
    'UPDATE staff SET failed_logins = failed_logins + 1 WHERE username = $1 RETURNING failed_logins',
    [username],
  );
  const failures = Number(rows[0]?.failed_logins ?? 0);
  const ms = lockFor(failures, s);
  if (ms === 0) return { failures, lockedUntil: null };
  const lockedUntil = new Date(now.getTime() + ms);
  await q.query('UPDATE staff SET locked_until = $2 WHERE username = $1', [username, lockedUntil]);
  return { failures, lockedUntil };
}

export async function clearFailures(q: Queryable, username: string): Promise<void> {
  await q.query(
    'UPDATE staff SET failed_logins = 0, locked_until = NULL WHERE username = $1 AND (failed_logins > 0 OR locked_until IS NOT NULL)',
    [username],
  );
}

/** Failures per client address in a sliding window (memory only: a restart forgives). */
export class AddressBudget {
  private readonly failures = new Map<string, number[]>();
  constructor(
    private readonly s: ThrottleSettings,
    private readonly now: () => number,
  ) {}

  private recent(ip: string): number[] {
    const since = this.now() - this.s.ipWindowMs;
    const list = (this.failures.get(ip) ?? []).filter((t) => t > since);
    if (list.length === 0) this.failures.delete(ip);
    else this.failures.set(ip, list);
    return list;
  }

  /** Throws 429 when this address has used its failure budget. */
  check(ip: string): void {
    const list = this.recent(ip);
    if (list.length < this.s.ipFailures) return;
    const retryAfterS = Math.max(1, Math.ceil((list[0]! + this.s.ipWindowMs - this.now()) / 1000));
    throw coreErrors.KZ_RATE_LIMITED(
      `at most ${this.s.ipFailures} failed logins per ${Math.round(this.s.ipWindowMs / 60_000)} minutes from one address; try again in ${retryAfterS} s`,
      { retryAfterS },
    );
  }

  fail(ip: string): void {
    const list = this.recent(ip);
    list.push(this.now());
    this.failures.set(ip, list);
    // bound memory under a spray from many addresses: forget the oldest address
    if (this.failures.size > 10_000) this.failures.delete(this.failures.keys().next().value!);
  }
}
