/**
 * Card binding (issue 5, protocol in contract/src/binding.ts): who is bound already → choose the
 * card → signing password on the on-screen keyboard → a fresh nonce from the console → the card
 * signs the registration {nonce, device, muni} (CMS, through the bridge) → POST /api/bind → done,
 * with "register another person" for a household. The nonce is asked for only after the password
 * is typed, so slow typing never outlives it.
 */
import { bindRegistrationBytes } from '@kizuna/contract/bytes';
import { fmt } from '../i18n/strings.ts';
import { classify } from './failures.ts';
import { CardFlow } from './card-flow.ts';
import type { FlowDeps } from './deps.ts';

export class BindFlow extends CardFlow {
  constructor(deps: FlowDeps) {
    super(deps, 'bind');
  }

  protected title(): string {
    return this.s.bindTitle;
  }

  async start(): Promise<void> {
    const s = this.s;
    // Who is here already (several residents per TV); a console that cannot answer does not block binding.
    const r = await this.busy(this.busyStep(s.loading), () => this.deps.console.bindings());
    if (!r) return;
    if (!r.ok && classify(r.error).kind === 'not-configured')
      return this.fail(classify(r.error), 'password', () => this.start());
    const names = r.ok
      ? this.deps
          .rememberBindings(r.value)
          .filter((b) => !b.ended)
          .map((b) => b.displayName)
      : [];
    const lead = [names.length ? fmt(s.bindBound, { names: names.join('、') }) : s.bindNone];
    await this.chooseCard(lead, () => this.password());
  }

  protected restart(): Promise<void> {
    return this.start();
  }

  private password(): Promise<void> {
    return this.askSecret(
      'password',
      [this.s.bindPasswordLine],
      this.s.bindBusy,
      async (password) => {
        const nonce = await this.deps.console.nonce();
        const cms = await this.reader!.signCms(password, bindRegistrationBytes(nonce));
        return this.deps.console.bind(cms);
      },
      (binding) => this.done(binding.displayName),
      () => this.start(),
    );
  }

  private done(displayName: string): void {
    const s = this.s;
    // Refresh what the TV knows (Home's residents, My information) before saying so.
    void this.deps.console
      .bindings()
      .then((list) => this.deps.rememberBindings(list))
      .catch(() => undefined);
    this.emit({ type: 'bound', displayName });
    this.show(
      this.mk('done', {
        title: s.bindTitle,
        notice: { text: s.bindDoneTitle, tone: 'ok' },
        lines: [fmt(s.bindDone, { name: displayName })],
        items: [
          { id: 'another', label: s.bindAnother },
          { id: 'home', label: s.backHome },
        ],
      }),
      async (a) => {
        if (a.type === 'back' || (a.type === 'choose' && a.id === 'home')) return this.exit();
        if (a.type === 'choose' && a.id === 'another') {
          await this.reader?.eject().catch(() => undefined);
          return this.start();
        }
      },
    );
  }
}
