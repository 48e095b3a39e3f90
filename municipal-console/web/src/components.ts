/** Small shared pieces: level badge, counters, error box, zone map (SVG from the zones' GeoJSON rings). */
import { html } from 'htm/preact';
import { levelCss, LEVELS, type AlertLevel } from '@kizuna/contract/levels';
import { type ApiError, type AlertStatus, type AlertView, type Counts, type Zone, type ZoneCounts } from './api.ts';
import { describeError, hazardName, lang, levelText, t, type Key } from './i18n.ts';

export function LevelBadge({ level }: { level: number }) {
  const s = LEVELS[level as AlertLevel];
  const [r, g, b] = s.textRgb;
  return html`<span class="level" style=${{ background: levelCss(level as AlertLevel), color: `rgb(${r},${g},${b})` }}>
    ${t('level')}${level} ${levelText(level).phrase}</span>`;
}

export function AlertHead({ a }: { a: AlertView }) {
  return html`<div class="alert-head">
    ${a.spec.cap?.warnings?.includes('level-unknown') ? html`<span class="level-unknown" data-level-unknown>${t('capLevelUnknown')}</span>` : html`<${LevelBadge} level=${a.level} />`}
    <strong class="hazard">${hazardName(a.hazard)}</strong>
    ${a.status === 'Exercise' ? html`<span class="exercise">${t('exerciseBanner')}</span>` : null}
    <span class=${`state state-${a.state}`}>${t(`st_${a.state}` as Key)}</span>
  </div>`;
}

export function CounterRow({ c }: { c: Counts }) {
  const items: [Key, number, string][] = [
    ['targeted', c.targeted, 'targeted'],
    ['delivered', c.delivered, 'delivered'],
    ['displayed', c.displayed, 'displayed'],
    ['acknowledged', c.acknowledged.total, 'acknowledged'],
    ['arrived', c.arrived, 'arrived'],
    // still needing help (not arrived): the same figure as the rescue list's (issue 19, item 4)
    ['needHelpAnswer', c.needHelpOpen, 'need-help'],
  ];
  return html`<dl class="counters">${items.map(([k, v, cls]) => html`<div class=${`counter c-${cls}`} data-counter=${cls}><dt>${t(k)}</dt><dd>${v}</dd></div>`)}</dl>`;
}

export function ErrorBox({ error }: { error: unknown }) {
  if (!error) return null;
  const e = error as Partial<ApiError>;
  const d = describeError(error);
  // Worded by this page: the code stays visible (small) for the help desk, the server's message in the tooltip.
  if (d.worded)
    return html`<div class="error" role="alert" data-code=${d.code || undefined} title=${e.message}><strong>${t('error')}</strong>: ${d.text}${d.code ? html` <small class="code">(${d.code})</small>` : null}</div>`;
  // A code newer than this page: the server's message (English) with its code.
  return html`<div class="error" role="alert" data-code=${d.code}><strong>${t('error')}${d.code ? ` ${d.code}` : ''}</strong>: ${d.text}
    ${e.details?.field ? html` (${String(e.details.field)})` : null}</div>`;
}

/** Progress colour: a sequential blue scale (readable for every colour vision), with the % written on the zone too. */
function progressFill(p: number | null): string {
  if (p === null) return '#e4e4e4';
  const steps = ['#deebf7', '#9ecae1', '#4292c6', '#2171b5', '#08306b'];
  return steps[Math.min(4, Math.floor(p * 5))]!;
}

