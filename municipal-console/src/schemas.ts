/** Request and response schemas of the console API (TypeBox → JSON Schema → validation and OpenAPI). */
import Type from 'typebox';
import {
  HazardSchema,
  LevelSchema,
  StatusSchema,
  MsgTypeSchema,
  EndReasonSchema,
  AnswerSchema,
  PersonalAlertSchema,
  AreaAlertSchema,
  LANGUAGES,
} from '@kizuna/contract';
import { LIMITS } from './limits.ts';

export const Id = Type.String({ pattern: '^[A-Za-z0-9_-]{1,64}$' });
export const Time = Type.String({ format: 'date-time' });
export const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);
// Typed as geo.ts's LonLat pair; the schema (what is accepted) is unchanged: a third number (altitude) still passes.
export const LonLat = Type.Unsafe<[number, number]>(
  Type.Array(Type.Number(), { minItems: 2, maxItems: 3, description: '[lon, lat]' }),
);
export const Loose = (description: string) => Type.Object({}, { additionalProperties: true, description });

export const ErrorReply = Type.Object(
  {
    code: Type.String({ description: 'stable error code, e.g. KZ_CONSOLE_APPROVAL_REQUIRED' }),
    message: Type.String(),
    field: Type.Optional(Type.String()),
    details: Type.Optional(Type.Object({}, { additionalProperties: true })),
    requestId: Type.Optional(Type.String()),
  },
  { $id: 'ErrorReply' },
);
export const errors = (...codes: number[]) => Object.fromEntries(codes.map((c) => [c, ErrorReply]));

export const AlertStateSchema = Type.Union([
  Type.Literal('draft'),
  Type.Literal('pending-approval'),
  Type.Literal('active'),
  Type.Literal('lifted'),
  Type.Literal('cancelled'),
  Type.Literal('expired'),
]);
export const RoleSchema = Type.Union([
  Type.Literal('viewer'),
  Type.Literal('issuer'),
  Type.Literal('approver'),
  Type.Literal('admin'),
]);
export const LoginBody = Type.Object(
  {
    username: Type.String({ minLength: 1, maxLength: 64 }),
    password: Type.String({ minLength: 1, maxLength: 256 }),
  },
  { additionalProperties: false },
);
export const StaffView = Type.Object({
  username: Type.String(),
  roles: Type.Array(RoleSchema),
  displayName: Nullable(Type.String()),
});
export const SessionReply = Type.Object({
  token: Type.String({ description: 'bearer token; also set as the httpOnly cookie kz_console_session' }),
  expiresAt: Time,
  staff: StaffView,
});
export const CreateStaffBody = Type.Object(
  {
    username: Type.String({ minLength: 1, maxLength: LIMITS.usernameLength }),
    password: Type.String({ minLength: 10 }),
    roles: Type.Array(RoleSchema, { minItems: 1, maxItems: 4 }),
    displayName: Type.Optional(Type.String({ maxLength: LIMITS.nameLength })),
  },
  { additionalProperties: false },
);

/** Staff's extra text per language: only the TV languages, each at most 500 characters. */
const ExtraText = Type.Object(
  Object.fromEntries(LANGUAGES.map((l) => [l, Type.Optional(Type.String({ maxLength: 500 }))])),
  { additionalProperties: false, description: 'extra text per language code' },
);

export const TargetSchema = Type.Object(
  {
    zones: Type.Optional(Type.Array(Id, { maxItems: LIMITS.targetZones, description: 'zone ids, each at most once' })),
    polygon: Type.Optional(
      Type.Array(LonLat, { minItems: 4, maxItems: LIMITS.polygonPoints, description: 'closed ring of [lon, lat]' }),
    ),
    circle: Type.Optional(
      Type.Object(
        {
          lat: Type.Number({ minimum: -90, maximum: 90 }),
          lon: Type.Number({ minimum: -180, maximum: 180 }),
          radiusM: Type.Number({ exclusiveMinimum: 0, maximum: LIMITS.circleRadiusM }),
        },
        { additionalProperties: false },
      ),
    ),
    group: Type.Optional(
      Type.Union([Type.Literal('all'), Type.Literal('needs-help'), Type.Literal('vulnerable')], {
        description: 'all (default); needs-help: only 避難行動要支援者; vulnerable: needs-help and the elderly (≥ 65)',
      }),
    ),
  },
  { additionalProperties: false },
);

