/**
 * The Settings screen of the root component: each setting's row for the active profile, and what
 * Left/Right does to one. Settings are per resident; "person" picks whose settings are shown.
 */
import { tvLanguages, tvText, useTvLanguage } from './i18n/strings.ts';
import type { SettingsModel, SettingsRow } from './pages/Settings/index.ts';
import { TEXT_SIZES, TV_PROFILE, type PrefsStore } from './prefs.ts';
import { TEXT_SCALE } from './ui/theme.ts';

/** What the Settings screen shows for the active profile, in that profile's language and size. */
export function settingsModel(store: PrefsStore): SettingsModel {
  const p = store.get();
  // The screen speaks the profile's language: the SDK's Language switches to it.
  useTvLanguage(p.lang);
  const t = tvText;
  const active = store.active;
  const size = t(({ normal: 'sizeNormal', large: 'sizeLarge', 'x-large': 'sizeXLarge' } as const)[p.textSize]);
  const langName = tvLanguages().find((l) => l.code === p.lang)?.name ?? p.lang;
  const rows: SettingsRow[] = [
    { id: 'person', label: t('setPerson'), value: active === TV_PROFILE ? t('everyone') : active },
    { id: 'lang', label: t('setLanguage'), value: langName },
    { id: 'size', label: t('setTextSize'), value: size },
    { id: 'contrast', label: t('setContrast'), value: p.contrast ? t('on') : t('off') },
    { id: 'read', label: t('setReadAloud'), value: p.readAloud ? t('on') : t('off') },
  ];
  return {
    title: t('menuSettings'),
    hint: t('setHint'),
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
    if (id === 'lang')
      p.lang = cycle(
        tvLanguages().map((l) => l.code),
        p.lang,
      );
    else if (id === 'size') p.textSize = cycle(TEXT_SIZES, p.textSize);
    else if (id === 'contrast') p.contrast = !p.contrast;
    else if (id === 'read') p.readAloud = !p.readAloud;
    store.set(store.active, p);
  }
}
