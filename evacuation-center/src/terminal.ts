/**
 * What shelter staff do at the door, as operations on the local store: tap, check in (person,
 * household, unknown card, by hand), check out, transfer, undo, and the occupancy they see.
 * Every operation is recorded locally first; the MQTT link sends it when it can.
 */
import { randomBytes } from 'node:crypto';
import { isSafeId, type RosterPerson, type ShelterEvent } from '@kizuna/contract';
import type { Logger } from '@kizuna/core';
import { shelterErrors } from './errors.ts';
import type { RosterSource } from './roster.ts';
import type { EventDraft, Occupancy, TerminalStore } from './store.ts';
import { cardError, normaliseSerial, type CardVerifier } from './verifier.ts';

export interface ManualEntry {
  name: string;
  ageGroup?: 'child' | 'adult' | 'senior' | undefined;
  household?: string | undefined;
  needsCare?: boolean | undefined;
}

export interface PersonView {
  rosterKey: string;
  displayName: string;
  reading?: string | undefined;
  ageGroup?: string | undefined;
  needsCare: boolean;
  needs: string[];
  present: boolean;
}

export type TapResult =
  | { tap: string; status: 'roster'; person: PersonView; household: PersonView[]; expiresAt: string }
  | {
      tap: string;
      status: 'unknown-card';
      serialHint: string;
      present: boolean;
      expiresAt: string;
      /** The roster holds every resident: this valid card is from outside the municipality (域外避難者). */
      outside: boolean;
    };

export interface OccupancyView extends Occupancy {
  capacity: number | null;
  warnAt: number | null;
  level: 'ok' | 'warn' | 'full';
}

export interface ActionResult {
  events: { eventId: string; seq: number; type: ShelterEvent['type'] }[];
  skipped: string[];
  occupancy: OccupancyView;
}

export interface PresentView {
  personKey: string;
  kind: 'roster' | 'card' | 'manual';
  displayName: string | null;
  household: string | null;
  ageGroup: string | null;
  needsCare: boolean;
  /** Checked in as an evacuee from outside the municipality (域外避難者). */
  outside: boolean;
  since: string;
  checkInEvent: string | null;
}

interface Tap {
  serial: string;
  rosterKey: string | null;
  expires: number;
}

export interface TerminalOptions {
  store: TerminalStore;
  roster: RosterSource;
  logger: Logger;
  verifier?: CardVerifier | undefined;
  clock?: () => Date;
  warnRatio?: number;
  /** Capacity until a roster says otherwise. */
  capacity?: number | undefined;
  /** Called after local events are committed (the link sends them). */
  onRecorded?: (events: ShelterEvent[]) => void;
  tapTtlMs?: number;
}

export class ShelterTerminal {
  private readonly taps = new Map<string, Tap>();
  private readonly clock: () => Date;

  constructor(private readonly opts: TerminalOptions) {
    this.clock = opts.clock ?? (() => new Date());
  }

  get store(): TerminalStore {
    return this.opts.store;
  }

  /** A card was read: verify it (revocation included) and find the person on the roster. */
  async tap(der: Uint8Array): Promise<TapResult> {
    if (der.length < 16 || der[0] !== 0x30) throw shelterErrors.KZ_SHELTER_CARD_UNREADABLE('not a DER certificate');
    if (!this.opts.verifier)
      throw shelterErrors.KZ_SHELTER_CARD_STATUS_UNKNOWN('no certificate verifier is configured');
    let check;
    try {
      check = await this.opts.verifier(der);
    } catch (e) {
      this.opts.logger.warn({ code: 'KZ_SHELTER_CARD_STATUS_UNKNOWN', err: (e as Error).message }, 'verifier failed');
      throw shelterErrors.KZ_SHELTER_CARD_STATUS_UNKNOWN('the verifier failed');
    }
    if (!check.ok) {
      const err = cardError(check.reason);
      this.opts.logger.info({ code: err.code, reason: check.reason }, 'card refused');
      throw err;
    }
    const serial = normaliseSerial(check.serial);
    const person = await this.opts.roster.current?.byCertSerial(serial);
    const tap = this.newTap({ serial, rosterKey: person?.rosterKey ?? null });
    const expiresAt = new Date(this.taps.get(tap)!.expires).toISOString();
    if (!person) {
      const present = (await this.store.presence([`c:${serial}`])).get(`c:${serial}`)?.present ?? false;
      const outside = this.opts.roster.current?.wholeMunicipality ?? false;
      return { tap, status: 'unknown-card', serialHint: serial.slice(-4), present, expiresAt, outside };
    }
    const members = this.opts.roster.current!.household(person.household);
    const presence = await this.store.presence(members.map((m) => `r:${m.rosterKey}`));
    const view = (p: RosterPerson): PersonView => ({
      rosterKey: p.rosterKey,
      displayName: p.displayName,
      reading: p.reading,
      ageGroup: p.ageGroup,
      needsCare: p.needsCare,
      needs: p.needs,
      present: presence.get(`r:${p.rosterKey}`)?.present ?? false,
    });
    return {
      tap,
      status: 'roster',
      person: view(person),
      expiresAt,
      household: members.filter((m) => m.rosterKey !== person.rosterKey).map(view),
    };
  }

