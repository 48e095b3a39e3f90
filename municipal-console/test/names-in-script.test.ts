/**
 * Names and places in the resident's script (issue 18, item 5): an English TV showed
 * 「スミス ジョン」 and "Mr ジョン スミス", and shelters in kanji only. The register's name in
 * alphabet and a shelter's romanised name and address now reach each language's words.
 */
import { describe, expect, it } from 'vitest';
import { displayName, render } from '../src/alerts/templates.ts';
import { parseRegisterCsv, REGISTER_CSV_COLUMNS } from '../src/register/register-csv.ts';

const john = {
  familyName: 'スミス',
  givenName: 'ジョン',
  familyKana: 'スミス',
  givenKana: 'ジョン',
  sex: 1,
  familyNameLatin: 'Smith',
  givenNameLatin: 'John',
};
const taro = { familyName: '山田', givenName: '太郎', familyKana: 'ヤマダ', givenKana: 'タロウ', sex: 1 };
const KANA = /[\u3040-\u30ff]/u;

describe('names in the resident script', () => {
  it('each language uses its own order and honorific, with the name in alphabet where it reads alphabet', () => {
    expect(displayName('ja', john)).toBe('スミス ジョンさん');
    expect(displayName('ja', taro)).toBe('山田 太郎さん');
    expect(displayName('en', john)).toBe('John Smith');
    expect(displayName('pt', john)).toBe('Sr. John Smith');
    expect(displayName('vi', john)).toBe('Ông Smith John');
    expect(displayName('zh', john)).toBe('John Smith先生');
    expect(displayName('zh', taro)).toBe('山田太郎先生');
    expect(displayName('ko', john)).toBe('Smith John 님');
    expect(displayName('ko', taro)).toBe('山田 太郎 님');
    for (const l of ['en', 'pt', 'vi', 'zh', 'ko'] as const) expect(displayName(l, john), l).not.toMatch(KANA);
  });

  it('without a name in alphabet, screens in the Latin alphabet romanise the kana reading (no "Mr" before katakana)', () => {
    const noLatin = { ...john, familyNameLatin: null, givenNameLatin: null };
    expect(displayName('en', noLatin)).toBe('Jon Sumisu');
    expect(displayName('en', taro)).toBe('Taro Yamada');
    expect(displayName('pt', { ...taro, sex: 2, givenName: '花子', givenKana: 'ハナコ' })).toBe('Sra. Hanako Yamada');
    for (const l of ['en', 'pt', 'vi'] as const) expect(displayName(l, taro), l).not.toMatch(/[\u3040-\u9fff]/u);
  });

  it('names the shelter in the Latin alphabet on such screens, in Japanese (or Chinese) on the others', () => {
    const base = {
      level: 4,
      hazard: 'flood',
      status: 'Actual',
      msgType: 'Alert',
      advice: 'leave-now',
      who: { person: john },
      shelter: {
        name: '絆市立第一小学校',
        address: '絆市山手一丁目2番3号',
        nameLatin: 'Kizuna City Daiichi Elementary School',
        addressLatin: '1-2-3 Yamate, Kizuna City',
        distanceM: 800,
      },
    } as const;
    const en = render({ ...base, language: 'en' });
    expect(en.instruction).toContain(
      'Go to: Kizuna City Daiichi Elementary School (1-2-3 Yamate, Kizuna City, about 800 m)',
    );
    expect(en.headline).toContain('John Smith');
    expect(en.headline + en.instruction).not.toMatch(/[\u3040-\u9fff]/u);
    expect(render({ ...base, language: 'pt' }).instruction).toContain('Kizuna City Daiichi Elementary School');
    expect(render({ ...base, language: 'ja' }).instruction).toContain('避難先：絆市立第一小学校（絆市山手一丁目2番3号');
    expect(render({ ...base, language: 'zh' }).instruction).toContain('絆市立第一小学校');
    // no romanised name in the register: the Japanese one
    const { nameLatin: _n, addressLatin: _a, ...plain } = base.shelter;
    expect(render({ ...base, shelter: plain, language: 'en' }).instruction).toContain('Go to: 絆市立第一小学校');
  });
});

describe('the register extract carries the name in alphabet', () => {
  const zones = new Set(['z1']);
  const head = REGISTER_CSV_COLUMNS.join(',');
  const line = (latin: string) => `R1,スミス,ジョン,スミス,ジョン,絆市1-2-3,1980-01-02,1,en,false,,,,z1,,,${latin}`;

  it('reads familyNameLatin and givenNameLatin (optional columns)', () => {
    const { residents, problems } = parseRegisterCsv(`${head}\n${line('Smith,John')}\n`, zones);
    expect(problems).toEqual([]);
    expect(residents[0]).toMatchObject({ familyNameLatin: 'Smith', givenNameLatin: 'John' });
    const old = REGISTER_CSV_COLUMNS.slice(0, -2).join(',');
    const r = parseRegisterCsv(`${old}\nR1,山田,太郎,ヤマダ,タロウ,絆市,1950-01-01,1,ja,true,,,,z1,,\n`, zones);
    expect(r.problems).toEqual([]);
    expect(r.residents[0]?.familyNameLatin).toBeUndefined();
  });

  it('refuses half a name in alphabet with a coded problem', () => {
    const { problems } = parseRegisterCsv(`${head}\n${line('Smith,')}\n`, zones);
    expect(problems[0]?.errors).toEqual([
      expect.objectContaining({ code: 'latin-name-together', field: 'givenNameLatin', line: 2 }),
    ]);
  });
});
