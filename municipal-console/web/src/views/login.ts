/**
 * Staff login: with their own card (the JPKI authentication certificate, through the card-reader
 * bridge on the staff PC, as the TV applet and the shelter kiosk do) or with a password. The PIN
 * goes to the card through the bridge and is never sent to the server or kept.
 */
import { html } from 'htm/preact';
import { useState } from 'preact/hooks';
import type { VNode } from 'preact';
import { fromBase64, toBase64 } from '@kizuna/jpki/bridge-client';
import { call, type Staff } from '../api.ts';
import { ErrorBox } from '../components.ts';
import { CardError, useCardReader, useUiConfig } from '../card-reader.ts';
import { t } from '../i18n.ts';

type Method = 'card' | 'password';

export function Login({
  onIn,
  expired,
  langButton,
}: {
  onIn: (s: Staff) => void;
  expired: boolean;
  langButton: VNode;
}) {
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const cfg = useUiConfig();
  // The card tab first when card login is on, until the staff member picks a tab.
  const [chosen, setMethod] = useState<Method | null>(null);
  const method: Method = chosen ?? (cfg?.cardLogin ? 'card' : 'password');
  const { bridge, cards, error: bridgeError } = useCardReader(cfg, method === 'card');

  const submitPassword = async (e: Event) => {
    e.preventDefault();
    const f = new FormData(e.target as HTMLFormElement);
    setBusy(true);
    setError(null);
    try {
      const r = await call<{ staff: Staff }>('/api/session', {
        body: { username: String(f.get('username') ?? ''), password: String(f.get('password') ?? '') },
      });
      onIn(r.staff);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  const submitCard = async (e: Event) => {
    e.preventDefault();
    if (!bridge) return;
    const form = e.target as HTMLFormElement;
    const f = new FormData(form);
    const pin = String(f.get('pin') ?? '');
    (form.elements.namedItem('pin') as HTMLInputElement).value = '';
    setBusy(true);
    setError(null);
    try {
      await bridge.insert(String(f.get('card') ?? ''));
      const ch = await call<{ challengeId: string; nonce: string }>('/api/session/card/challenge', { body: {} });
      const signed = await bridge.authSign(pin, fromBase64(ch.nonce));
      const r = await call<{ staff: Staff }>('/api/session/card', {
        body: {
          challengeId: ch.challengeId,
          certificate: toBase64(signed.certificate),
          signature: toBase64(signed.signature),
        },
      });
      onIn(r.staff);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  const tab = (
    m: Method,
    label: string,
  ) => html`<button type="button" role="tab" id=${`tab-${m}`} aria-controls=${`panel-${m}`} aria-selected=${method === m ? 'true' : 'false'}
    tabIndex=${method === m ? 0 : -1} class=${method === m ? 'tab on' : 'tab'} data-method=${m}
    onClick=${() => {
      setMethod(m);
      setError(null);
    }}
    onKeyDown=${(ev: KeyboardEvent) => {
      if (ev.key === 'ArrowRight' || ev.key === 'ArrowLeft') {
        const n: Method = m === 'card' ? 'password' : 'card';
        setMethod(n);
        document.getElementById(`tab-${n}`)?.focus();
      }
    }}>${label}</button>`;

  return html`<main class="login" id="main">
    <div class="login-box">
      <div class="login-top"><h1>${t('appTitle')}</h1>${langButton}</div>
      <h2>${t('loginTitle')}</h2>
      <p>${t('loginHint')}</p>
      ${expired ? html`<p class="notice" role="status">${t('sessionExpired')}</p>` : null}
      ${cfg === null ? html`<p>${t('loading')}</p>` : null}
      ${cfg?.cardLogin ? html`<div class="tabs" role="tablist" aria-label=${t('loginMethod')}>${tab('card', t('withCard'))}${tab('password', t('withPassword'))}</div>` : null}
      ${
        method === 'card' && cfg?.cardLogin
          ? html`
        <form class="card-login" id="panel-card" role="tabpanel" aria-labelledby="tab-card" onSubmit=${submitCard}>
          <p class="hint">${t('cardHint')}</p>
          ${bridgeError ? html`<${CardError} error=${bridgeError} />` : null}
          ${
            bridge
              ? html`
            <label>${t('cardPick')}
              <select name="card" required>${cards.length === 0 ? html`<option value="">${t('noCards')}</option>` : cards.map((c) => html`<option value=${c.id}>${c.label}</option>`)}</select>
            </label>
            <label>${t('cardPin')}<input name="pin" type="password" inputmode="numeric" pattern="[0-9]{4}" maxLength=${4} autocomplete="off" required autofocus /></label>
            <${CardError} error=${error} />
            <button type="submit" class="primary" disabled=${busy || cards.length === 0}>${busy ? t('cardBusy') : t('cardLoginAction')}</button>`
              : bridgeError
                ? null
                : html`<p>${t('loading')}</p>`
          }
        </form>`
          : cfg === null
            ? null
            : html`
        <form class="password-login" id="panel-password" role=${cfg?.cardLogin ? 'tabpanel' : undefined} aria-labelledby=${cfg?.cardLogin ? 'tab-password' : undefined} onSubmit=${submitPassword}>
          <label>${t('username')}<input name="username" autocomplete="username" required autofocus /></label>
          <label>${t('password')}<input name="password" type="password" autocomplete="current-password" required /></label>
          <${ErrorBox} error=${error} />
          <button type="submit" class="primary" disabled=${busy}>${t('login')}</button>
        </form>`
      }
    </div>
  </main>`;
}
