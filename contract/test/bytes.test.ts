/**
 * bytes.ts writes its shapes out instead of importing the schemas' types (binding.ts and
 * documents.ts re-export it): what it builds must still be what those schemas accept.
 */
import { describe, expect, it } from 'vitest';
import {
  BindRegistrationSchema,
  buildConsentDocument,
  buildReportDocument,
  bindRegistrationBytes,
  decodeMessage,
  parseConsentDocument,
  parseReportDocument,
} from '../src/index.ts';

describe('the bytes a resident signs, built without TypeBox', () => {
  it('the consent and the report parse with the documents’ schemas', () => {
    const consent = buildConsentDocument({ insurer: 'ins-1', policy: 'POL-1/2', nonce: 'n'.repeat(24) });
    expect(parseConsentDocument(consent)).toMatchObject({ ok: true, doc: { kind: 'kz-enrolment-consent' } });
    for (const statement of [
      { answer: 'living' as const },
      { answer: 'living-details-changed' as const, note: '転居' },
    ]) {
      const report = buildReportDocument({ notice: 'nt-1', policy: 'POL-1', nonce: 'r'.repeat(24), statement });
      expect(parseReportDocument(report)).toMatchObject({ ok: true, doc: { statement } });
    }
  });

  it('the bind registration parses with its schema', () => {
    const bytes = bindRegistrationBytes({ nonce: 'b'.repeat(40), device: 'tv-0001', muni: '999997' });
    expect(decodeMessage(BindRegistrationSchema, bytes, 'bind-registration').kind).toBe('bind-registration');
  });
});