  /**
   * Check in: after a tap (the person and any of their household, or an unknown card with what
   * staff typed), or by hand with no card. Refuses past capacity unless `override`.
   */
  async checkIn(req: {
    tap?: string;
    rosterKeys?: string[];
    manual?: ManualEntry;
    override?: boolean;
  }): Promise<ActionResult> {
    const tap = req.tap ? this.takeTap(req.tap) : null;
    const manual = req.manual ? cleanManual(req.manual) : undefined;
    let drafts: (EventDraft & { key: string | null })[];
    if (tap?.rosterKey) {
      const roster = this.opts.roster.current!;
      const tapped = roster.person(tap.rosterKey)!;
      const keys = req.rosterKeys?.length ? [...new Set(req.rosterKeys)] : [tapped.rosterKey];
      drafts = keys.map((k) => {
        const p = roster.person(k);
        if (!p) throw shelterErrors.KZ_SHELTER_UNKNOWN_PERSON(k);
        if (p.household !== tapped.household) throw shelterErrors.KZ_SHELTER_NOT_IN_HOUSEHOLD(k);
        return { type: 'check-in', rosterKey: k, needsCare: p.needsCare, key: `r:${k}` };
      });
    } else if (tap) {
      if (req.rosterKeys?.length)
        throw shelterErrors.KZ_SHELTER_BAD_REQUEST('this card is not on the roster; it has no household to add');
      // a valid card not on a whole-municipality roster: an evacuee from outside (域外避難者)
      const outside = this.opts.roster.current?.wholeMunicipality ?? false;
      drafts = [
        {
          type: 'check-in',
          certSerial: tap.serial,
          manual,
          needsCare: manual?.needsCare ?? false,
          ...(outside ? { outside: true } : {}),
          key: `c:${tap.serial}`,
        },
      ];
    } else {
      if (!manual) throw shelterErrors.KZ_SHELTER_BAD_REQUEST('give a card tap or a name typed by staff');
      if (req.rosterKeys?.length)
        throw shelterErrors.KZ_SHELTER_BAD_REQUEST('roster people are checked in with their card tap');
      drafts = [{ type: 'check-in', manual, needsCare: manual.needsCare ?? false, key: null }];
    }
    const { events, result } = await this.store.record(async (q) => {
      const presence = await this.store.presence(
        drafts.flatMap((d) => (d.key ? [d.key] : [])),
        q,
      );
      const skipped = drafts.filter((d) => d.key && presence.get(d.key)?.present).map((d) => d.key!);
      const todo = drafts.filter((d) => !d.key || !skipped.includes(d.key));
      if (todo.length === 0) {
        throw shelterErrors.KZ_SHELTER_ALREADY_CHECKED_IN(undefined, { since: presence.get(skipped[0]!)?.since });
      }
      const occ = await this.store.occupancy(q);
      const capacity = this.capacity();
      if (capacity !== null && occ.present + todo.length > capacity && !req.override) {
        throw shelterErrors.KZ_SHELTER_FULL(`${occ.present} of ${capacity} places taken`, {
          present: occ.present,
          capacity,
          adding: todo.length,
        });
      }
      return { drafts: todo.map(({ key: _k, ...d }) => d), result: skipped };
    });
    if (tap) this.taps.delete(req.tap!);
    return this.done(events, result);
  }

  /** Check out (left the shelter) or transfer to another shelter. */
  async checkOut(req: { personKeys: string[]; toShelter?: string }): Promise<ActionResult> {
    if (req.toShelter !== undefined && (!isSafeId(req.toShelter) || req.toShelter === this.store.ids.shelter)) {
      throw shelterErrors.KZ_SHELTER_BAD_REQUEST("toShelter must be another shelter's id");
    }
    const keys = [...new Set(req.personKeys)];
    if (keys.length === 0) throw shelterErrors.KZ_SHELTER_BAD_REQUEST('choose who leaves');
    const { events } = await this.store.record(async (q) => {
      const presence = await this.store.presence(keys, q);
      const drafts: EventDraft[] = keys.map((k) => {
        const p = presence.get(k);
        if (!p?.present) throw shelterErrors.KZ_SHELTER_NOT_PRESENT(k);
        const type = req.toShelter ? 'transfer-out' : 'check-out';
        const ref = k.slice(2);
        const who = k.startsWith('r:')
          ? { rosterKey: ref }
          : k.startsWith('c:')
            ? { certSerial: ref }
            : { checkIn: ref };
        return { type, ...who, needsCare: p.needsCare, ...(req.toShelter ? { toShelter: req.toShelter } : {}) };
      });
      return { drafts, result: null };
    });
    return this.done(events, []);
  }

