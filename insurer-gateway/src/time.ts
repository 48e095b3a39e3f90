/** Dates as residents and insurers in Japan mean them: the calendar day in Asia/Tokyo. */
const fmt = new Intl.DateTimeFormat('en-CA', {
  timeZone: 'Asia/Tokyo',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
});
export const tokyoDate = (d: Date): string => fmt.format(d);
export const addDays = (d: Date, days: number): Date => new Date(d.getTime() + days * 86_400_000);
export const iso = (d: Date | string | null | undefined): string | null => (d ? new Date(d).toISOString() : null);
