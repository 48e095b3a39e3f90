/** Dates and times as the page's language writes them. */
import { lang } from './ui-lang.ts';

export function fmtDate(iso: string | null | undefined): string {
  if (!iso) return '—';
  return new Date(iso).toLocaleDateString(lang() === 'ja' ? 'ja-JP' : 'en-GB', {
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
  });
}

export function fmtTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  return new Date(iso).toLocaleString(lang() === 'ja' ? 'ja-JP' : 'en-GB', {
    month: 'numeric',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  });
}
