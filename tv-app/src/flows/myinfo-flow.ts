/**
 * My information (issue 5): the cards bound to this TV with their status (from the console; one
 * the console no longer lists is shown as ended), and the disclosure log — who received the
 * resident's information, what, when and why (the post-box's 情報提供等記録, after card login).
 */
import { fmt } from '../i18n/strings.ts';
import { formatDate } from '../i18n/flow-strings.ts';
import { classify } from './failures.ts';
import { CardFlow } from './card-flow.ts';
import type { FlowDeps, KnownBinding } from './deps.ts';

export class MyInfoFlow extends CardFlow {
  constructor(deps: FlowDeps) { super(deps, 'myinfo'); }

  protected title(): string { return this.s.myinfoTitle; }

  async start(): Promise<void> {
    const s = this.s;
    this.show(this.mk('menu', {
      title: s.myinfoTitle, mode: 'list', lines: [s.myinfoLine],
      items: [{ id: 'cards', label: s.myCards }, { id: 'disclosures', label: s.myDisclosures }, { id: 'home', label: s.backHome }],
    }), async (a) => {
      if (a.type === 'back' || (a.type === 'choose' && a.id === 'home')) return this.exit();
      if (a.type === 'choose' && a.id === 'cards') return this.cards();
      if (a.type === 'choose' && a.id === 'disclosures') return this.disclosures();
    });
  }

  protected restart(): Promise<void> { return this.start(); }

  private async cards(): Promise<void> {
    const s = this.s;
    const r = await this.busy(this.busyStep(s.loading), () => this.deps.console.bindings());
    if (!r) return;
    // Offline: show what the TV last knew, saying the server could not be asked.
    let list: KnownBinding[];
    let notice: { text: string; tone: 'warn' } | undefined;
    if (r.ok) list = this.deps.rememberBindings(r.value);
    else {
      const f = classify(r.error);
      if (f.kind !== 'network') return this.fail(f, 'pin', () => this.cards());
      list = this.deps.knownBindings();
      notice = { text: `${s.networkTitle} ${fmt(s.errorCode, { code: f.code })}`, tone: 'warn' };
    }
    const lang = this.deps.lang;
    this.show(this.mk('cards', {
      title: s.myCards, notice, scroll: true,
      lines: list.length ? list.map((b) => fmt(b.ended ? s.cardEnded : s.cardActive, { name: b.displayName, date: formatDate(b.boundAt, lang, false) })) : [s.cardsNone],
      items: [{ id: 'menu', label: s.backToList }, { id: 'home', label: s.backHome }],
    }), async (a) => {
      if (a.type === 'back' || (a.type === 'choose' && a.id === 'menu')) return this.start();
      if (a.type === 'choose' && a.id === 'home') return this.exit();
    });
  }

  private disclosures(): Promise<void> {
    const s = this.s;
    return this.login([s.myinfoLoginLine], async (session) => {
      const r = await this.busy(this.busyStep(s.loading), () => session.disclosures());
      void session.logout();
      if (!r) return;
      if (!r.ok) return this.fail(classify(r.error), 'pin', () => this.disclosures());
      const lang = this.deps.lang;
      const item = (i: string) => ({ name: s.itemName, address: s.itemAddress, birthDate: s.itemBirthDate, sex: s.itemSex } as Record<string, string>)[i] ?? i;
      const lines = r.value.length
        ? r.value.flatMap((d) => [fmt(s.disclosure, { at: formatDate(d.at, lang), party: d.insurerName, items: d.items.map(item).join(s.listSep) }), fmt(s.purpose, { purpose: d.purpose })])
        : [s.disclosuresNone];
      this.show(this.mk('disclosures', {
        title: s.myDisclosures, scroll: true, lines: [s.disclosuresLine, ...lines],
        items: [{ id: 'menu', label: s.backToList }, { id: 'home', label: s.backHome }],
      }), async (a) => {
        if (a.type === 'back' || (a.type === 'choose' && a.id === 'menu')) { await this.release(); return this.start(); }
        if (a.type === 'choose' && a.id === 'home') return this.exit();
      });
    });
  }
}
