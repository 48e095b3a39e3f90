/**
 * Matching a signing certificate's four personal items (基本4情報) against the register extract.
 * Both come from the Basic Resident Register, so they should agree exactly; only how characters
 * are written may differ (full- vs half-width, spaces, dash variants), which NFKC and a few
 * rules absorb. Kanji variants (異体字) are not folded: such a card gets KZ_CONSOLE_BIND_NO_MATCH
 * and staff bind at the counter.
 */
import type { Queryable } from '@kizuna/core';
import type { JpkiPersonal } from '@kizuna/jpki';
import { consoleErrors } from '../errors.ts';

const DASHES = /[\u2010-\u2015\u2212\uFF0D\uFE63]/g;

export const normaliseText = (s: string) => s.normalize('NFKC').replace(DASHES, '-').replace(/\s+/g, ' ').trim();
export const normaliseAddress = (s: string) => normaliseText(s).replace(/ /g, '');

/** The card's name is "family　given" (full-width space, docs/PLATFORM.md); NFKC makes it an ordinary space. */
export function splitCardName(name: string): { family: string; given: string } {
  const n = normaliseText(name);
  const i = n.indexOf(' ');
  return i < 0 ? { family: n, given: '' } : { family: n.slice(0, i), given: n.slice(i + 1).replace(/ /g, '') };
}

export interface MatchedResident {
  id: string;
  familyName: string;
  givenName: string;
}

/** The one resident these items describe, or a coded error naming what did not match (never the register's values). */
export async function matchResident(q: Queryable, p: JpkiPersonal): Promise<MatchedResident> {
  const { rows } = await q.query<{ id: string; family_name: string; given_name: string; address: string; sex: number }>(
    'SELECT id, family_name, given_name, address, sex FROM residents WHERE birth_date = $1::date',
    [p.birthDate],
  );
  const name = splitCardName(p.name);
  const sameName = rows.filter(
    (r) => normaliseText(r.family_name) === name.family && normaliseText(r.given_name).replace(/ /g, '') === name.given,
  );
  if (sameName.length === 0) throw consoleErrors.KZ_CONSOLE_BIND_NO_MATCH();
  const address = normaliseAddress(p.address);
  const full = sameName.filter((r) => normaliseAddress(r.address) === address && Number(r.sex) === p.sex);
  if (full.length === 0) {
    const differ = new Set<string>();
    for (const r of sameName) {
      if (normaliseAddress(r.address) !== address) differ.add('address');
      if (Number(r.sex) !== p.sex) differ.add('sex');
    }
    throw consoleErrors.KZ_CONSOLE_BIND_ITEMS_MISMATCH(`differs: ${[...differ].join(', ')}`, { differ: [...differ] });
  }
  if (full.length > 1) throw consoleErrors.KZ_CONSOLE_BIND_AMBIGUOUS(`${full.length} residents`);
  return { id: full[0]!.id, familyName: full[0]!.family_name, givenName: full[0]!.given_name };
}
