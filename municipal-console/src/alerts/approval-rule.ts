/**
 * The municipality's approval rule: which changes to an alert need a second person before they
 * reach TVs. One setting (table approval_rule, migration 011), enforced here for every action
 * (issue, send, update, cancel; docs/OPERATIONS.md lists them per value). Changing the setting is
 * itself two-person: one admin proposes, a different admin confirms the same value; both audited.
 */
import type { Db, Queryable } from '@kizuna/core';
import type { AlertStatus, MsgType } from '@kizuna/contract';
import { consoleErrors } from '../errors.ts';
import { appendAudit } from '../staff/audit.ts';
import { hasRole, type StaffMember } from '../staff/staff.ts';

/**
 * all: every change that reaches TVs, exercises and tests too.
 * actual (default): every change to a real alert that reaches TVs, at any level, cancel included.
 * actual-4-5: real alerts issued or updated at level 4 or 5.
 * Under every value, a change to content a second person approved needs a second person again.
 */
export const APPROVAL_RULES = ['all', 'actual', 'actual-4-5'] as const;
export type ApprovalRule = (typeof APPROVAL_RULES)[number];

/** A change that would reach TVs: its revision, and whether what TVs show now was approved. */
export interface Change {
  status: AlertStatus;
  level: number;
  msgType: MsgType;
  approvedOnTvs: boolean;
}

export function needsSecondPerson(rule: ApprovalRule, c: Change): boolean {
  if (c.approvedOnTvs || rule === 'all') return true;
  if (c.status !== 'Actual') return false;
  return rule === 'actual' || (c.level >= 4 && c.msgType !== 'Cancel');
}

export interface RuleState {
  rule: ApprovalRule;
  setBy: string | null;
  confirmedBy: string | null;
  setAt: string | null;
  proposal: { rule: ApprovalRule; proposedBy: string; proposedAt: string } | null;
}

interface Row {
  rule: ApprovalRule;
  set_by: string | null;
  confirmed_by: string | null;
  set_at: Date | null;
  proposed_rule: ApprovalRule | null;
  proposed_by: string | null;
  proposed_at: Date | null;
}

const iso = (d: Date | string | null) => (d === null ? null : new Date(d).toISOString());

async function row(q: Queryable, lock = false): Promise<Row> {
  return (await q.query<Row>(`SELECT * FROM approval_rule${lock ? ' FOR UPDATE' : ''}`)).rows[0]!;
}

export async function readRule(q: Queryable): Promise<ApprovalRule> {
  return (await row(q)).rule;
}

function stateOf(r: Row): RuleState {
  return {
    rule: r.rule,
    setBy: r.set_by,
    confirmedBy: r.confirmed_by,
    setAt: iso(r.set_at),
    proposal:
      r.proposed_rule && r.proposed_by
        ? { rule: r.proposed_rule, proposedBy: r.proposed_by, proposedAt: iso(r.proposed_at)! }
        : null,
  };
}

export async function ruleState(q: Queryable): Promise<RuleState> {
  return stateOf(await row(q));
}

function needAdmin(staff: StaffMember) {
  if (!hasRole(staff, 'admin')) throw consoleErrors.KZ_CONSOLE_ROLE_REQUIRED('needs the admin role');
}

/** One admin proposes a value (replacing any open proposal); nothing changes until another confirms it. */
export async function proposeRule(db: Db, staff: StaffMember, rule: ApprovalRule, now: Date): Promise<RuleState> {
  needAdmin(staff);
  return db.tx(async (q) => {
    const before = await row(q, true);
    await q.query('UPDATE approval_rule SET proposed_rule = $1, proposed_by = $2, proposed_at = $3', [
      rule,
      staff.username,
      now,
    ]);
    await appendAudit(
      q,
      {
        actor: staff.username,
        action: 'approval-rule.propose',
        subject: 'approval-rule',
        details: { rule, current: before.rule },
      },
      now,
    );
    return stateOf(await row(q));
  });
}

/** A different admin confirms the value proposed (naming it, so nothing else is confirmed); it takes effect at once. */
export async function confirmRule(db: Db, staff: StaffMember, rule: ApprovalRule, now: Date): Promise<RuleState> {
  needAdmin(staff);
  return db.tx(async (q) => {
    const r = await row(q, true);
    if (!r.proposed_rule || r.proposed_rule !== rule)
      throw consoleErrors.KZ_CONSOLE_RULE_NOT_PROPOSED(
        r.proposed_rule ? `${r.proposed_rule} is proposed, not ${rule}` : 'nothing is proposed',
      );
    if (r.proposed_by === staff.username) throw consoleErrors.KZ_CONSOLE_RULE_SELF_CONFIRM(staff.username);
    await q.query(
      `UPDATE approval_rule SET rule = proposed_rule, set_by = proposed_by, confirmed_by = $1, set_at = $2,
          proposed_rule = NULL, proposed_by = NULL, proposed_at = NULL`,
      [staff.username, now],
    );
    await appendAudit(
      q,
      {
        actor: staff.username,
        action: 'approval-rule.confirm',
        subject: 'approval-rule',
        details: { rule, previous: r.rule, proposedBy: r.proposed_by },
      },
      now,
    );
    return stateOf(await row(q));
  });
}
