/** A coded error from the console (or the card-reader bridge) in the page's language. */
import { ERRORS } from './error-codes.ts';
import { CAP_NOT_XML, CAP_REFUSAL_WORDS, CARD_REFUSALS, FIELD_ERRORS } from './error-details.ts';
import { fieldName } from './field-names.ts';
import { pick, type Words } from './ui-lang.ts';

/** The words of one code (both languages; undefined when this page does not know it). For the word test. */
export const errorWords = (code: string): Words | undefined => ERRORS[code];
export const cardRefusalWords = (reason: string): Words | undefined => CARD_REFUSALS[reason];
export const fieldErrorWords = (code: string): Words | undefined => FIELD_ERRORS[code];
export const capRefusalWords = (reason: string): Words | undefined => CAP_REFUSAL_WORDS[reason];

/**
 * A server (or card-reader) error in the page's language, from its code and details; null for a
 * code newer than this page (the caller then shows the server's message with the code).
 */
export function errorText(
  code: string | undefined,
  details: Record<string, unknown> = {},
  status?: number,
): string | null {
  if (!code) return null;
  let key = code;
  // No code of its own (a proxy's page, or a framework's refusal passed on as KZ_BAD_REQUEST): go by the status.
  if ((code === 'KZ_BAD_REQUEST' || code.startsWith('HTTP_')) && status) {
    key = ERRORS[`HTTP_${status}`]
      ? `HTTP_${status}`
      : code.startsWith('HTTP_')
        ? status >= 500
          ? 'HTTP_5XX'
          : 'HTTP_4XX'
        : code;
  }
  const field = fieldName(details.field);
  const path = typeof details.field === 'string' ? details.field : '';
  let words: Words | undefined = (key === 'KZ_CONSOLE_CAP_INVALID' ? path : field)
    ? (FIELD_ERRORS[key] ?? ERRORS[key])
    : ERRORS[key];
  if (key === 'KZ_CONSOLE_CARD_REFUSED' && typeof details.reason === 'string')
    words = CARD_REFUSALS[details.reason] ?? words;
  if (key === 'KZ_CONSOLE_CAP_INVALID' && path === '/') words = CAP_NOT_XML;
  if (key === 'KZ_CONSOLE_CAP_INVALID' && typeof details.reason === 'string')
    words = CAP_REFUSAL_WORDS[details.reason] ?? words;
  if (!words) return null;
  // what the server found (a CAP element's text) is shown cut short
  const found = (v: unknown) => (typeof v === 'string' || typeof v === 'number' ? String(v).slice(0, 60) : '');
  const vars: Record<string, string | number> = {
    field: field ?? '',
    path,
    n: typeof details.triesLeft === 'number' ? details.triesLeft : '?',
    status: status ?? '',
    allowed: found(details.allowed),
    got: found(details.got),
    point: found(details.point),
    limit: found(details.limit),
    byte: found(details.byte),
    line: found(details.line),
  };
  return pick(words).replace(/\{(\w+)\}/g, (_m, v: string) => String(vars[v] ?? ''));
}

/** What an error box shows: the code (kept for the help desk) and the words, or the server's message for an unknown code. */
export function describeError(error: unknown): { code: string; text: string; worded: boolean } {
  const e = (error ?? {}) as {
    code?: string;
    status?: number;
    message?: string;
    details?: Record<string, unknown>;
    triesLeft?: number;
  };
  const code = typeof e.code === 'string' ? e.code : '';
  const details = { ...(e.details ?? {}), ...(typeof e.triesLeft === 'number' ? { triesLeft: e.triesLeft } : {}) };
  const own = code ? errorText(code, details, e.status) : error instanceof TypeError ? pick(ERRORS.NETWORK!) : null;
  return own ? { code, text: own, worded: true } : { code, text: e.message ?? String(error), worded: false };
}