export function ZoneMap(props: {
  zones: Zone[];
  figures?: ZoneCounts[];
  selected?: Set<string>;
  onToggle?: (id: string) => void;
  label: string;
  /** The figures are still on their way: zones say 読み込み中, not 対象外 (issue 19, item 3). */
  loading?: boolean;
}) {
  const { zones, figures, selected, onToggle } = props;
  const waiting = !onToggle && !!props.loading;
  if (zones.length === 0) return html`<p>${t('loading')}</p>`;
  const pts = zones.flatMap((z) => z.polygon);
  const minX = Math.min(...pts.map((p) => p[0]!));
  const maxX = Math.max(...pts.map((p) => p[0]!));
  const minY = Math.min(...pts.map((p) => p[1]!));
  const maxY = Math.max(...pts.map((p) => p[1]!));
  // Equirectangular with cos(lat) so the map keeps its shape at Japanese latitudes.
  const kx = Math.cos((((minY + maxY) / 2) * Math.PI) / 180);
  const W = 1000;
  const pad = 10;
  const scale = (W - 2 * pad) / Math.max(1e-9, (maxX - minX) * kx);
  const H = Math.max(120, (maxY - minY) * scale + 2 * pad);
  const xy = (p: number[]) => [pad + (p[0]! - minX) * kx * scale, H - pad - (p[1]! - minY) * scale];
  const byId = new Map((figures ?? []).map((f) => [f.zoneId, f]));
  return html`<svg class=${waiting ? 'zone-map loading' : 'zone-map'} aria-busy=${waiting ? 'true' : 'false'} viewBox=${`0 0 ${W} ${H}`} role=${onToggle ? 'group' : 'img'} aria-label=${props.label}>
    ${zones.map((z) => {
      const f = byId.get(z.id);
      const p = f && f.targeted > 0 ? Math.min(1, (f.acknowledged.total + f.arrived) / f.targeted) : null;
      const sel = selected?.has(z.id) ?? false;
      const d = z.polygon.map((q, i) => `${i ? 'L' : 'M'}${xy(q).join(',')}`).join(' ') + 'Z';
      const cx = z.polygon.slice(0, -1).reduce((s, q) => s + xy(q)[0]!, 0) / Math.max(1, z.polygon.length - 1);
      const cy = z.polygon.slice(0, -1).reduce((s, q) => s + xy(q)[1]!, 0) / Math.max(1, z.polygon.length - 1);
      const name = lang() === 'en' && z.nameEn ? z.nameEn : z.name;
      const fill = onToggle ? (sel ? '#0b4f9c' : '#f2f2f2') : waiting ? '#e4e6ea' : progressFill(p);
      const dark = onToggle ? sel : p !== null && p >= 0.6;
      const toggle = () => onToggle?.(z.id);
      // Shrink a long label (e.g. an English zone name) to fit its zone.
      const zoneWidth = (zz: Zone) => {
        const xs = zz.polygon.map((q) => xy(q)[0]!);
        return Math.max(...xs) - Math.min(...xs) - 12;
      };
      return html`<g class="zone" data-zone=${z.id}>
        <path d=${d} fill=${fill} stroke="#333" stroke-width="2"
          ...${
            onToggle
              ? {
                  role: 'checkbox',
                  tabindex: '0',
                  'aria-checked': String(sel),
                  'aria-label': name,
                  onClick: toggle,
                  onKeyDown: (e: KeyboardEvent) => {
                    if (e.key === ' ' || e.key === 'Enter') {
                      e.preventDefault();
                      toggle();
                    }
                  },
                }
              : {}
          } />
        <text x=${cx} y=${cy - 8} text-anchor="middle" class=${dark ? 'zl dark' : 'zl'} style=${{ fontSize: `${Math.min(30, zoneWidth(z) / (name.length * 0.62))}px` }}>${name}</text>
        <text x=${cx} y=${cy + 26} text-anchor="middle" class=${dark ? 'zp dark' : 'zp'}>${onToggle ? (sel ? '✓' : '') : waiting ? t('loading') : p === null ? t('notTargeted') : `${Math.round(p * 100)}%${f ? ` (${f.acknowledged.total + f.arrived}/${f.targeted})` : ''}`}</text>
      </g>`;
    })}
  </svg>`;
}

export function MapLegend() {
  return html`<p class="legend"><span>${t('progress')}:</span>
    ${['#deebf7', '#9ecae1', '#4292c6', '#2171b5', '#08306b'].map((c, i) => html`<span class="sw" style=${{ background: c }}></span><span>${i * 20}–${i * 20 + 20}%</span>`)}
    <span class="sw" style=${{ background: '#e4e4e4' }}></span><span>${t('notTargeted')}</span></p>`;
}

export function OccupancyBar({ occ, cap }: { occ: number; cap: number }) {
  const p = cap > 0 ? Math.min(1, occ / cap) : 1;
  return html`<div class="occ" role="meter" aria-valuemin="0" aria-valuemax=${cap} aria-valuenow=${occ} aria-label=${`${t('occupancy')} ${occ}/${cap}`}>
    <div class=${p >= 0.9 ? 'bar full' : 'bar'} style=${{ width: `${p * 100}%` }}></div><span>${occ} / ${cap}</span></div>`;
}

/** While a revision is being sent: how many of its TVs have it (the counters count them once all have). */
export function Sending({ s }: { s: AlertStatus['sending'] }) {
  if (!s) return null;
  return html`<p class="sending" role="status" data-sent=${s.sent} data-tvs=${s.tvs}>
    ${s.tvs > 0 ? html`<progress max=${s.tvs} value=${s.sent}></progress> ${t('sendingTvs')} ${s.sent.toLocaleString()} / ${s.tvs.toLocaleString()}` : t('sendingPrepare')}</p>`;
}
