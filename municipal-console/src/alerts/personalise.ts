/**
 * Turning a resolved target into the messages TVs receive: one PersonalAlert per TV naming
 * every resident bound to it (each in their own language, with their own shelter), and one
 * AreaAlert per zone for TVs with nobody bound (area-message.ts; a Cancel: cancel-message.ts).
 * Pure functions: the preview uses the same code.
 */
import { randomBytes } from 'node:crypto';
import {
  encodeMessage,
  type ShelterRef,
  type Language,
  type MsgType,
  type EndReason,
  type PersonalAlert,
  type Recipient,
  type AlertStatus,
  type EvacuationLevel,
  type Hazard,
} from '@kizuna/contract';
import type { AlertSpec } from './alert-spec.ts';
import { type ShelterPool, shelterRef } from '../shelters/shelter-pool.ts';
import type { Candidate } from './targeting.ts';
import { displayName, headlineFor, instructionFor, render, type Advice } from './templates.ts';
import { zoneCentre, type Zone } from '../register/zones.ts';
import { PayloadWriter } from './packed-fields.ts';

export interface AlertHead {
  alertId: string;
  revision: number;
  msgType: MsgType;
  /** On a Cancel: lifted or sent in error (contract END_REASONS). */
  end?: EndReason | undefined;
  status: AlertStatus;
  level: EvacuationLevel;
  hazard: Hazard;
  sent: string;
  expires: string;
}

export interface RecipientRow {
  residentId: string;
  ref: string;
  deviceId: string;
  zoneId: string;
  needsHelp: boolean;
  leaveNow: boolean;
  language: Language;
  shelterId: string | null;
}

export function adviceFor(
  level: EvacuationLevel,
  c: { needsHelp: boolean; elderly: boolean },
  template?: AlertSpec['template'],
): Advice {
  if (level === 5 || template === 'stay-upstairs') return 'secure-safety';
  if (level === 3 && !c.needsHelp && !c.elderly) return 'get-ready';
  return 'leave-now';
}

/**
 * A fresh per-alert pseudonym: 72 random bits, base64url. Drawn from a pooled buffer: one
 * randomBytes() call per resident cost about 90 ms per 10,000 residents (a synchronous job each),
 * ahead of the first message of a fan-out.
 */
export function newRef(): string {
  if (refPoolAt + REF_BYTES > refPool.length) {
    refPool = randomBytes(REF_BYTES * 4096);
    refPoolAt = 0;
  }
  const ref = refPool.toString('base64url', refPoolAt, refPoolAt + REF_BYTES);
  // a drawn ref's bytes are not kept in the pool
  refPool.fill(0, refPoolAt, refPoolAt + REF_BYTES);
  refPoolAt += REF_BYTES;
  return ref;
}
const REF_BYTES = 9;
let refPool = Buffer.alloc(0);
let refPoolAt = 0;

const priority = (c: Candidate) => (c.needsHelp ? 0 : c.elderly ? 1 : 2);

export interface Personalised {
  perDevice: Map<string, PersonalAlert>;
  recipients: RecipientRow[];
}

/**
 * An alert's recipients decided (who, in which order, with which ref, advice and shelter) but not
 * yet rendered: a fan-out renders each chunk's messages as it goes, so the first TVs get theirs
 * before the whole city's texts are made (rendering and their objects were most of the 40–80 ms
 * per 10,000 residents that used to come before the first message).
 */
export interface AlertPlan {
  /** TVs in send order: a TV comes where its first resident does (those who need help first, then the elderly). */
  devices: string[];
  /** One row per resident, in the same order. */
  recipients: RecipientRow[];
  /** The TV's message naming every resident bound to it; undefined for a TV not in the plan. */
  message(deviceId: string): PersonalAlert | undefined;
  /**
   * These TVs' messages as UTF-8 JSON, each exactly encodeMessage(message(deviceId)), written into
   * one buffer with U+001E between them (PayloadWriter) from parts kept for the
   * whole alert: the head per zone, the instruction per language, advice, shelter and distance,
   * the shelter per distance. Made whole from objects (every TV's head and instruction again, then
   * encoded), they were about half of a fan-out's time in the console. Throws for a TV not in the plan.
   */
  encode(deviceIds: readonly string[]): EncodedChunk;
}

