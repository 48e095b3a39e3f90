/**
 * The confirmation before a draft is sent (issue 19, item 1): a modal naming the areas, level,
 * hazard, 本番/訓練, the text and the counts of people and TVs, read from GET …/confirmation.
 * Only its 「この内容で送信する」 sends, carrying the revision and digest it showed; the API refuses
 * a send without them, and one whose content or reach changed meanwhile (the dialog then shows
 * the new confirmation).
 */
import { html } from 'htm/preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, call } from '../api.ts';
import { ErrorBox } from '../components.ts';
import { t, type Key } from '../i18n.ts';
import { OutgoingFacts, type Outgoing } from './outgoing.ts';

interface Confirmation {
  revision: number;
  digest: string;
  status: Outgoing['status'];
  level: number;
  hazard: string;
  areas: { zones: { id: string; name: string }[]; shape: boolean; group: string };
  text: Record<string, string>;
  counts: NonNullable<Outgoing['counts']>;
  needsApproval: boolean;
  /** Alert: a new alert; Update or Cancel: the draft stored for an active alert. */
  msgType: 'Alert' | 'Update' | 'Cancel';
  /** What an imported CAP draft asks staff to confirm before it is sent (e.g. 'reaches-no-one'). */
  warnings: string[];
}

const WARNING_WORDS: Record<string, Key> = { 'reaches-no-one': 'confirmWarnReachesNoOne' };

/** The dialog for alert `id`; `onClose(sent)` when it is sent or left. */
export function SendConfirm({ id, onClose }: { id: string; onClose: (sent: boolean) => void }) {
  const [k, setK] = useState<Confirmation | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [acked, setAcked] = useState<string[]>([]);
  const ref = useRef<HTMLDialogElement>(null);
  const load = () =>
    call<Confirmation>(`/api/alerts/${id}/confirmation`).then(
      (c) => setK(c),
      (e) => setError(e),
    );
  useEffect(() => {
    void load();
    const d = ref.current;
    if (d && !d.open) d.showModal();
    return () => d?.open && d.close();
  }, [id]);
  const send = async () => {
    if (!k) return;
    setBusy(true);
    setError(null);
    try {
      // answered once the first TVs have it (the figures show the rest being sent)
      await call(`/api/alerts/${id}/send?wait=started`, {
        body: { revision: k.revision, digest: k.digest, ...(k.warnings.length ? { acknowledged: acked } : {}) },
      });
      onClose(true);
    } catch (e) {
      setError(e);
      // changed since it was shown: nothing was sent; show what it is now
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
    shape: k.areas.shape,
    group: k.areas.group,
    text: k.text,
    counts: k.counts,
  };
  return html`<dialog ref=${ref} class=${`send-confirm${k?.status === 'Exercise' ? ' is-exercise' : ''}`} aria-labelledby="send-confirm-title"
    data-digest=${k?.digest ?? ''} onCancel=${(e: Event) => {
      e.preventDefault();
      onClose(false);
    }}>
    <h2 id="send-confirm-title" data-msg-type=${k?.msgType ?? ''}>${t(k?.msgType === 'Update' ? 'confirmUpdateTitle' : k?.msgType === 'Cancel' ? 'confirmCancelDraftTitle' : 'confirmSendTitle')}</h2>
    ${
      o && k
        ? html`<p class="hint">${t('confirmSendHint')}</p>
      <${OutgoingFacts} o=${o} countsLabel="recipientsNow" />
      <p class="notice" data-field="approval">${k.needsApproval ? t('confirmSendApproval') : t('confirmSendNow')}</p>
      ${k.warnings.map(
        (
          w,
        ) => html`<label class="notice confirm-warning"><input type="checkbox" data-ack=${w} checked=${acked.includes(w)}
          onChange=${(e: Event) => setAcked((e.target as HTMLInputElement).checked ? [...acked, w] : acked.filter((x) => x !== w))} />
          ${WARNING_WORDS[w] ? t(WARNING_WORDS[w]) : w}</label>`,
      )}`
        : error
          ? null
          : html`<p class="loading" role="status">${t('loading')}</p>`
    }
    <${ErrorBox} error=${error} />
    <div class="actions">
      <button type="button" class="primary" data-action="confirm-send" disabled=${!k || busy || k.warnings.some((w) => !acked.includes(w))} onClick=${send}>${t('confirmSendOk')}</button>
      <button type="button" data-action="cancel-send" onClick=${() => onClose(false)}>${t('confirmSendBack')}</button>
    </div>
  </dialog>`;
}
