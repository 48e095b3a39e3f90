/**
 * The shelter roster: what the municipality gives one shelter's terminals so staff can greet
 * arrivals by name (issue 7). Only what staff need — display name, household, care needs —
 * under pseudonymous keys issued for this roster; no My Number, no address, no birth date.
 *
 * A card is matched without sending its certificate serial in the clear: the console lists
 * `cardKeys = hex(SHA-256(cardKeySalt ‖ ":" ‖ serialHex))` for each person's user-authentication
 * certificate(s) (a renewed card may add one), with a salt per roster, so two shelters' rosters
 * cannot be joined on a card. The terminal hashes the serial of a tapped (verified) card the
 * same way (`rosterCardKey`).
 *
 * Since issue 19 the roster holds every resident of the municipality (scope 'municipality'), so
 * any resident's card checks in at any shelter, offline included, and a valid card that is not on
 * it is an outside evacuee (域外避難者). `assigned` marks those this shelter serves or was sent.
 *
 *   GET {console}/api/shelters/{shelter}/roster      console → terminal (HTTP, JSON, gzip if asked)
 *     Authorization: Basic base64(terminalUsername:password) — the terminal's broker credentials
 *     If-None-Match: "<version>"  → 304 when unchanged
 *   GET {console}/api/shelters/{shelter}/roster/changes?since=<version>   (ShelterRosterDelta)
 *     only the people changed or removed since that version; `reset: true` when the console no
 *     longer knows it (the upserts are then the whole roster); 304 when it is the current one
 */
import Type, { type Static } from 'typebox';
import { ID_PATTERN, isSafeId } from './ids.ts';
import { ShelterEventSchema } from './messages.ts';

const Id = Type.String({ pattern: ID_PATTERN.source });

/** Care needs staff must know about at the door; any of them counts the person as needing care. */
export const CARE_NEEDS = [
  'mobility',
  'medical',
  'hearing',
  'sight',
  'language',
  'infant',
  'pregnancy',
  'dementia',
  'allergy',
] as const;
export type CareNeed = (typeof CARE_NEEDS)[number];
// Spelled out: a mapped union of nine literals has the static type `never` in TypeBox.
export const CareNeedSchema = Type.Union([
  Type.Literal('mobility'),
  Type.Literal('medical'),
  Type.Literal('hearing'),
  Type.Literal('sight'),
  Type.Literal('language'),
  Type.Literal('infant'),
  Type.Literal('pregnancy'),
  Type.Literal('dementia'),
  Type.Literal('allergy'),
]);

export const AgeGroupSchema = Type.Union([Type.Literal('child'), Type.Literal('adult'), Type.Literal('senior')]);

export const RosterPersonSchema = Type.Object({
  /** Pseudonym for this person on this shelter's roster; goes into ShelterEvent.rosterKey. */
  rosterKey: Id,
  /** Name as staff see it (family name first for Japanese names). */
  displayName: Type.String({ minLength: 1, maxLength: 100 }),
  /** Kana reading, to confirm names read aloud. */
  reading: Type.Optional(Type.String({ maxLength: 100 })),
  /** Household pseudonym (same roster): members can be checked in together. */
  household: Id,
  ageGroup: Type.Optional(AgeGroupSchema),
  /** Needs help (避難行動要支援者): counted separately at the shelter. */
  needsCare: Type.Boolean(),
  needs: Type.Array(CareNeedSchema, { maxItems: CARE_NEEDS.length }),
  /** SHA-256 keys of the person's user-authentication certificate serials (see above). */
  cardKeys: Type.Array(Type.String({ pattern: '^[0-9a-f]{64}$' }), { maxItems: 4 }),
  /** This shelter serves the person's zone, or an active alert sent them here (absent: neither). */
  assigned: Type.Optional(Type.Literal(true)),
});

/** An event the console already holds for this shelter, so a new or reset terminal can agree on the count. */
export const RosterEventSchema = Type.Object({
  terminal: Id,
  event: ShelterEventSchema,
});

export const ShelterRosterSchema = Type.Object({
  v: Type.Literal(1),
  kind: Type.Literal('shelter-roster'),
  muni: Id,
  shelter: Id,
  /** Changes whenever the content changes; sent back as If-None-Match. */
  version: Type.String({ minLength: 1, maxLength: 64, pattern: '^[\\w.-]+$' }),
  generatedAt: Type.String({ format: 'date-time' }),
  shelterName: Type.String({ maxLength: 200 }),
  /** People the shelter can hold. */
  capacity: Type.Integer({ minimum: 0 }),
  welfare: Type.Optional(Type.Boolean()),
  /** Hex salt (16–64 bytes) for cardKeys. */
  cardKeySalt: Type.String({ pattern: '^[0-9a-f]{32,128}$' }),
  /** 'municipality': every resident is on it, so a valid card not on it is from outside. */
  scope: Type.Optional(Type.Literal('municipality')),
  people: Type.Array(RosterPersonSchema),
  /** Optional: the shelter's events the console has stored (idempotent by eventId on the terminal). */
  events: Type.Optional(Type.Array(RosterEventSchema)),
});

