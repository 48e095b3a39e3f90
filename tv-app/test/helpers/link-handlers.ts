import type { LinkHandlers, LinkState } from '../../src/net/mqtt-link.ts';

/** Link handlers for tests that watch only the link's states: every state is pushed on `states`, messages are ignored. */
export function recordStates(states: LinkState[]): LinkHandlers {
  return {
    onAlert: () => undefined,
    onArea: () => undefined,
    onMail: () => undefined,
    onInvalid: () => undefined,
    onState: (s) => states.push(s),
  };
}
