/** One alert: live figures and map, the TV preview, and every action one click away (send, approve, lift, cancel, correct, CAP). */
import { html } from 'htm/preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { LEVELS } from '@kizuna/contract/levels';
import {
  ApiError,
  call,
  can,
  type AlertStatus,
  type AlertView,
  type Preview,
  type PreviewKind,
  type Staff,
  type Zone,
} from '../api.ts';
import { AlertHead, CounterRow, ErrorBox, MapLegend, Sending, ZoneMap } from '../components.ts';
import { useSse, usePoll } from '../live.ts';
import { fmtTime, lang, langName, t, type Key } from '../i18n.ts';
import { ApprovalPanel, usePinnedPending } from './approval.ts';
import { AreaMap } from './area-map.ts';
import { SendConfirm } from './send-confirm.ts';
import { EndConfirm, type End } from './end-confirm.ts';
import { CapNotes } from './cap.ts';

const KIND_JA: Record<string, string> = {
  resident: '住民が一人だけ登録されたTV',
  household: '世帯のTV：登録された全員の名前を一つの画面で呼びかけます',
  'needs-help': '避難に支援が必要な住民（避難行動要支援者）',
  'get-ready': 'レベル3で「準備」を求められる住民（高齢者・要支援者以外）',
  'unbound-tv': '住民が登録されていないTV（地区あての保持メッセージ）',
};

function b64url(s: string): string {
  const bytes = new TextEncoder().encode(s);
  let bin = '';
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/**
 * The TV applet at a TV's own size (1280×720), scaled down to the frame: it lays out once, as on a
 * TV, and a layout change around it (a panel appearing, the window resized) rescales it instead of
 * cropping it (issue 19, item 6).
 */
function TvFrame({ src, title }: { src: string; title: string }) {
  const box = useRef<HTMLDivElement>(null);
  const [scale, setScale] = useState(0);
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const fit = () => setScale(el.clientWidth / TV_W);
    fit();
    const ro = new ResizeObserver(fit);
    ro.observe(el);
    return () => ro.disconnect();
  }, []);
  return html`<div class="tv-frame" ref=${box}><iframe key=${src} src=${src} title=${title} tabIndex=${-1}
    style=${{ width: `${TV_W}px`, height: `${TV_H}px`, transform: `scale(${scale})` }}></iframe></div>`;
}
const TV_W = 1280;
const TV_H = 720;

/** The TV applet itself (served by the console at /tv-preview/), fed the exact payload. */
function TvPreview({ p }: { p: Preview }) {
  const [i, setI] = useState(0);
  const k = p.kinds[Math.min(i, p.kinds.length - 1)];
  if (!k) return html`<p>${t('noOne')}</p>`;
  const muni = k.topic.split('/')[1] ?? '';
  const KINDS = ['resident', 'household', 'needs-help', 'get-ready', 'unbound-tv'];
  // one tab per zone for TVs with nobody registered: each names its zone (issue 19, item 6)
  const zoneOf = (x: PreviewKind) => (x.payload.zone as { name?: string } | undefined)?.name ?? '';
  const label = (x: PreviewKind) =>
    x.kind === 'unbound-tv'
      ? t('kUnboundIn', { zone: zoneOf(x) })
      : KINDS.includes(x.kind)
        ? t(`k_${x.kind}` as Key)
        : langName(x.kind);
  const describe = (x: PreviewKind) =>
    lang() === 'ja' ? (KINDS.includes(x.kind) ? KIND_JA[x.kind]! : `${langName(x.kind)}で読む住民`) : x.description;
  const tvLang = ['ja', 'ja-x-easy', 'en', 'zh', 'ko', 'vi', 'pt'].includes(k.kind) ? k.kind : 'ja';
  const src = `/tv-preview/#${new URLSearchParams({ device: 'preview', muni, lang: tvLang, preview: b64url(JSON.stringify(k.payload)) })}`;
  return html`<div class="tv-preview">
    <div role="tablist" aria-label=${t('preview')}>${p.kinds.map((x, j) => html`<button type="button" role="tab" aria-selected=${j === i} data-kind=${x.kind} onClick=${() => setI(j)}>${label(x)}</button>`)}</div>
    <p class="hint">${describe(k)}</p>
    <${TvFrame} src=${src} title=${`${t('preview')}: ${label(k)}`} />
  </div>`;
}

