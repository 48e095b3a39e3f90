/**
 * The roster the municipality sent this shelter, indexed for the door: card key → person,
 * household → members. Kept in the local store so taps resolve with no network; refreshed
 * from the console (If-None-Match) on start, on every reconnect and periodically. It holds the
 * whole municipality (scope 'municipality', issue 19): after the first full fetch only the
 * changes since the version held travel (GET …/roster/changes?since=), gzipped.
 */
import {
  applyRosterDelta,
  decodeMessage,
  rosterChangesPath,
  ShelterRosterDeltaSchema,
  type ShelterRosterDelta,
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

  /** Every resident is on it: a valid card that is not is from outside the municipality. */
  get wholeMunicipality(): boolean {
    return this.roster.scope === 'municipality';
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

/** How the last refresh went, for the status line and the benchmark. */
export interface RefreshInfo {
  kind: 'full' | 'changes' | 'unchanged';
  /** Bytes received (compressed as sent). */
  bytes: number;
  upsert?: number;
  remove?: number;
}

export class RosterSource {
  private index: RosterIndex | null = null;
  private refreshing: Promise<RefreshOutcome> | null = null;
  lastError: { code: string; at: string } | null = null;
  lastRefresh: RefreshInfo | null = null;

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
    const held = this.index;
    if (held?.wholeMunicipality) {
      const outcome = await this.fetchChanges(held);
      if (outcome) return outcome;
    }
    return this.fetchFull();
  }

  private async get(path: string, ifNoneMatch?: string): Promise<Response> {
    const { consoleUrl, credentials } = this.opts;
    if (!consoleUrl) throw shelterErrors.KZ_SHELTER_ROSTER_UNAVAILABLE('no console URL configured');
    const url = new URL(path, consoleUrl);
    const headers: Record<string, string> = { accept: 'application/json', 'accept-encoding': 'gzip' };
    if (credentials)
      headers.authorization = `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}`;
    if (ifNoneMatch) headers['if-none-match'] = `"${ifNoneMatch}"`;
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
    if (res.status === 401 || res.status === 403)
      throw this.fail(shelterErrors.KZ_SHELTER_ROSTER_REFUSED(`HTTP ${res.status}`));
    if (!res.ok && res.status !== 304)
      throw this.fail(shelterErrors.KZ_SHELTER_ROSTER_UNAVAILABLE(`HTTP ${res.status}`));
    return res;
  }

  private async unchanged(held: RosterIndex): Promise<RefreshOutcome> {
    await this.opts.store.touchRoster();
    this.index = new RosterIndex(held.roster, new Date().toISOString());
    this.lastError = null;
    this.lastRefresh = { kind: 'unchanged', bytes: 0 };
    return 'unchanged';
  }

  /** Only what changed since the version held; null when it does not apply (then a full fetch). */
  private async fetchChanges(held: RosterIndex): Promise<RefreshOutcome | null> {
    const { store, logger } = this.opts;
    const res = await this.get(rosterChangesPath(store.ids.shelter, held.roster.version), held.roster.version);
    if (res.status === 304) return this.unchanged(held);
    const body = new Uint8Array(await res.arrayBuffer());
    const bytes = Number(res.headers.get('content-length') ?? body.length);
    let delta: ShelterRosterDelta;
    try {
      delta = decodeMessage(ShelterRosterDeltaSchema, body, 'roster changes');
    } catch (e) {
      throw this.fail(
        shelterErrors.KZ_SHELTER_ROSTER_INVALID(
          e instanceof MessageError ? e.problems.join('; ') : (e as Error).message,
        ),
      );
    }
    this.checkFor(delta);
    if (!delta.reset && delta.since !== held.roster.version) return null;
    const roster = applyRosterDelta(held.roster, delta);
    for (const e of delta.events ?? []) await store.ingest(e.terminal, e.event);
    await store.saveRoster(roster.version, roster);
    this.index = new RosterIndex(roster, new Date().toISOString());
    this.lastError = null;
    this.lastRefresh = { kind: 'changes', bytes, upsert: delta.upsert.length, remove: delta.remove.length };
    logger.info(
      {
        version: roster.version,
        people: roster.people.length,
        upsert: delta.upsert.length,
        remove: delta.remove.length,
      },
      'roster updated with its changes',
    );
    return 'updated';
  }

  private async fetchFull(): Promise<RefreshOutcome> {
    const { store, logger } = this.opts;
    const held = this.index;
    const res = await this.get(rosterPath(store.ids.shelter), held?.roster.version);
    if (res.status === 304 && held) return this.unchanged(held);
    if (res.status === 304)
      throw this.fail(shelterErrors.KZ_SHELTER_ROSTER_UNAVAILABLE('HTTP 304 with no roster held'));
    const body = new Uint8Array(await res.arrayBuffer());
    const bytes = Number(res.headers.get('content-length') ?? body.length);
    let roster: ShelterRoster;
    try {
      roster = decodeMessage(ShelterRosterSchema, body, 'roster');
    } catch (e) {
      throw this.fail(
        shelterErrors.KZ_SHELTER_ROSTER_INVALID(
          e instanceof MessageError ? e.problems.join('; ') : (e as Error).message,
        ),
      );
    }
    this.checkFor(roster);
    // Events the console already holds for this shelter: merge so every terminal counts the same.
    for (const e of roster.events ?? []) await store.ingest(e.terminal, e.event);
    const { events: _events, ...rest } = roster;
    await store.saveRoster(roster.version, rest);
    this.index = new RosterIndex(rest as ShelterRoster, new Date().toISOString());
    this.lastError = null;
    this.lastRefresh = { kind: 'full', bytes };
    logger.info({ version: roster.version, people: roster.people.length }, 'roster updated');
    return 'updated';
  }

  private checkFor(r: { muni: string; shelter: string }) {
    const { store } = this.opts;
    if (r.muni !== store.ids.muni || r.shelter !== store.ids.shelter) {
      throw this.fail(
        shelterErrors.KZ_SHELTER_ROSTER_INVALID(`roster is for ${r.muni}/${r.shelter}, not this shelter`),
      );
    }
  }

  private fail(err: Error & { code?: string }) {
    this.lastError = { code: err.code ?? 'KZ_SHELTER_ROSTER_UNAVAILABLE', at: new Date().toISOString() };
    return err;
  }
}
