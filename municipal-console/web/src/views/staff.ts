/**
 * Staff and their cards (admin): who may do what, and which staff cards log whom in. A card is
 * linked by putting it on this PC's reader: its authentication certificate is read (no PIN: that
 * certificate holds no personal data) and the server verifies it, revocation included, first.
 * Account lifecycle (issue 24): disable and end sessions at once; creating, re-roling, enabling
 * and password resets are proposals that another administrator confirms here.
 */
import { html } from 'htm/preact';
import { useState } from 'preact/hooks';
import { toBase64 } from '@kizuna/jpki/bridge-client';
import { call, type Role } from '../api.ts';
import { SessionTable, type SessionEntry } from './account.ts';
import { ErrorBox } from '../components.ts';
import { CardError, useCardReader, useUiConfig } from '../card-reader.ts';
import { usePoll } from '../live.ts';
import { fmtDate, t, type Key } from '../i18n.ts';

interface StaffCard {
  serial: string;
  subject: string;
  notAfter: string;
  linkedBy: string;
  linkedAt: string;
}
interface StaffEntry {
  username: string;
  roles: Role[];
  displayName: string | null;
  disabled: boolean;
  lockedUntil: string | null;
  cards: StaffCard[];
}
interface AdminChange {
  id: string;
  kind: string;
  subject: string;
  summary: { roles?: Role[]; serial?: string };
  proposedBy: string;
  proposedAt: string;
}
const ALL_ROLES: Role[] = ['viewer', 'issuer', 'approver', 'admin'];
const kindKey = (k: string) => `kind_${k.replace(/[.-]/g, '_')}` as Key;

/** Roles and a temporary password for one account: both are proposals. */
function AccountChanges(props: { s: StaffEntry; act: (f: () => Promise<unknown>) => void }) {
  const { s, act } = props;
  const base = `/api/staff/${encodeURIComponent(s.username)}`;
  return html`<details class="account-changes"><summary>${t('proposeRoles')} / ${t('resetPassword')}</summary>
    <form onSubmit=${(e: Event) => {
      e.preventDefault();
      const f = new FormData(e.target as HTMLFormElement);
      act(() => call(`${base}/roles`, { body: { roles: ALL_ROLES.filter((r) => f.get(r)) } }));
    }}>${ALL_ROLES.map((r) => html`<label class="inline"><input type="checkbox" name=${r} checked=${s.roles.includes(r)} /> ${t(`role_${r}` as Key)}</label>`)}
      <button type="submit" class="small" data-action="propose-roles">${t('proposeRoles')}</button></form>
    <form onSubmit=${(e: Event) => {
      e.preventDefault();
      const form = e.target as HTMLFormElement;
      const password = String(new FormData(form).get('password') ?? '');
      form.reset();
      act(() => call(`${base}/password`, { body: { password } }));
    }}><label>${t('newPasswordFor')} <input type="password" name="password" autocomplete="new-password" required /></label>
      <button type="submit" class="small" data-action="propose-reset">${t('resetPassword')}</button></form>
  </details>`;
}

