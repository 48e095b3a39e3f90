/**
 * CAP 1.2 import into a draft (the server names the failing CAP field), and what staff are told
 * about an imported alert: the level to choose when the document gave none, an area that reaches
 * no one, and the languages kept but not shown on TVs.
 */
import { html } from 'htm/preact';
import { useState } from 'preact/hooks';
import { LEVELS } from '@kizuna/contract/levels';
import { call, can, type AlertView, type Staff } from '../api.ts';
import { ErrorBox } from '../components.ts';
import { t } from '../i18n.ts';

export function CapImport() {
  const [xml, setXml] = useState('');
  const [error, setError] = useState<unknown>(null);
  const submit = async (e: Event) => {
    e.preventDefault();
    setError(null);
    try {
      const a = await call<AlertView>('/api/alerts/cap?draft=true', { text: xml, contentType: 'application/cap+xml' });
      location.hash = `#/alerts/${a.id}`;
    } catch (err) {
      setError(err);
    }
  };
  return html`<form class="cap" onSubmit=${submit}>
    <h2>${t('capTitle')}</h2><p class="hint">${t('capHint')}</p>
    <label>${t('capFile')}<input type="file" accept=".xml,.cap,application/xml" onChange=${async (e: Event) => {
      const f = (e.target as HTMLInputElement).files?.[0];
      if (f) setXml(await f.text());
    }} /></label>
    <label>CAP XML<textarea name="cap" rows="16" spellcheck=${false} value=${xml} onInput=${(e: Event) => setXml((e.target as HTMLTextAreaElement).value)}></textarea></label>
    <${ErrorBox} error=${error} />
    <button type="submit" class="primary" disabled=${!xml.trim()}>${t('capImport')}</button>
  </form>`;
}

/** The level question of a draft whose CAP document gave none: a new draft revision at the chosen level. */
function LevelQuestion({ a, onDone }: { a: AlertView; onDone: () => void }) {
  const [error, setError] = useState<unknown>(null);
  const submit = async (e: Event) => {
    e.preventDefault();
    const level = Number(new FormData(e.target as HTMLFormElement).get('level'));
    try {
      await call(`/api/alerts/${a.id}/level`, { body: { level } });
      onDone();
    } catch (err) {
      setError(err);
    }
  };
  return html`<form class="cap-level notice" data-level-question onSubmit=${submit}>
    <p>${t('capLevelAsk')}</p>
    <label>${t('level')}<select name="level">${([3, 4, 5] as const).map((l) => html`<option value=${l} selected=${l === 4}>${l} ${LEVELS[l].phrase}</option>`)}</select></label>
    <${ErrorBox} error=${error} /><button type="submit" class="primary">${t('capLevelSet')}</button></form>`;
}

/** What an imported CAP document asks of staff, and what of it TVs do not show. */
export function CapNotes({ a, staff, onChange }: { a: AlertView; staff: Staff; onChange: () => void }) {
  const cap = a.spec.cap;
  if (!cap) return null;
  const warnings = cap.warnings ?? [];
  const asking = a.state === 'draft' && warnings.includes('level-unknown');
  return html`${asking && can(staff, 'issuer') ? html`<${LevelQuestion} a=${a} onDone=${onChange} />` : null}
    ${asking && !can(staff, 'issuer') ? html`<p class="notice" data-level-question>${t('capLevelAsk')}</p>` : null}
    ${a.state === 'draft' && warnings.includes('reaches-no-one') ? html`<p class="notice" data-reaches-no-one>${t('capReachesNoOne')}</p>` : null}
    ${
      cap.notShown?.length
        ? html`<section class="panel cap-not-shown" data-not-shown><h3>${t('capNotShownTitle')}</h3><p class="hint">${t('capNotShownHint')}</p>
      <ul>${cap.notShown.map(
        (
          n,
        ) => html`<li lang=${n.language} data-language=${n.language}><strong>${n.language}</strong> <span class="tag">${t('capNotShown')}</span>
        <div>${n.headline ?? n.event}</div>${n.description ? html`<div>${n.description}</div>` : null}${n.instruction ? html`<div>${n.instruction}</div>` : null}<div class="meta">${n.areaDesc}</div></li>`,
      )}</ul></section>`
        : null
    }`;
}
