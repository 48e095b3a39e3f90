/**
 * Staff and their cards (admin): who may do what, and which staff cards log whom in. A card is
 * linked by putting it on this PC's reader: its authentication certificate is read (no PIN: that
 * certificate holds no personal data) and the server verifies it, revocation included, first.
 */
import { html } from 'htm/preact';
import { useState } from 'preact/hooks';
import { toBase64 } from '@kizuna/jpki/bridge-client';
import { call, type Role } from '../api.ts';
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
  cards: StaffCard[];
}

export function StaffAdmin() {
  const list = usePoll(() => call<StaffEntry[]>('/api/staff'), 0);
  const cfg = useUiConfig();
  const reader = useCardReader(cfg, true);
  const [picked, setPicked] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [done, setDone] = useState<string | null>(null);
  const cardId = picked || reader.cards[0]?.id || '';

  const link = async (username: string) => {
    if (!reader.bridge || !cardId) return;
    setError(null);
    setDone(null);
    try {
      await reader.bridge.insert(cardId);
      const certificate = toBase64(await reader.bridge.readAuthCertificate());
      await call(`/api/staff/${encodeURIComponent(username)}/cards`, { body: { certificate } });
      setDone(username);
      list.reload();
    } catch (e) {
      setError(e);
    }
  };
  const unlink = async (username: string, serial: string) => {
    if (!confirm(t('confirmUnlink'))) return;
    setError(null);
    setDone(null);
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
    ${done ? html`<p class="notice" role="status">${t('linked')}: ${done}</p>` : null}
    <table class="staff-table"><thead><tr><th scope="col">${t('staffMember')}</th><th scope="col">${t('roles')}</th><th scope="col">${t('cards')}</th></tr></thead>
      <tbody>${(list.data ?? []).map(
        (s) => html`<tr data-staff-row=${s.username}>
        <th scope="row">${s.displayName ?? s.username}<br /><small>${s.username}${s.disabled ? ` · ${t('disabledAccount')}` : ''}</small></th>
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
        </td></tr>`,
      )}</tbody></table>
  </div>`;
}
