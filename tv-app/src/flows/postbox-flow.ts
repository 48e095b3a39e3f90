/**
 * The post-box (issue 5): card login (PIN) → the list of notices → read one → for a status-check
 * request (現況届): choose the answer → review exactly what will be sent → signing password →
 * the card signs the report document (contract/src/documents.ts builds the very bytes the
 * gateway checks) → the gateway verifies it (chain, revocation at that moment) → the receipt.
 * Linking a policy (enrolment, once per policy): choose the insurer → the policy number on the
 * keyboard → review who receives which items and why → signing password → the card signs the
 * consent document (buildConsentDocument, with a one-use nonce from the gateway) → the result.
 * The TVs linked to the post-box, and removing one: postbox-devices.ts.
 */
import type { Statement } from '@kizuna/contract';
import { buildConsentDocument, buildReportDocument, DISCLOSED_ITEMS } from '@kizuna/contract/bytes';
import { fmt } from '../i18n/strings.ts';
import { formatDate } from '../i18n/flow-strings.ts';
import type { EnrolResult, Insurer, Notice, ReportReceipt } from '../net/postbox-api.ts';
import { classify } from './failures.ts';
import { PostboxDeviceSteps } from './postbox-devices.ts';
import type { FlowDeps } from './deps.ts';

export class PostboxFlow extends PostboxDeviceSteps {
  constructor(deps: FlowDeps) {
    super(deps, 'postbox');
  }

  protected title(): string {
    return this.s.postboxTitle;
  }

  async start(): Promise<void> {
    await this.login([this.s.loginLine], (session) => {
      this.session = session;
      return this.list();
    });
  }

  protected restart(): Promise<void> {
    return this.start();
  }

  private statusText(n: Notice): string {
    const s = this.s;
    return { unread: s.stUnread, read: s.stRead, answered: s.stAnswered, withdrawn: s.stWithdrawn }[n.status];
  }

  protected async list(): Promise<void> {
    const s = this.s;
    const r = await this.busy(this.busyStep(s.loading), () => this.session!.notices());
    if (!r) return;
    if (!r.ok) {
      const f = classify(r.error);
      return this.fail(
        f,
        'pin',
        this.again(f, () => this.list()),
      );
    }
    const { notices, unread } = r.value;
    const lang = this.deps.lang;
    this.show(
      this.mk('list', {
        title: s.postboxTitle,
        mode: 'list',
        lines: [notices.length ? fmt(s.noticeCount, { n: notices.length, u: unread }) : s.noNotices],
        items: [
          ...notices.map((n) => ({
            id: `notice:${n.id}`,
            label: `${n.kind === 'status-check' ? `【${s.kindStatusCheck}】` : ''}${n.subject}`,
            detail: [
              n.sender.name,
              this.statusText(n),
              formatDate(n.createdAt, lang, false),
              n.dueDate && n.status !== 'answered'
                ? fmt(s.due, { date: formatDate(`${n.dueDate}T00:00:00+09:00`, lang, false) })
                : '',
            ]
              .filter(Boolean)
              .join(lang.startsWith('ja') ? '　' : ' · '),
          })),
          { id: 'enrol', label: s.enrolMenu },
          { id: 'devices', label: s.devicesMenu },
          { id: 'home', label: s.backHome },
        ],
      }),
      async (a) => {
        if (a.type === 'back' || (a.type === 'choose' && a.id === 'home')) return this.exit();
        if (a.type === 'choose' && a.id === 'enrol') return this.enrol();
        if (a.type === 'choose' && a.id === 'devices') return this.devices();
        if (a.type === 'choose' && a.id.startsWith('notice:')) return this.read(a.id.slice(7));
      },
    );
  }

  // ---- linking a policy (enrolment with a signed consent) ----

