/**
 * My information (issue 5): the cards bound to this TV with their status (from the console; one
 * the console no longer lists is shown as ended), and the disclosure log — who received the
 * resident's information, what, when and why: the post-box's 情報提供等記録 (insurers, after card
 * login) next to the console's own log (card binding, shelter rosters, rescue lists; GET /api/bind/disclosures).
 */
import { fmt } from '../i18n/strings.ts';
import { formatDate, type FlowStrings } from '../i18n/flow-strings.ts';
import type { ConsoleDisclosure, ConsoleDisclosures } from '../net/console-api.ts';
import { classify } from './failures.ts';
import { CardFlow } from './card-flow.ts';
import type { FlowDeps, KnownBinding } from './deps.ts';

export class MyInfoFlow extends CardFlow {
  constructor(deps: FlowDeps) {
    super(deps, 'myinfo');
  }

  protected title(): string {
    return this.s.myinfoTitle;
  }

  async start(): Promise<void> {
    const s = this.s;
    this.show(
      this.mk('menu', {
        title: s.myinfoTitle,
        mode: 'list',
        lines: [s.myinfoLine],
        items: [
          { id: 'cards', label: s.myCards },
          { id: 'disclosures', label: s.myDisclosures },
          { id: 'home', label: s.backHome },
        ],
      }),
      async (a) => {
        if (a.type === 'back' || (a.type === 'choose' && a.id === 'home')) return this.exit();
        if (a.type === 'choose' && a.id === 'cards') return this.cards();
        if (a.type === 'choose' && a.id === 'disclosures') return this.disclosures();
      },
    );
  }

  protected restart(): Promise<void> {
    return this.start();
  }

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
    this.show(
      this.mk('cards', {
        title: s.myCards,
        notice,
        scroll: true,
        lines: list.length
          ? list.map((b) =>
              fmt(b.ended ? s.cardEnded : s.cardActive, {
                name: b.displayName,
                date: formatDate(b.boundAt, lang, false),
              }),
            )
          : [s.cardsNone],
        items: [
          { id: 'menu', label: s.backToList },
          { id: 'home', label: s.backHome },
        ],
      }),
      async (a) => {
        if (a.type === 'back' || (a.type === 'choose' && a.id === 'menu')) return this.start();
        if (a.type === 'choose' && a.id === 'home') return this.exit();
      },
    );
  }

  private disclosures(): Promise<void> {
    const s = this.s;
    return this.login([s.myinfoLoginLine], async (session) => {
      // The post-box's log (insurers, after the card login) and the console's own log (card
      // binding, shelter rosters, rescue lists; the TV's credentials) side by side. The console's
      // being unreachable does not hide the post-box's.
      const r = await this.busy(this.busyStep(s.loading), async () => {
        const [gateway, muni] = await Promise.all([
          session.disclosures(),
          this.deps.console.disclosures().then(
            (v): ConsoleDisclosures | Error => v,
            (e: unknown) => (e instanceof Error ? e : new Error(String(e))),
          ),
        ]);
        return { gateway, muni };
      });
      void session.logout();
      if (!r) return;
      if (!r.ok) return this.fail(classify(r.error), 'pin', () => this.disclosures());
      const { gateway, muni } = r.value;
      const lang = this.deps.lang;
      const item = (i: string) =>
        (
          ({ name: s.itemName, address: s.itemAddress, birthDate: s.itemBirthDate, sex: s.itemSex }) as Record<
            string,
            string
          >
        )[i] ?? i;
      const gwLines = gateway.flatMap((d) => [
        fmt(s.disclosure, {
          at: formatDate(d.at, lang),
          party: d.insurerName,
          items: d.items.map(item).join(s.listSep),
        }),
        fmt(s.purpose, {
          purpose:
            d.purposeCode === 'enrolment' ? fmt(s.purposeEnrolment, { policy: d.policy ?? '' }) : s.purposeInsurerOther,
        }),
      ]);
      const muniLines =
        muni instanceof Error
          ? [`${s.muniUnavailable} ${fmt(s.errorCode, { code: classify(muni).code })}`]
          : muni.entries
              .flatMap((d) => [
                fmt(s.muniDisclosure, {
                  at: formatDate(d.at, lang),
                  name: d.displayName,
                  party: this.party(d),
                  items: muniItems(s, d.items).join(s.listSep),
                }),
                fmt(s.purpose, { purpose: PURPOSE[d.purpose](s) }),
              ])
              .concat(muni.more ? [s.muniMore] : []);
      const lines =
        !gwLines.length && !muniLines.length
          ? [s.disclosuresNone]
          : [
              s.muniHeading,
              ...(muniLines.length ? muniLines : [s.muniNone]),
              s.gwHeading,
              ...(gwLines.length ? gwLines : [s.gwNone]),
            ];
      this.show(
        this.mk('disclosures', {
          title: s.myDisclosures,
          scroll: true,
          lines: [s.disclosuresLine, ...lines],
          items: [
            { id: 'menu', label: s.backToList },
            { id: 'home', label: s.backHome },
          ],
        }),
        async (a) => {
          if (a.type === 'back' || (a.type === 'choose' && a.id === 'menu')) {
            await this.release();
            return this.start();
          }
          if (a.type === 'choose' && a.id === 'home') return this.exit();
        },
      );
    });
  }

  /** Who received it, in words: the city office, a shelter by its name, staff by their role (never who). */
  private party(d: ConsoleDisclosure): string {
    const s = this.s;
    if (d.recipient.kind === 'shelter') return fmt(s.partyShelter, { name: d.recipient.name ?? '' });
    if (d.recipient.kind === 'staff') {
      const roles = (d.recipient.roles ?? []).map((r) => ROLE[r]?.(s)).filter((r): r is string => !!r);
      return fmt(s.partyStaff, { role: roles.length ? roles.join(s.listSep) : s.roleViewer });
    }
    return s.partyMunicipality;
  }
}

