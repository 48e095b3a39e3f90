/**
 * The dashboard's suggestions from JMA documents (issue 20): each open one with the level it
 * corresponds to, the hazard, the zones and the JMA kinds behind it, and a one-click draft for
 * staff to review. A suggestion disappears the moment a later document or a 取消 withdraws it
 * (GET /api/jma/suggestions/events sends the whole open list on every change). Nothing is sent here.
 */
import { html } from 'htm/preact';
import { useState } from 'preact/hooks';
import { call, type AlertView, type Zone } from '../api.ts';
import { LEVELS, levelCss, type AlertLevel } from '@kizuna/contract/levels';
import { ErrorBox } from '../components.ts';
import { useSse } from '../live.ts';
import { fmtTime, hazardName, lang, t } from '../i18n.ts';

export interface JmaSuggestion {
  id: string;
  level: number;
  hazard: string;
  kinds: string[];
  zones: string[];
  areaNames: string[];
  exercise: boolean;
  title: string;
  headline: string;
  office: string;
  reportAt: string;
  draftAlert: string | null;
}

/** The level's colour, but worded 「警戒レベル4相当」: JMA's information, not an order the city has issued. */
function Equivalent({ level }: { level: number }) {
  const [r, g, b] = LEVELS[level as AlertLevel].textRgb;
  return html`<span class="level" style=${{ background: levelCss(level as AlertLevel), color: `rgb(${r},${g},${b})` }}>
    ${t('jmaLevelEquivalent', { level })}</span>`;
}

export function JmaSuggestions({ zones, canDraft }: { zones: Zone[]; canDraft: boolean }) {
  const live = useSse<JmaSuggestion[]>(
    '/api/jma/suggestions/events',
    'suggestions',
    (_p, d) => d as JmaSuggestion[],
    [],
  );
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState<string | null>(null);
  if (live.value.length === 0 && !error) return null;
  const zoneName = (id: string) => {
    const z = zones.find((x) => x.id === id);
    return z ? (lang() === 'en' && z.nameEn ? z.nameEn : z.name) : id;
  };
  const draft = async (s: JmaSuggestion) => {
    setBusy(s.id);
    setError(null);
    try {
      const a = await call<AlertView>(`/api/jma/suggestions/${encodeURIComponent(s.id)}/draft`, { body: {} });
      location.hash = `#/alerts/${a.id}`;
    } catch (e) {
      setError(e);
    } finally {
      setBusy(null);
    }
  };
  return html`<section class="jma-suggestions" aria-labelledby="h-jma">
    <h2 id="h-jma">${t('jmaSuggestions')}</h2>
    <p class="meta">${t('jmaNeverSent')}</p>
    <${ErrorBox} error=${error} />
    <ul class="alert-list compact">${live.value.map(
      (s) => html`<li class="alert-card jma-suggestion" data-jma-suggestion=${s.id}>
        <div class="alert-head">
          <${Equivalent} level=${s.level} />
          <strong class="hazard">${hazardName(s.hazard)}</strong>
          ${s.exercise ? html`<span class="exercise">${t('exerciseBanner')}</span>` : null}
        </div>
        <p><strong>${s.kinds.join('・')}</strong> · ${s.areaNames.join('・')}</p>
        <p class="meta">${t('jmaFrom', { office: s.office, title: s.title, time: fmtTime(s.reportAt) })}</p>
        <p class="meta">${t('jmaZones')}: ${s.zones.map(zoneName).join('・')}</p>
        <div class="row-actions">
          ${
            s.draftAlert
              ? html`<a class="button" href=${`#/alerts/${s.draftAlert}`}>${t('jmaOpenDraft')}</a>`
              : canDraft
                ? html`<button type="button" disabled=${busy === s.id} onClick=${() => draft(s)}>${t('jmaMakeDraft')}</button>`
                : null
          }
        </div>
      </li>`,
    )}</ul>
  </section>`;
}
