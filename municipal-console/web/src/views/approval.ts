/**
 * What a second person approves (issue 24): the revision waiting for approval, pinned as first
 * shown. Approve and reject send its revision and digest, so a change made meanwhile is refused
 * (409 KZ_CONSOLE_APPROVAL_STALE) instead of published; the page then shows the new content.
 */
import { html } from 'htm/preact';
import { useEffect, useState } from 'preact/hooks';
import type { AlertView, PendingRevision, Zone } from '../api.ts';
import type { ComponentChildren } from 'preact';
import { fmtTime, t, type Key } from '../i18n.ts';
import { OutgoingFacts, type Outgoing } from './outgoing.ts';
import { AreaMap } from './area-map.ts';

/**
 * The pending revision as the approver first saw it: it stays on screen while the alert is
 * re-read, until the approver asks for the new content (repin()) or an approval is refused as
 * stale (repin(digest): the content the server says waits now, shown once this page has read it).
 */
export function usePinnedPending(a: AlertView | null | undefined): {
  shown: PendingRevision | null;
  changed: boolean;
  repin: (digest?: string) => void;
} {
  const [pinned, setPinned] = useState<PendingRevision | null>(null);
  const [awaited, setAwaited] = useState<string | null>(null);
  const latest = a?.pending ?? null;
  useEffect(() => {
    if (!latest) setPinned(null);
    else if (!pinned || latest.digest === awaited) {
      setPinned(latest);
      setAwaited(null);
    }
  }, [latest?.digest, pinned === null, awaited]);
  const shown = latest ? (pinned ?? latest) : null;
  const repin = (digest?: string) => (digest ? setAwaited(digest) : setPinned(latest));
  return { shown, changed: !!latest && !!pinned && latest.digest !== pinned.digest, repin };
}

/** What a pending revision sends out, for OutgoingFacts (areas named from the zone list). */
export function outgoingOf(p: PendingRevision, status: AlertView['status'], zones: Zone[]): Outgoing {
  const target = p.spec.target ?? {};
  return {
    status,
    level: p.level,
    hazard: p.hazard,
    zones: (target.zones ?? []).map((z) => zones.find((x) => x.id === z)?.name ?? z),
    shape: !!(target.polygon || target.circle),
    group: target.group,
    text: p.spec.extra ?? {},
    counts: p.counts,
  };
}

export function ApprovalPanel(props: {
  p: PendingRevision;
  status: AlertView['status'];
  zones: Zone[];
  changed: boolean;
  onRepin: (digest?: string) => void;
  /** The per-recipient TV preview of this revision. */
  children?: ComponentChildren;
}) {
  const { p, zones } = props;
  return html`<section class=${`panel approval${props.status === 'Exercise' ? ' is-exercise' : ''}`} data-revision=${p.revision} data-digest=${p.digest} data-msg-type=${p.msgType}>
    <h3>${t('approvalTitle', { revision: p.revision })}</h3>
    <p class="hint">${t('approvalHint')}</p>
    ${props.changed ? html`<p class="notice changed" role="status">${t('contentChanged')} <button type="button" data-action="show-new" onClick=${() => props.onRepin()}>${t('showNewContent')}</button></p>` : null}
    <${OutgoingFacts} o=${outgoingOf(p, props.status, zones)} countsLabel="countsWhenSent" />
    <${AreaMap} zones=${zones.length ? zones : undefined} target=${p.spec.target} />
    <dl class="approval-facts">
      <dt>${t('msgType')}</dt><dd data-field="msgType">${t(p.end === 'lifted' ? 'mt_lifted' : (`mt_${p.msgType}` as Key))}</dd>
      <dt>${t('template')}</dt><dd>${p.spec.template === 'stay-upstairs' ? t('tplUpstairs') : t('tplShelter')}</dd>
      <dt>${t('expiry')}</dt><dd>${fmtTime(p.expires)}</dd>
      <dt>${t('issuedBy')}</dt><dd>${p.createdBy} · ${fmtTime(p.createdAt)}</dd>
      <dt>${t('digest')}</dt><dd><code>${p.digest.slice(0, 12)}</code></dd>
    </dl>
    ${props.children ?? null}
  </section>`;
}
