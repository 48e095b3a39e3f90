/**
 * The roster the municipality sent this shelter, indexed for the door: card key → person,
 * household → members. Kept in the local store so taps resolve with no network; refreshed
 * from the console (If-None-Match) on start, on every reconnect and periodically.
 */
import {
  decodeMessage,
  rosterCardKey,
  rosterPath,
  MessageError,
  ShelterRosterSchema,
  type RosterPerson,
  type ShelterRoster,
} from '@kizuna/contract';
import type { Logger } from '@kizuna/core';
import { shelterErrors } from './errors.ts';
import type { TerminalStore } from './store.ts';

export class RosterIndex {
  private readonly byCard = new Map<string, RosterPerson>();
  private readonly byKey = new Map<string, RosterPerson>();
  private readonly byHousehold = new Map<string, RosterPerson[]>();

  constructor(
    readonly roster: ShelterRoster,
    readonly fetchedAt: string,
  ) {
    for (const p of roster.people) {
      this.byKey.set(p.rosterKey, p);
      for (const k of p.cardKeys) this.byCard.set(k, p);
      const h = this.byHousehold.get(p.household) ?? [];
      h.push(p);
      this.byHousehold.set(p.household, h);
    }
  }

  async byCertSerial(serialHex: string): Promise<RosterPerson | undefined> {
    return this.byCard.get(await rosterCardKey(this.roster.cardKeySalt, serialHex));
  }

  person(rosterKey: string): RosterPerson | undefined {
    return this.byKey.get(rosterKey);
  }

  household(household: string): RosterPerson[] {
    return this.byHousehold.get(household) ?? [];
  }

  get size(): number {
    return this.roster.people.length;
  }
}

export interface RosterSourceOptions {
  store: TerminalStore;
  logger: Logger;
  consoleUrl?: string | undefined;
  /** The terminal's broker credentials, sent as HTTP Basic (see contract/src/roster.ts). */
  credentials?: { username: string; password: string } | undefined;
  timeoutMs?: number;
}

export type RefreshOutcome = 'updated' | 'unchanged';

export class RosterSource {
  private index: RosterIndex | null = null;
  private refreshing: Promise<RefreshOutcome> | null = null;
  lastError: { code: string; at: string } | null = null;

  constructor(private readonly opts: RosterSourceOptions) {}

  get current(): RosterIndex | null {
    return this.index;
  }

  /** Load the cached roster (offline start). */
  async loadCached(): Promise<void> {
    const cached = await this.opts.store.cachedRoster();
    if (!cached) return;
    try {
      const roster = decodeMessage(ShelterRosterSchema, JSON.stringify(cached.body), 'roster');
      this.index = new RosterIndex(roster, cached.fetchedAt);
    } catch (e) {
      this.opts.logger.warn(
        { code: 'KZ_SHELTER_ROSTER_INVALID', err: (e as Error).message },
        'cached roster is invalid; waiting for a fresh one',
      );
    }
  }

  /** Fetch from the console; concurrent callers share one request. */
  refresh(): Promise<RefreshOutcome> {
    this.refreshing ??= this.fetchOnce().finally(() => {
      this.refreshing = null;
    });
    return this.refreshing;
  }

  private async fetchOnce(): Promise<RefreshOutcome> {
    const { consoleUrl, credentials, store, logger } = this.opts;
    if (!consoleUrl) throw shelterErrors.KZ_SHELTER_ROSTER_UNAVAILABLE('no console URL configured');
    const url = new URL(rosterPath(store.ids.shelter), consoleUrl);
    const headers: Record<string, string> = { accept: 'application/json' };
    if (credentials)
      headers.authorization = `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}`;
    if (this.index) headers['if-none-match'] = `"${this.index.roster.version}"`;
    let res: Response;
    try {
      res = await fetch(url, { headers, signal: AbortSignal.timeout(this.opts.timeoutMs ?? 5000) });
    } catch (e) {
      throw this.fail(
        shelterErrors.KZ_SHELTER_ROSTER_UNAVAILABLE(
          `${url.origin}: ${(e as Error).cause ? String((e as { cause: Error }).cause.message) : (e as Error).message}`,
        ),
      );
    }
    if (res.status === 304 && this.index) {
      await store.touchRoster();
      this.index = new RosterIndex(this.index.roster, new Date().toISOString());
      this.lastError = null;
      return 'unchanged';
    }
    if (res.status === 401 || res.status === 403)
      throw this.fail(shelterErrors.KZ_SHELTER_ROSTER_REFUSED(`HTTP ${res.status}`));
    if (!res.ok) throw this.fail(shelterErrors.KZ_SHELTER_ROSTER_UNAVAILABLE(`HTTP ${res.status}`));
    let roster: ShelterRoster;
    try {
      roster = decodeMessage(ShelterRosterSchema, new Uint8Array(await res.arrayBuffer()), 'roster');
    } catch (e) {
      throw this.fail(
        shelterErrors.KZ_SHELTER_ROSTER_INVALID(
          e instanceof MessageError ? e.problems.join('; ') : (e as Error).message,
        ),
      );
    }
    if (roster.muni !== store.ids.muni || roster.shelter !== store.ids.shelter) {
      throw this.fail(
        shelterErrors.KZ_SHELTER_ROSTER_INVALID(`roster is for ${roster.muni}/${roster.shelter}, not this shelter`),
      );
    }
    // Events the console already holds for this shelter: merge so every terminal counts the same.
    for (const e of roster.events ?? []) await store.ingest(e.terminal, e.event);
    const { events: _events, ...body } = roster;
    await store.saveRoster(roster.version, body);
    this.index = new RosterIndex(body as ShelterRoster, new Date().toISOString());
    this.lastError = null;
    logger.info({ version: roster.version, people: roster.people.length }, 'roster updated');
    return 'updated';
  }

  private fail(err: Error & { code?: string }) {
    this.lastError = { code: err.code ?? 'KZ_SHELTER_ROSTER_UNAVAILABLE', at: new Date().toISOString() };
    return err;
  }
}
