/**
 * The situation screen's map (issue 19): the focused alert's zone figures, the shelters with their
 * occupancy and, for the roles that see people, the rescue list's people as points (refetched when
 * the alert's answer or arrival figures move, and every 15 s for the silent who join the list
 * after the set time).
 */
import { html } from 'htm/preact';
import { call, can, type AlertStatus, type Shelter, type Staff, type Zone } from '../api.ts';
import { usePoll } from '../live.ts';
import { t } from '../i18n.ts';
import { LiveMap, LiveMapLegend, preloadMap, type RescuePoint } from './live-map.ts';

export function StatusMap(props: {
  staff: Staff;
  zones: Zone[] | undefined;
  focusId: string | null;
  status: AlertStatus | null;
  loading: boolean;
  shelters: Shelter[] | undefined;
}) {
  preloadMap();
  const { focusId, status } = props;
  const seesPeople = can(props.staff, 'issuer');
  const figures = status && status.alertId === focusId ? status : null;
  // what moves the rescue list: answers and arrivals
  const key = figures
    ? `${figures.totals.needHelpOpen}/${figures.totals.arrived}/${figures.totals.acknowledged.total}`
    : '';
  const points = usePoll(
    () =>
      seesPeople && focusId
        ? call<{ points: RescuePoint[] }>(`/api/alerts/${focusId}/rescue/points`).then((r) => r.points)
        : Promise.resolve(undefined),
    15_000,
    [focusId, seesPeople, key],
  );
  return html`<${LiveMap} name="status" label=${t('zonesMap')} zones=${props.zones} figures=${figures?.zones}
      loading=${props.loading} shelters=${props.shelters} people=${seesPeople && focusId ? points.data : undefined} />
    <${LiveMapLegend} people=${!focusId ? 'none' : seesPeople ? 'shown' : 'hidden'} />`;
}
