/**
 * Rescue teams' list: people who asked for help or need help and are silent, none who arrived at a
 * shelter, "need help" first; per person 地区, how far the alert got (sent, received, on screen,
 * answered, with times), the latest answer with the ones it corrected, supporter and phone; print
 * and CSV (the same list from the server); mark reached.
 */
import { html } from 'htm/preact';
import { useState } from 'preact/hooks';
import { call, can, type AlertView, type RescuePerson, type Staff } from '../api.ts';
import { AlertHead, ErrorBox } from '../components.ts';
import { usePoll } from '../live.ts';
import { answerName, fmtTime, t, type Key } from '../i18n.ts';

const DELIVERY_WORD: Record<RescuePerson['delivery'], Key> = {
  sent: 'deliverySent',
  received: 'deliveryReceived',
  'on-screen': 'deliveryOnScreen',
  answered: 'deliveryAnswered',
};

/** Sent → received → on screen → answered, each with its time (a step not reached is not shown). */
function DeliverySteps({ p }: { p: RescuePerson }) {
  const steps: [Key, string | null][] = [
    ['stepSent', p.sentAt],
    ['stepReceived', p.deliveredAt],
    ['stepShown', p.displayedAt],
    ['stepAnswered', p.answeredAt],
  ];
  return html`<strong class="delivery-state">${t(DELIVERY_WORD[p.delivery])}</strong>
    <ol class="delivery-steps">${steps
      .filter(([, at]) => !!at)
      .map(([k, at]) => html`<li data-step=${k}>${t(k)} ${fmtTime(at)}</li>`)}</ol>`;
}

interface Mark {
  residentId: string;
  by: string;
  at: string;
}

export function Rescue({ id, staff, after }: { id: string; staff: Staff; after: string | null }) {
  const afterS = after === null ? null : Number(after);
  const q = afterS === null || Number.isNaN(afterS) ? '' : `?afterSeconds=${afterS}`;
  const alert = usePoll(() => call<AlertView>(`/api/alerts/${id}`), 0, [id]);
  // A viewer gets the figures only (no `people`): the server decides, the page shows what it got.
  const list = usePoll(
    () =>
      call<{
        at: string;
        afterSeconds: number;
        counts: { people: number; needHelp: number; noAnswer: number };
        people?: RescuePerson[];
      }>(`/api/alerts/${id}/rescue${q}`),
    10_000,
    [id, q],
  );
  const marks = usePoll(() => call<Mark[]>(`/api/alerts/${id}/rescue/reached`), 10_000, [id]);
  const [error, setError] = useState<unknown>(null);
  const byId = new Map((marks.data ?? []).map((m) => [m.residentId, m]));
  const mark = async (rid: string) => {
    setError(null);
    try {
      await call(`/api/alerts/${id}/rescue/${rid}/reached`, { method: 'POST' });
      marks.reload();
    } catch (e) {
      setError(e);
    }
  };
  const people = list.data?.people ?? [];
  const countsOnly = !!list.data && list.data.people === undefined;
  const minutes = Math.round((list.data?.afterSeconds ?? 0) / 60);
  return html`<article class="rescue" data-alert=${id}>
    <a href=${`#/alerts/${id}`} class="back no-print">← ${t('back')}</a>
    <h2>${t('rescueTitle')}</h2>
    ${alert.data ? html`<${AlertHead} a=${alert.data} />` : null}
    <p class="hint">${t('rescueHint')} · ${fmtTime(list.data?.at)}</p>
    <div class="actions no-print">
      <label class="inline">${t('silentFor')}
        <select onChange=${(e: Event) => {
          location.hash = `#/alerts/${id}/rescue?after=${(e.target as HTMLSelectElement).value}`;
        }}>
          ${[0, 5, 15, 30, 60].map((m) => html`<option value=${m * 60} selected=${m === minutes}>${m} ${t('minutes').replace('後', '').replace('from now', '')}</option>`)}
        </select></label>
      ${
        countsOnly
          ? null
          : html`<button type="button" onClick=${() => print()}>${t('print')}</button>
      <a class="button" href=${`/api/alerts/${id}/rescue.csv${q}`} download data-action="csv">${t('csv')}</a>`
      }
    </div>
    <${ErrorBox} error=${error ?? list.error} />
    ${
      countsOnly
        ? html`<p class="counts-only" data-counts-only role="status">${t('rescueCountsOnly', {
            n: list.data!.counts.people,
            needHelp: list.data!.counts.needHelp,
            noAnswer: list.data!.counts.noAnswer,
          })}</p>`
        : !list.data
          ? // nothing is said about who needs help until the list has come (never a default that looks like an answer)
            list.error
            ? null
            : html`<p class="loading" role="status">${t('loading')}</p>`
          : people.length === 0
            ? html`<p class="empty">${t('noOne')}</p>`
            : html`<table class="rescue-table">
      <thead><tr><th scope="col">${t('name')}</th><th scope="col">${t('zone')}</th><th scope="col">${t('address')}</th><th scope="col">${t('supporter')}</th><th scope="col">${t('phone')}</th>
        <th scope="col">${t('delivery')}</th><th scope="col">${t('answer')}</th><th scope="col">${t('lastContact')}</th><th scope="col">${t('reachedBy')}</th></tr></thead>
      <tbody>${people.map((p) => {
        const m = byId.get(p.residentId);
        const last =
          [p.answeredAt, p.displayedAt, p.deliveredAt]
            .filter((x): x is string => !!x)
            .sort()
            .at(-1) ?? null;
        const before = p.answers.slice(0, -1);
        return html`<tr data-resident=${p.residentId} data-delivery=${p.delivery} class=${`${p.answer === 'need-help' ? 'need-help' : ''}${m ? ' reached' : ''}`}>
          <th scope="row">${p.name}<br /><small>${p.reading}</small></th><td class="zone">${p.zoneName}</td><td>${p.address}</td><td class="supporter">${p.supporter ?? '—'}</td>
          <td class="phone">${p.phone ? html`<a href=${`tel:${p.phone}`}>${p.phone}</a>` : '—'}</td>
          <td class="delivery"><${DeliverySteps} p=${p} /></td>
          <td class="answer-cell"><span class="answer">${answerName(p.answer)}</span>${p.answeredAt ? html` <small>${fmtTime(p.answeredAt)}</small>` : null}
            ${before.length ? html`<ul class="answer-history" aria-label=${t('answerBefore')}>${before.map((x) => html`<li><s>${answerName(x.answer)}</s> <small>${fmtTime(x.at)}</small></li>`)}</ul>` : null}</td>
          <td>${fmtTime(last)}</td>
          <td>${m ? html`<span class="reached-by">✓ ${m.by} ${fmtTime(m.at)}</span>` : can(staff, 'issuer') ? html`<button type="button" class="no-print" data-action="reached" onClick=${() => mark(p.residentId)}>${t('markReached')}</button>` : '—'}</td>
        </tr>`;
      })}</tbody></table>`
    }
  </article>`;
}