export function StaffAdmin() {
  const list = usePoll(() => call<StaffEntry[]>('/api/staff'), 0);
  const cfg = useUiConfig();
  const reader = useCardReader(cfg, true);
  const [picked, setPicked] = useState('');
  const [error, setError] = useState<unknown>(null);
  const cardId = picked || reader.cards[0]?.id || '';
  const changes = usePoll(() => call<AdminChange[]>('/api/admin-changes?state=pending'), 0);
  const sessions = usePoll(() => call<SessionEntry[]>('/api/staff/sessions'), 0);
  const [notice, setNotice] = useState<string | null>(null);
  /** Run an account action, then show what happened and reload every list. */
  const act = async (f: () => Promise<unknown>) => {
    setError(null);
    setNotice(null);
    try {
      const r = (await f()) as { state?: string } | undefined;
      if (r?.state === 'pending') setNotice(t('proposed'));
    } catch (e) {
      setError(e);
    }
    list.reload();
    changes.reload();
    sessions.reload();
  };
  const enc = encodeURIComponent;

  /** A card link gives access: it is proposed here and applied when another admin confirms it. */
  const link = (username: string) =>
    act(async () => {
      if (!reader.bridge || !cardId) return;
      await reader.bridge.insert(cardId);
      const certificate = toBase64(await reader.bridge.readAuthCertificate());
      return call(`/api/staff/${enc(username)}/cards`, { body: { certificate } });
    });
  const unlink = async (username: string, serial: string) => {
    if (!confirm(t('confirmUnlink'))) return;
    setError(null);
    try {
      await call(`/api/staff/${encodeURIComponent(username)}/cards/${serial}`, { method: 'DELETE' });
      list.reload();
    } catch (e) {
      setError(e);
    }
  };

  return html`<div class="staff-admin">
    <h2>${t('staffTitle')}</h2>
    ${
      cfg?.cardLogin
        ? html`<div class="panel reader">
      <label class="inline">${t('readerCard')}
        <select name="reader-card" value=${cardId} onChange=${(e: Event) => setPicked((e.target as HTMLSelectElement).value)} disabled=${!reader.bridge}>
          ${reader.cards.length === 0 ? html`<option value="">${t('noCards')}</option>` : reader.cards.map((c) => html`<option value=${c.id}>${c.label}</option>`)}
        </select></label>
      <${CardError} error=${reader.error} />
    </div>`
        : null
    }
    <${CardError} error=${error} />
    <${ErrorBox} error=${list.error} />
    ${notice ? html`<p class="notice" role="status" data-notice="proposed">${notice}</p>` : null}
    <section class="panel pending-changes"><h3>${t('pendingTitle')}</h3>
      ${(changes.data ?? []).length === 0 ? html`<p class="meta">${t('noPending')}</p>` : null}
      <ul>${(changes.data ?? []).map(
        (
          c,
        ) => html`<li data-change=${c.id} data-change-kind=${c.kind}><strong>${t(kindKey(c.kind))}</strong>: ${c.subject}
          ${c.summary.roles ? ` (${c.summary.roles.map((r) => t(`role_${r}` as Key)).join('・')})` : ''}
          ${c.summary.serial ? html` <code>${c.summary.serial}</code>` : null}
          <small class="meta">${t('proposedBy')} ${c.proposedBy} · ${fmtDate(c.proposedAt)}</small>
          <button type="button" class="small" data-action="confirm-change" onClick=${() => act(() => call(`/api/admin-changes/${enc(c.id)}/confirm`, { body: {} }))}>${t('confirmChange')}</button>
          <button type="button" class="small" data-action="withdraw-change" onClick=${() => act(() => call(`/api/admin-changes/${enc(c.id)}`, { method: 'DELETE' }))}>${t('withdrawChange')}</button></li>`,
      )}</ul></section>
    <table class="staff-table"><thead><tr><th scope="col">${t('staffMember')}</th><th scope="col">${t('roles')}</th><th scope="col">${t('cards')}</th><th scope="col">${t('staffActions')}</th></tr></thead>
      <tbody>${(list.data ?? []).map(
        (s) => html`<tr data-staff-row=${s.username}>
        <th scope="row">${s.displayName ?? s.username}<br /><small>${s.username}${s.disabled ? ` · ${t('disabledAccount')}` : ''}${s.lockedUntil && Date.parse(s.lockedUntil) > Date.now() ? ` · ${t('lockedAccount')}` : ''}</small></th>
        <td>${s.roles.map((r) => t(`role_${r}` as Key)).join('・')}</td>
        <td>
          ${
            s.cards.length === 0
              ? html`<span class="meta">${t('noCard')}</span>`
              : html`<ul class="cards">${s.cards.map(
                  (c) => html`<li data-card=${c.serial}>
            <code>${c.serial}</code> <small>${t('validUntil')} ${fmtDate(c.notAfter)}</small>
            <button type="button" class="small" data-action="unlink" onClick=${() => unlink(s.username, c.serial)}>${t('unlinkCard')}</button></li>`,
                )}</ul>`
          }
          ${cfg?.cardLogin ? html`<button type="button" class="small" data-action="link" disabled=${!reader.bridge || !cardId} onClick=${() => link(s.username)}>${t('linkCard')}</button>` : null}
        </td>
        <td class="staff-actions">
          ${
            s.disabled
              ? html`<button type="button" class="small" data-action="enable" onClick=${() => act(() => call(`/api/staff/${enc(s.username)}/enable`, { body: {} }))}>${t('enable')}</button>`
              : html`<button type="button" class="small danger" data-action="disable" onClick=${() => confirm(t('confirmDisable')) && act(() => call(`/api/staff/${enc(s.username)}/disable`, { body: {} }))}>${t('disable')}</button>`
          }
          <button type="button" class="small" data-action="end-sessions" onClick=${() => act(() => call(`/api/staff/${enc(s.username)}/sessions`, { method: 'DELETE' }))}>${t('endSessions')}</button>
          <${AccountChanges} s=${s} act=${act} />
        </td></tr>`,
      )}</tbody></table>
    <form class="panel new-staff" onSubmit=${(e: Event) => {
      e.preventDefault();
      const form = e.target as HTMLFormElement;
      const f = new FormData(form);
      const body = {
        username: String(f.get('username') ?? ''),
        password: String(f.get('password') ?? ''),
        roles: ALL_ROLES.filter((r) => f.get(r)),
        ...(f.get('displayName') ? { displayName: String(f.get('displayName')) } : {}),
      };
      void act(async () => {
        const r = await call(`/api/staff`, { body });
        form.reset();
        return r;
      });
    }}><h3>${t('newStaffTitle')}</h3>
      <label>${t('username')} <input name="username" required autocomplete="off" /></label>
      <label>${t('displayNameLabel')} <input name="displayName" autocomplete="off" /></label>
      <label>${t('passwordLabel')} <input type="password" name="password" required autocomplete="new-password" /></label>
      ${ALL_ROLES.map((r) => html`<label class="inline"><input type="checkbox" name=${r} checked=${r === 'viewer'} /> ${t(`role_${r}` as Key)}</label>`)}
      <button type="submit" class="primary">${t('propose')}</button></form>
    <h3>${t('sessionsTitle')}</h3>
    <${SessionTable} sessions=${sessions.data ?? []} showUser=${true} onEnd=${(id: string) => act(() => call(`/api/sessions/${enc(id)}`, { method: 'DELETE' }))} />
  </div>`;
}
