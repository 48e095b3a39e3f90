/** Residents and TVs: register extract import (CSV, per-row report, all or nothing), flags, bound TVs, unbinding. */
import { html } from 'htm/preact';
import { useState } from 'preact/hooks';
import { type ApiError, call, can, type ResidentSummary, type Staff, type Zone } from '../api.ts';
import { ErrorBox } from '../components.ts';
import { usePoll } from '../live.ts';
import {
  bindingReasonText,
  bindingStatusName,
  fmtTime,
  lang,
  langName,
  registerFieldName,
  rowProblemText,
  t,
  type RowError,
} from '../i18n.ts';

function Import({ onDone }: { onDone: () => void }) {
  const [csv, setCsv] = useState('');
  // The browser's own file button speaks the browser's language, not the page's: ours instead.
  const [fileName, setFileName] = useState('');
  const [result, setResult] = useState<{ count?: number; error?: ApiError } | null>(null);
  const submit = async (e: Event) => {
    e.preventDefault();
    setResult(null);
    try {
      const r = await call<{ count: number }>('/api/residents/csv', { text: csv, contentType: 'text/csv' });
      setResult({ count: r.count });
      onDone();
    } catch (err) {
      setResult({ error: err as ApiError });
    }
  };
  // The server's per-line report: codes and parameters, worded here in the page's language.
  const rows =
    result?.error?.code === 'KZ_CONSOLE_CSV_INVALID'
      ? (result.error.details?.rows as { row: number; id: string | null; errors: RowError[] }[] | undefined)
      : undefined;
  return html`<form class="import panel" onSubmit=${submit}>
    <h3>${t('importTitle')}</h3><p class="hint">${t('importHint')}</p>
    <div class="file-pick"><span class="file-label" id="csv-file-label">${t('csvFile')}</span>
      <label class="button file-button"><input type="file" class="sr-only" accept=".csv,text/csv" aria-labelledby="csv-file-label"
        onChange=${async (e: Event) => {
          const f = (e.target as HTMLInputElement).files?.[0];
          if (f) {
            setFileName(f.name);
            setCsv(await f.text());
          }
        }} />${t('chooseFile')}</label>
      <span class="file-name" data-file-name>${fileName || t('noFileChosen')}</span></div>
    <label>${t('csvText')}<textarea name="csv" rows="6" spellcheck=${false} value=${csv} onInput=${(e: Event) => setCsv((e.target as HTMLTextAreaElement).value)}></textarea></label>
    <button type="submit" class="primary" disabled=${!csv.trim()}>${t('importAction')}</button>
    ${result?.count !== undefined ? html`<p class="ok" role="status">${t('importedCount', { n: result.count })}</p>` : null}
    ${
      rows
        ? html`<div class="error" role="alert" data-code=${result?.error?.code}><strong>${t('badRowsCount', { n: rows.length })}</strong> ${t('nothingImported')}
      <table class="row-errors"><thead><tr><th scope="col">${t('line')}</th><th scope="col">${t('residentId')}</th><th scope="col">${t('errors')}</th></tr></thead>
      <tbody>${rows.map((r) => html`<tr data-row=${r.row}><td class="num">${r.row || '—'}</td><td>${r.id ?? '—'}</td><td><ul>${r.errors.map((x) => html`<li data-problem=${x.code} data-field=${x.field} title=${x.field ? `${registerFieldName(x.field)} (${x.field})` : undefined}>${rowProblemText(x)}</li>`)}</ul></td></tr>`)}</tbody></table></div>`
        : result?.error
          ? html`<${ErrorBox} error=${result.error} />`
          : null
    }
  </form>`;
}

interface RegisterFigures {
  residents: number;
  needsHelp: number;
  personalAlerts: number;
}