  private async enrol(): Promise<void> {
    const s = this.s;
    const session = this.session!;
    const r = await this.busy(this.busyStep(s.loading), () => Promise.all([session.insurers(), session.enrolments()]));
    if (!r) return;
    if (!r.ok) {
      const f = classify(r.error);
      return this.fail(
        f,
        'pin',
        this.again(f, () => this.enrol()),
      );
    }
    const [insurers, enrolments] = r.value;
    const linked = enrolments
      .filter((e) => e.status === 'active')
      .map((e) => fmt(s.enrolLinkedItem, { insurer: e.insurer.name, policy: e.policy }));
    this.show(
      this.mk('enrol.insurer', {
        title: s.enrolTitle,
        mode: 'list',
        lines: [
          insurers.length ? s.enrolLine : s.noInsurers,
          linked.length ? fmt(s.enrolLinked, { list: linked.join(s.listSep) }) : s.enrolNone,
        ],
        items: [
          ...insurers.map((i) => ({ id: `insurer:${i.id}`, label: i.name })),
          { id: 'list', label: s.backToList },
        ],
      }),
      async (a) => {
        if (a.type === 'back' || (a.type === 'choose' && a.id === 'list')) return this.list();
        if (a.type !== 'choose') return;
        const ins = insurers.find((i) => `insurer:${i.id}` === a.id);
        if (ins) this.policy(ins);
      },
    );
  }

  private policy(ins: Insurer, notice?: { text: string; tone: 'error' }): void {
    const s = this.s;
    this.show(
      this.mk('enrol.policy', {
        title: s.enrolTitle,
        mode: 'secret',
        notice,
        hint: s.hintPolicy,
        lines: [fmt(s.policyLine, { insurer: ins.name })],
        secret: { kind: 'policy', min: 1, max: 24, label: s.policyLabel },
      }),
      async (a) => {
        if (a.type === 'back') return this.enrol();
        if (a.type !== 'secret') return;
        if (!/^[A-Z0-9][A-Z0-9-]{0,23}$/.test(a.value))
          return this.policy(ins, { text: s.formatPolicy, tone: 'error' });
        this.consentReview(ins, a.value);
      },
    );
  }

  private consentReview(ins: Insurer, policy: string): void {
    const s = this.s;
    const item = (i: string) =>
      (
        ({ name: s.itemName, address: s.itemAddress, birthDate: s.itemBirthDate, sex: s.itemSex }) as Record<
          string,
          string
        >
      )[i] ?? i;
    this.show(
      this.mk('enrol.review', {
        title: s.enrolReviewTitle,
        scroll: true,
        lines: [
          fmt(s.enrolReviewTo, { insurer: ins.name }),
          fmt(s.reviewPolicy, { policy }),
          fmt(s.enrolReviewItems, { items: DISCLOSED_ITEMS.map(item).join(s.listSep) }),
          s.enrolReviewWhy,
          s.enrolReviewAfter,
        ],
        items: [
          { id: 'sign', label: s.enrolSign },
          { id: 'cancel', label: s.cancel },
        ],
      }),
      async (a) => {
        if (a.type === 'back') return this.policy(ins);
        if (a.type === 'choose' && a.id === 'cancel') return this.list();
        if (a.type === 'choose' && a.id === 'sign') return this.consentSign(ins, policy);
      },
    );
  }

  private consentSign(ins: Insurer, policy: string): Promise<void> {
    return this.askSecret(
      'password',
      [this.s.enrolPasswordLine],
      this.s.sending,
      async (password) => {
        // The nonce is asked for after typing, so slow typing never outlives it.
        const nonce = await this.session!.consentNonce();
        const cms = await this.reader!.signCms(password, buildConsentDocument({ insurer: ins.id, policy, nonce }));
        return this.session!.enrol(cms);
      },
      (r) => this.enrolled(ins, r),
      () => this.consentReview(ins, policy),
    );
  }

  private enrolled(ins: Insurer, r: EnrolResult): void {
    const s = this.s;
    this.show(
      this.mk('enrol.done', {
        title: s.enrolTitle,
        notice: { text: s.enrolDoneTitle, tone: 'ok' },
        lines: [
          fmt(s.enrolDone, { insurer: ins.name, policy: r.policy }),
          fmt(s.receiptId, { id: r.enrolmentId }),
          fmt(s.enrolDoneNext, { insurer: ins.name }),
        ],
        items: [
          { id: 'list', label: s.backToList },
          { id: 'home', label: s.backHome },
        ],
      }),
      async (a) => {
        if (a.type === 'back' || (a.type === 'choose' && a.id === 'list')) return this.list();
        if (a.type === 'choose' && a.id === 'home') return this.exit();
      },
    );
  }

