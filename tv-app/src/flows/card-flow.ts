/**
 * Steps every card task shares: reach the reader, choose the card, enter the signing password on
 * the on-screen keyboard or the 4-digit PIN with the number keys, and the failure screens (tries
 * left, locked card with what to do next, revoked certificate, reader or network gone).
 * PINs and passwords pass straight to the bridge and are never kept.
 */
import type { CardBridge } from '@kizuna/jpki/bridge-client';
import { fmt } from '../i18n/strings.ts';
import { flowStrings, type FlowStrings } from '../i18n/flow-strings.ts';
import { classify, type Failure } from './failures.ts';
import { Flow, type FlowItem, type FlowStep, type Tone } from './flow.ts';
import type { FlowDeps } from './deps.ts';
import type { PostboxSession } from '../net/postbox-api.ts';

export type SecretKind = 'password' | 'pin';

export const SECRET_RULES: Record<SecretKind, { min: number; max: number; pattern: RegExp }> = {
  password: { min: 6, max: 16, pattern: /^[A-Z0-9]{6,16}$/ },
  pin: { min: 4, max: 4, pattern: /^[0-9]{4}$/ },
};

/** The warning for `n` tries left: on the last one, the last-try wording alone (it says the same, and more). */
export function triesWarning(s: FlowStrings, n: number): string {
  return n === 1 ? s.lastTry : fmt(s.triesLeftNote, { n });
}

export abstract class CardFlow extends Flow {
  protected reader: CardBridge | null = null;
  protected cardLabel = '';
  protected readonly s: FlowStrings;

  constructor(
    protected readonly deps: FlowDeps,
    protected readonly name: 'bind' | 'postbox' | 'myinfo',
  ) {
    super();
    this.s = flowStrings(deps.lang);
  }

  protected mk(id: string, p: Partial<FlowStep> & { title: string }): FlowStep {
    const mode = p.mode ?? 'buttons';
    const hint =
      p.hint ??
      (mode === 'list'
        ? this.s.hintList
        : mode === 'busy'
          ? this.s.hintBusy
          : mode === 'secret'
            ? p.secret?.kind === 'pin'
              ? this.s.hintPin
              : this.s.hintPassword
            : p.scroll
              ? this.s.hintScroll
              : this.s.hintButtons);
    return { id: `${this.name}.${id}`, lines: [], items: [], mode, hint, ...p };
  }

  protected busyStep(text: string): FlowStep {
    return this.mk('busy', { title: this.title(), lines: [text], mode: 'busy' });
  }

  protected abstract title(): string;

  /** Connect to the reader (once per flow) and let the resident choose a card; then `next()`. */
  protected async chooseCard(lead: string[], next: () => Promise<void>): Promise<void> {
    const r = await this.busy(this.busyStep(this.s.connectingReader), async () => {
      this.reader ??= await this.deps.openReader();
      return this.reader.list();
    });
    if (!r) return;
    if (!r.ok) {
      this.reader = null;
      return this.fail(classify(r.error), 'pin', () => this.chooseCard(lead, next));
    }
    const cards = r.value.cards;
    const items: FlowItem[] = cards.map((c) => ({ id: `card:${c.id}`, label: c.label }));
    items.push(
      cards.length ? { id: 'home', label: this.s.cancel } : { id: 'retry', label: this.s.retry },
      ...(cards.length ? [] : [{ id: 'home', label: this.s.backHome }]),
    );
    this.show(
      this.mk('choose-card', {
        title: this.s.chooseCardTitle,
        lines: [...lead, cards.length ? this.s.chooseCardLine : this.s.noCards],
        mode: 'list',
        items,
      }),
      async (a) => {
        if (a.type === 'back' || (a.type === 'choose' && a.id === 'home')) return this.exit();
        if (a.type !== 'choose') return;
        if (a.id === 'retry') return this.chooseCard(lead, next);
        const id = a.id.slice(5);
        const ins = await this.busy(this.busyStep(this.s.connectingReader), () => this.reader!.insert(id));
        if (!ins) return;
        if (!ins.ok) return this.fail(classify(ins.error), 'pin', () => this.chooseCard(lead, next));
        this.cardLabel = ins.value.label;
        await next();
      },
    );
  }

