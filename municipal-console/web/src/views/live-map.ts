/**
 * The map (issue 19, "a real map"): MapLibre GL JS, loaded lazily (its own chunk, fetched when a
 * map is first shown). Zones are the register's polygons, coloured by the share of their people
 * who answered or arrived at a shelter; shelters are markers with their occupancy; the people on
 * the rescue list are points, for the roles that see people (the server decides: the points come
 * from GET /api/alerts/:id/rescue/points); an alert's area (its zones, a drawn CAP polygon or
 * circle) is outlined. Works with no internet: no base map unless KZ_CONSOLE_MAP_STYLE_URL names
 * one (GET /api/ui-config), a plain background otherwise; labels are HTML markers, so no glyph
 * server is needed. Until its first data every zone says 読み込み中… and the container is
 * data-map-state="loading"; "ready" once the map has painted real data. With no WebGL the zone
 * diagram (components.ts ZoneMap) stands in.
 */
import { html } from 'htm/preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import type { GeoJSONSource, Map as MlMap, Marker, StyleSpecification } from 'maplibre-gl';
import { call, type Shelter, type Zone, type ZoneCounts } from '../api.ts';
import { ZoneMap } from '../components.ts';
import { lang, t } from '../i18n.ts';
import './live-map.css';

/** One person of the rescue list on the map (GET /api/alerts/:id/rescue/points). */
export interface RescuePoint {
  residentId: string;
  zoneId: string;
  lon: number;
  lat: number;
  approximate: boolean;
  answer: string | null;
}

/** An alert's area: its zones, or the polygon or circle it was drawn or imported with. */
export interface MapArea {
  zones: string[];
  polygon?: number[][];
  circle?: { lat: number; lon: number; radiusM: number };
}

type MapLibre = typeof import('maplibre-gl');

let engine: Promise<{ ml: MapLibre; styleUrl: string | null }> | null = null;
/** maplibre-gl, its stylesheet and the base-map setting, once per page. */
function loadEngine() {
  engine ??= Promise.all([
    import('maplibre-gl'),
    import('maplibre-gl/dist/maplibre-gl.css'),
    call<{ mapStyleUrl?: string | null }>('/api/ui-config').catch(() => ({ mapStyleUrl: null })),
  ]).then(([ml, , cfg]) => {
    mark('kz-map-engine');
    return { ml: (ml as { default?: MapLibre }).default ?? ml, styleUrl: cfg.mapStyleUrl ?? null };
  });
  return engine;
}
/** Start fetching the map's chunk now (the situation screen calls it on its first render). */
export const preloadMap = (): void => void loadEngine().catch(() => undefined);

/** Steps of the map's first paint, for the first-paint benchmark (performance.getEntriesByType('mark')). */
function mark(name: string) {
  if (performance.getEntriesByName(name).length === 0) performance.mark(name);
}

export const PROGRESS_STEPS = ['#deebf7', '#9ecae1', '#4292c6', '#2171b5', '#08306b'];
const LOADING_FILL = '#e4e6ea';
const NOT_TARGETED_FILL = '#e4e4e4';
/** Plain background: works with no base map and no internet. */
const PLAIN: StyleSpecification = {
  version: 8,
  sources: {},
  layers: [{ id: 'kz-background', type: 'background', paint: { 'background-color': '#f4f1ea' } }],
};

const zoneName = (z: Zone) => (lang() === 'en' && z.nameEn ? z.nameEn : z.name);
const ring = (pts: number[][]) => pts.map((p) => [p[0]!, p[1]!]);

/** A circle as a 64-sided ring (flat approximation, fine at city scale). */
function circleRing(c: { lat: number; lon: number; radiusM: number }): number[][] {
  const dLat = c.radiusM / 111_320;
  const dLon = dLat / Math.cos((c.lat * Math.PI) / 180);
  const out: number[][] = [];
  for (let i = 0; i <= 64; i++) {
    const a = (i / 64) * 2 * Math.PI;
    out.push([c.lon + dLon * Math.cos(a), c.lat + dLat * Math.sin(a)]);
  }
  return out;
}

