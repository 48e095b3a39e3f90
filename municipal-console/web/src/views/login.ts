import { html } from 'htm/preact';
import { useState } from 'preact/hooks';
import type { VNode } from 'preact';
import { call, type Staff } from '../api.ts';
import { ErrorBox } from '../components.ts';
import { t } from '../i18n.ts';

export function Login({ onIn, expired, langButton }: { onIn: (s: Staff) => void; expired: boolean; langButton: VNode }) {
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    const f = new FormData(e.target as HTMLFormElement);
    setBusy(true); setError(null);
    try {
      const r = await call<{ staff: Staff }>('/api/session', { body: { username: String(f.get('username') ?? ''), password: String(f.get('password') ?? '') } });
      onIn(r.staff);
    } catch (err) { setError(err); } finally { setBusy(false); }
  };
  return html`<main class="login" id="main">
    <div class="login-box">
      <div class="login-top"><h1>${t('appTitle')}</h1>${langButton}</div>
      <h2>${t('loginTitle')}</h2>
      <p>${t('loginHint')}</p>
      ${expired ? html`<p class="notice" role="status">${t('sessionExpired')}</p>` : null}
      <form onSubmit=${submit}>
        <label>${t('username')}<input name="username" autocomplete="username" required autofocus /></label>
        <label>${t('password')}<input name="password" type="password" autocomplete="current-password" required /></label>
        <${ErrorBox} error=${error} />
        <button type="submit" class="primary" disabled=${busy}>${t('login')}</button>
      </form>
    </div>
  </main>`;
}
