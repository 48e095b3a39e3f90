/**
 * The Settings screen of the root component: each setting's row for the active profile, and what
 * Left/Right does to one. Settings are per resident; "person" picks whose settings are shown.
 */
import { LANGUAGES } from '@kizuna/contract/levels';
import { LANGUAGE_NAMES, stringsFor } from './i18n/strings.ts';
import type { SettingsModel, SettingsRow } from './pages/Settings.ts';
import { TEXT_SIZES, TV_PROFILE, type PrefsStore } from './prefs.ts';
import { TEXT_SCALE } from './ui/theme.ts';

/** What the Settings screen shows for the active profile, in that profile's language and size. */
export function settingsModel(store: PrefsStore): SettingsModel {
  const p = store.get();
  const s = stringsFor(p.lang);
  const active = store.active;
  const size = { normal: s.sizeNormal, large: s.sizeLarge, 'x-large': s.sizeXLarge }[p.textSize];
  const rows: SettingsRow[] = [
    { id: 'person', label: s.setPerson, value: active === TV_PROFILE ? s.everyone : active },
    { id: 'lang', label: s.setLanguage, value: LANGUAGE_NAMES[p.lang] },
    { id: 'size', label: s.setTextSize, value: size },
    { id: 'contrast', label: s.setContrast, value: p.contrast ? s.on : s.off },
    { id: 'read', label: s.setReadAloud, value: p.readAloud ? s.on : s.off },
  ];
  return {
    title: s.menuSettings,
    hint: s.setHint,
    rows,
    scale: TEXT_SCALE[p.textSize],
    contrast: p.contrast,
  };
}

/** Left/Right on a row: the next (or previous) value, saved at once; `residents` are the profiles besides the TV's. */
export function changeSetting(store: PrefsStore, residents: string[], id: string, dir: 1 | -1): void {
  const cycle = <T>(list: readonly T[], v: T): T => list[(list.indexOf(v) + dir + list.length) % list.length]!;
  if (id === 'person') {
    store.setActive(cycle([TV_PROFILE, ...residents], store.active));
  } else {
    const p = { ...store.get() };
    if (id === 'lang') p.lang = cycle(LANGUAGES, p.lang);
    else if (id === 'size') p.textSize = cycle(TEXT_SIZES, p.textSize);
    else if (id === 'contrast') p.contrast = !p.contrast;
    else if (id === 'read') p.readAloud = !p.readAloud;
    store.set(store.active, p);
  }
}