/** The correction is stored as a draft revision; `onDone(true)` opens its confirmation (nothing goes out unseen). */
function CorrectForm({ a, onDone }: { a: AlertView; onDone: (stored: boolean) => void }) {
  const [error, setError] = useState<unknown>(null);
  const submit = async (e: Event) => {
    e.preventDefault();
    const f = new FormData(e.target as HTMLFormElement);
    const mins = Number(f.get('expiry'));
    const extraJa = String(f.get('extra-ja') ?? '').trim();
    try {
      await call(`/api/alerts/${a.id}/update`, {
        body: {
          draft: true,
          level: Number(f.get('level')),
          ...(mins ? { expires: new Date(Date.now() + mins * 60_000).toISOString() } : {}),
          ...(extraJa ? { extra: { ...(a.spec.extra ?? {}), ja: extraJa } } : {}),
        },
      });
      onDone(true);
    } catch (err) {
      setError(err);
    }
  };
  return html`<form class="correct" onSubmit=${submit}><h3>${t('correctTitle')}</h3>
    <label>${t('level')}<select name="level">${([3, 4, 5] as const).map((l) => html`<option value=${l} selected=${l === a.level}>${l} ${LEVELS[l].phrase}</option>`)}</select></label>
    <label>${t('expiry')}<select name="expiry"><option value="0">—</option>${[60, 120, 180, 360].map((m) => html`<option value=${m}>${m} ${t('minutes')}</option>`)}</select></label>
    <label>${t('extra')} (日本語)<textarea name="extra-ja" rows="2">${a.spec.extra?.ja ?? ''}</textarea></label>
    <${ErrorBox} error=${error} /><button type="submit" class="primary">${t('correct')}</button></form>`;
}

