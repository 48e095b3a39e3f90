/** Shelters: open/close, capacity, hazard suitability, welfare flag, live occupancy from the terminals. */
import { html } from 'htm/preact';
import { useState } from 'preact/hooks';
import { call, can, type Shelter, type Staff } from '../api.ts';
import { ErrorBox, OccupancyBar } from '../components.ts';
import { usePoll } from '../live.ts';
import { hazardName, t } from '../i18n.ts';

export function Shelters({ staff }: { staff: Staff }) {
  const list = usePoll(() => call<Shelter[]>('/api/shelters'), 3000);
  const [error, setError] = useState<unknown>(null);
  const patch = async (id: string, body: { open?: boolean; capacity?: number }) => {
    setError(null);
    try {
      await call(`/api/shelters/${id}`, { method: 'PATCH', body });
      list.reload();
    } catch (e) {
      setError(e);
    }
  };
  const edit = can(staff, 'issuer');
  return html`<div class="shelters">
    <h2>${t('sheltersTitle')}</h2>
    <${ErrorBox} error=${error ?? list.error} />
    <table class="shelters-table"><thead><tr><th scope="col">${t('shelterName')}</th><th scope="col">${t('state')}</th><th scope="col">${t('occupancy')}</th><th scope="col">${t('needsCarePresent')}</th><th scope="col">${t('outsidePresent')}</th>
      <th scope="col">${t('capacity')}</th><th scope="col">${t('hazards')}</th><th scope="col">${t('welfare')}</th></tr></thead>
      <tbody>${(list.data ?? []).map(
        (s) => html`<tr data-shelter=${s.id} class=${s.open ? '' : 'closed'}>
        <th scope="row">${s.name}<br /><small>${s.address}</small></th>
        <td><span class=${s.open ? 'tag open' : 'tag'}>${s.open ? t('open') : t('closed')}</span>
          ${edit ? html` <button type="button" data-action=${s.open ? 'close' : 'open'} onClick=${() => patch(s.id, { open: !s.open })}>${s.open ? t('closeAction') : t('openAction')}</button>` : null}</td>
        <td><${OccupancyBar} occ=${s.occupancy ?? 0} cap=${s.capacity} /></td>
        <td class="num" data-figure="needs-care">${s.needsCare ?? 0}</td>
        <td class="num" data-figure="outside">${s.outside ?? 0}</td>
        <td>${
          edit
            ? html`<form class="inline-form" onSubmit=${(e: Event) => {
                e.preventDefault();
                const v = Number(new FormData(e.target as HTMLFormElement).get('capacity'));
                void patch(s.id, { capacity: v });
              }}>
          <input type="number" name="capacity" min="0" value=${s.capacity} aria-label=${`${t('capacity')} ${s.name}`} /> <button type="submit" class="small">${t('save')}</button></form>`
            : s.capacity
        }</td>
        <td>${s.hazards.map(hazardName).join('・')}</td><td>${s.welfare ? '✓' : ''}</td></tr>`,
      )}</tbody></table>
    ${list.data === undefined && !list.error ? html`<p class="loading" role="status" data-loading="shelters">${t('loading')}</p>` : null}
  </div>`;
}
