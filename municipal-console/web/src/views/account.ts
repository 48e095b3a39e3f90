/**
 * My account (every staff member): change my password and see or end my open sessions. Also the
 * whole screen while an administrator's password reset makes a change mandatory.
 */
import { html } from 'htm/preact';
import { useState } from 'preact/hooks';
import { call } from '../api.ts';
import { ErrorBox } from '../components.ts';
import { usePoll } from '../live.ts';
import { fmtTime, t } from '../i18n.ts';

export interface SessionEntry {
  id: string;
  username: string;
  method: 'password' | 'card';
  createdAt: string;
  lastSeenAt: string;
  expiresAt: string;
  current: boolean;
}

/** A table of sessions, each with an End button (not the one making the request). */
export function SessionTable(props: { sessions: SessionEntry[]; showUser?: boolean; onEnd: (id: string) => void }) {
  return html`<table class="sessions"><thead><tr>
    ${props.showUser ? html`<th scope="col">${t('staffMember')}</th>` : null}
    <th scope="col">${t('sessionStarted')}</th><th scope="col">${t('lastSeen')}</th><th scope="col">${t('loginMethod')}</th><th scope="col"></th></tr></thead>
    <tbody>${props.sessions.map(
      (s) => html`<tr data-session=${s.id} data-session-user=${s.username}>
        ${props.showUser ? html`<td>${s.username}</td>` : null}
        <td>${fmtTime(s.createdAt)}</td><td>${fmtTime(s.lastSeenAt)}</td>
        <td>${t(s.method === 'card' ? 'viaCard' : 'viaPassword')}</td>
        <td>${s.current ? html`<span class="meta">${t('thisSession')}</span>` : html`<button type="button" class="small" data-action="end-session" onClick=${() => props.onEnd(s.id)}>${t('endSession')}</button>`}</td>
      </tr>`,
    )}</tbody></table>`;
}

export function Account(props: { mustChange?: boolean; onChanged?: () => void }) {
  const sessions = usePoll(() => call<SessionEntry[]>('/api/sessions'), 0);
  const [error, setError] = useState<unknown>(null);
  const [done, setDone] = useState(false);
  const change = async (e: Event) => {
    e.preventDefault();
    const form = e.target as HTMLFormElement;
    const f = new FormData(form);
    setError(null);
    setDone(false);
    try {
      await call('/api/session/password', {
        body: { current: String(f.get('current') ?? ''), password: String(f.get('password') ?? '') },
      });
      form.reset();
      setDone(true);
      sessions.reload();
      props.onChanged?.();
    } catch (err) {
      setError(err);
    }
  };
  const end = async (id: string) => {
    setError(null);
    try {
      await call(`/api/sessions/${encodeURIComponent(id)}`, { method: 'DELETE' });
      sessions.reload();
    } catch (err) {
      setError(err);
    }
  };
  return html`<div class="account">
    <h2>${t('accountTitle')}</h2>
    ${props.mustChange ? html`<p class="notice" role="status">${t('mustChangeNotice')}</p>` : null}
    <form class="panel" onSubmit=${change}>
      <h3>${t('changePasswordTitle')}</h3>
      <label>${t('currentPassword')} <input type="password" name="current" autocomplete="current-password" required /></label>
      <label>${t('newPassword')} <input type="password" name="password" autocomplete="new-password" required /></label>
      <button type="submit" class="primary">${t('changePassword')}</button>
    </form>
    <${ErrorBox} error=${error ?? sessions.error} />
    ${done ? html`<p class="notice" role="status">${t('passwordChanged')}</p>` : null}
    ${props.mustChange ? null : html`<h3>${t('sessionsTitle')}</h3><${SessionTable} sessions=${sessions.data ?? []} onEnd=${end} />`}
  </div>`;
}
