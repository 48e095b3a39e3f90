/**
 * A node of Debian's RabbitMQ 3.10.8 on Erlang 25.1 or later can stay paused after a partition:
 * restarting, it waits in `global:sync()` (rabbit_node_monitor:global_sync), which can hang after
 * nodes drop and reconnect. RabbitMQ's own workaround (fake a nodedown and a nodeup
 * between the two nodes whose sync is stuck) sends `{nodedown, Node}`, which Erlang 25.1's
 * `global` ignores: it now takes `{nodedown, Node, #{connection_id => Id}}` and drops messages of
 * an older connection. Seen in the fault suite (3,000 TVs): the cut-off node still not running
 * 3 minutes after the cut, its `global` holding the same `sync_tag_his` for its peers; sending
 * the messages with the connection ids by hand cleared those pending syncs (the run ended before
 * the node was seen running). Later RabbitMQ releases send that form themselves.
 *
 * This installs the same workaround, speaking the new form, in a node: a process that every 10 s
 * looks at `global`'s pending syncs and unblocks a peer whose sync has not moved since the last
 * look. Installed only on a node whose rabbit_node_monitor does not already know connection ids.
 * Each unblock is logged by the node and kept in the process's dictionary (`unblocked`: peer and
 * time, read by GLOBAL_UNBLOCKS_EXPR). An operator can unblock a peer by hand:
 * `rabbitmqctl eval 'kz_global_unblock ! {unblock, Peer}.'`.
 */

import { watcherRecordsExpr } from './rabbitmq-watcher-records.ts';

/** Name the process is registered under in the node (one per node). */
export const GLOBAL_UNBLOCK_PROCESS = 'kz_global_unblock';

/** Erlang for `rabbitmqctl eval`: starts the watcher unless running or not needed; returns started | running | not_needed. */
export function globalUnblockInstaller(everyMs = 10_000): string {
  return `
case {whereis(${GLOBAL_UNBLOCK_PROCESS}), lists:keymember(connection_id, 1, rabbit_node_monitor:module_info(functions))} of
  {_, true} -> not_needed;
  {P, _} when is_pid(P) -> running;
  {undefined, false} ->
    Pending = fun() ->
      {status, _, _, [D | _]} = sys:get_status(global_name_server),
      [E || {{sync_tag_his, _}, _} = E <- D]
    end,
    Cid = fun(State, N) ->
      case element(3, State) of #{{connection_id, N} := C} -> C; _ -> undefined end
    end,
    Msgs = fun(undefined, N) -> {{nodedown, N}, {nodeup, N}};
              (C, N) -> {{nodedown, N, #{connection_id => C}}, {nodeup, N, #{connection_id => C}}}
           end,
    Unblock = fun(Peer) ->
      Me = node(),
      {MyDown, MyUp} = Msgs(Cid(sys:get_state(global_name_server), Peer), Peer),
      {PeerDown, PeerUp} = Msgs(Cid(erpc:call(Peer, sys, get_state, [global_name_server], 5000), Me), Me),
      {global_name_server, Me} ! MyDown, {global_name_server, Peer} ! PeerDown,
      {global_name_server, Me} ! MyUp, {global_name_server, Peer} ! PeerUp,
      logger:warning("kizuna: global sync with ~p stuck; faked nodedown/nodeup with connection ids", [Peer]),
      put(unblocked, [{Peer, erlang:system_time(millisecond)} | case get(unblocked) of undefined -> []; L -> L end])
    end,
    Watch = fun Loop(Before) ->
      receive
        {unblock, Asked} -> catch Unblock(Asked), Loop(Before)
      after ${everyMs} ->
        Now = try Pending() catch _:_ -> [] end,
        [catch Unblock(Peer) || {{sync_tag_his, Peer}, _} = E <- Now, lists:member(E, Before)],
        Loop(Now)
      end
    end,
    register(${GLOBAL_UNBLOCK_PROCESS}, spawn(fun() -> Watch([]) end)),
    started
end.`;
}

/** The peers the watcher unblocked, as `[{Peer, UnixMs}]` (watcherRecordsExpr). */
export const GLOBAL_UNBLOCKS_EXPR = watcherRecordsExpr(GLOBAL_UNBLOCK_PROCESS, 'unblocked');
