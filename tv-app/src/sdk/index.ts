/**
 * The Lightning SDK plugins this applet uses, typed once here: SDK 5.5 declares Settings, Storage,
 * Registry and Language as `any`. Every other module imports them from here, never the casts.
 */
import {
  Language as SdkLanguage,
  Registry as SdkRegistry,
  Settings as SdkSettings,
  Storage as SdkStorage,
} from '@lightningjs/sdk';

export interface SdkSettingsApi {
  /** `app` = appSettings, `platform` = platformSettings (what Launch was given), `user` = set at run time. */
  get<T>(type: 'app' | 'platform' | 'user', key: string, fallback?: T): T;
}

export interface SdkStorageApi {
  /** JSON-parsed value, or null when absent or unreadable. */
  get(key: string): unknown;
  /** JSON-encodes `value`; false when the box's storage refused it. */
  set(key: string, value: unknown): boolean;
  remove(key: string): void;
}

export interface SdkRegistryApi {
  setTimeout(cb: () => void, ms: number): ReturnType<typeof setTimeout>;
  clearTimeout(id: ReturnType<typeof setTimeout>): void;
  setInterval(cb: () => void, ms: number): ReturnType<typeof setInterval>;
  clearInterval(id: ReturnType<typeof setInterval>): void;
  addEventListener(target: EventTarget, event: string, handler: (e: Event) => void): void;
  removeEventListener(target: EventTarget, event: string, handler: (e: Event) => void): void;
  clear(): void;
}

export interface SdkLanguageApi {
  /** Replaces the whole translations object: `{ ja: {...}, en: {...}, meta?: {...} }`. */
  translations(obj: Record<string, unknown>): void;
  set(lang: string): Promise<void>;
  get(): string | null;
  translate(key: string, values?: Record<string, string | number>): string;
  available(): { code: string; name: string }[];
}

export const Settings = SdkSettings as SdkSettingsApi;
export const Storage = SdkStorage as SdkStorageApi;
export const Registry = SdkRegistry as SdkRegistryApi;
export const Language = SdkLanguage as SdkLanguageApi;
