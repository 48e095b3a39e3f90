/**
 * Payloads carried on the topics of topics.ts, as TypeBox schemas (JSON Schema at run time,
 * TypeScript types at compile time). docs/PROTOCOL.md is generated from the same schemas.
 * Every payload carries `v` so a TV maker can tell versions apart.
 */
import Type, { type Static, type TSchema } from 'typebox';
import Compile from 'typebox/compile';
import { HAZARDS, LANGUAGES, type Hazard, type Language } from './levels.ts';
import { ID_PATTERN } from './ids.ts';

const Id = Type.String({ pattern: ID_PATTERN.source });
const IsoTime = Type.String({ format: 'date-time' });
// Type.Unsafe keeps the JSON Schema and gives the static type: a Union over a mapped array is `never` in TypeBox 1.
export const LanguageSchema = Type.Unsafe<Language>(Type.Union(LANGUAGES.map((l) => Type.Literal(l))));
export const HazardSchema = Type.Unsafe<Hazard>(Type.Union(HAZARDS.map((h) => Type.Literal(h))));
export const StatusSchema = Type.Union([Type.Literal('Actual'), Type.Literal('Exercise'), Type.Literal('Test')]);
export const MsgTypeSchema = Type.Union([Type.Literal('Alert'), Type.Literal('Update'), Type.Literal('Cancel')]);
export const LevelSchema = Type.Union([Type.Literal(3), Type.Literal(4), Type.Literal(5)]);
/**
 * Why a Cancel ends an alert (issue 18): 'lifted' (解除) — the danger is over, the order is
 * lifted; 'sent-in-error' (取消) — the message should never have been sent. Two actions with
 * their own words on the TV and their own CAP mapping (docs/PROTOCOL.md, "Lifting and cancelling").
 */
export const END_REASONS = ['lifted', 'sent-in-error'] as const;
export type EndReason = (typeof END_REASONS)[number];
export const EndReasonSchema = Type.Unsafe<EndReason>(Type.Union(END_REASONS.map((r) => Type.Literal(r))));
export const AnswerSchema = Type.Union([
  Type.Literal('evacuating'),
  Type.Literal('safe-indoors'),
  Type.Literal('need-help'),
]);

export const ShelterRefSchema = Type.Object({
  id: Id,
  name: Type.String(),
  address: Type.String(),
  /** Name and address for non-Japanese screens (romanised or translated; issue 18), when the register has them. */
  nameLatin: Type.Optional(Type.String()),
  addressLatin: Type.Optional(Type.String()),
  /** Straight-line distance from the resident's home, metres. */
  distanceM: Type.Optional(Type.Integer({ minimum: 0 })),
  lat: Type.Optional(Type.Number()),
  lon: Type.Optional(Type.Number()),
  welfare: Type.Optional(Type.Boolean()),
});

/** One resident addressed by a personal alert; `ref` is a per-alert pseudonym, not a resident id. */
export const RecipientSchema = Type.Object({
  ref: Id,
  /**
   * Name as it is shown, in the recipient's language and script with its honorific and order
   * (「山田 花子さん」, "John Smith" from the register's name in alphabet, 「山田太郎先生」).
   */
  displayName: Type.String(),
  /** Kana reading for speech engines that cannot read kanji. */
  reading: Type.Optional(Type.String()),
  language: LanguageSchema,
  needsHelp: Type.Boolean(),
  headline: Type.String(),
  instruction: Type.String(),
  shelter: Type.Optional(ShelterRefSchema),
});

/** What a personal and an area alert share, in this order. */
const ALERT_HEAD = {
  alertId: Id,
  /** Increases with every Update/Cancel of the same alert; the TV keeps the highest. */
  revision: Type.Integer({ minimum: 1 }),
  msgType: MsgTypeSchema,
  /** On a Cancel: why the alert ended (END_REASONS). A Cancel without it is shown as 'sent-in-error'. */
  end: Type.Optional(EndReasonSchema),
  status: StatusSchema,
  level: LevelSchema,
  hazard: HazardSchema,
  sent: IsoTime,
  expires: IsoTime,
  zone: Type.Object({ id: Id, name: Type.String() }),
};

/** console → kz/{muni}/tv/{device}/alert (QoS 1, never retained). */
export const PersonalAlertSchema = Type.Object({
  v: Type.Literal(1),
  kind: Type.Literal('personal-alert'),
  ...ALERT_HEAD,
  recipients: Type.Array(RecipientSchema),
});

/** console → kz/{muni}/area/{zone}/alert (QoS 1, retained; an empty payload clears it). */
export const AreaAlertSchema = Type.Object({
  v: Type.Literal(1),
  kind: Type.Literal('area-alert'),
  ...ALERT_HEAD,
  /** Headline and instruction per language. */
  text: Type.Record(Type.String(), Type.Object({ headline: Type.String(), instruction: Type.String() })),
});

/** TV → kz/{muni}/tv/{device}/receipt (QoS 1). Idempotent per (alertId, device, ref, state). */
export const ReceiptSchema = Type.Object({
  v: Type.Literal(1),
  kind: Type.Literal('receipt'),
  alertId: Id,
  revision: Type.Integer({ minimum: 1 }),
  state: Type.Union([Type.Literal('delivered'), Type.Literal('displayed'), Type.Literal('acknowledged')]),
  /** Which recipient answered; absent for device-level states. */
  ref: Type.Optional(Id),
  answer: Type.Optional(AnswerSchema),
  at: IsoTime,
});