interface ZoneFigure {
  /** answered or arrived, of those targeted; null: not targeted */
  p: number | null;
  label: string;
}

function zoneFigure(f: ZoneCounts | undefined, loading: boolean): ZoneFigure {
  if (loading) return { p: null, label: t('loading') };
  if (!f || f.targeted === 0) return { p: null, label: t('notTargeted') };
  const done = Math.min(f.targeted, f.acknowledged.total + f.arrived);
  const p = done / f.targeted;
  return {
    p,
    label: `${Math.round(p * 100)}% (${done}/${f.targeted}) · ${t('mapArrived')} ${f.arrived}`,
  };
}

const fillOf = (fig: ZoneFigure, loading: boolean) =>
  loading ? LOADING_FILL : fig.p === null ? NOT_TARGETED_FILL : PROGRESS_STEPS[Math.min(4, Math.floor(fig.p * 5))]!;

export interface LiveMapProps {
  zones: Zone[] | undefined;
  /** per-zone figures of the alert shown; undefined: no alert's figures (zones not targeted) */
  figures?: ZoneCounts[] | undefined;
  /** the figures are on their way: zones say 読み込み中…, never 対象外 */
  loading: boolean;
  /** undefined: not loaded yet (no shelter is drawn, and the map is not ready) */
  shelters?: Shelter[] | undefined;
  /** undefined: not for this role, or none asked */
  people?: RescuePoint[] | undefined;
  area?: MapArea | undefined;
  label: string;
  /** e.g. "status" or "area": names the map for tests and screenshots */
  name: string;
}

export function LiveMap(props: LiveMapProps) {
  const box = useRef<HTMLDivElement>(null);
  const map = useRef<MlMap | null>(null);
  const ml = useRef<MapLibre | null>(null);
  const markers = useRef(new Map<string, Marker>());
  const fitted = useRef(false);
  const [state, setState] = useState<'starting' | 'on' | 'failed'>('starting');
  const [painted, setPainted] = useState(false);

  useEffect(() => {
    let stop = false;
    loadEngine()
      .then(({ ml: lib, styleUrl }) => {
        if (stop || !box.current) return;
        ml.current = lib;
        let m: MlMap;
        try {
          m = new lib.Map({
            container: box.current,
            style: styleUrl ?? PLAIN,
            center: [139.75, 35.68],
            zoom: 11,
            attributionControl: styleUrl ? {} : false,
            dragRotate: false,
            pitchWithRotate: false,
            canvasContextAttributes: { preserveDrawingBuffer: true },
          });
        } catch {
          // no WebGL on this computer: the zone diagram stands in
          setState('failed');
          return;
        }
        m.addControl(new lib.NavigationControl({ showCompass: false }), 'top-right');
        m.on('load', () => {
          if (stop) return;
          mark('kz-map-style');
          addLayers(m);
          map.current = m;
          (box.current as HTMLElement & { kzMap?: MlMap }).kzMap = m;
          setState('on');
        });
      })
      .catch(() => !stop && setState('failed'));
    return () => {
      stop = true;
      for (const mk of markers.current.values()) mk.remove();
      markers.current.clear();
      map.current?.remove();
      map.current = null;
    };
  }, []);

  const dataReady = !!props.zones && !props.loading && props.shelters !== undefined;
  useEffect(() => {
    const m = map.current;
    const lib = ml.current;
    if (state !== 'on' || !m || !lib) return;
    draw(m, lib, props, markers.current);
    if (!fitted.current && props.zones?.length) {
      fitted.current = true;
      const pts = props.zones.flatMap((z) => z.polygon);
      const xs = pts.map((p) => p[0]!);
      const ys = pts.map((p) => p[1]!);
      m.fitBounds(
        [
          [Math.min(...xs), Math.min(...ys)],
          [Math.max(...xs), Math.max(...ys)],
        ],
        { padding: 30, animate: false },
      );
    }
    if (dataReady && !painted) {
      mark('kz-map-data');
      m.once('idle', () => {
        mark('kz-map-ready');
        setPainted(true);
      });
      // the new data may not change what is drawn (the map is idle already): paint once more so idle comes
      m.triggerRepaint();
    }
  });

  if (state === 'failed')
    return html`<div class="map-fallback" data-map=${props.name} data-map-state=${dataReady ? 'ready' : 'loading'}>
      <p class="hint">${t('mapNoWebgl')}</p>
      <${ZoneMap} zones=${props.zones ?? []} figures=${props.figures} loading=${props.loading} label=${props.label} />
    </div>`;
  const ready = dataReady && painted && state === 'on';
  return html`<div class="live-map-wrap">
    <div ref=${box} class="live-map" data-map=${props.name} data-map-state=${ready ? 'ready' : 'loading'}
      aria-busy=${ready ? 'false' : 'true'} role="region" aria-label=${props.label}></div>
    ${ready ? null : html`<p class="map-loading" role="status">${state === 'starting' ? t('mapLoading') : t('loading')}</p>`}
  </div>`;
}

