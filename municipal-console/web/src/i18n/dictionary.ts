/**
 * The UI's words by key, assembled from one file per screen or area (words-*.ts), each with its
 * Japanese and English side by side. Japanese is the reference: its keys are the type.
 */
import { lang, type UiLang } from './ui-lang.ts';
import * as shell from './words-shell.ts';
import * as dashboard from './words-dashboard.ts';
import * as compose from './words-compose.ts';
import * as capRescue from './words-cap-rescue.ts';
import * as residents from './words-residents.ts';
import * as audit from './words-audit.ts';
import * as common from './words-common.ts';
import * as cardLogin from './words-card-login.ts';
import * as staff from './words-staff.ts';
import * as approval from './words-approval.ts';
import * as confirm from './words-confirm.ts';
import * as jma from './words-jma.ts';
import * as ending from './words-ending.ts';
import * as map from './words-map.ts';

export const ja = {
  ...shell.ja,
  ...dashboard.ja,
  ...compose.ja,
  ...capRescue.ja,
  ...residents.ja,
  ...audit.ja,
  ...common.ja,
  ...cardLogin.ja,
  ...staff.ja,
  ...approval.ja,
  ...confirm.ja,
  ...jma.ja,
  ...ending.ja,
  ...map.ja,
};
type Dict = Record<keyof typeof ja, string>;
export const en: Dict = {
  ...shell.en,
  ...dashboard.en,
  ...compose.en,
  ...capRescue.en,
  ...residents.en,
  ...audit.en,
  ...common.en,
  ...cardLogin.en,
  ...staff.en,
  ...approval.en,
  ...confirm.en,
  ...jma.en,
  ...ending.en,
  ...map.en,
};

export type Key = keyof typeof ja;
const dicts: Record<UiLang, Dict> = { ja, en };

export const t = (k: Key, vars: Record<string, string | number> = {}): string =>
  dicts[lang()][k].replace(/\{(\w+)\}/g, (_m, v: string) => String(vars[v] ?? ''));