  /** Undo this terminal's own events (staff pressed Undo after a mistaken confirmation). */
  async undo(eventIds: string[]): Promise<ActionResult> {
    const ids = [...new Set(eventIds)];
    if (ids.length === 0) throw shelterErrors.KZ_SHELTER_BAD_REQUEST('nothing to undo');
    const { events } = await this.store.record(async (q) => {
      const drafts: EventDraft[] = [];
      for (const id of ids) {
        const found = await this.store.event(id, q);
        if (!found) throw shelterErrors.KZ_SHELTER_UNDO_REFUSED(`no event ${id}`);
        if (found.terminal !== this.store.ids.terminal)
          throw shelterErrors.KZ_SHELTER_UNDO_REFUSED('it was recorded at another terminal');
        if (found.event.type === 'undo')
          throw shelterErrors.KZ_SHELTER_UNDO_REFUSED('an undo cannot be undone; record the action again');
        if (found.undone) throw shelterErrors.KZ_SHELTER_UNDO_REFUSED('already undone');
        drafts.push({ type: 'undo', undoes: id });
      }
      return { drafts, result: null };
    });
    return this.done(events, []);
  }

  capacity(): number | null {
    return this.opts.roster.current?.roster.capacity ?? this.opts.capacity ?? null;
  }

  async occupancy(): Promise<OccupancyView> {
    const occ = await this.store.occupancy();
    const capacity = this.capacity();
    const warnAt = capacity === null ? null : Math.floor(capacity * (this.opts.warnRatio ?? 0.9));
    const level = capacity === null ? 'ok' : occ.present >= capacity ? 'full' : occ.present >= warnAt! ? 'warn' : 'ok';
    return { ...occ, capacity, warnAt, level };
  }

  async present(): Promise<PresentView[]> {
    const roster = this.opts.roster.current;
    return (await this.store.presentPeople()).map((p) => {
      const kind = p.personKey.startsWith('r:') ? 'roster' : p.personKey.startsWith('c:') ? 'card' : 'manual';
      const person = kind === 'roster' ? roster?.person(p.personKey.slice(2)) : undefined;
      const manual = p.checkIn?.manual;
      return {
        personKey: p.personKey,
        kind,
        since: p.since,
        needsCare: p.needsCare,
        outside: p.checkIn?.outside === true,
        checkInEvent: p.checkInEvent,
        displayName: person?.displayName ?? manual?.name ?? null,
        household: person?.household ?? manual?.household ?? null,
        ageGroup: person?.ageGroup ?? manual?.ageGroup ?? null,
      };
    });
  }

  private async done(events: ShelterEvent[], skipped: string[]): Promise<ActionResult> {
    if (events.length) this.opts.onRecorded?.(events);
    this.opts.logger.info({ events: events.map((e) => ({ type: e.type, seq: e.seq })) }, 'recorded');
    return {
      events: events.map((e) => ({ eventId: e.eventId, seq: e.seq, type: e.type })),
      skipped,
      occupancy: await this.occupancy(),
    };
  }

  private newTap(t: Omit<Tap, 'expires'>): string {
    const now = this.clock().getTime();
    for (const [k, v] of this.taps) if (v.expires <= now) this.taps.delete(k);
    const id = randomBytes(16).toString('hex');
    this.taps.set(id, { ...t, expires: now + (this.opts.tapTtlMs ?? 5 * 60_000) });
    return id;
  }

  private takeTap(id: string): Tap {
    const t = this.taps.get(id);
    if (!t || t.expires <= this.clock().getTime()) {
      this.taps.delete(id);
      throw shelterErrors.KZ_SHELTER_TAP_EXPIRED();
    }
    if (t.rosterKey && !this.opts.roster.current?.person(t.rosterKey))
      throw shelterErrors.KZ_SHELTER_TAP_EXPIRED('the roster changed; tap again');
    return t;
  }
}

function cleanManual(m: ManualEntry): NonNullable<ShelterEvent['manual']> {
  const name = m.name.normalize('NFC').trim().replace(/\s+/g, ' ');
  if (!name) throw shelterErrors.KZ_SHELTER_BAD_REQUEST('name is empty');
  const household = m.household?.normalize('NFC').trim();
  return {
    name,
    ...(m.ageGroup ? { ageGroup: m.ageGroup } : {}),
    ...(household ? { household } : {}),
    ...(m.needsCare !== undefined ? { needsCare: m.needsCare } : {}),
  };
}
