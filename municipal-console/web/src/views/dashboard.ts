/** The situation at a glance: active alerts with live counters, the zone map, shelters. */
import { html } from 'htm/preact';
import { useState } from 'preact/hooks';
import { call, type AlertStatus, type AlertView, type Counts, type Shelter, type Staff, type Zone } from '../api.ts';
import { AlertHead, CounterRow, ErrorBox, OccupancyBar, Sending } from '../components.ts';
import { useSse, usePoll } from '../live.ts';
import { fmtTime, t } from '../i18n.ts';
import { outgoingOf } from './approval.ts';
import { OutgoingFacts } from './outgoing.ts';
import { JmaSuggestions } from './jma-suggestions.ts';
import { StatusMap } from './status-map.ts';

type LiveLine = { alert: AlertView; totals: Counts; sending?: AlertStatus['sending'] };
type LiveMap = Record<string, LiveLine>;

export function Dashboard({ staff }: { staff: Staff }) {
  const list = usePoll(() => call<AlertView[]>('/api/alerts?limit=50'), 5000);
  const live = useSse<LiveMap>(
    '/api/live',
    'alert',
    (prev, d) => {
      const x = d as LiveLine;
      return { ...prev, [x.alert.id]: x };
    },
    {},
  );
  const zones = usePoll(() => call<Zone[]>('/api/zones'), 0);
  const shelters = usePoll(() => call<Shelter[]>('/api/shelters'), 3000);
  const alerts = list.data ?? [];
  // nothing is said about alerts, zones or shelters before their first data (issue 19, item 3)
  const listLoading = list.data === undefined && !list.error;
  // The live stream is fresher than the list for the alerts it covers.
  const merged = alerts.map((a) => live.value[a.id]?.alert ?? a);
  for (const x of Object.values(live.value)) if (!merged.some((a) => a.id === x.alert.id)) merged.unshift(x.alert);
  const active = merged.filter((a) => a.state === 'active');
  const pending = merged.filter((a) => a.state === 'pending-approval' || a.pending);
  const drafts = merged.filter((a) => a.state === 'draft');
  const [focus, setFocus] = useState<string | null>(null);
  const focusId = focus && active.some((a) => a.id === focus) ? focus : (active[0]?.id ?? null);
  const status = useSse<AlertStatus | null>(
    focusId ? `/api/alerts/${focusId}/events` : null,
    'status',
    (_p, d) => d as AlertStatus,
    null,
  );

  return html`<div class="dash">
    <section class="panel alerts-panel" aria-labelledby="h-active">
      <${JmaSuggestions} zones=${zones.data ?? []} canDraft=${staff.roles.some((r) => r === 'issuer' || r === 'admin')} />
      <h2 id="h-active">${t('activeAlerts')} <span class=${live.online ? 'live on' : live.connecting ? 'live connecting' : 'live'} role="status">${live.online ? t('live') : live.connecting ? t('connecting') : t('offline')}</span></h2>
      <${ErrorBox} error=${list.error} />
      ${
        listLoading && active.length === 0
          ? html`<p class="loading" role="status" data-loading="alerts">${t('loading')}</p>`
          : active.length === 0
            ? html`<p class="empty">${t('noActive')}</p>`
            : null
      }
      <ul class="alert-list">${active.map((a) => {
        const totals = live.value[a.id]?.totals;
        return html`<li class=${`alert-card${a.status === 'Exercise' ? ' is-exercise' : ''}${a.id === focusId ? ' focused' : ''}`} data-alert=${a.id}>
          <a href=${`#/alerts/${a.id}`}><${AlertHead} a=${a} /></a>
          <p class="meta">${t('since')} ${fmtTime(a.firstSent)} · ${a.reach.residents} ${t('residentsCount')} · ${a.reach.devices} ${t('devices')}</p>
          <${Sending} s=${live.value[a.id]?.sending} />
          ${totals ? html`<${CounterRow} c=${totals} />` : html`<p>${t('loading')}</p>`}
          <div class="row-actions">
            <button type="button" onClick=${() => setFocus(a.id)} aria-pressed=${a.id === focusId}>${t('zonesMap')}</button>
            <a class="button" href=${`#/alerts/${a.id}/rescue`}>${t('rescueList')}</a>
          </div>
        </li>`;
      })}</ul>
      ${
        pending.length
          ? html`<h2>${t('pendingAlerts')}</h2><ul class="alert-list compact">${pending.map(
              (a) => html`<li class="alert-card pending" data-alert=${a.id}>
        <a href=${`#/alerts/${a.id}`}><${AlertHead} a=${a.pending ? { ...a, level: a.pending.level, state: 'pending-approval' } : a} /></a>
        <p class="meta">${t('issuedBy')}: ${a.pending?.createdBy ?? a.createdBy} · ${fmtTime(a.pending?.createdAt ?? a.createdAt)}</p>
        ${a.pending ? html`<${OutgoingFacts} o=${outgoingOf(a.pending, a.status, zones.data ?? [])} countsLabel="countsWhenSent" />` : null}</li>`,
            )}</ul>`
          : null
      }
      ${
        drafts.length
          ? html`<h2>${t('drafts')}</h2><ul class="alert-list compact">${drafts.slice(0, 5).map(
              (a) => html`<li class="alert-card" data-alert=${a.id}>
        <a href=${`#/alerts/${a.id}`}><${AlertHead} a=${a} /></a></li>`,
            )}</ul>`
          : null
      }
    </section>
    <section class="panel map-panel" aria-labelledby="h-map">
      <h2 id="h-map">${t('zonesMap')}</h2>
      <${StatusMap} staff=${staff} zones=${zones.data} focusId=${focusId} status=${status.value} shelters=${shelters.data}
        loading=${listLoading || (!!focusId && status.value?.alertId !== focusId)} />
    </section>
    <section class="panel shelters-panel" aria-labelledby="h-shelters">
      <h2 id="h-shelters">${t('shelters')}</h2>
      ${shelters.data === undefined && !shelters.error ? html`<p class="loading" role="status" data-loading="shelters">${t('loading')}</p>` : null}
      <${ErrorBox} error=${shelters.error} />
      <ul class="shelter-list">${(shelters.data ?? []).map(
        (s) => html`<li data-shelter=${s.id} class=${s.open ? '' : 'closed'}>
        <div><strong>${s.name}</strong> <span class=${s.open ? 'tag open' : 'tag'}>${s.open ? t('open') : t('closed')}</span>${s.welfare ? html` <span class="tag">${t('welfare')}</span>` : null}${
          s.needsCare
            ? html` <span class="tag care" data-figure="needs-care">${t('needsCarePresent')} ${s.needsCare}</span>`
            : null
        }</div>
        <${OccupancyBar} occ=${s.occupancy ?? 0} cap=${s.capacity} /></li>`,
      )}</ul>
    </section>
  </div>`;
}