export const CreateAlertBody = Type.Object(
  {
    level: LevelSchema,
    hazard: HazardSchema,
    status: StatusSchema,
    expires: Time,
    target: TargetSchema,
    template: Type.Optional(Type.Union([Type.Literal('go-to-shelter'), Type.Literal('stay-upstairs')])),
    extra: Type.Optional(ExtraText),
    draft: Type.Optional(
      Type.Boolean({
        description: 'must be true: POST /api/alerts only stores a draft (read …/confirmation, then POST …/send)',
      }),
    ),
  },
  { additionalProperties: false },
);

export const UpdateAlertBody = Type.Object(
  {
    level: Type.Optional(LevelSchema),
    hazard: Type.Optional(HazardSchema),
    expires: Type.Optional(Time),
    target: Type.Optional(TargetSchema),
    template: Type.Optional(Type.Union([Type.Literal('go-to-shelter'), Type.Literal('stay-upstairs')])),
    extra: Type.Optional(ExtraText),
    draft: Type.Optional(
      Type.Boolean({
        description: 'must be true: an update is stored as a draft revision (read …/confirmation, then POST …/send)',
      }),
    ),
  },
  { additionalProperties: false },
);

const RevisionView = Type.Object({
  revision: Type.Integer(),
  msgType: MsgTypeSchema,
  end: Type.Optional(EndReasonSchema),
  state: Type.String(),
  level: LevelSchema,
  hazard: HazardSchema,
  expires: Time,
  spec: Loose('alert specification'),
  createdBy: Type.String(),
  createdAt: Time,
  approvedBy: Nullable(Type.String()),
  approvedAt: Nullable(Time),
  publishedAt: Nullable(Time),
  counts: Nullable(
    Type.Object(
      { devices: Type.Integer(), residents: Type.Integer(), zones: Type.Integer(), unboundTvs: Type.Integer() },
      { description: 'whom it reached when submitted for approval (null if it never waited)' },
    ),
  ),
  digest: Type.String({ description: 'what approve and reject carry back: SHA-256 of what is shown here' }),
});

export const AlertViewSchema = Type.Object(
  {
    id: Id,
    identifier: Type.String(),
    sender: Type.String(),
    status: StatusSchema,
    state: AlertStateSchema,
    revision: Type.Integer({ description: 'latest published revision (0 before publication)' }),
    msgType: MsgTypeSchema,
    level: LevelSchema,
    hazard: HazardSchema,
    expires: Time,
    createdBy: Type.String(),
    createdAt: Time,
    firstSent: Nullable(Time),
    lastSent: Nullable(Time),
    spec: Loose('targeting, template, extra text and CAP details of the latest revision'),
    pending: Nullable(RevisionView),
    draft: Type.Union([RevisionView, Type.Null()], {
      description:
        'an active alert’s Update or Cancel stored but not sent yet: send it with GET …/confirmation and POST …/send',
    }),
    reach: Type.Object({ devices: Type.Integer(), residents: Type.Integer(), zones: Type.Integer() }),
  },
  { $id: 'AlertView' },
);
export const RevisionList = Type.Array(RevisionView);