  private async read(id: string): Promise<void> {
    const s = this.s;
    const lang = this.deps.lang;
    const r = await this.busy(this.busyStep(s.loading), () => this.session!.open(id));
    if (!r) return;
    if (!r.ok) {
      const f = classify(r.error);
      return this.fail(
        f,
        'pin',
        this.again(f, () => this.read(id)),
      );
    }
    const n = r.value;
    const canAnswer =
      n.kind === 'status-check' && (n.status === 'unread' || n.status === 'read') && !!n.reportNonce && !!n.policy;
    const state =
      n.status === 'answered'
        ? fmt(s.answeredAlready, { date: n.answeredAt ? formatDate(n.answeredAt, lang) : '' })
        : n.status === 'withdrawn'
          ? s.withdrawnNote
          : '';
    this.show(
      this.mk('notice', {
        title: n.subject,
        scroll: true,
        lines: [
          fmt(s.noticeFrom, { sender: n.sender.name }),
          fmt(s.noticeDate, { date: formatDate(n.createdAt, lang) }),
          ...(n.body ?? '').split(/\n+/),
          state,
        ].filter(Boolean),
        items: [...(canAnswer ? [{ id: 'answer', label: s.answerThis }] : []), { id: 'list', label: s.backToList }],
      }),
      async (a) => {
        if (a.type === 'back' || (a.type === 'choose' && a.id === 'list')) return this.list();
        if (a.type === 'choose' && a.id === 'answer') return this.chooseAnswer(n);
      },
    );
  }

  private chooseAnswer(n: Notice): void {
    const s = this.s;
    this.show(
      this.mk('answer', {
        title: s.answerTitle,
        mode: 'list',
        lines: [fmt(s.answerQuestion, { sender: n.sender.name, subject: n.subject })],
        items: [
          { id: 'living', label: s.answerLiving },
          { id: 'living-details-changed', label: s.answerChanged },
          { id: 'cancel', label: s.cancel },
        ],
      }),
      async (a) => {
        if (a.type === 'back' || (a.type === 'choose' && a.id === 'cancel')) return this.read(n.id);
        if (a.type === 'choose') this.review(n, { answer: a.id as Statement['answer'] });
      },
    );
  }

  private review(n: Notice, statement: Statement): void {
    const s = this.s;
    const answer = statement.answer === 'living' ? s.answerLiving : s.answerChanged;
    this.show(
      this.mk('review', {
        title: s.reviewTitle,
        lines: [
          fmt(s.reviewTo, { sender: n.sender.name }),
          fmt(s.reviewPolicy, { policy: n.policy ?? '' }),
          fmt(s.reviewAnswer, { answer }),
          s.reviewSign,
        ],
        items: [
          { id: 'sign', label: s.signAndSend },
          { id: 'cancel', label: s.cancel },
        ],
      }),
      async (a) => {
        if (a.type === 'back') return this.chooseAnswer(n);
        if (a.type === 'choose' && a.id === 'cancel') return this.read(n.id);
        if (a.type === 'choose' && a.id === 'sign') return this.sign(n, statement);
      },
    );
  }

  private sign(n: Notice, statement: Statement): Promise<void> {
    return this.askSecret(
      'password',
      [this.s.reportPasswordLine],
      this.s.sending,
      async (password) => {
        const doc = buildReportDocument({ notice: n.id, policy: n.policy!, nonce: n.reportNonce!, statement });
        const cms = await this.reader!.signCms(password, doc);
        return this.session!.report(cms);
      },
      (receipt) => this.receipt(n, receipt),
      () => this.review(n, statement),
    );
  }

  private receipt(n: Notice, r: ReportReceipt): void {
    const s = this.s;
    const rc = r.receipt.receipt;
    this.show(
      this.mk('receipt', {
        title: s.postboxTitle,
        notice: { text: s.receiptTitle, tone: 'ok' },
        lines: [
          fmt(s.receiptTo, { sender: n.sender.name }),
          fmt(s.receiptId, { id: r.reportId }),
          fmt(s.receiptAt, { at: formatDate(rc.receivedAt, this.deps.lang) }),
          s.receiptVerified,
          fmt(s.receiptHash, { hash: rc.documentSha256.slice(0, 16) }),
          r.late ? s.late : '',
        ].filter(Boolean),
        items: [
          { id: 'list', label: s.backToList },
          { id: 'home', label: s.backHome },
        ],
      }),
      async (a) => {
        if (a.type === 'back' || (a.type === 'choose' && a.id === 'list')) return this.list();
        if (a.type === 'choose' && a.id === 'home') return this.exit();
      },
    );
  }

  protected override async release(): Promise<void> {
    const sess = this.session;
    this.session = null;
    await sess?.logout();
    await super.release();
  }
}