type S = FlowStrings;
const PURPOSE: Record<ConsoleDisclosure['purpose'], (s: S) => string> = {
  'card-binding': (s) => s.purposeCardBinding,
  'shelter-roster': (s) => s.purposeShelterRoster,
  'rescue-list': (s) => s.purposeRescueList,
  other: (s) => s.purposeOther,
};
const ROLE: Record<string, (s: S) => string> = {
  viewer: (s) => s.roleViewer,
  issuer: (s) => s.roleIssuer,
  approver: (s) => s.roleApprover,
  admin: (s) => s.roleAdmin,
};
/** The console's item codes (binding.ts, roster.ts, the rescue-list CSV) in words; the two certificate serials read as one. */
const ITEM: Record<string, (s: S) => string> = {
  name: (s) => s.itemName,
  address: (s) => s.itemAddress,
  'birth-date': (s) => s.itemBirthDate,
  sex: (s) => s.itemSex,
  'name-reading': (s) => s.itemReading,
  household: (s) => s.itemHousehold,
  'age-group': (s) => s.itemAgeGroup,
  'care-needs': (s) => s.itemCareNeeds,
  'needs-care': (s) => s.itemCareNeeds,
  'card-key': (s) => s.itemCardKey,
  'signing-certificate-serial': (s) => s.itemCertSerial,
  'authentication-certificate-serial': (s) => s.itemCertSerial,
  phone: (s) => s.itemPhone,
  supporter: (s) => s.itemSupporter,
  area: (s) => s.itemArea,
  answer: (s) => s.itemAnswer,
  'last-contact': (s) => s.itemLastContact,
  shelter: (s) => s.itemShelter,
};
function muniItems(s: S, items: string[]): string[] {
  return [...new Set(items.map((i) => ITEM[i]?.(s)).filter((w): w is string => !!w))];
}