function addLayers(m: MlMap) {
  const empty = { type: 'FeatureCollection' as const, features: [] };
  m.addSource('kz-zones', { type: 'geojson', data: empty });
  m.addSource('kz-area', { type: 'geojson', data: empty });
  m.addSource('kz-people', { type: 'geojson', data: empty });
  m.addLayer({
    id: 'kz-zones-fill',
    type: 'fill',
    source: 'kz-zones',
    paint: { 'fill-color': ['get', 'fill'], 'fill-opacity': 0.78 },
  });
  m.addLayer({
    id: 'kz-zones-line',
    type: 'line',
    source: 'kz-zones',
    paint: { 'line-color': '#333', 'line-width': 1.5 },
  });
  m.addLayer({
    id: 'kz-area-fill',
    type: 'fill',
    source: 'kz-area',
    paint: { 'fill-color': '#c8102e', 'fill-opacity': 0.18 },
  });
  m.addLayer({
    id: 'kz-area-line',
    type: 'line',
    source: 'kz-area',
    paint: { 'line-color': '#c8102e', 'line-width': 4, 'line-dasharray': [2, 1] },
  });
  m.addLayer({
    id: 'kz-people',
    type: 'circle',
    source: 'kz-people',
    paint: {
      'circle-radius': 7,
      'circle-color': ['match', ['get', 'answer'], 'need-help', '#d7191c', '#f39c12'],
      'circle-stroke-color': '#fff',
      'circle-stroke-width': ['case', ['get', 'approximate'], 1, 2.5],
      'circle-opacity': ['case', ['get', 'approximate'], 0.6, 1],
    },
  });
}