  /**
   * Ask for the PIN or password; `use` runs with it. A wrong entry asks again with the tries
   * left; every other failure goes to its own screen with `retry` and a way home.
   */
  protected async askSecret<T>(
    kind: SecretKind,
    lines: string[],
    busyText: string,
    use: (secret: string) => Promise<T>,
    after: (v: T) => void | Promise<void>,
    onBack: () => void | Promise<void>,
    notice?: { text: string; tone: Tone },
  ): Promise<void> {
    // Tell the resident before typing when few tries are left, and stop at once on a locked card.
    let left: number | null = null;
    try {
      left = this.reader ? await this.reader.triesLeft(kind === 'pin' ? 'auth' : 'sign') : null;
    } catch {
      left = null;
    }
    if (left === 0) return this.fail({ kind: 'locked', code: 'KZ_CARD_LOCKED', triesLeft: 0 }, kind, onBack);
    const s = this.s;
    const fewLeft =
      left !== null && left <= 2 && !notice ? { text: triesWarning(s, left), tone: 'warn' as const } : undefined;
    const rules = SECRET_RULES[kind];
    this.show(
      this.mk(kind, {
        title: this.title(),
        lines: [this.cardLabel, ...lines].filter(Boolean),
        mode: 'secret',
        notice: notice ?? fewLeft,
        secret: { kind, min: rules.min, max: rules.max, label: kind === 'pin' ? s.pinLabel : s.passwordLabel },
      }),
      async (a) => {
        if (a.type === 'back') return onBack();
        if (a.type !== 'secret') return;
        if (!rules.pattern.test(a.value)) {
          return this.askSecret(kind, lines, busyText, use, after, onBack, {
            text: kind === 'pin' ? s.formatPin : s.formatPassword,
            tone: 'error',
          });
        }
        const r = await this.busy(this.busyStep(busyText), () => use(a.value));
        if (!r) return;
        if (r.ok) return after(r.value);
        const f = classify(r.error);
        if (f.kind === 'wrong-secret') {
          const n = f.triesLeft;
          const text = `${kind === 'pin' ? s.wrongPin : s.wrongPassword}${n !== undefined ? ` ${triesWarning(s, n)}` : ''}`;
          return this.askSecret(kind, lines, busyText, use, after, onBack, { text, tone: 'error' });
        }
        if (f.kind === 'format')
          return this.askSecret(kind, lines, busyText, use, after, onBack, {
            text: kind === 'pin' ? s.formatPin : s.formatPassword,
            tone: 'error',
          });
        return this.fail(f, kind, () => this.askSecret(kind, lines, busyText, use, after, onBack));
      },
    );
  }

  /** Card login to the post-box: choose the card, PIN, challenge signed by the authentication key. */
  protected login(lead: string[], then: (session: PostboxSession) => void | Promise<void>): Promise<void> {
    const s = this.s;
    return this.chooseCard(lead, () =>
      this.askSecret(
        'pin',
        lead,
        s.loginBusy,
        async (pin) => {
          const c = await this.deps.postbox.challenge();
          const signed = await this.reader!.authSign(pin, c.challenge);
          return this.deps.postbox.login({ id: c.id, signature: signed.signature, certificate: signed.certificate });
        },
        then,
        () => this.restart(),
      ),
    );
  }

  /** A failure screen in plain words, with what to do next. */
  protected fail(f: Failure, kind: SecretKind, retry: () => void | Promise<void>): void {
    const s = this.s;
    const code = fmt(s.errorCode, { code: f.code });
    const view: Record<Failure['kind'], { title: string; lines: string[] }> = {
      'wrong-secret': { title: kind === 'pin' ? s.wrongPin : s.wrongPassword, lines: [] },
      locked: {
        title: kind === 'pin' ? s.lockedPinTitle : s.lockedPasswordTitle,
        lines: [s.lockedWhy, kind === 'pin' ? s.lockedWhatPin : s.lockedWhatPassword, s.lockedMeanwhile],
      },
      format: { title: kind === 'pin' ? s.formatPin : s.formatPassword, lines: [] },
      revoked: { title: s.revokedTitle, lines: [s.revokedWhy, s.revokedWhat] },
      'cert-invalid': { title: s.certInvalidTitle, lines: [s.certInvalidWhat] },
      'status-unknown': { title: s.statusTitle, lines: [s.statusWhat] },
      reader: { title: s.readerTitle, lines: [s.readerWhat] },
      'no-card': { title: s.noCardTitle, lines: [s.noCardWhat] },
      network: { title: s.networkTitle, lines: [s.networkWhat] },
      session: { title: s.sessionTitle, lines: [s.sessionWhat] },
      'no-match': { title: s.noMatchTitle, lines: [s.noMatchWhat] },
      'not-configured': { title: s.notConfiguredTitle, lines: [s.notConfiguredWhat] },
      refused: { title: s.refusedTitle, lines: [fmt(s.refusedWhat, { detail: f.detail ?? f.code })] },
      'already-linked': { title: s.alreadyLinkedTitle, lines: [s.alreadyLinkedWhat] },
      'policy-taken': { title: s.policyTakenTitle, lines: [s.policyTakenWhat] },
      'other-card': { title: s.otherCardTitle, lines: [s.otherCardWhy, s.otherCardWhat] },
    };
    const v = view[f.kind];
    // A locked or revoked card (or another person's) cannot be retried here: only another card or the way home.
    const final =
      f.kind === 'locked' ||
      f.kind === 'revoked' ||
      f.kind === 'cert-invalid' ||
      f.kind === 'no-match' ||
      f.kind === 'other-card' ||
      f.kind === 'not-configured';
    const items: FlowItem[] = final
      ? [
          ...(f.kind === 'not-configured' ? [] : [{ id: 'other', label: s.chooseOther }]),
          { id: 'home', label: s.backHome },
        ]
      : [
          { id: 'retry', label: s.retry },
          { id: 'home', label: s.backHome },
        ];
    this.show(
      this.mk(`failed.${f.kind}`, {
        title: this.title(),
        notice: { text: v.title, tone: 'error' },
        lines: [...v.lines, code],
        items,
      }),
      async (a) => {
        if (a.type === 'back' || (a.type === 'choose' && a.id === 'home')) return this.exit();
        if (a.type !== 'choose') return;
        if (a.id === 'retry') return retry();
        if (a.id === 'other') return this.restart();
      },
    );
  }

  /** Back to the first step with another card. */
  protected abstract restart(): Promise<void>;

  protected async release(): Promise<void> {
    const r = this.reader;
    this.reader = null;
    if (!r) return;
    await r.eject().catch(() => undefined);
    r.close();
  }
}
