/**
 * Settings remembered per resident (issue 5): language, text size (large by default), high
 * contrast, read-aloud. Profile 'tv' is the TV's own (everyone); a resident's profile is keyed by
 * the name this TV knows them by. Stored on the TV only, through the Lightning SDK's `Storage`.
 */
import type { Language } from '@kizuna/contract/levels';
import { LANGUAGES } from '@kizuna/contract/levels';
import { Storage } from './sdk/index.ts';
import type { TextSize } from './ui/theme.ts';

export interface Prefs {
  lang: Language;
  textSize: TextSize;
  contrast: boolean;
  readAloud: boolean;
}
export const TEXT_SIZES: readonly TextSize[] = ['normal', 'large', 'x-large'];
export const TV_PROFILE = 'tv';

export class PrefsStore {
  private readonly key: string;
  private data: { active: string; profiles: Record<string, Prefs> } = { active: TV_PROFILE, profiles: {} };

  constructor(
    /** False in the console's preview: nothing is kept. */
    private readonly persist: boolean,
    device: string,
    private readonly defaults: Prefs,
  ) {
    this.key = `kz.tv.${device}.prefs`;
    const d = (persist ? Storage.get(this.key) : null) as Partial<typeof this.data> | null;
    // Anything else (absent, corrupt): the defaults.
    if (d && typeof d === 'object' && d.profiles && typeof d.profiles === 'object')
      this.data = { active: String(d.active ?? TV_PROFILE), profiles: d.profiles };
  }

  get active(): string {
    return this.data.active;
  }

  /** The box's own settings (issue 25) become the defaults of every field a resident has not set. */
  useDefaults(d: Partial<Prefs>): void {
    Object.assign(this.defaults, d);
  }

  /** A profile's settings, each field checked (storage may hold anything). */
  get(profile = this.data.active): Prefs {
    const p = this.data.profiles[profile] ?? this.data.profiles[TV_PROFILE];
    const d = this.defaults;
    return {
      lang: p && LANGUAGES.includes(p.lang) ? p.lang : d.lang,
      textSize: p && TEXT_SIZES.includes(p.textSize) ? p.textSize : d.textSize,
      contrast: typeof p?.contrast === 'boolean' ? p.contrast : d.contrast,
      readAloud: typeof p?.readAloud === 'boolean' ? p.readAloud : d.readAloud,
    };
  }

  /** Settings for an alert's recipient: theirs if they have a profile here, else the TV's. */
  forResident(displayName: string): Prefs {
    return this.data.profiles[displayName] ? this.get(displayName) : this.get(TV_PROFILE);
  }

  set(profile: string, prefs: Prefs): void {
    this.data.profiles[profile] = prefs;
    this.save();
  }

  setActive(profile: string): void {
    this.data.active = profile;
    this.save();
  }

  /** A box whose storage refuses it keeps the settings in memory until it restarts. */
  private save(): void {
    if (this.persist) Storage.set(this.key, this.data);
  }
}
