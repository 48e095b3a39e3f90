/** Shared pieces of the terminal's suites: a quiet logger, rosters, a terminal on a fresh store. */
import type { Db } from '@kizuna/core';
import { rosterCardKey, type CareNeed, type ShelterRoster } from '@kizuna/contract';
import { quietLogger } from '@kizuna/test-utils';
import { RosterSource, RosterIndex } from '../src/roster.ts';
import { migrateTerminalDb, TerminalStore, type TerminalIds } from '../src/store.ts';
import { ShelterTerminal, type TerminalOptions } from '../src/terminal.ts';

export { quietLogger };

export const SALT = '5a17'.repeat(8);

export interface RosterPersonSeed {
  key: string;
  name: string;
  household: string;
  serials?: string[];
  needsCare?: boolean;
  ageGroup?: 'child' | 'adult' | 'senior';
}

export async function makeRoster(
  people: RosterPersonSeed[],
  over: Partial<ShelterRoster> = {},
): Promise<ShelterRoster> {
  return {
    v: 1,
    kind: 'shelter-roster',
    muni: '999997',
    shelter: 'sh-test',
    version: 'v1',
    generatedAt: new Date().toISOString(),
    shelterName: 'テスト小学校',
    capacity: 10,
    cardKeySalt: SALT,
    people: await Promise.all(
      people.map(async (p) => ({
        rosterKey: p.key,
        displayName: p.name,
        household: p.household,
        needsCare: p.needsCare ?? false,
        needs: (p.needsCare ? ['mobility'] : []) as CareNeed[],
        ...(p.ageGroup ? { ageGroup: p.ageGroup } : {}),
        cardKeys: await Promise.all((p.serials ?? []).map((s) => rosterCardKey(SALT, s))),
      })),
    ),
    ...over,
  };
}

export const IDS: TerminalIds = { muni: '999997', shelter: 'sh-test', terminal: 't1' };

/** A terminal on `db` with `roster` already cached, as after a fetch from the console. */
export async function terminalOn(
  db: Db,
  opts: { rosterData?: ShelterRoster; ids?: Partial<TerminalIds> } & Omit<
    Partial<TerminalOptions>,
    'roster' | 'store'
  > = {},
) {
  const { rosterData, ids, ...rest } = opts;
  await migrateTerminalDb(db);
  const store = new TerminalStore(db, { ...IDS, ...ids }, rest.clock);
  if (rosterData) await store.saveRoster(rosterData.version, rosterData);
  const roster = new RosterSource({ store, logger: quietLogger() });
  await roster.loadCached();
  const terminal = new ShelterTerminal({ logger: quietLogger(), ...rest, store, roster });
  return { store, roster, terminal };
}

export { RosterIndex };
