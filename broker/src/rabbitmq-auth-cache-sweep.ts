/**
 * RabbitMQ 3.10.8's auth cache module `rabbit_auth_cache_ets_segmented_stateless` (the one Kizuna
 * uses: rabbitMqAdvancedConfig) keeps one ETS table per time segment and a named index table of
 * them. Its owner process deletes the expired segments' tables every two segments (`gc`) but
 * leaves their rows in the index, so the next `gc` deletes the same tables again, fails (`badarg`)
 * and the owner crashes — every 20 s at a 5 s TTL, seen in the fault suite (10,000 TVs, 22:17 run).
 * Each crash takes the whole cache with it, and every check waiting on the owner at that moment
 * (adding a segment) crashes its channel: 793 at once on node 2 at 22:23:34, each closing a TV's
 * connection.
 *
 * This installs a process in a node that every half segment removes from the index the rows whose
 * table no longer exists, so it clears a deleted segment's row before the owner's next `gc`, which then finds nothing to delete twice. Rows of live segments (the ones
 * `get` and `put` use) are never touched. What it removed is kept in its process dictionary
 * (`swept`: the last 100 segments and when, read by AUTH_CACHE_SWEEPS_EXPR).
 */

import { watcherRecordsExpr } from './rabbitmq-watcher-records.ts';

/** Name the process is registered under in the node (one per node). */
export const AUTH_CACHE_SWEEP_PROCESS = 'kz_auth_cache_sweep';

/** The module's index of segment tables (a named, public ETS table). */
const INDEX = 'rabbit_auth_cache_ets_segmented_stateless_segment_table';

/** The auth cache's segment (ms) for a cache TTL: one ETS table per segment, cleaned up every two. */
export const authCacheSegmentMs = (cacheTtlMs: number) => Math.max(1000, cacheTtlMs);

/**
 * Erlang for `rabbitmqctl eval`: starts the sweeper of a node whose cache has `cacheTtlMs` (it runs
 * every half segment) unless running; returns started | running.
 */
export function authCacheSweepInstaller(cacheTtlMs: number): string {
  const everyMs = authCacheSegmentMs(cacheTtlMs) / 2;
  return `
case whereis(${AUTH_CACHE_SWEEP_PROCESS}) of
  P when is_pid(P) -> running;
  undefined ->
    Sweep = fun() ->
      Gone = [S || {S, Tab} <- ets:tab2list(${INDEX}), S =/= segment_size, ets:info(Tab, id) =:= undefined],
      [ets:delete(${INDEX}, S) || S <- Gone],
      Gone
    end,
    Loop = fun L() ->
      receive after ${Math.round(everyMs)} ->
        case catch Sweep() of
          [_ | _] = Gone ->
            Now = erlang:system_time(millisecond),
            put(swept, lists:sublist([{S, Now} || S <- Gone] ++ case get(swept) of undefined -> []; Old -> Old end, 100));
          _ -> ok
        end,
        L()
      end
    end,
    register(${AUTH_CACHE_SWEEP_PROCESS}, spawn(Loop)),
    started
end.`;
}

/** The segments whose rows the sweeper removed, as `[{SegmentEndMs, UnixMs}]` (watcherRecordsExpr). */
export const AUTH_CACHE_SWEEPS_EXPR = watcherRecordsExpr(AUTH_CACHE_SWEEP_PROCESS, 'swept');
