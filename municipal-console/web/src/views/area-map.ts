/**
 * An alert's area on the map (issue 19): its zones filled, and the polygon or circle it was drawn
 * or imported (CAP) with, outlined. Shown on a draft's page (before it is sent) and the approval page, so the person
 * who sends or approves sees the shape of the area, not only its names.
 */
import { html } from 'htm/preact';
import type { Zone } from '../api.ts';
import { t } from '../i18n.ts';
import { LiveMap, LiveMapLegend, type MapArea } from './live-map.ts';

export interface TargetLike {
  zones?: string[];
  polygon?: unknown;
  circle?: unknown;
}

export function areaOf(target: TargetLike | undefined): MapArea {
  const polygon = Array.isArray(target?.polygon) ? (target.polygon as number[][]) : undefined;
  const c = target?.circle as { lat?: unknown; lon?: unknown; radiusM?: unknown } | undefined;
  const circle =
    c && typeof c.lat === 'number' && typeof c.lon === 'number' && typeof c.radiusM === 'number'
      ? { lat: c.lat, lon: c.lon, radiusM: c.radiusM }
      : undefined;
  return { zones: target?.zones ?? [], ...(polygon ? { polygon } : {}), ...(circle ? { circle } : {}) };
}

export function AreaMap({ zones, target }: { zones: Zone[] | undefined; target: TargetLike | undefined }) {
  return html`<div class="area-map">
    <${LiveMap} name="area" label=${t('mapArea')} zones=${zones} loading=${false} shelters=${[]} area=${areaOf(target)} />
    <${LiveMapLegend} people="none" area=${true} />
  </div>`;
}
