/**
 * The console's card-binding API for TVs (contract/src/binding.ts): HTTP Basic with the TV's
 * own broker credentials. The registration bytes come from the contract, never rebuilt here.
 */
import type { BindNonce, Binding, TvDisclosure, TvDisclosures } from '@kizuna/contract';
// Not the contract's index: it would load TypeBox and every schema with the card screens.
import { BIND_PATHS } from '@kizuna/contract/bytes';
import { basicAuth, callJson, requireBase, toBase64 } from './http.ts';

/** The console's own disclosure log (GET /api/bind/disclosures): the contract's types. */
export type ConsoleDisclosure = TvDisclosure;
export type ConsoleDisclosures = TvDisclosures;

export interface ConsoleApi {
  nonce(): Promise<BindNonce>;
  bind(cms: Uint8Array): Promise<Binding>;
  bindings(): Promise<Binding[]>;
  /** What the municipality disclosed of the residents bound to this TV (newest first, at most `limit`). */
  disclosures(limit?: number): Promise<ConsoleDisclosures>;
}

export function consoleApi(
  base: string | undefined,
  device: string,
  user: string | undefined,
  pass: string | undefined,
): ConsoleApi {
  const auth = () => basicAuth(user ?? device, pass ?? '');
  const url = (p: string) => `${requireBase(base, 'console')}${p}`;
  return {
    nonce: () => callJson<BindNonce>(url(BIND_PATHS.nonce), { body: { device }, authorization: auth() }),
    bind: (cms) => callJson<Binding>(url(BIND_PATHS.bind), { body: { cms: toBase64(cms) }, authorization: auth() }),
    bindings: () => callJson<Binding[]>(url(BIND_PATHS.bind), { authorization: auth() }),
    disclosures: (limit = 50) =>
      callJson<ConsoleDisclosures>(url(`${BIND_PATHS.disclosures}?limit=${limit}`), { authorization: auth() }),
  };
}