function draw(m: MlMap, lib: MapLibre, p: LiveMapProps, markers: Map<string, Marker>) {
  const zones = p.zones ?? [];
  const byId = new Map((p.figures ?? []).map((f) => [f.zoneId, f]));
  const inArea = new Set(p.area?.zones ?? []);
  const figs = new Map(zones.map((z) => [z.id, zoneFigure(byId.get(z.id), p.loading)]));
  (m.getSource('kz-zones') as GeoJSONSource).setData({
    type: 'FeatureCollection',
    features: zones.map((z) => ({
      type: 'Feature',
      properties: {
        zoneId: z.id,
        name: z.name,
        fill: p.area ? (inArea.has(z.id) ? '#f6c3c3' : '#f2f2f2') : fillOf(figs.get(z.id)!, p.loading),
        progress: figs.get(z.id)!.p ?? -1,
        loading: p.loading,
      },
      geometry: { type: 'Polygon', coordinates: [ring(z.polygon)] },
    })),
  });
  const areaRings: { kind: string; ring: number[][] }[] = [];
  if (p.area) {
    for (const z of zones) if (inArea.has(z.id)) areaRings.push({ kind: 'zone', ring: z.polygon });
    if (p.area.polygon) areaRings.push({ kind: 'polygon', ring: p.area.polygon });
    if (p.area.circle) areaRings.push({ kind: 'circle', ring: circleRing(p.area.circle) });
  }
  (m.getSource('kz-area') as GeoJSONSource).setData({
    type: 'FeatureCollection',
    features: areaRings.map((a) => ({
      type: 'Feature',
      properties: { kind: a.kind },
      geometry: { type: 'Polygon', coordinates: [ring(a.ring)] },
    })),
  });
  (m.getSource('kz-people') as GeoJSONSource).setData({
    type: 'FeatureCollection',
    features: (p.people ?? []).map((x) => ({
      type: 'Feature',
      properties: {
        residentId: x.residentId,
        zoneId: x.zoneId,
        answer: x.answer ?? 'none',
        approximate: x.approximate,
      },
      geometry: { type: 'Point', coordinates: [x.lon, x.lat] },
    })),
  });

  // Labels and shelters as HTML markers: the page's own (CJK) font, no glyph server.
  const seen = new Set<string>();
  const put = (
    key: string,
    lngLat: [number, number],
    cls: string,
    fill: (el: HTMLElement) => void,
    anchor: 'center' | 'left' = 'center',
  ) => {
    seen.add(key);
    let mk = markers.get(key);
    if (!mk) {
      const el = document.createElement('div');
      el.className = cls;
      mk = new lib.Marker({ element: el, anchor }).setLngLat(lngLat).addTo(m);
      markers.set(key, mk);
    } else mk.setLngLat(lngLat);
    fill(mk.getElement());
  };
  for (const s of p.shelters ?? []) {
    const occ = s.occupancy ?? 0;
    put(
      `shelter:${s.id}`,
      [s.lon, s.lat],
      'map-shelter',
      (el) => {
        el.dataset.shelter = s.id;
        el.dataset.occupancy = String(occ);
        el.dataset.capacity = String(s.capacity);
        el.classList.toggle('closed', !s.open);
        el.classList.toggle('full', s.capacity > 0 && occ / s.capacity >= 0.9);
        el.title = `${s.name} ${t('occupancy')} ${occ}/${s.capacity}`;
        el.setAttribute('role', 'img');
        el.setAttribute('aria-label', el.title);
        // compact (pin and figure) so neighbouring shelters and zone names stay readable; the name on hover and in the list
        el.replaceChildren(text('span', '避', 'ms-pin'), text('span', `${occ}/${s.capacity}`, 'ms-occ'));
      },
      'left',
    );
  }
  // Zone names after the shelters: each name goes where no shelter's chip covers it (placeLabel).
  const chips = [...markers.entries()]
    .filter(([k]) => k.startsWith('shelter:') && seen.has(k))
    .map(([, mk]) => mk.getElement().getBoundingClientRect());
  const origin = m.getContainer().getBoundingClientRect();
  const chipBoxes = chips.map((b) => ({
    left: b.left - origin.left,
    top: b.top - origin.top,
    right: b.right - origin.left,
    bottom: b.bottom - origin.top,
  }));
  for (const z of zones) {
    const pts = z.polygon.slice(0, -1);
    const c: [number, number] = [
      pts.reduce((s, q) => s + q[0]!, 0) / Math.max(1, pts.length),
      pts.reduce((s, q) => s + q[1]!, 0) / Math.max(1, pts.length),
    ];
    const fig = figs.get(z.id)!;
    put(`zone:${z.id}`, c, 'map-label', (el) => {
      el.dataset.zone = z.id;
      el.dataset.progress = fig.p === null ? '' : String(Math.round(fig.p * 100));
      el.replaceChildren(text('strong', zoneName(z), 'zl'), ...(p.area ? [] : [text('span', fig.label, 'zp')]));
    });
    const mk = markers.get(`zone:${z.id}`)!;
    const el = mk.getElement();
    const at = placeLabel(m, c, pts as [number, number][], { w: el.offsetWidth, h: el.offsetHeight }, chipBoxes);
    mk.setLngLat(at);
  }
  for (const [key, mk] of markers)
    if (!seen.has(key)) {
      mk.remove();
      markers.delete(key);
    }
}

