/** Residents and TVs: register extract import (CSV, per-row report, all or nothing), flags, bound TVs, unbinding. */
import { html } from 'htm/preact';
import { useState } from 'preact/hooks';
import { ApiError, call, can, type ResidentSummary, type Staff } from '../api.ts';
import { ErrorBox } from '../components.ts';
import { usePoll } from '../live.ts';
import { bindingStatusName, fmtTime, langName, t } from '../i18n.ts';

function Import({ onDone }: { onDone: () => void }) {
  const [csv, setCsv] = useState('');
  const [result, setResult] = useState<{ count?: number; error?: ApiError } | null>(null);
  const submit = async (e: Event) => {
    e.preventDefault(); setResult(null);
    try { const r = await call<{ count: number }>('/api/residents/csv', { text: csv, contentType: 'text/csv' }); setResult({ count: r.count }); onDone(); } catch (err) { setResult({ error: err as ApiError }); }
  };
  const rows = result?.error?.details?.rows as { row: number; id: string | null; errors: string[] }[] | undefined;
  return html`<form class="import panel" onSubmit=${submit}>
    <h3>${t('importTitle')}</h3><p class="hint">${t('importHint')}</p>
    <label>CSV<input type="file" accept=".csv,text/csv" onChange=${async (e: Event) => { const f = (e.target as HTMLInputElement).files?.[0]; if (f) setCsv(await f.text()); }} /></label>
    <label>CSV<textarea name="csv" rows="6" spellcheck=${false} value=${csv} onInput=${(e: Event) => setCsv((e.target as HTMLTextAreaElement).value)}></textarea></label>
    <button type="submit" class="primary" disabled=${!csv.trim()}>${t('importAction')}</button>
    ${result?.count !== undefined ? html`<p class="ok" role="status">${result.count} ${t('imported')}</p>` : null}
    ${rows ? html`<div class="error" role="alert"><strong>${result?.error?.code}</strong>: ${rows.length} ${t('badRows')}
      <table class="row-errors"><thead><tr><th scope="col">${t('row')}</th><th scope="col">ID</th><th scope="col">${t('errors')}</th></tr></thead>
      <tbody>${rows.map((r) => html`<tr data-row=${r.row}><td>${r.row}</td><td>${r.id ?? '—'}</td><td><ul>${r.errors.map((x) => html`<li>${x}</li>`)}</ul></td></tr>`)}</tbody></table></div>`
      : result?.error ? html`<${ErrorBox} error=${result.error} />` : null}
  </form>`;
}

export function Residents({ staff }: { staff: Staff }) {
  const list = usePoll(() => call<ResidentSummary[]>('/api/residents?limit=500'), 0);
  const [error, setError] = useState<unknown>(null);
  const unbind = async (residentId: string, deviceId: string) => {
    if (!confirm(t('confirmUnbind'))) return;
    setError(null);
    try { await call('/api/bindings/unbind', { body: { residentId, deviceId } }); list.reload(); } catch (e) { setError(e); }
  };
  return html`<div class="residents">
    <h2>${t('residentsTitle')}</h2>
    ${can(staff, 'admin') ? html`<${Import} onDone=${list.reload} />` : null}
    <${ErrorBox} error=${error ?? list.error} />
    <table class="residents-table"><thead><tr><th scope="col">ID</th><th scope="col">${t('name')}</th><th scope="col">${t('zone')}</th><th scope="col">${t('household')}</th>
      <th scope="col">${t('language')}</th><th scope="col">${t('needsHelp')}</th><th scope="col">${t('personalAlerts')}</th><th scope="col">${t('tvs')}</th></tr></thead>
      <tbody>${(list.data ?? []).map((r) => html`<tr data-resident=${r.id}><td>${r.id}</td><th scope="row">${r.name}</th><td>${r.zoneId}</td><td>${r.householdId ?? '—'}</td>
        <td>${langName(r.language)}</td><td>${r.needsHelp ? html`<span class="tag warn">${t('needsHelp')}</span>` : ''}</td><td>${r.personalAlerts ? t('yes') : t('no')}</td>
        <td><ul class="devices">${r.devices.map((d) => html`<li data-device=${d.deviceId}>${d.deviceId} <span class=${`tag b-${d.status}`} data-status=${d.status}>${bindingStatusName(d.status)}</span>${d.reason ? html` <small>${d.reason}</small>` : null}
          ${d.status === 'active' ? html` <small>${fmtTime(d.boundAt)}</small>` : null}
          ${d.status === 'active' && can(staff, 'admin') ? html` <button type="button" class="small" data-action="unbind" onClick=${() => unbind(r.id, d.deviceId)}>${t('unbind')}</button>` : null}</li>`)}</ul></td></tr>`)}</tbody></table>
  </div>`;
}
