/** The audit log: every staff action and disclosure, hash-chained; searchable, chain verified on open. */
import { html } from 'htm/preact';
import { useState } from 'preact/hooks';
import { call, type AuditEntry } from '../api.ts';
import { ErrorBox } from '../components.ts';
import { usePoll } from '../live.ts';
import { describeError, fmtTime, t } from '../i18n.ts';

export function Audit() {
  const [q, setQ] = useState('');
  const list = usePoll(() => call<AuditEntry[]>(`/api/audit?limit=200${q ? `&q=${encodeURIComponent(q)}` : ''}`), 0, [
    q,
  ]);
  const chain = usePoll(() => call<{ entries: number; head: string }>('/api/audit/verify'), 0);
  return html`<div class="audit">
    <h2>${t('auditTitle')}</h2>
    ${
      chain.data
        ? html`<p class="ok" role="status" data-chain="ok">✓ ${t('chainOk')}: ${chain.data.entries} · ${chain.data.head.slice(0, 16)}…</p>`
        : chain.error
          ? // Only KZ_CONSOLE_AUDIT_BROKEN means the chain is broken; anything else (no admin role, server down) is said as itself.
            (chain.error as { code?: string }).code === 'KZ_CONSOLE_AUDIT_BROKEN'
            ? html`<div class="error" role="alert" data-chain="broken" data-code="KZ_CONSOLE_AUDIT_BROKEN"><strong>${t('error')}</strong>: ${describeError(chain.error).text} <small>(KZ_CONSOLE_AUDIT_BROKEN)</small></div>`
            : html`<${ErrorBox} error=${chain.error} />`
          : null
    }
    <form role="search" class="search" onSubmit=${(e: Event) => {
      e.preventDefault();
      setQ(String(new FormData(e.target as HTMLFormElement).get('q') ?? ''));
    }}>
      <label class="inline">${t('search')} <input type="search" name="q" /></label> <button type="submit">${t('search')}</button></form>
    <${ErrorBox} error=${list.error} />
    <table class="audit-table"><thead><tr><th scope="col">#</th><th scope="col">${t('time')}</th><th scope="col">${t('actor')}</th><th scope="col">${t('action')}</th><th scope="col">${t('subject')}</th><th scope="col">${t('details')}</th><th scope="col">hash</th></tr></thead>
      <tbody>${(list.data ?? []).map(
        (
          e,
        ) => html`<tr data-seq=${e.seq}><td>${e.seq}</td><td>${fmtTime(e.at)}</td><td>${e.actor}</td><td><code>${e.action}</code></td><td>${e.subject ?? ''}</td>
        <td><code class="details">${JSON.stringify(e.details)}</code></td><td><code title=${e.hash}>${e.hash.slice(0, 10)}</code></td></tr>`,
      )}</tbody></table>
  </div>`;
}
