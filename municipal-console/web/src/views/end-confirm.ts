/**
 * The confirmation before an active alert is ended (issues 18/19): lifted (解除: the danger is
 * over) or cancelled (取消: sent in error), each with its own title, words and button. It shows
 * what goes out and to whom (GET …/ending) and sends back the revision and digest it showed; the
 * API refuses a lifting without them, and either one whose reach changed meanwhile (the dialog then
 * shows it anew).
 */
import { html } from 'htm/preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, call } from '../api.ts';
import { ErrorBox } from '../components.ts';
import { t } from '../i18n.ts';
import { OutgoingFacts, type Outgoing } from './outgoing.ts';

export type End = 'lifted' | 'sent-in-error';

interface Ending {
  revision: number;
  digest: string;
  status: Outgoing['status'];
  level: number;
  hazard: string;
  areas: { zones: { id: string; name: string }[] };
  counts: NonNullable<Outgoing['counts']>;
  needsApproval: boolean;
}

/** The dialog ending alert `id`; `onClose(done)` when it is sent or left. */
export function EndConfirm({ id, end, onClose }: { id: string; end: End; onClose: (done: boolean) => void }) {
  const [k, setK] = useState<Ending | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const ref = useRef<HTMLDialogElement>(null);
  const lift = end === 'lifted';
  const load = () =>
    call<Ending>(`/api/alerts/${id}/ending?end=${end}`).then(
      (c) => setK(c),
      (e) => setError(e),
    );
  useEffect(() => {
    void load();
    const d = ref.current;
    if (d && !d.open) d.showModal();
    return () => d?.open && d.close();
  }, [id, end]);
  const go = async () => {
    if (!k) return;
    setBusy(true);
    setError(null);
    try {
      await call(`/api/alerts/${id}/${lift ? 'lift' : 'cancel'}`, {
        body: { revision: k.revision, digest: k.digest },
      });
      onClose(true);
    } catch (e) {
      setError(e);
      if (e instanceof ApiError && e.code === 'KZ_CONSOLE_CONFIRMATION_STALE') await load();
    } finally {
      setBusy(false);
    }
  };
  const o: Outgoing | null = k && {
    status: k.status,
    level: k.level,
    hazard: k.hazard,
    zones: k.areas.zones.map((z) => z.name),
    shape: false,
    group: undefined,
    text: {},
    counts: k.counts,
  };
  return html`<dialog ref=${ref} class=${`send-confirm end-confirm end-${end}`} aria-labelledby="end-confirm-title"
    data-end=${end} data-digest=${k?.digest ?? ''} onCancel=${(e: Event) => {
      e.preventDefault();
      onClose(false);
    }}>
    <h2 id="end-confirm-title">${t(lift ? 'liftTitle' : 'cancelTitle')}</h2>
    <p class="hint">${t(lift ? 'liftHint' : 'cancelHint')}</p>
    ${
      o && k
        ? html`<${OutgoingFacts} o=${o} countsLabel="recipientsNow" />
      <p class="notice" data-field="approval">${k.needsApproval ? t('endApproval') : t('endNow')}</p>`
        : error
          ? null
          : html`<p class="loading" role="status">${t('loading')}</p>`
    }
    <${ErrorBox} error=${error} />
    <div class="actions">
      <button type="button" class=${lift ? 'primary' : 'danger'} data-action=${lift ? 'confirm-lift' : 'confirm-cancel'} disabled=${!k || busy} onClick=${go}>${t(lift ? 'liftOk' : 'cancelOk')}</button>
      <button type="button" data-action="end-back" onClick=${() => onClose(false)}>${t('confirmSendBack')}</button>
    </div>
  </dialog>`;
}
