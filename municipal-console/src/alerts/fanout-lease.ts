/**
 * The fan-out's lease: a revision 'fanning-out' names its owner (fanout_owner) and the owner's
 * heartbeat (fanout_at). Only the owner writes chunks, each under the alert's row lock after
 * checking and renewing the lease; an Update, Cancel or expiry takes the lease away, and the alert
 * timer takes over a lease whose heartbeat is stale (its process died).
 */
import { randomBytes } from 'node:crypto';
import type { Queryable } from '@kizuna/core';
import { lockAlertRow, renewLease } from './repository/alert-rows.ts';

/** A fan-out to run once the transaction that committed its revision as 'fanning-out' is committed. */
export interface FanoutJob {
  alertId: string;
  revision: number;
  owner: string;
}

export const newOwner = () => randomBytes(9).toString('base64url');

/**
 * Under the alert's row lock (taken first, so the revision's row is read after any takeover or
 * replacement committed): is this still the alert's revision, fanning out, under this lease?
 * Renews the heartbeat when it is.
 */
export async function holdLease(q: Queryable, job: FanoutJob, now: () => Date): Promise<boolean> {
  const a = await lockAlertRow(q, job.alertId);
  if (!a || a.state !== 'active' || Number(a.revision) !== job.revision) return false;
  return renewLease(q, job.alertId, job.revision, job.owner, now());
}