/** What a viewer sees: the register in figures per zone, nobody named (the server refuses them the list). */
function ResidentCounts() {
  const counts = usePoll(
    () => call<RegisterFigures & { zones: (RegisterFigures & { zoneId: string })[] }>('/api/residents/counts'),
    0,
  );
  const zones = usePoll(() => call<Zone[]>('/api/zones'), 0);
  const zoneById = new Map((zones.data ?? []).map((z) => [z.id, z]));
  const zoneName = (id: string) => {
    const z = zoneById.get(id);
    return z ? (lang() === 'en' && z.nameEn ? z.nameEn : z.name) : id;
  };
  const row = (label: unknown, f: RegisterFigures, zone?: string) =>
    html`<tr data-zone=${zone}><th scope="row">${label}</th><td class="num">${f.residents}</td><td class="num">${f.needsHelp}</td><td class="num">${f.personalAlerts}</td></tr>`;
  return html`<div class="residents">
    <h2>${t('residentsTitle')}</h2>
    <p class="hint">${t('countsOnlyHint')}</p>
    <${ErrorBox} error=${counts.error} />
    <table class="resident-counts"><thead><tr><th scope="col">${t('zone')}</th><th scope="col">${t('residentsCount')}</th><th scope="col">${t('needsHelp')}</th><th scope="col">${t('personalAlerts')}</th></tr></thead>
      <tbody>${(counts.data?.zones ?? []).map((z) => row(zoneName(z.zoneId), z, z.zoneId))}</tbody>
      ${counts.data ? html`<tfoot>${row(t('total'), counts.data)}</tfoot>` : null}</table>
  </div>`;
}

export function Residents({ staff }: { staff: Staff }) {
  return can(staff, 'issuer') ? html`<${ResidentList} staff=${staff} />` : html`<${ResidentCounts} />`;
}

function ResidentList({ staff }: { staff: Staff }) {
  const list = usePoll(() => call<ResidentSummary[]>('/api/residents?limit=500'), 0);
  const zones = usePoll(() => call<Zone[]>('/api/zones'), 0);
  const zoneById = new Map((zones.data ?? []).map((z) => [z.id, z]));
  const zoneName = (id: string) => {
    const z = zoneById.get(id);
    return z ? (lang() === 'en' && z.nameEn ? z.nameEn : z.name) : id;
  };
  const [error, setError] = useState<unknown>(null);
  const unbind = async (residentId: string, deviceId: string) => {
    if (!confirm(t('confirmUnbind'))) return;
    setError(null);
    // Reload either way: a binding someone else already ended shows as ended, with the error saying so.
    try {
      await call('/api/bindings/unbind', { body: { residentId, deviceId } });
    } catch (e) {
      setError(e);
    }
    list.reload();
  };
  return html`<div class="residents">
    <h2>${t('residentsTitle')}</h2>
    ${can(staff, 'admin') ? html`<${Import} onDone=${list.reload} />` : null}
    <${ErrorBox} error=${error ?? list.error} />
    <table class="residents-table"><thead><tr><th scope="col">${t('residentId')}</th><th scope="col">${t('name')}</th><th scope="col">${t('zone')}</th><th scope="col">${t('household')}</th>
      <th scope="col">${t('language')}</th><th scope="col">${t('needsHelp')}</th><th scope="col">${t('personalAlerts')}</th><th scope="col">${t('tvs')}</th></tr></thead>
      <tbody>${(list.data ?? []).map(
        (
          r,
        ) => html`<tr data-resident=${r.id}><td>${r.id}</td><th scope="row">${r.name}</th><td data-zone=${r.zoneId} title=${r.zoneId}>${zoneName(r.zoneId)}</td><td>${r.householdId ?? '—'}</td>
        <td>${langName(r.language)}</td><td>${r.needsHelp ? html`<span class="tag warn">${t('needsHelp')}</span>` : ''}</td><td>${r.personalAlerts ? t('yes') : t('no')}</td>
        <td><ul class="devices">${r.devices.map(
          (
            d,
          ) => html`<li data-device=${d.deviceId}>${d.deviceId} <span class=${`tag b-${d.status}`} data-status=${d.status}>${bindingStatusName(d.status)}</span>${d.reason ? html` <small class="reason" data-reason=${d.reasonCode ?? 'other'}>${bindingReasonText(d)}</small>` : null}${d.endedAt ? html` <small class="ended">${fmtTime(d.endedAt)}</small>` : null}
          ${d.status === 'active' ? html` <small>${fmtTime(d.boundAt)}</small>` : null}
          ${d.status === 'active' && can(staff, 'admin') ? html` <button type="button" class="small" data-action="unbind" onClick=${() => unbind(r.id, d.deviceId)}>${t('unbind')}</button>` : null}</li>`,
        )}</ul></td></tr>`,
      )}</tbody></table>
  </div>`;
}
