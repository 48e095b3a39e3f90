/**
 * One JMA document → the suggestions it makes to this municipality: only entries for the
 * municipality's own area codes count; per hazard, the highest level any of them corresponds to,
 * the kinds that said so, and the zones that hazard concerns. Pure: the store applies it.
 */
import type { EvacuationLevel, Hazard } from '@kizuna/contract';
import type { JmaDocument } from './jma-document.ts';
import { levelsOf } from './jma-levels.ts';

export interface SuggestionDraft {
  level: EvacuationLevel;
  hazard: Hazard;
  /** The JMA kinds behind it (大雨特別警報, 氾濫危険情報, …), each once. */
  kinds: string[];
  zones: string[];
  /** The municipality's area names the document named. */
  areaNames: string[];
}

export interface MunicipalityAreas {
  /** JMA area codes that are this municipality's (jma_areas). */
  codes: Map<string, string>;
  /** Zones per hazard (zone_hazards); a hazard without any concerns every zone. */
  zonesByHazard: Map<string, string[]>;
  allZones: string[];
}

export function suggestionsFor(doc: JmaDocument, areas: MunicipalityAreas): SuggestionDraft[] {
  const byHazard = new Map<Hazard, SuggestionDraft>();
  for (const e of doc.entries) {
    const ours = e.areaCodes.filter((c) => areas.codes.has(c));
    if (ours.length === 0) continue;
    for (const m of levelsOf(doc.kind, e)) {
      const had = byHazard.get(m.hazard);
      const names = ours.map((c) => areas.codes.get(c)!);
      if (!had) {
        const zones = areas.zonesByHazard.get(m.hazard) ?? areas.allZones;
        byHazard.set(m.hazard, { level: m.level, hazard: m.hazard, kinds: [e.name], zones, areaNames: names });
        continue;
      }
      if (m.level > had.level) {
        had.level = m.level;
        had.kinds = [e.name];
      } else if (m.level === had.level && !had.kinds.includes(e.name)) had.kinds.push(e.name);
      for (const n of names) if (!had.areaNames.includes(n)) had.areaNames.push(n);
    }
  }
  return [...byHazard.values()];
}
