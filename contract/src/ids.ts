/**
 * Identifier rules shared by every part.
 *
 * Ids become MQTT topic levels and RabbitMQ routing-key words, so they may not contain
 * `.`, `/`, `+`, `#` or `*` (RabbitMQ maps `/` to `.` without escaping: docs/PLATFORM.md,
 * "RabbitMQ topic mapping").
 */
export const ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

export function isSafeId(value: unknown): value is string {
  return typeof value === 'string' && ID_PATTERN.test(value);
}

/**
 * 全国地方公共団体コード: five digits plus a check digit
 * (weights 6,5,4,3,2; check = 11 − (sum mod 11), keeping the last digit).
 */
export function municipalityCodeCheckDigit(first5: string): number {
  if (!/^\d{5}$/.test(first5)) throw new TypeError('municipality code prefix must be 5 digits');
  const weights = [6, 5, 4, 3, 2];
  const sum = [...first5].reduce((acc, d, i) => acc + Number(d) * weights[i]!, 0);
  return (11 - (sum % 11)) % 10;
}

export function isMunicipalityCode(value: unknown): value is string {
  return (
    typeof value === 'string' &&
    /^\d{6}$/.test(value) &&
    municipalityCodeCheckDigit(value.slice(0, 5)) === Number(value[5])
  );
}
