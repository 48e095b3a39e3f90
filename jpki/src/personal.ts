/**
 * The four personal items (基本4情報) of a signing certificate: name, address, birth date and
 * sex, carried as subjectAltName otherName UTF8Strings (OIDs in docs/PLATFORM.md). Only the signing
 * certificate has them; the authentication certificate has none.
 */
import * as asn1js from 'asn1js';
import { AsnConvert } from '@peculiar/asn1-schema';
import { Certificate, GeneralName, OtherName, SubjectAlternativeName, id_ce_subjectAltName } from '@peculiar/asn1-x509';
import { PERSONAL_OID } from './constants.ts';
import { eraDateToIso, isoToEraDate } from './era.ts';
import { jpkiErrors } from './errors.ts';
import { toArrayBuffer } from './bytes.ts';

export type Sex = 1 | 2 | 3;

/** A resident as the authority knows them. `name` splits family and given name by a full-width space. */
export interface Person {
  name: string;
  /** Accepted for convenience; real JPKI certificates carry no reading, so it is neither put in a certificate nor stored. */
  nameKana?: string;
  address: string;
  /** ISO date YYYY-MM-DD. */
  birthDate: string;
  /** 1 male, 2 female, 3 not known (JIS X 0303 style codes, as on the card). */
  sex: Sex;
}

export interface JpkiPersonal {
  name: string;
  address: string;
  /** ISO date YYYY-MM-DD. */
  birthDate: string;
  /** As in the certificate: EYYYYMMDD. */
  birthDateEra: string;
  sex: Sex;
}

const MAX_ITEM = 300;

/** Checks a person before issuing; every failure names the field. */
export function validatePerson(p: Person): void {
  const bad = (what: string) => {
    throw jpkiErrors.KZ_JPKI_PERSON_INVALID(what);
  };
  if (typeof p !== 'object' || p === null) bad('resident data is missing');
  if (typeof p.name !== 'string' || p.name.trim() === '' || p.name.length > MAX_ITEM)
    bad('name must be 1–300 characters');
  if (typeof p.address !== 'string' || p.address.trim() === '' || p.address.length > MAX_ITEM)
    bad('address must be 1–300 characters');
  if (![1, 2, 3].includes(p.sex as number)) bad('sex must be 1 (male), 2 (female) or 3 (not known)');
  if (typeof p.birthDate !== 'string') bad('birthDate must be YYYY-MM-DD');
  isoToEraDate(p.birthDate);
  if (p.birthDate > new Date().toISOString().slice(0, 10)) bad('birthDate is in the future');
}

function utf8OtherName(oid: string, value: string): GeneralName {
  return new GeneralName({
    otherName: new OtherName({ typeId: oid, value: new asn1js.Utf8String({ value }).toBER(false) }),
  });
}

/** DER of the subjectAltName extension value for a signing certificate. */
export function personalSanValue(p: Person): ArrayBuffer {
  const san = new SubjectAlternativeName([
    utf8OtherName(PERSONAL_OID.name, p.name),
    utf8OtherName(PERSONAL_OID.birthDate, isoToEraDate(p.birthDate)),
    utf8OtherName(PERSONAL_OID.sex, String(p.sex)),
    utf8OtherName(PERSONAL_OID.address, p.address),
  ]);
  return AsnConvert.serialize(san);
}

function readUtf8(value: ArrayBuffer): string | undefined {
  const parsed = asn1js.fromBER(value);
  if (parsed.offset === -1) return undefined;
  const v = parsed.result;
  if (v instanceof asn1js.Utf8String || v instanceof asn1js.PrintableString || v instanceof asn1js.BmpString)
    return v.valueBlock.value;
  return undefined;
}

/**
 * The four items of a JPKI signing certificate, or null when the certificate carries none
 * (an authentication certificate). Throws KZ_JPKI_MALFORMED for undecodable input.
 */
export function parseJpkiPersonal(certDer: Uint8Array | ArrayBuffer): JpkiPersonal | null {
  let cert: Certificate;
  try {
    cert = AsnConvert.parse(toArrayBuffer(certDer), Certificate);
  } catch (e) {
    throw jpkiErrors.KZ_JPKI_MALFORMED(`certificate: ${(e as Error).message}`);
  }
  const ext = cert.tbsCertificate.extensions?.find((x) => x.extnID === id_ce_subjectAltName);
  if (!ext) return null;
  let san: SubjectAlternativeName;
  try {
    san = AsnConvert.parse(ext.extnValue, SubjectAlternativeName);
  } catch (e) {
    throw jpkiErrors.KZ_JPKI_MALFORMED(`subjectAltName: ${(e as Error).message}`);
  }
  const items = new Map<string, string>();
  for (const gn of san) {
    if (!gn.otherName) continue;
    const text = readUtf8(gn.otherName.value);
    if (text !== undefined) items.set(gn.otherName.typeId, text);
  }
  const name = items.get(PERSONAL_OID.name);
  const era = items.get(PERSONAL_OID.birthDate);
  const sex = Number(items.get(PERSONAL_OID.sex));
  const address = items.get(PERSONAL_OID.address);
  if (name === undefined && era === undefined && address === undefined) return null;
  if (name === undefined || era === undefined || address === undefined || ![1, 2, 3].includes(sex)) {
    throw jpkiErrors.KZ_JPKI_MALFORMED('signing certificate lacks one of the four personal items');
  }
  let birthDate: string;
  try {
    birthDate = eraDateToIso(era);
  } catch (e) {
    throw jpkiErrors.KZ_JPKI_MALFORMED(`birth date: ${(e as Error).message}`);
  }
  return { name, address, birthDate, birthDateEra: era, sex: sex as Sex };
}