interface Box {
  left: number;
  top: number;
  right: number;
  bottom: number;
}

/**
 * Where a zone's name goes: its centre unless a shelter's chip covers the name there, else the
 * nearest spot straight above or below (then beside) that is clear, its middle still inside the zone, in
 * screen pixels at the map's current view. No spot clear: the centre.
 */
function placeLabel(
  m: MlMap,
  centre: [number, number],
  ring: [number, number][],
  size: { w: number; h: number },
  chips: Box[],
): [number, number] {
  const c = m.project(centre);
  const poly = ring.map((q) => m.project(q));
  const inside = (x: number, y: number) => {
    let odd = false;
    for (let i = 0, j = poly.length - 1; i < poly.length; j = i++) {
      const a = poly[i]!;
      const b = poly[j]!;
      if (a.y > y !== b.y > y && x < ((b.x - a.x) * (y - a.y)) / (b.y - a.y) + a.x) odd = !odd;
    }
    return odd;
  };
  const clear = (x: number, y: number) => {
    const pad = 4; // a little air between a name and a chip (markers land on whole pixels)
    const box = {
      left: x - size.w / 2 - pad,
      top: y - size.h / 2 - pad,
      right: x + size.w / 2 + pad,
      bottom: y + size.h / 2 + pad,
    };
    return (
      inside(x, y) &&
      chips.every((b) => box.right <= b.left || b.right <= box.left || box.bottom <= b.top || b.bottom <= box.top)
    );
  };
  const step = Math.max(8, size.h / 2);
  for (let k = 0; k <= 12; k++)
    for (const [dx, dy] of [
      [0, -k * step],
      [0, k * step],
      [-k * step, 0],
      [k * step, 0],
    ] as const)
      if (clear(c.x + dx, c.y + dy)) {
        const q = m.unproject([c.x + dx, c.y + dy]);
        return [q.lng, q.lat];
      }
  return centre;
}

function text(tag: string, s: string, cls?: string): HTMLElement {
  const e = document.createElement(tag);
  e.textContent = s;
  if (cls) e.className = cls;
  return e;
}

/** The map's key: progress scale, shelters, people (when shown) and the area. */
export function LiveMapLegend(props: { people: 'shown' | 'hidden' | 'none'; area?: boolean }) {
  const item = (sw: unknown, label: string) => html`<span class="li">${sw}<span>${label}</span></span>`;
  return html`<div class="legend map-legend">
    ${
      props.area
        ? item(html`<span class="sw area"></span>`, t('mapArea'))
        : html`<span>${t('progress')}:</span>
          ${PROGRESS_STEPS.map((c, i) => item(html`<span class="sw" style=${{ background: c }}></span>`, `${i * 20}–${i * 20 + 20}%`))}
          ${item(html`<span class="sw" style=${{ background: NOT_TARGETED_FILL }}></span>`, t('notTargeted'))}`
    }
    ${props.area ? null : item(html`<span class="sw shelter">避</span>`, t('mapShelter'))}
    ${
      props.people === 'shown'
        ? html`${item(html`<span class="dot need-help"></span>`, t('mapPeopleNeedHelp'))}
          ${item(html`<span class="dot silent"></span>`, t('mapPeopleSilent'))}`
        : props.people === 'hidden'
          ? html`<span class="hint">${t('mapPeopleHidden')}</span>`
          : null
    }
  </div>`;
}
