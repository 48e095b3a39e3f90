/**
 * The two documents a resident signs with the card's signing certificate, as UTF-8 JSON
 * (CMS SignedData, attached or detached): the post-box's wire format, built by the TV and checked
 * by the insurer gateway. Browser-safe: the TV applet builds from it exactly what the gateway checks.
 */
import Type, { type Static } from 'typebox';
import Compile from 'typebox/compile';

export { DISCLOSED_ITEMS, buildConsentDocument, buildReportDocument } from './bytes.ts';

const Id = Type.String({ pattern: '^[A-Za-z0-9_-]{1,64}$' });
const Policy = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_./-]+$' });
const Nonce = Type.String({ pattern: '^[A-Za-z0-9_-]{16,64}$' });

/** Links one policy of one insurer to the post-box and consents to disclosing the four items. */
export const ConsentDocumentSchema = Type.Object(
  {
    v: Type.Literal(1),
    kind: Type.Literal('kz-enrolment-consent'),
    insurer: Id,
    policy: Policy,
    /** From POST /postbox/v1/consent-nonce: one use, short-lived, this post-box only. */
    nonce: Nonce,
    disclose: Type.Array(
      Type.Union([Type.Literal('name'), Type.Literal('address'), Type.Literal('birthDate'), Type.Literal('sex')]),
      { minItems: 4, maxItems: 4, uniqueItems: true },
    ),
    createdAt: Type.String({ format: 'date-time' }),
  },
  { additionalProperties: false },
);

export const StatementSchema = Type.Object(
  {
    /** 'living': alive, details unchanged; 'living-details-changed': alive, name or address changed. */
    answer: Type.Union([Type.Literal('living'), Type.Literal('living-details-changed')]),
    note: Type.Optional(Type.String({ maxLength: 500 })),
  },
  { additionalProperties: false },
);

/** The life-status report (現況届) answering one status-check notice. */
export const ReportDocumentSchema = Type.Object(
  {
    v: Type.Literal(1),
    kind: Type.Literal('kz-life-status-report'),
    notice: Id,
    policy: Policy,
    /** The notice's reportNonce, as the post-box showed it. */
    nonce: Nonce,
    statement: StatementSchema,
    createdAt: Type.String({ format: 'date-time' }),
  },
  { additionalProperties: false },
);

export type ConsentDocument = Static<typeof ConsentDocumentSchema>;
export type ReportDocument = Static<typeof ReportDocumentSchema>;
export type Statement = Static<typeof StatementSchema>;

const checkConsent = Compile(ConsentDocumentSchema);
const checkReport = Compile(ReportDocumentSchema);

export type Parsed<T> =
  | { ok: true; doc: T }
  | { ok: false; reason: 'content-not-json' | 'content-wrong-kind' | 'content-invalid'; detail: string };

function parse<T>(bytes: Uint8Array, kind: string, check: ReturnType<typeof Compile>): Parsed<T> {
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    return { ok: false, reason: 'content-not-json', detail: 'signed content is not UTF-8 JSON' };
  }
  if (typeof value !== 'object' || value === null || (value as { kind?: unknown }).kind !== kind) {
    return { ok: false, reason: 'content-wrong-kind', detail: `signed content is not a ${kind}` };
  }
  if (!check.Check(value)) {
    const e = [...check.Errors(value)][0];
    return { ok: false, reason: 'content-invalid', detail: `${e?.instancePath || '/'} ${e?.message ?? 'is invalid'}` };
  }
  return { ok: true, doc: value as T };
}

export const parseConsentDocument = (b: Uint8Array) => parse<ConsentDocument>(b, 'kz-enrolment-consent', checkConsent);
export const parseReportDocument = (b: Uint8Array) => parse<ReportDocument>(b, 'kz-life-status-report', checkReport);
