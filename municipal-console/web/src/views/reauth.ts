/**
 * The password dialog of fresh authentication (issue 24): api.ts calls the prompt when an action
 * answers KZ_CONSOLE_REAUTH_REQUIRED, this dialog proves the password (POST /api/session/reauth)
 * and api.ts retries the action. Approving a real alert needs no code of its own for it.
 */
import { html } from 'htm/preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { call, setReauthPrompt } from '../api.ts';
import { ErrorBox } from '../components.ts';
import { t } from '../i18n.ts';

export function ReauthDialog() {
  const [pending, setPending] = useState<((ok: boolean) => void) | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    setReauthPrompt(
      () =>
        new Promise<boolean>((resolve) => {
          setError(null);
          setPending(() => resolve);
        }),
    );
    return () => setReauthPrompt(null);
  }, []);
  useEffect(() => {
    const d = ref.current;
    if (pending && d && !d.open) d.showModal();
    if (!pending && d?.open) d.close();
  }, [pending]);

  const finish = (ok: boolean) => {
    pending?.(ok);
    setPending(null);
  };
  const submit = async (e: Event) => {
    e.preventDefault();
    const form = e.target as HTMLFormElement;
    const password = String(new FormData(form).get('password') ?? '');
    setBusy(true);
    setError(null);
    try {
      await call('/api/session/reauth', { body: { password } });
      form.reset();
      finish(true);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return html`<dialog ref=${ref} class="reauth" aria-labelledby="reauth-title" onCancel=${(e: Event) => {
    e.preventDefault();
    finish(false);
  }}>
    <form onSubmit=${submit}>
      <h2 id="reauth-title">${t('reauthTitle')}</h2>
      <p class="hint">${t('reauthHint')}</p>
      <label>${t('passwordLabel')} <input type="password" name="password" autocomplete="current-password" required /></label>
      <${ErrorBox} error=${error} />
      <div class="actions">
        <button type="submit" class="primary" disabled=${busy}>${t('reauthOk')}</button>
        <button type="button" onClick=${() => finish(false)}>${t('cancelDialog')}</button>
      </div>
    </form>
  </dialog>`;
}
