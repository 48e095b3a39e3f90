/** What the flows need from the TV, injected (the App passes the real ones; tests pass real servers too). */
import type { Language } from '@kizuna/contract/levels';
import type { Binding } from '@kizuna/contract';
import type { CardBridge } from '@kizuna/jpki/bridge-client';
import type { ConsoleApi } from '../net/console-api.ts';
import type { PostboxApi } from '../net/postbox-api.ts';

/** A binding as this TV last saw it; `ended` once the console stopped listing it. */
export interface KnownBinding {
  bindingId: string;
  displayName: string;
  boundAt: string;
  ended?: boolean | undefined;
}

export interface FlowDeps {
  lang: Language;
  openReader(): Promise<CardBridge>;
  console: ConsoleApi;
  postbox: PostboxApi;
  /** The console's current list arrived: remember it (and mark missing ones as ended); returns the merged list. */
  rememberBindings(current: Binding[]): KnownBinding[];
  knownBindings(): KnownBinding[];
  /** This TV was removed from the post-box: the last "mail waiting" count it showed no longer applies. */
  forgetMail(): void;
}
