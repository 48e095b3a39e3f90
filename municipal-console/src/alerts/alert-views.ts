/** How an alert and its revisions are shown (the API's AlertView, RevisionView), made from their rows. */
import type { AlertStatus, EndReason, EvacuationLevel, Hazard, MsgType } from '@kizuna/contract';
import type { AlertSpec } from './alert-spec.ts';
import type { AlertState, RevisionState } from './alert-states.ts';
import type { AlertRow, RevRow } from './repository/alert-rows.ts';
import { approvalDigest } from './approval-digest.ts';

export type { AlertState, RevisionState } from './alert-states.ts';

export interface RevisionView {
  revision: number;
  msgType: MsgType;
  /** On a Cancel: lifted (解除) or sent in error (取消). */
  end?: EndReason;
  state: RevisionState;
  level: EvacuationLevel;
  hazard: Hazard;
  expires: string;
  spec: AlertSpec;
  createdBy: string;
  createdAt: string;
  approvedBy: string | null;
  approvedAt: string | null;
  publishedAt: string | null;
  /** Whom it reached when submitted for approval (null if it never waited). */
  counts: NonNullable<RevRow['counts']> | null;
  /** The digest of what is shown here, which approve and reject carry back (approval-digest.ts). */
  digest: string;
}

export interface AlertView {
  id: string;
  identifier: string;
  sender: string;
  status: AlertStatus;
  state: AlertState;
  revision: number;
  msgType: MsgType;
  level: EvacuationLevel;
  hazard: Hazard;
  expires: string;
  createdBy: string;
  createdAt: string;
  firstSent: string | null;
  lastSent: string | null;
  spec: AlertSpec;
  /** A revision waiting for a second staff member's approval, if any. */
  pending: RevisionView | null;
  /** An active alert's Update or Cancel stored but not sent yet (sent with …/confirmation and …/send). */
  draft: RevisionView | null;
  /** What the latest publication reached. */
  reach: { devices: number; residents: number; zones: number };
}

export const iso = (d: Date | string | null) => (d === null ? null : new Date(d).toISOString());

export function alertView(
  a: AlertRow,
  pending: RevisionView | null,
  reach: AlertView['reach'],
  draft: RevisionView | null = null,
): AlertView {
  return {
    id: a.id,
    identifier: a.identifier,
    sender: a.sender,
    status: a.status,
    state: a.state,
    revision: Number(a.revision),
    msgType: a.msg_type,
    level: Number(a.level) as EvacuationLevel,
    hazard: a.hazard,
    expires: iso(a.expires)!,
    createdBy: a.created_by,
    createdAt: iso(a.created_at)!,
    firstSent: iso(a.first_sent),
    lastSent: iso(a.last_sent),
    spec: a.spec,
    pending,
    draft,
    reach,
  };
}

export function revView(r: RevRow, status: AlertStatus): RevisionView {
  return {
    revision: Number(r.revision),
    msgType: r.msg_type,
    ...(r.end_reason ? { end: r.end_reason } : {}),
    state: r.state,
    level: Number(r.level) as EvacuationLevel,
    hazard: r.hazard,
    expires: iso(r.expires)!,
    spec: r.spec,
    createdBy: r.created_by,
    createdAt: iso(r.created_at)!,
    approvedBy: r.approved_by,
    approvedAt: iso(r.approved_at),
    publishedAt: iso(r.published_at),
    counts: r.counts ?? null,
    digest: approvalDigest(r.alert_id, status, r),
  };
}