/** What changed on a shelter's roster since a version the terminal holds (incremental sync). */
export const ShelterRosterDeltaSchema = Type.Object({
  v: Type.Literal(1),
  kind: Type.Literal('shelter-roster-delta'),
  muni: Id,
  shelter: Id,
  /** The version the changes start from (the terminal's). */
  since: Type.String({ minLength: 1, maxLength: 64, pattern: '^[\\w.-]+$' }),
  /** The version the terminal holds once it applied them (what a full fetch would give). */
  version: Type.String({ minLength: 1, maxLength: 64, pattern: '^[\\w.-]+$' }),
  generatedAt: Type.String({ format: 'date-time' }),
  /** The console no longer knows `since`: drop every person held and take `upsert` as the whole list. */
  reset: Type.Boolean(),
  shelterName: Type.String({ maxLength: 200 }),
  capacity: Type.Integer({ minimum: 0 }),
  welfare: Type.Optional(Type.Boolean()),
  cardKeySalt: Type.String({ pattern: '^[0-9a-f]{32,128}$' }),
  scope: Type.Optional(Type.Literal('municipality')),
  /** People new or changed since `since` (replace by rosterKey). */
  upsert: Type.Array(RosterPersonSchema),
  /** rosterKeys no longer on the roster. */
  remove: Type.Array(Id),
  events: Type.Optional(Type.Array(RosterEventSchema)),
});

export type RosterPerson = Static<typeof RosterPersonSchema>;
export type ShelterRoster = Static<typeof ShelterRosterSchema>;
export type RosterEvent = Static<typeof RosterEventSchema>;
export type ShelterRosterDelta = Static<typeof ShelterRosterDeltaSchema>;
export type AgeGroup = Static<typeof AgeGroupSchema>;

/** The HTTP path of a shelter's roster on the console. */
export function rosterPath(shelter: string): string {
  if (!isSafeId(shelter)) throw new TypeError(`shelter is not a safe id: ${JSON.stringify(shelter)}`);
  return `/api/shelters/${shelter}/roster`;
}

/** The HTTP path of a shelter's roster changes since a version (ShelterRosterDelta). */
export function rosterChangesPath(shelter: string, since: string): string {
  return `${rosterPath(shelter)}/changes?since=${encodeURIComponent(since)}`;
}

/**
 * Apply a delta to the roster it starts from: the roster a full fetch would have given
 * (people kept in rosterKey order). Throws TypeError when the delta does not start there.
 */
export function applyRosterDelta(base: ShelterRoster, d: ShelterRosterDelta): ShelterRoster {
  if (!d.reset && d.since !== base.version)
    throw new TypeError(`the changes start from ${d.since}, the roster held is ${base.version}`);
  const people = new Map<string, RosterPerson>();
  if (!d.reset) for (const p of base.people) people.set(p.rosterKey, p);
  for (const k of d.remove) people.delete(k);
  for (const p of d.upsert) people.set(p.rosterKey, p);
  const { events: _e, ...rest } = base;
  return {
    ...rest,
    muni: d.muni,
    shelter: d.shelter,
    version: d.version,
    generatedAt: d.generatedAt,
    shelterName: d.shelterName,
    capacity: d.capacity,
    ...(d.welfare !== undefined ? { welfare: d.welfare } : {}),
    cardKeySalt: d.cardKeySalt,
    ...(d.scope ? { scope: d.scope } : {}),
    people: [...people.values()].sort((a, b) => (a.rosterKey < b.rosterKey ? -1 : a.rosterKey > b.rosterKey ? 1 : 0)),
  };
}

/**
 * cardKey of a certificate serial (lower-case hex as the verifier reports it) under a roster's
 * salt. WebCrypto, so browser bundles that import the contract need no Node built-ins.
 */
export async function rosterCardKey(cardKeySalt: string, serialHex: string): Promise<string> {
  const digest = await globalThis.crypto.subtle.digest(
    'SHA-256',
    new TextEncoder().encode(`${cardKeySalt}:${serialHex.toLowerCase()}`),
  );
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}
