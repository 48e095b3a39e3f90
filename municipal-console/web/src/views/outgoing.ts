/**
 * What goes out, as the sender confirms it and the approver approves it (issue 19, items 1–2):
 * a large 本番 or 訓練 badge, level and hazard, the areas by name, the text per language and whom
 * it reaches. One component, so the confirmation and the approval page cannot word it differently.
 */
import { html } from 'htm/preact';
import { LevelBadge } from '../components.ts';
import { hazardName, langName, t, type Key } from '../i18n.ts';
import type { AlertView } from '../api.ts';

export interface Outgoing {
  /** CAP's status: only Actual reaches residents as real; the others are worded as tests (テスト). */
  status: AlertView['status'];
  level: number;
  hazard: string;
  zones: string[];
  shape: boolean;
  group: string | undefined;
  text: Record<string, string | undefined>;
  counts: { devices: number; residents: number; zones: number; unboundTvs: number } | null;
}

/** The mode, large: 本番 in red, 訓練 in the exercise yellow. */
export function ModeBadge({ status }: { status: Outgoing['status'] }) {
  const key: Key = status === 'Actual' ? 'modeActual' : status === 'Exercise' ? 'modeExercise' : 'modeTest';
  return html`<span class=${`mode-badge mode-${status.toLowerCase()}`} data-mode=${status}>${t(key)}</span>`;
}

export function CountsLine({ c }: { c: NonNullable<Outgoing['counts']> }) {
  return html`<span data-field="counts" data-residents=${c.residents} data-devices=${c.devices}>
    <strong>${t('peopleCount', { n: c.residents })}</strong> · <strong>${t('tvCount', { n: c.devices })}</strong>
    · ${t('unboundTvCount', { n: c.unboundTvs })} · ${t('zoneCount', { n: c.zones })}</span>`;
}

export function OutgoingFacts({ o, countsLabel }: { o: Outgoing; countsLabel: Key }) {
  const group = o.group === 'needs-help' ? 'groupNeedsHelp' : o.group === 'vulnerable' ? 'groupVulnerable' : 'groupAll';
  const text = Object.entries(o.text).filter(([, v]) => v);
  return html`<div class="outgoing">
    <p class="outgoing-head"><${ModeBadge} status=${o.status} /> <span data-field="level"><${LevelBadge} level=${o.level} /></span> <strong class="hazard" data-field="hazard">${hazardName(o.hazard)}</strong></p>
    <dl class="approval-facts">
      <dt>${t('areas')}</dt><dd data-field="areas"><strong>${o.zones.join('、') || '—'}</strong>${o.shape ? html` · ${t('areaShape')}` : null} · ${t('group')}: ${t(group)}</dd>
      <dt>${t('textPerLanguage')}</dt><dd data-field="text">${text.length ? text.map(([l, v]) => html`<div lang=${l}><small>${langName(l)}</small> ${v}</div>`) : t('noExtraText')}</dd>
      ${o.counts ? html`<dt>${t(countsLabel)}</dt><dd><${CountsLine} c=${o.counts} /></dd>` : null}
    </dl>
  </div>`;
}