/** A chunk's messages: each TV's zone, and its payload (a view of the chunk's one buffer). */
export interface EncodedChunk {
  zoneIds: string[];
  payloads: Buffer[];
}

const CLOSE_BRACE = 0x7d;
const END_OF_MESSAGE = Buffer.from(']}', 'utf8');

interface Entry {
  c: Candidate;
  advice: Advice;
  ref: string;
  shelter: ShelterRef | undefined;
}

export function planAlert(
  head: AlertHead,
  spec: AlertSpec,
  candidates: Candidate[],
  pool: ShelterPool,
  zones: Map<string, Zone>,
  previous: Map<string, { ref: string; shelterId: string | null }>,
): AlertPlan {
  // those who need help choose first, so welfare places and near shelters go to them
  const ordered = [...candidates].sort((a, b) => priority(a) - priority(b) || a.residentId.localeCompare(b.residentId));
  const byDevice = new Map<string, Entry[]>();
  const recipients: RecipientRow[] = [];
  // one row per resident, looked up by id: a linear find here made a 50,000-TV alert quadratic
  const byResident = new Map<string, RecipientRow>();
  for (const c of ordered) {
    // a resident bound to two TVs gets the message on both, with one ref and one shelter
    const prev = previous.get(c.residentId);
    const earlier = byResident.get(c.residentId);
    const advice = adviceFor(head.level, c, spec.template);
    const home = c.lat !== null && c.lon !== null ? { lat: c.lat, lon: c.lon } : zoneCentre(zones.get(c.zoneId));
    let shelter = undefined as ReturnType<ShelterPool['choose']>;
    if (advice !== 'secure-safety') {
      const already = earlier?.shelterId;
      shelter = already
        ? pool.peek(already)
        : ((prev?.shelterId ? pool.keep(prev.shelterId) : undefined) ?? pool.choose(home, c.needsHelp));
    }
    const ref = prev?.ref ?? earlier?.ref ?? newRef();
    const entry: Entry = { c, advice, ref, shelter: shelter ? shelterRef(shelter, home) : undefined };
    const list = byDevice.get(c.deviceId);
    if (list) list.push(entry);
    else byDevice.set(c.deviceId, [entry]);
    if (!earlier) {
      const row: RecipientRow = {
        residentId: c.residentId,
        ref,
        deviceId: c.deviceId,
        zoneId: c.zoneId,
        needsHelp: c.needsHelp,
        leaveNow: advice !== 'get-ready',
        language: c.language,
        shelterId: shelter?.id ?? null,
      };
      recipients.push(row);
      byResident.set(c.residentId, row);
    }
  }
  // A household's TV asks its residents in the register's order (the same for every alert), not
  // in the order of their pseudonymous refs, which differs from one alert to the next.
  const household = (entries: Entry[]) =>
    entries.length > 1 ? [...entries].sort((a, b) => a.c.residentId.localeCompare(b.c.residentId)) : entries;
  const zoneOf = (c: Candidate) => ({ id: c.deviceZoneId, name: zones.get(c.deviceZoneId)?.name ?? c.deviceZoneId });
  // the message's members before recipients (recipients is the last member: encode relies on it)
  const headOf = (zone: { id: string; name: string }) => ({
    v: 1 as const,
    kind: 'personal-alert' as const,
    alertId: head.alertId,
    revision: head.revision,
    msgType: head.msgType,
    status: head.status,
    level: head.level,
    hazard: head.hazard,
    sent: head.sent,
    expires: head.expires,
    zone,
  });
  const renderOf = (c: Candidate, advice: Advice) => ({
    language: c.language,
    level: head.level,
    hazard: head.hazard,
    status: head.status,
    msgType: head.msgType,
    advice,
  });
  const message = (deviceId: string): PersonalAlert | undefined => {
    const entries = byDevice.get(deviceId);
    if (!entries) return undefined;
    const sorted = household(entries);
    return {
      ...headOf(zoneOf(sorted[0]!.c)),
      recipients: sorted.map(({ c, advice, ref, shelter }): Recipient => {
        const text = render({ ...renderOf(c, advice), who: { person: c }, shelter, extra: spec.extra?.[c.language] });
        return {
          ref,
          displayName: displayName(c.language, c),
          reading: `${c.familyKana} ${c.givenKana}`,
          language: c.language,
          needsHelp: c.needsHelp,
          headline: text.headline,
          instruction: text.instruction,
          ...(shelter ? { shelter } : {}),
        };
      }),
    };
  };

  // the UTF-8 JSON of the parts every TV in a zone, or every resident given the same shelter, shares
  const heads = new Map<string, Buffer>();
  const instructions = new Map<string, Buffer>();
  const shelterJson = new Map<string, Buffer>();
  const q = JSON.stringify;
  let perTv = 1024;
  const encode = (deviceIds: readonly string[]): EncodedChunk => {
    const w = new PayloadWriter(Math.ceil(deviceIds.length * perTv * 1.25));
    const zoneIds: string[] = [];
    for (const d of deviceIds) {
      const entries = byDevice.get(d);
      if (!entries) throw new Error(`device ${d} is not in this alert's plan`);
      w.begin();
      // a Cancel's headline is worded otherwise (render); cancels are made by cancelFor, not planned
      if (head.msgType === 'Cancel') {
        w.str(encodeMessage(message(d)!));
        w.end();
        zoneIds.push(entries[0]!.c.deviceZoneId);
        continue;
      }
      const sorted = household(entries);
      const zone = zoneOf(sorted[0]!.c);
      let h = heads.get(zone.id);
      if (!h) {
        const empty = encodeMessage({ ...headOf(zone), recipients: [] } satisfies PersonalAlert);
        // the text up to recipients' opening bracket
        h = Buffer.from(empty.slice(0, -2), 'utf8');
        heads.set(zone.id, h);
      }
      w.bytes(h);
      for (let k = 0; k < sorted.length; k++) {
        const { c, advice, ref, shelter } = sorted[k]!;
        const where = shelter ? `${shelter.id}\u0000${shelter.distanceM ?? ''}` : '';
        const ik = `${c.language}\u0000${advice}\u0000${where}`;
        let instruction = instructions.get(ik);
        if (!instruction) {
          instruction = Buffer.from(
            q(instructionFor({ ...renderOf(c, advice), shelter, extra: spec.extra?.[c.language] })),
            'utf8',
          );
          instructions.set(ik, instruction);
        }
        const who = displayName(c.language, c);
        // the members in the order message() writes them (Recipient)
        w.str(
          `${k > 0 ? ',' : ''}{"ref":${q(ref)},"displayName":${q(who)},"reading":${q(`${c.familyKana} ${c.givenKana}`)},"language":${q(c.language)},` +
            `"needsHelp":${c.needsHelp},"headline":${q(headlineFor(renderOf(c, advice), who))},"instruction":`,
        );
        w.bytes(instruction);
        if (shelter) {
          let sj = shelterJson.get(where);
          if (!sj) {
            sj = Buffer.from(`,"shelter":${q(shelter)}`, 'utf8');
            shelterJson.set(where, sj);
          }
          w.bytes(sj);
        }
        w.byte(CLOSE_BRACE);
      }
      w.bytes(END_OF_MESSAGE);
      w.end();
      zoneIds.push(zone.id);
    }
    // the next chunk's buffer is sized from this one's
    if (deviceIds.length > 0) perTv = Math.max(64, Math.ceil(w.size / deviceIds.length));
    return { zoneIds, payloads: w.payloads() };
  };
  return { devices: [...byDevice.keys()], recipients, message, encode };
}

/** Every TV's message rendered at once (the preview, and tests). */
export function personalise(
  head: AlertHead,
  spec: AlertSpec,
  candidates: Candidate[],
  pool: ShelterPool,
  zones: Map<string, Zone>,
  previous: Map<string, { ref: string; shelterId: string | null }>,
): Personalised {
  const plan = planAlert(head, spec, candidates, pool, zones, previous);
  return { perDevice: new Map(plan.devices.map((d) => [d, plan.message(d)!])), recipients: plan.recipients };
}