const Ack = Type.Object({
  evacuating: Type.Integer(),
  'safe-indoors': Type.Integer(),
  'need-help': Type.Integer(),
  total: Type.Integer(),
});
const CountsProps = {
  targeted: Type.Integer({ description: 'residents addressed' }),
  delivered: Type.Integer(),
  upToDate: Type.Integer({ description: 'TV has the latest revision' }),
  displayed: Type.Integer(),
  acknowledged: Ack,
  noAnswer: Type.Integer(),
  arrived: Type.Integer({ description: 'checked in at a shelter since the alert' }),
  needsHelp: Type.Integer(),
  needHelpOpen: Type.Integer({
    description: 'answered need-help and not arrived at any shelter since: the rescue list’s need-help figure',
  }),
};
export const AlertStatusSchema = Type.Object(
  {
    alertId: Id,
    revision: Type.Integer(),
    state: Type.String(),
    at: Time,
    totals: Type.Object(CountsProps),
    devices: Type.Object({
      targeted: Type.Integer(),
      delivered: Type.Integer(),
      displayed: Type.Integer(),
      upToDate: Type.Integer(),
    }),
    zones: Type.Array(Type.Object({ zoneId: Type.String(), zoneName: Type.String(), ...CountsProps })),
    residents: Type.Optional(
      Type.Array(
        Type.Object({
          residentId: Type.String(),
          name: Type.String(),
          zoneId: Type.String(),
          deviceId: Type.String(),
          needsHelp: Type.Boolean(),
          leaveNow: Type.Boolean(),
          language: Type.String(),
          shelterId: Nullable(Type.String()),
          deliveredAt: Nullable(Time),
          displayedAt: Nullable(Time),
          upToDate: Type.Boolean(),
          answer: Nullable(AnswerSchema),
          answeredAt: Nullable(Time),
          arrivedAt: Nullable(Time),
          arrivedShelterId: Nullable(Type.String()),
          bindingStatus: Type.String(),
        }),
      ),
    ),
    sending: Type.Optional(
      Type.Object(
        {
          revision: Type.Integer(),
          tvs: Type.Integer({ description: 'TVs the revision addresses (0 until its first chunk is written)' }),
          sent: Type.Integer({ description: 'TVs it has sent to so far' }),
        },
        {
          description:
            'only while a revision is being sent to the TVs; the other figures count its TVs once all are sent',
        },
      ),
    ),
  },
  { $id: 'AlertStatus' },
);

export const RescueSchema = Type.Object({
  alertId: Id,
  at: Time,
  afterSeconds: Type.Integer(),
  counts: Type.Object({
    people: Type.Integer(),
    needHelp: Type.Integer({ description: 'answered "need help"' }),
    noAnswer: Type.Integer({ description: 'no answer after afterSeconds' }),
  }),
  people: Type.Optional(
    Type.Array(
      Type.Object({
        residentId: Type.String(),
        name: Type.String(),
        reading: Type.String(),
        address: Type.String(),
        phone: Nullable(Type.String()),
        supporter: Nullable(Type.String()),
        zoneId: Type.String(),
        zoneName: Type.String({ description: 'the zone’s name (地区)' }),
        answer: Nullable(AnswerSchema),
        answeredAt: Nullable(Time),
        answers: Type.Array(Type.Object({ answer: AnswerSchema, at: Time }), {
          description:
            'every answer given, oldest first (the last is `answer`): a corrected answer shows what it replaced',
        }),
        sentAt: Type.String({ format: 'date-time', description: 'when the alert was last sent to the person’s TV' }),
        deliveredAt: Nullable(Time),
        displayedAt: Nullable(Time),
        delivery: Type.Union(
          [Type.Literal('sent'), Type.Literal('received'), Type.Literal('on-screen'), Type.Literal('answered')],
          { description: 'how far the alert got: sent to the TV, received by it, on its screen, answered' },
        ),
        shelterId: Nullable(Type.String()),
      }),
      { description: 'issuer or admin only (the read is audited); absent for viewers' },
    ),
  ),
});

export const PreviewSchema = Type.Object({
  alertId: Id,
  revision: Type.Integer(),
  status: StatusSchema,
  level: LevelSchema,
  counts: Type.Object({
    devices: Type.Integer(),
    residents: Type.Integer(),
    zones: Type.Integer(),
    unboundTvs: Type.Integer(),
  }),
  kinds: Type.Array(
    Type.Object({
      kind: Type.String({ description: 'resident | household | needs-help | get-ready | <language> | unbound-tv' }),
      description: Type.String(),
      deviceId: Type.Optional(Type.String()),
      topic: Type.String(),
      payload: Type.Union([PersonalAlertSchema, AreaAlertSchema]),
    }),
  ),
});

export const Count = Type.Object({ count: Type.Integer() });
export const AuditEntryView = Type.Object({
  seq: Type.Integer(),
  at: Time,
  actor: Type.String(),
  action: Type.String(),
  subject: Nullable(Type.String()),
  details: Loose('ids and counts only'),
  prevHash: Type.String(),
  hash: Type.String(),
});
