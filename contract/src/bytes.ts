/**
 * What a client needs at run time from the contract without TypeBox (the TV applet's bundle): the
 * binding API's paths and the exact bytes a resident signs — the bind registration, the post-box
 * consent and the life-status report. Their schemas and checks stay in binding.ts and documents.ts.
 */
// No imports from binding.ts or documents.ts (they re-export this module): the shapes below are
// theirs, written out; the contract's tests parse what these build with those schemas.

/** A life-status answer, as documents.ts's StatementSchema. */
interface StatementShape {
  answer: 'living' | 'living-details-changed';
  note?: string;
}

export const BIND_PATHS = {
  nonce: '/api/bind/nonce',
  bind: '/api/bind',
  disclosures: '/api/bind/disclosures',
} as const;

export const DISCLOSED_ITEMS = ['name', 'address', 'birthDate', 'sex'] as const;

/** The exact bytes a TV signs for a nonce it was given. */
export function bindRegistrationBytes(n: { nonce: string; device: string; muni: string }): Uint8Array {
  const r = { v: 1, kind: 'bind-registration', nonce: n.nonce, device: n.device, muni: n.muni };
  return new TextEncoder().encode(JSON.stringify(r));
}

export function buildConsentDocument(input: {
  insurer: string;
  policy: string;
  nonce: string;
  createdAt?: Date;
}): Uint8Array {
  const doc = {
    v: 1,
    kind: 'kz-enrolment-consent',
    insurer: input.insurer,
    policy: input.policy,
    nonce: input.nonce,
    disclose: [...DISCLOSED_ITEMS],
    createdAt: (input.createdAt ?? new Date()).toISOString(),
  };
  return new TextEncoder().encode(JSON.stringify(doc));
}

export function buildReportDocument(input: {
  notice: string;
  policy: string;
  nonce: string;
  statement: StatementShape;
  createdAt?: Date;
}): Uint8Array {
  const doc = {
    v: 1,
    kind: 'kz-life-status-report',
    notice: input.notice,
    policy: input.policy,
    nonce: input.nonce,
    statement: input.statement,
    createdAt: (input.createdAt ?? new Date()).toISOString(),
  };
  return new TextEncoder().encode(JSON.stringify(doc));
}
