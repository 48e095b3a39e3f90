/**
 * Who Home names: bound cards and alert recipients are the same people, listed once, with the
 * alert's form of the name (it carries the honorific), whichever of the two the TV learned first.
 */
import { describe, expect, it } from 'vitest';
import type { PersonalAlert } from '@kizuna/contract';
import { TvController } from '../src/tv-controller.ts';
import { validateConfig } from '../src/config.ts';
import type { KeyValueStorage } from '../src/alerts/alert-store.ts';

class MemStorage implements KeyValueStorage {
  data = new Map<string, string>();
  getItem(k: string) {
    return this.data.get(k) ?? null;
  }
  setItem(k: string, v: string) {
    this.data.set(k, v);
  }
}

function household(): PersonalAlert {
  return {
    v: 1,
    kind: 'personal-alert',
    alertId: 'al-1',
    revision: 1,
    msgType: 'Alert',
    status: 'Exercise',
    level: 3,
    hazard: 'flood',
    sent: new Date().toISOString(),
    expires: new Date(Date.now() + 3600_000).toISOString(),
    zone: { id: 'z1', name: '川辺地区' },
    recipients: [
      { ref: 'r2', displayName: '山田 花子さん', language: 'ja', needsHelp: true, headline: 'h', instruction: 'i' },
      { ref: 'r1', displayName: '山田 太郎さん', language: 'ja', needsHelp: true, headline: 'h', instruction: 'i' },
    ],
  };
}
const bindings = [
  { bindingId: 'b1', displayName: '山田 太郎', boundAt: '2026-11-01T00:00:00Z' },
  { bindingId: 'b2', displayName: '山田 花子', boundAt: '2026-11-01T00:00:00Z' },
];

describe('Home residents', () => {
  it('lists each person once when the bindings came first and an alert names them with an honorific', async () => {
    const c = new TvController(validateConfig({ device: 'tv-0001', muni: '999997' }), new MemStorage());
    c.rememberBindings(bindings as never);
    expect(c.residents()).toEqual(['山田 太郎', '山田 花子']);
    c.receiveAlert(household());
    expect(c.residents()).toEqual(['山田 太郎さん', '山田 花子さん']);
    await c.close();
  });

  it('lists each person once when an alert came first', async () => {
    const c = new TvController(validateConfig({ device: 'tv-0002', muni: '999997' }), new MemStorage());
    c.receiveAlert(household());
    c.rememberBindings(bindings as never);
    expect(c.residents()).toEqual(['山田 花子さん', '山田 太郎さん']);
    await c.close();
  });

  it('adds a newly bound resident the alerts have not named', async () => {
    const c = new TvController(validateConfig({ device: 'tv-0003', muni: '999997' }), new MemStorage());
    c.receiveAlert(household());
    c.rememberBindings([
      ...bindings,
      { bindingId: 'b3', displayName: '山田 次郎', boundAt: '2026-11-02T00:00:00Z' },
    ] as never);
    expect(c.residents()).toEqual(['山田 花子さん', '山田 太郎さん', '山田 次郎']);
    await c.close();
  });
});

describe('Home names everyone alike (issue 18, item 9)', () => {
  it('with さん on a Japanese screen, whether the name came from a card or an alert; without it in English', async () => {
    const { homeModel } = await import('../src/view-models.ts');
    const home = (lang: 'ja' | 'en') =>
      homeModel({
        lang,
        conn: 'online',
        residents: ['山田 花子さん', '山田 太郎さん', '山田 次郎'],
        active: [],
        areas: [],
        mailUnread: null,
        scale: 1,
      }).residents;
    expect(home('ja')).toBe('山田 花子さん、山田 太郎さん、山田 次郎さん');
    expect(home('en')).toBe('山田 花子, 山田 太郎, 山田 次郎');
  });
});

describe('Home residents in the resident script (issue 18, item 9)', () => {
  const english = (): PersonalAlert => ({
    ...household(),
    alertId: 'al-en',
    recipients: [
      {
        ref: 'r3',
        displayName: 'John Smith',
        reading: 'スミス ジョン',
        language: 'en',
        needsHelp: false,
        headline: 'h',
        instruction: 'i',
      },
    ],
  });
  const card = [{ bindingId: 'b3', displayName: 'スミス ジョン', boundAt: '2026-11-01T00:00:00Z' }];

  it('names a card bound as スミス ジョン once, as the alert names him (John Smith), in either order', async () => {
    const c = new TvController(validateConfig({ device: 'tv-0003', muni: '999997', lang: 'en' }), new MemStorage());
    c.rememberBindings(card as never);
    expect(c.residents()).toEqual(['スミス ジョン']);
    c.receiveAlert(english());
    expect(c.residents()).toEqual(['John Smith']);
    await c.close();

    const d = new TvController(validateConfig({ device: 'tv-0004', muni: '999997', lang: 'en' }), new MemStorage());
    d.receiveAlert(english());
    d.rememberBindings(card as never);
    expect(d.residents()).toEqual(['John Smith']);
    await d.close();
  });
});
