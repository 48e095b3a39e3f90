/**
 * What a client needs at run time from the contract without TypeBox (the TV applet's bundle): the
 * binding API's paths and the exact bytes a resident signs — the bind registration, the post-box
 * consent and the life-status report. Their schemas and checks stay in binding.ts and documents.ts.
 */
import type { BindNonce, BindRegistration } from './binding.ts';
import type { ConsentDocument, ReportDocument, Statement } from './documents.ts';

export const BIND_PATHS = {
  nonce: '/api/bind/nonce',
  bind: '/api/bind',
  disclosures: '/api/bind/disclosures',
} as const;

export const DISCLOSED_ITEMS = ['name', 'address', 'birthDate', 'sex'] as const;

/** The exact bytes a TV signs for a nonce it was given. */
export function bindRegistrationBytes(n: Pick<BindNonce, 'nonce' | 'device' | 'muni'>): Uint8Array {
  const r: BindRegistration = { v: 1, kind: 'bind-registration', nonce: n.nonce, device: n.device, muni: n.muni };
  return new TextEncoder().encode(JSON.stringify(r));
}

export function buildConsentDocument(input: {
  insurer: string;
  policy: string;
  nonce: string;
  createdAt?: Date;
}): Uint8Array {
  const doc: ConsentDocument = {
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
  statement: Statement;
  createdAt?: Date;
}): Uint8Array {
  const doc: ReportDocument = {
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
