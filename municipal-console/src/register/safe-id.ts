/** Ids the console stores and puts in topics: refused with KZ_CONSOLE_BAD_ID unless safe (contract isSafeId). */
import { isSafeId } from '@kizuna/contract';
import { consoleErrors } from '../errors.ts';

export const safeId = (v: unknown, what: string) => {
  if (!isSafeId(v)) throw consoleErrors.KZ_CONSOLE_BAD_ID(`${what} ${JSON.stringify(v)}`);
};