/** post-box → kz/{muni}/tv/{device}/mail: only that mail is waiting, never its content. */
export const MailWaitingSchema = Type.Object({
  v: Type.Literal(1),
  kind: Type.Literal('mail-waiting'),
  unread: Type.Integer({ minimum: 0 }),
  at: IsoTime,
});

/**
 * console → kz/{muni}/tv/{device}/wake (QoS 1, never retained), next to the personal alert of an
 * Alert or Update: for the box's launcher hook where no platform lets the applet wake itself
 * (issue 25). The box turns the display on (HDMI-CEC One Touch Play) and opens the applet with the
 * alert intent; the alert itself reaches the applet on its own topic. No names, no text: the hook
 * process never holds personal data. A wake past `expires` is ignored.
 */
export const WakeSchema = Type.Object({
  v: Type.Literal(1),
  kind: Type.Literal('wake'),
  alertId: Id,
  revision: Type.Integer({ minimum: 1 }),
  status: StatusSchema,
  level: LevelSchema,
  sent: IsoTime,
  expires: IsoTime,
});

export const ShelterEventTypeSchema = Type.Union([
  Type.Literal('check-in'),
  Type.Literal('check-out'),
  Type.Literal('transfer-out'),
  Type.Literal('undo'),
]);

/** terminal → kz/{muni}/shelter/{shelter}/terminal/{terminal}/event (QoS 1). */
export const ShelterEventSchema = Type.Object({
  v: Type.Literal(1),
  kind: Type.Literal('shelter-event'),
  /** Unique per event (UUID); the console stores each eventId once. */
  eventId: Type.String({ minLength: 8, maxLength: 64 }),
  /** Per-terminal sequence number: the order events were recorded in. */
  seq: Type.Integer({ minimum: 1 }),
  type: ShelterEventTypeSchema,
  at: IsoTime,
  /** The roster key the municipality gave this person for this shelter (pseudonymous). */
  rosterKey: Type.Optional(Id),
  /** Certificate serial of a card not on the roster, for the municipality to resolve. */
  certSerial: Type.Optional(Type.String({ pattern: '^[0-9a-f]{1,64}$' })),
  /** What staff typed for a person with no card or not on the roster. */
  manual: Type.Optional(
    Type.Object({
      name: Type.String({ maxLength: 100 }),
      ageGroup: Type.Optional(Type.Union([Type.Literal('child'), Type.Literal('adult'), Type.Literal('senior')])),
      household: Type.Optional(Type.String({ maxLength: 100 })),
      needsCare: Type.Optional(Type.Boolean()),
    }),
  ),
  /** For undo: the eventId being undone. For transfer-out: the destination shelter id. */
  undoes: Type.Optional(Type.String({ minLength: 8, maxLength: 64 })),
  toShelter: Type.Optional(Id),
  needsCare: Type.Optional(Type.Boolean()),
  /**
   * Check-in of a valid card not on a whole-municipality roster: an evacuee from outside the
   * municipality (域外避難者), with only what they agreed to give in `manual`.
   */
  outside: Type.Optional(Type.Boolean()),
  /** For check-out/transfer-out of someone checked in by hand (no rosterKey or certSerial): their check-in's eventId. */
  checkIn: Type.Optional(Type.String({ minLength: 8, maxLength: 64 })),
});

export type PersonalAlert = Static<typeof PersonalAlertSchema>;
export type AreaAlert = Static<typeof AreaAlertSchema>;
export type Recipient = Static<typeof RecipientSchema>;
export type ShelterRef = Static<typeof ShelterRefSchema>;
export type Receipt = Static<typeof ReceiptSchema>;
export type MailWaiting = Static<typeof MailWaitingSchema>;
export type Wake = Static<typeof WakeSchema>;
export type ShelterEvent = Static<typeof ShelterEventSchema>;
export type Answer = Static<typeof AnswerSchema>;
export type AlertStatus = Static<typeof StatusSchema>;
export type MsgType = Static<typeof MsgTypeSchema>;

export const MESSAGE_SCHEMAS = {
  'personal-alert': PersonalAlertSchema,
  'area-alert': AreaAlertSchema,
  receipt: ReceiptSchema,
  'mail-waiting': MailWaitingSchema,
  wake: WakeSchema,
  'shelter-event': ShelterEventSchema,
} as const;

export class MessageError extends Error {
  readonly code = 'KZ_MESSAGE_INVALID';
  constructor(
    readonly kind: string,
    readonly problems: string[],
  ) {
    super(`invalid ${kind} message: ${problems.join('; ')}`);
  }
}

const validators = new Map<TSchema, ReturnType<typeof Compile>>();
function validatorFor(schema: TSchema) {
  let v = validators.get(schema);
  if (!v) {
    v = Compile(schema);
    validators.set(schema, v);
  }
  return v;
}

/** Parse and validate a payload; throws MessageError naming each failed field. */
export function decodeMessage<S extends TSchema>(schema: S, payload: Uint8Array | string, kind = 'message'): Static<S> {
  let value: unknown;
  try {
    value = JSON.parse(typeof payload === 'string' ? payload : new TextDecoder().decode(payload));
  } catch {
    throw new MessageError(kind, ['payload is not JSON']);
  }
  const v = validatorFor(schema);
  if (!v.Check(value)) {
    const problems = v
      .Errors(value)
      .slice(0, 5)
      .map((e) => `${e.instancePath || '/'} ${e.message}`);
    throw new MessageError(kind, problems);
  }
  return value as Static<S>;
}

export function encodeMessage(value: unknown): string {
  return JSON.stringify(value);
}
