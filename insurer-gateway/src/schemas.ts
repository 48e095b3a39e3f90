/** Request and response schemas of the gateway's routes (TypeBox); the OpenAPI page is generated from them. */
import Type from 'typebox';
import { StatementSchema } from '@kizuna/contract';

export const Id = Type.String({ pattern: '^[A-Za-z0-9_-]{1,64}$' });
export const Policy = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_./-]+$' });
const Time = Type.String({ format: 'date-time' });
const NullableTime = Type.Union([Time, Type.Null()]);
const NullableString = Type.Union([Type.String(), Type.Null()]);

export const ErrorSchema = Type.Object({
  code: Type.String({ description: 'KZ_… error code (docs/PROTOCOL.md)' }),
  message: Type.String(),
  field: Type.Optional(Type.String()),
  requestId: Type.Optional(Type.String()),
  details: Type.Optional(
    Type.Object(
      {
        reason: Type.Optional(Type.String({ description: 'named reason of a refused signed document' })),
        detail: Type.Optional(Type.String()),
      },
      { additionalProperties: true },
    ),
  ),
});
/** The error responses every route may give, by status. */
export const errors = (...codes: number[]) => Object.fromEntries(codes.map((c) => [c, ErrorSchema]));

export const Ok = Type.Object({ ok: Type.Literal(true) });

export const SignedBodySchema = Type.Object({
  cms: Type.String({ minLength: 1, maxLength: 100_000, description: 'CMS SignedData, DER, base64' }),
  content: Type.Optional(
    Type.String({ maxLength: 100_000, description: 'the signed content, base64, when the CMS is detached' }),
  ),
});

export const AttachmentMetaSchema = Type.Object({
  id: Type.String(),
  filename: Type.String(),
  mediaType: Type.String(),
  size: Type.Integer(),
  sha256: Type.String(),
});

export const NoticeInputSchema = Type.Object(
  {
    code: Id,
    policy: Type.Optional(Policy),
    kind: Type.Union([Type.Literal('info'), Type.Literal('status-check')]),
    subject: Type.String({ minLength: 1, maxLength: 200 }),
    body: Type.String({ minLength: 1, maxLength: 10_000 }),
    dueDate: Type.Optional(Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'YYYY-MM-DD (Asia/Tokyo)' })),
    externalRef: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 100,
        description: "the insurer's own reference; a repeated POST with the same one returns the first notice",
      }),
    ),
    attachments: Type.Optional(
      Type.Array(
        Type.Object({
          filename: Type.String({ minLength: 1, maxLength: 100 }),
          mediaType: Type.String({ description: 'application/pdf, image/png or image/jpeg' }),
          data: Type.String({ description: 'base64, at most 512 KiB decoded' }),
        }),
        { maxItems: 4 },
      ),
    ),
  },
  { additionalProperties: false },
);

// Literal unions are spelled out: a mapped one (`list.map(Type.Literal)`) has the static type `never` in TypeBox.
export const NoticeStatus = Type.Union([
  Type.Literal('unread'),
  Type.Literal('read'),
  Type.Literal('answered'),
  Type.Literal('withdrawn'),
]);
const NoticeKind = Type.Union([Type.Literal('info'), Type.Literal('status-check')]);

export const InsurerNoticeSchema = Type.Object({
  id: Type.String(),
  code: Type.String(),
  policy: NullableString,
  kind: NoticeKind,
  externalRef: NullableString,
  subject: Type.String(),
  body: Type.String(),
  dueDate: NullableString,
  status: NoticeStatus,
  createdAt: Time,
  readAt: NullableTime,
  answeredAt: NullableTime,
  closedAt: NullableTime,
  attachments: Type.Array(AttachmentMetaSchema),
  refusedReports: Type.Optional(Type.Array(Type.Object({ reason: Type.String(), at: Time }))),
});

export const ResidentNoticeSchema = Type.Object({
  id: Type.String(),
  sender: Type.Object({ id: Type.String(), name: Type.String() }),
  kind: NoticeKind,
  policy: NullableString,
  subject: Type.String(),
  body: Type.Optional(Type.String()),
  dueDate: NullableString,
  status: NoticeStatus,
  createdAt: Time,
  readAt: NullableTime,
  answeredAt: NullableTime,
  reportNonce: Type.Optional(NullableString),
  attachments: Type.Array(AttachmentMetaSchema),
});

export const ReceiptSchema = Type.Object({
  receipt: Type.Object({
    v: Type.Literal(1),
    kind: Type.Literal('kz-report-receipt'),
    report: Type.String(),
    notice: Type.String(),
    insurer: Type.String(),
    policy: Type.String(),
    documentSha256: Type.String(),
    receivedAt: Time,
    verification: Type.Object({ result: Type.Literal('valid'), reason: Type.Literal('ok') }),
  }),
  keyId: Type.String(),
  signature: Type.String({ description: 'Ed25519 over the JSON text of `receipt`, base64url' }),
});

export const ReportSchema = Type.Object({
  id: Type.String(),
  noticeId: Type.String(),
  code: Type.String(),
  policy: Type.String(),
  statement: StatementSchema,
  document: Type.Object({}, { additionalProperties: true }),
  receivedAt: Time,
  signingTime: NullableTime,
  acknowledged: Type.Boolean(),
  verification: Type.Object({
    result: Type.String(),
    reason: Type.String(),
    verifiedAt: Time,
    signerSerial: Type.String(),
  }),
  evidence: Type.Object({
    signerCertificate: Type.String({ description: 'DER, base64' }),
    ocspResponse: Type.Union([Type.String({ description: 'DER, base64' }), Type.Null()]),
  }),
  cms: Type.String({ description: 'the signed report as received, DER, base64' }),
  detachedContent: NullableString,
});

export const EventSchema = Type.Object({
  id: Type.String({ description: 'idempotency key' }),
  seq: Type.Integer(),
  type: Type.Union([
    // EVENT_TYPES (events.ts), spelled out
    Type.Literal('policyholder.enrolled'),
    Type.Literal('policyholder.ended'),
    Type.Literal('notice.read'),
    Type.Literal('report.received'),
    Type.Literal('certificate.revoked'),
  ]),
  createdAt: Time,
  acked: Type.Boolean(),
  data: Type.Object({}, { additionalProperties: true }),
});

export const PolicyholderSchema = Type.Object({
  code: Type.String(),
  policy: Type.String(),
  status: Type.String(),
  certificateStatus: Type.String(),
  enrolledAt: Time,
  endedAt: NullableTime,
  endedReason: NullableString,
});

export const InsurerSchema = Type.Object({
  id: Type.String(),
  name: Type.String(),
  status: Type.Union([Type.Literal('active'), Type.Literal('suspended')]),
  statusReason: NullableString,
  statusChangedAt: NullableTime,
  webhookUrl: NullableString,
  createdAt: Time,
});
