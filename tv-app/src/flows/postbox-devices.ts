/**
 * The TVs linked to a post-box (issue 23): from the post-box list, the TVs that show "mail
 * waiting" for it — this TV marked as such, the others by device id and municipality, each with
 * when it was linked (its latest card login there) — and for each a way to remove it, after a
 * confirmation. Removing this TV itself says that its "mail waiting" stops; the gateway keeps the
 * session open (it is a login, not a link), and the next card login on this TV links it again;
 * Home drops the unread count it last got (no "mail waiting" will come to correct it).
 * A TV already removed elsewhere (404 KZ_GW_UNKNOWN_DEVICE) counts as removed: the list says so.
 * The post-box flow (postbox-flow.ts) builds on these steps; both share the one session.
 */
import { fmt } from '../i18n/strings.ts';
import { formatDate } from '../i18n/flow-strings.ts';
import type { LinkedDevice, PostboxSession } from '../net/postbox-api.ts';
import { CardFlow } from './card-flow.ts';
import { classify, type Failure } from './failures.ts';
import type { Tone } from './flow.ts';

type Result = { text: string; tone: Tone; lines?: string[] };

export abstract class PostboxDeviceSteps extends CardFlow {
  protected session: PostboxSession | null = null;

  /** The post-box's own list (where "back" from the TVs goes). */
  protected abstract list(): Promise<void>;

  private isThis(d: { muni: string; device: string }): boolean {
    const tv = this.deps.postbox.tv;
    return d.muni === tv.muni && d.device === tv.device;
  }

  private tvName(d: { muni: string; device: string }): string {
    return this.isThis(d) ? this.s.deviceThis : fmt(this.s.deviceOther, { device: d.device, muni: d.muni });
  }

  /** Try again: a session that ended cannot be retried, so that means a new card login. */
  protected again(f: Failure, retry: () => Promise<void>): () => Promise<void> {
    return f.kind === 'session' ? () => this.restart() : retry;
  }

  /** The linked TVs, this one first; `result` tells what a removal just did. */
  protected async devices(result?: Result): Promise<void> {
    const s = this.s;
    const r = await this.busy(this.busyStep(s.loading), () => this.session!.devices());
    if (!r) return;
    if (!r.ok) {
      const f = classify(r.error);
      return this.fail(
        f,
        'pin',
        this.again(f, () => this.devices(result)),
      );
    }
    const list = [...r.value].sort((a, b) => Number(this.isThis(b)) - Number(this.isThis(a)));
    const lang = this.deps.lang;
    this.show(
      this.mk('devices', {
        title: s.devicesTitle,
        mode: 'list',
        notice: result ? { text: result.text, tone: result.tone } : undefined,
        lines: [
          ...(result?.lines ?? []),
          list.length ? s.devicesLine : s.devicesNone,
          ...(list.length && !list.some((d) => this.isThis(d)) && !result?.lines ? [s.thisNotLinked] : []),
        ],
        items: [
          ...list.map((d) => ({
            id: `device:${d.muni}/${d.device}`,
            label: this.tvName(d),
            detail: fmt(s.deviceLinkedAt, { date: formatDate(d.linkedAt, lang) }),
          })),
          { id: 'list', label: s.backToList },
        ],
      }),
      async (a) => {
        if (a.type === 'back' || (a.type === 'choose' && a.id === 'list')) return this.list();
        if (a.type !== 'choose') return;
        const d = list.find((x) => `device:${x.muni}/${x.device}` === a.id);
        if (d) this.confirmRemove(d);
      },
    );
  }

  private confirmRemove(d: LinkedDevice): void {
    const s = this.s;
    const self = this.isThis(d);
    this.show(
      this.mk('devices.remove', {
        title: s.removeTitle,
        lines: [
          self ? s.removeAskThis : fmt(s.removeAsk, { tv: this.tvName(d) }),
          self ? s.removeWhatThis : s.removeWhatOther,
          ...(self ? [s.relinkThis] : []),
        ],
        // the safe choice first, so focus starts on it: a stray OK removes nothing
        items: [
          { id: 'cancel', label: s.cancel },
          { id: 'remove', label: s.removeOk },
        ],
      }),
      async (a) => {
        if (a.type === 'back' || (a.type === 'choose' && a.id === 'cancel')) return this.devices();
        if (a.type === 'choose' && a.id === 'remove') return this.remove(d);
      },
    );
  }

  private async remove(d: LinkedDevice): Promise<void> {
    const s = this.s;
    const r = await this.busy(this.busyStep(s.loading), () => this.session!.unlinkDevice(d.muni, d.device));
    if (!r) return;
    const gone = !r.ok && (r.error as { code?: unknown })?.code === 'KZ_GW_UNKNOWN_DEVICE';
    if (!r.ok && !gone) {
      const f = classify(r.error);
      return this.fail(
        f,
        'pin',
        this.again(f, () => this.remove(d)),
      );
    }
    const self = this.isThis(d);
    if (self) this.deps.forgetMail();
    if (gone) return this.devices({ text: fmt(s.removedGone, { tv: this.tvName(d) }), tone: 'info' });
    return this.devices(
      self
        ? { text: s.removedThis, tone: 'ok', lines: [s.relinkThis] }
        : { text: fmt(s.removedOther, { tv: this.tvName(d) }), tone: 'ok' },
    );
  }
}
