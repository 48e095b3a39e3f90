/** Compose an alert: hazard, level with its meaning, areas on the map or from a list, template, extra text, expiry. */
import { html } from 'htm/preact';
import { useState } from 'preact/hooks';
import { HAZARDS, LEVELS, levelCss } from '@kizuna/contract/levels';
import { call, type AlertView, type Staff, type Zone } from '../api.ts';
import { ErrorBox, ZoneMap } from '../components.ts';
import { usePoll } from '../live.ts';
import { hazardName, lang, t } from '../i18n.ts';

const EXPIRY_MIN = [30, 60, 120, 180, 360, 720];

export function Compose({ staff: _staff }: { staff: Staff }) {
  const zones = usePoll(() => call<Zone[]>('/api/zones'), 0);
  // the municipality's approval rule says whether sending waits for a second person (docs/OPERATIONS.md)
  const rule = usePoll(() => call<{ rule: string }>('/api/settings/approval-rule'), 0).data?.rule ?? 'actual';
  const [sel, setSel] = useState<Set<string>>(new Set());
  const [level, setLevel] = useState<3 | 4 | 5>(3);
  const [status, setStatus] = useState<'Actual' | 'Exercise'>('Exercise');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const toggle = (id: string) =>
    setSel((s) => {
      const n = new Set(s);
      if (n.has(id)) n.delete(id);
      else n.add(id);
      return n;
    });

  const submit = async (e: Event) => {
    e.preventDefault();
    const f = new FormData(e.target as HTMLFormElement);
    const extra: Record<string, string> = {};
    for (const l of ['ja', 'en']) {
      const v = String(f.get(`extra-${l}`) ?? '').trim();
      if (v) extra[l] = v;
    }
    const body = {
      level,
      status,
      hazard: String(f.get('hazard')),
      draft: true,
      expires: new Date(Date.now() + Number(f.get('expiry')) * 60_000).toISOString(),
      target: { zones: [...sel], group: String(f.get('group')) },
      template: String(f.get('template')),
      ...(Object.keys(extra).length ? { extra } : {}),
    };
    setBusy(true);
    setError(null);
    try {
      // answered once the first TVs have it: the alert's page then shows the rest being sent
      const a = await call<AlertView>('/api/alerts?wait=started', { body });
      location.hash = `#/alerts/${a.id}`;
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return html`<form class="compose" onSubmit=${submit} aria-labelledby="h-compose">
    <h2 id="h-compose">${t('composeTitle')}</h2>
    <div class="compose-grid">
      <div>
        <fieldset class="levels"><legend>${t('level')}</legend>
          ${([3, 4, 5] as const).map((l) => {
            const s = LEVELS[l];
            const [r, g, b] = s.textRgb;
            return html`<label class=${`level-choice${level === l ? ' chosen' : ''}`} style=${{ background: levelCss(l), color: `rgb(${r},${g},${b})` }}>
              <input type="radio" name="level" value=${l} checked=${level === l} onChange=${() => setLevel(l)} />
              <span class="lv">${t('level')}${l}</span> <span class="phrase">${s.phrase}</span>
              <span class="meaning">${lang() === 'ja' ? s.action : s.english}</span></label>`;
          })}
        </fieldset>
        <fieldset><legend>${t('status')}</legend>
          <label class="inline"><input type="radio" name="status" value="Exercise" checked=${status === 'Exercise'} onChange=${() => setStatus('Exercise')} /> ${t('exercise')}</label>
          <label class="inline"><input type="radio" name="status" value="Actual" checked=${status === 'Actual'} onChange=${() => setStatus('Actual')} /> ${t('actual')}</label>
          ${rule === 'all' || (status === 'Actual' && (rule === 'actual' || level >= 4)) ? html`<p class="notice">${t('approvalNote')}</p>` : null}
        </fieldset>
        <label>${t('hazard')}<select name="hazard">${HAZARDS.map((h) => html`<option value=${h}>${hazardName(h)}</option>`)}</select></label>
        <label>${t('group')}<select name="group">
          <option value="all">${t('groupAll')}</option><option value="needs-help">${t('groupNeedsHelp')}</option><option value="vulnerable">${t('groupVulnerable')}</option></select></label>
        <label>${t('template')}<select name="template"><option value="go-to-shelter">${t('tplShelter')}</option><option value="stay-upstairs">${t('tplUpstairs')}</option></select></label>
        <label>${t('expiry')}<select name="expiry">${EXPIRY_MIN.map((m) => html`<option value=${m} selected=${m === 180}>${m} ${t('minutes')}</option>`)}</select></label>
        <fieldset><legend>${t('extra')}</legend>
          <label>日本語<textarea name="extra-ja" rows="2" maxLength=${500}></textarea></label>
          <label>English<textarea name="extra-en" rows="2" maxLength=${500}></textarea></label>
        </fieldset>
      </div>
      <fieldset class="areas"><legend>${t('areas')}</legend>
        <p class="hint">${t('areasHint')}</p>
        <${ZoneMap} zones=${zones.data ?? []} selected=${sel} onToggle=${toggle} label=${t('areas')} />
        <ul class="zone-checks">${(zones.data ?? []).map(
          (z) => html`<li><label class="inline">
          <input type="checkbox" name="zone" value=${z.id} checked=${sel.has(z.id)} onChange=${() => toggle(z.id)} /> ${lang() === 'en' && z.nameEn ? z.nameEn : z.name}</label></li>`,
        )}</ul>
      </fieldset>
    </div>
    <${ErrorBox} error=${error} />
    <button type="submit" class="primary" disabled=${busy}>${t('previewDraft')}</button>
  </form>`;
}