export function AlertDetail({ id, staff }: { id: string; staff: Staff }) {
  const alert = usePoll(() => call<AlertView>(`/api/alerts/${id}`), 4000, [id]);
  const zones = usePoll(() => call<Zone[]>('/api/zones'), 0);
  const a = alert.data;
  const { shown: pending, changed, repin } = usePinnedPending(a);
  // a CAP draft whose level staff have not chosen has nothing true to preview yet (views/cap.ts asks for it)
  const levelUnknown = !!a?.spec.cap?.warnings?.includes('level-unknown');
  const showPreview =
    a && !levelUnknown && (a.state === 'draft' || a.state === 'pending-approval' || a.state === 'active');
  const preview = usePoll(() => (showPreview ? call<Preview>(`/api/alerts/${id}/preview`) : Promise.resolve(null)), 0, [
    id,
    a?.state,
    a?.revision,
    a?.level,
    levelUnknown,
    pending?.digest,
  ]);
  const status = useSse<AlertStatus | null>(
    a && a.revision > 0 ? `/api/alerts/${id}/events` : null,
    'status',
    (_p, d) => d as AlertStatus,
    null,
  );
  const [error, setError] = useState<unknown>(null);
  const [correcting, setCorrecting] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const [ending, setEnding] = useState<End | null>(null);
  if (alert.error) return html`<${ErrorBox} error=${alert.error} />`;
  if (!a) return html`<p>${t('loading')}</p>`;
  const act = (path: string, confirmText?: string) => async () => {
    if (confirmText && !confirm(confirmText)) return;
    setError(null);
    // approving answers once the first TVs have it (the figures show the rest being sent)
    const wait = path === 'approve' ? '?wait=started' : '';
    // approve and reject name exactly what this page shows (the pinned revision and its digest)
    const seen = path === 'approve' || path === 'reject';
    try {
      await call(`/api/alerts/${id}/${path}${wait}`, {
        method: 'POST',
        ...(seen && pending ? { body: { revision: pending.revision, digest: pending.digest } } : {}),
      });
      alert.reload();
    } catch (e) {
      setError(e);
      // changed meanwhile: nothing was published; show the new content for a fresh look
      if (e instanceof ApiError && e.code === 'KZ_CONSOLE_APPROVAL_STALE') {
        repin(String(e.details?.digest ?? ''));
        alert.reload();
      }
    }
  };
  const pendingBy = pending?.createdBy ?? (a.state === 'pending-approval' ? a.createdBy : null);
  const waiting = a.state === 'pending-approval' || !!pending;
  return html`<article class=${`alert-detail${a.status === 'Exercise' ? ' is-exercise' : ''}`} data-alert=${a.id} data-state=${a.state}>
    <a href="#/" class="back">← ${t('back')}</a>
    <h2><${AlertHead} a=${a} /></h2>
    <p class="meta">${a.identifier} · ${t('issuedBy')}: ${a.createdBy} · ${fmtTime(a.createdAt)} · ${t('expiry')}: ${fmtTime(a.expires)}
      ${a.revision === 0 ? null : html` · ${t('reach')}: ${a.reach.residents} ${t('residentsCount')} / ${a.reach.devices} ${t('devices')} / ${a.reach.zones} ${t('zonesCount')}`}</p>
    <div class="actions" role="group" aria-label="actions">
      ${a.state === 'active' && a.draft && can(staff, 'issuer') ? html`<button type="button" class="primary" data-action="send-draft" onClick=${() => setConfirming(true)}>${t('sendDraftRevision')}</button>` : null}
      ${a.state === 'draft' && can(staff, 'issuer') ? html`<button type="button" class="primary" data-action="send" disabled=${!!a.spec.cap?.warnings?.includes('level-unknown')} onClick=${() => setConfirming(true)}>${t('send')}</button>` : null}
      ${
        waiting && can(staff, 'approver') && pendingBy !== staff.username
          ? html`<button type="button" class="primary" data-action="approve" onClick=${act('approve')}>${t('approve')}</button>
        <button type="button" data-action="reject" onClick=${act('reject')}>${t('reject')}</button>`
          : null
      }
      ${waiting && pendingBy === staff.username ? html`<p class="notice">${t('ownAlertNoApprove')}</p>` : null}
      ${
        a.state === 'active' && can(staff, 'issuer')
          ? html`<button type="button" class="primary" data-action="lift" onClick=${() => setEnding('lifted')}>${t('lift')}</button>
        <button type="button" class="danger" data-action="cancel" onClick=${() => setEnding('sent-in-error')}>${t('cancelError')}</button>
        <button type="button" data-action="correct" aria-expanded=${correcting} onClick=${() => setCorrecting(!correcting)}>${t('correct')}</button>`
          : null
      }
      ${a.revision > 0 ? html`<a class="button" href=${`/api/alerts/${a.id}/cap`} download=${`${a.identifier}.cap.xml`} data-action="cap">${t('downloadCap')}</a>` : null}
      ${a.revision > 0 ? html`<a class="button" href=${`#/alerts/${a.id}/rescue`}>${t('rescueList')}</a>` : null}
    </div>
    <${ErrorBox} error=${error} />
    <${CapNotes} a=${a} staff=${staff} onChange=${() => alert.reload()} />
    ${
      confirming
        ? html`<${SendConfirm} id=${a.id} onClose=${(sent: boolean) => {
            setConfirming(false);
            if (sent) alert.reload();
          }} />`
        : null
    }
    ${
      ending
        ? html`<${EndConfirm} id=${a.id} end=${ending} onClose=${(done: boolean) => {
            setEnding(null);
            if (done) alert.reload();
          }} />`
        : null
    }
    ${
      correcting && a.state === 'active'
        ? html`<${CorrectForm} a=${a} onDone=${(stored: boolean) => {
            setCorrecting(false);
            if (stored) setConfirming(true);
            alert.reload();
          }} />`
        : null
    }
    ${
      pending
        ? html`<${ApprovalPanel} p=${pending} status=${a.status} zones=${zones.data ?? []} changed=${changed} onRepin=${repin}>
        ${preview.data && preview.data.revision === pending.revision ? html`<h4>${t('preview')}</h4><p class="hint">${t('previewHint')}</p><${TvPreview} p=${preview.data} />` : null}
      </${ApprovalPanel}>`
        : null
    }
    ${
      a.state === 'draft'
        ? html`<section class="panel area-panel"><h3>${t('mapArea')}</h3><${AreaMap} zones=${zones.data} target=${a.spec.target} /></section>`
        : null
    }
    <div class="detail-grid">
      ${
        status.value
          ? html`<section class="panel"><h3>${t('acknowledged')} <span class=${status.online ? 'live on' : 'live'}>${status.online ? t('live') : status.connecting ? t('connecting') : t('offline')}</span></h3>
        <${Sending} s=${status.value.sending} />
        <${CounterRow} c=${status.value.totals} />
        <p class="breakdown">${t('evacuating')} ${status.value.totals.acknowledged.evacuating} · ${t('safeIndoors')} ${status.value.totals.acknowledged['safe-indoors']} · ${t('needHelpAnswer')} ${status.value.totals.acknowledged['need-help']} · ${t('noAnswer')} ${status.value.totals.noAnswer}</p>
        <${ZoneMap} zones=${zones.data ?? []} figures=${status.value.zones} label=${t('zonesMap')} /><${MapLegend} /></section>`
          : null
      }
      ${
        preview.data && !pending
          ? html`<section class="panel"><h3>${t('preview')}</h3><p class="hint">${t('previewHint')}</p>
        <p class="meta">${t('devices')} ${preview.data.counts.devices} · ${t('residentsCount')} ${preview.data.counts.residents} · ${t('unboundTvs')} ${preview.data.counts.unboundTvs}</p>
        <${TvPreview} p=${preview.data} /></section>`
          : preview.error
            ? html`<${ErrorBox} error=${preview.error} />`
            : null
      }
    </div>
  </article>`;
}
