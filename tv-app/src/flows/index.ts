/** Loaded with import() when a card screen opens: the bridge client, the APIs and the flows stay off start-up. */
import { connectCardBridge } from '@kizuna/jpki/bridge-client';
import { ApiError } from '../net/http.ts';
import type { FlowDeps } from './deps.ts';
import { BindFlow } from './bind-flow.ts';
import { MyInfoFlow } from './myinfo-flow.ts';
import { PostboxFlow } from './postbox-flow.ts';
import type { Flow } from './flow.ts';

export { consoleApi } from '../net/console-api.ts';
export { postboxApi } from '../net/postbox-api.ts';
export { flowStrings, loadFlowStrings } from '../i18n/flow-strings.ts';

export type FlowKind = 'bind' | 'postbox' | 'myinfo';

export function createFlow(kind: FlowKind, deps: FlowDeps): Flow {
  return kind === 'bind' ? new BindFlow(deps) : kind === 'postbox' ? new PostboxFlow(deps) : new MyInfoFlow(deps);
}

/** The card-reader bridge, or a coded error when this TV has none configured. */
export function readerOpener(url: string | undefined): () => Promise<Awaited<ReturnType<typeof connectCardBridge>>> {
  return () =>
    url
      ? connectCardBridge(url, { timeoutMs: 30_000 })
      : Promise.reject(new ApiError('KZ_BRIDGE_UNAVAILABLE', 'no card reader bridge configured (bridge=)', 0));
}
