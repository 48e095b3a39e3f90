/**
 * The HbbTV adapter's pure parts (issue 25): the key set it requests (OIPF DAE Keyset constants) and
 * the box's preferred UI language (ISO 639-2 list) mapped to the applet's languages. No HbbTV runtime
 * exists here; what it cannot do is written in tv-app/README.md, "On a real box".
 */
import { describe, expect, it } from 'vitest';
import { KEYSET, KIZUNA_KEYSET, languageOfOipf } from '../src/platform/hbbtv-platform.ts';

describe('HbbTV adapter', () => {
  it('requests the colour, navigation and number keys, nothing else', () => {
    expect(KIZUNA_KEYSET).toBe(0x11f);
    expect(KIZUNA_KEYSET & KEYSET.NUMERIC).toBeTruthy();
    expect(KIZUNA_KEYSET & 0x20).toBe(0); // VCR keys: not used
  });

  it("takes the first of the box's preferred UI languages the applet speaks", () => {
    expect(languageOfOipf('jpn,eng')).toBe('ja');
    expect(languageOfOipf('fre, eng')).toBe('en');
    expect(languageOfOipf('chi')).toBe('zh');
    expect(languageOfOipf('fre,deu')).toBeUndefined();
    expect(languageOfOipf(undefined)).toBeUndefined();
  });
});
