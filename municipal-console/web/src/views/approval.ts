/**
 * What a second person approves (issue 24): the revision waiting for approval, pinned as first
 * shown. Approve and reject send its revision and digest, so a change made meanwhile is refused
 * (409 KZ_CONSOLE_APPROVAL_STALE) instead of published; the page then shows the new content.
 */
import { html } from 'htm/preact';
import { useEffect, useState } from 'preact/hooks';
import type { AlertView, PendingRevision, Zone } from '../api.ts';
import { LevelBadge } from '../components.ts';
import { fmtTime, hazardName, langName, t, type Key } from '../i18n.ts';

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

export function ApprovalPanel(props: {
  p: PendingRevision;
  status: AlertView['status'];
  zones: Zone[];
  changed: boolean;
  onRepin: (digest?: string) => void;
}) {
  const { p, zones } = props;
  const target = p.spec.target ?? {};
  const zoneNames = (target.zones ?? []).map((z) => zones.find((x) => x.id === z)?.name ?? z);
  const extra = Object.entries(p.spec.extra ?? {}).filter(([, v]) => v);
  const group =
    target.group === 'needs-help' ? 'groupNeedsHelp' : target.group === 'vulnerable' ? 'groupVulnerable' : 'groupAll';
  return html`<section class="panel approval" data-revision=${p.revision} data-digest=${p.digest} data-msg-type=${p.msgType}>
    <h3>${t('approvalTitle', { revision: p.revision })}</h3>
    <p class="hint">${t('approvalHint')}</p>
    ${props.changed ? html`<p class="notice changed" role="status">${t('contentChanged')} <button type="button" data-action="show-new" onClick=${() => props.onRepin()}>${t('showNewContent')}</button></p>` : null}
    <dl class="approval-facts">
      <dt>${t('msgType')}</dt><dd data-field="msgType">${t(`mt_${p.msgType}` as Key)}</dd>
      <dt>${t('status')}</dt><dd data-field="status">${props.status === 'Actual' ? t('actual') : props.status === 'Exercise' ? t('exercise') : props.status}</dd>
      <dt>${t('level')}</dt><dd data-field="level"><${LevelBadge} level=${p.level} /> ${hazardName(p.hazard)}</dd>
      <dt>${t('areas')}</dt><dd data-field="areas">${zoneNames.join('、') || '—'}${target.polygon || target.circle ? html` · ${t('areaShape')}` : null} · ${t('group')}: ${t(group)}</dd>
      <dt>${t('template')}</dt><dd>${p.spec.template === 'stay-upstairs' ? t('tplUpstairs') : t('tplShelter')}</dd>
      <dt>${t('textPerLanguage')}</dt><dd data-field="text">${extra.length ? extra.map(([l, v]) => html`<div lang=${l}><small>${langName(l)}</small> ${v}</div>`) : t('noExtraText')}</dd>
      <dt>${t('expiry')}</dt><dd>${fmtTime(p.expires)}</dd>
      ${p.counts ? html`<dt>${t('countsWhenSent')}</dt><dd data-field="counts">${t('devices')} ${p.counts.devices} · ${t('residentsCount')} ${p.counts.residents} · ${t('zonesCount')} ${p.counts.zones} · ${t('unboundTvs')} ${p.counts.unboundTvs}</dd>` : null}
      <dt>${t('issuedBy')}</dt><dd>${p.createdBy} · ${fmtTime(p.createdAt)}</dd>
      <dt>${t('digest')}</dt><dd><code>${p.digest.slice(0, 12)}</code></dd>
    </dl>
  </section>`;
}
