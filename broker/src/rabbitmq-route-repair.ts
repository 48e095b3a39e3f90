/**
 * RabbitMQ 3.10.8 can leave a TV subscribed and deaf after a node of the cluster went away: the
 * TV's binding is in the routing table (`rabbit_route`; `list_bindings` shows it) but not in the
 * topic exchange's trie, which is what `amq.topic` routes by, so nothing published to the TV's
 * topic reaches its queue. Seen in the fault suite (3,000 TVs, a node cut off and healed): 54 TVs
 * online on the other nodes (their SUBACK answered, their queue alive) never received the alert
 * nor any of the console's re-sends, each with its two routes and no trie binding. A clean
 * session's queue is named after the client id, so a TV that reconnects elsewhere declares and
 * binds the same queue name while the survivors are still deleting the lost node's transient
 * queues by name (rabbit_amqqueue:on_node_down); most likely the topic exchange's part of that
 * deletion took the new binding too (the records are the same; the interleaving was not seen).
 *
 * This installs a watcher in a node that every 10 s compares the number of `amq.topic` routes with
 * the number of trie bindings. Only when they differ does it look binding by binding, and it
 * re-adds to the trie the bindings of the node's own queues that are missing from it in two looks
 * in a row (a binding being added or removed is not mistaken for a lost one), each in a Mnesia
 * transaction that first checks the route is still there. Each repair is logged by the node and
 * kept in the process's dictionary (`repaired`: the last 1,000 queues and the time, read by
 * ROUTE_REPAIRS_EXPR).
 */

import { watcherRecordsExpr } from './rabbitmq-watcher-records.ts';

/** Name the process is registered under in the node (one per node). */
export const ROUTE_REPAIR_PROCESS = 'kz_route_repair';

/** Erlang for `rabbitmqctl eval`: starts the watcher unless running; returns started | running. */
export function routeRepairInstaller(everyMs = 10_000): string {
  return `
case whereis(${ROUTE_REPAIR_PROCESS}) of
  P when is_pid(P) -> running;
  undefined ->
    XName = rabbit_misc:r(<<"/">>, exchange, <<"amq.topic">>),
    Local = fun(Q) -> case rabbit_amqqueue:lookup(Q) of
      {ok, Qr} -> node(amqqueue:get_pid(Qr)) =:= node();
      _ -> false
    end end,
    %% A trie binding's key, read back by walking its trie node up to the root.
    Parent = fun(N) ->
      ets:select(rabbit_topic_trie_edge, [{{topic_trie_edge, {trie_edge, XName, '$1', '$2'}, N}, [], [{{'$1', '$2'}}]}])
    end,
    KeyOf = fun Walk(root, Acc) -> Acc; Walk(N, Acc) -> [{Up, W}] = Parent(N), Walk(Up, [W | Acc]) end,
    MissingOf = fun(D) ->
      Have = [catch KeyOf(N, []) || N <- ets:select(rabbit_topic_trie_binding,
        [{{topic_trie_binding, {trie_binding, XName, '$1', D, '_'}, '_'}, [], ['$1']}])],
      [B || {route, B, _} <- ets:select(rabbit_route, [{{route, {binding, XName, '_', D, '_'}, '_'}, [], ['$_']}]),
            not lists:member([binary_to_list(W) || W <- binary:split(element(3, B), <<".">>, [global])], Have)]
    end,
    %% The bindings of this node's queues that the trie lacks. Built-in functions and match
    %% specifications only over whole tables (they run while the node is busiest; the
    %% interpreted part only for the queues found short).
    Count = fun(Tab, Pattern) -> ets:select_count(Tab, [{Pattern, [], [true]}]) end,
    Missing = fun() ->
      case Count(rabbit_route, {route, {binding, XName, '_', '_', '_'}, '_'})
           =:= Count(rabbit_topic_trie_binding, {topic_trie_binding, {trie_binding, XName, '_', '_', '_'}, '_'}) of
        true -> [];
        false ->
          RouteDs = ets:select(rabbit_route, [{{route, {binding, XName, '_', '$1', '_'}, '_'}, [], ['$1']}]),
          TrieDs = ets:select(rabbit_topic_trie_binding, [{{topic_trie_binding, {trie_binding, XName, '_', '$1', '_'}, '_'}, [], ['$1']}]),
          Short = [D || {resource, _, queue, _} = D <- lists:usort(RouteDs -- TrieDs), Local(D)],
          lists:append([MissingOf(D) || D <- Short])
      end
    end,
    Repair = fun(Bs) ->
      {ok, X} = rabbit_exchange:lookup(XName),
      Done = rabbit_misc:execute_mnesia_transaction(fun() ->
        [begin ok = rabbit_exchange_type_topic:add_binding(transaction, X, B), element(4, B) end
         || B <- Bs, mnesia:read(rabbit_route, B, read) =/= []]
      end),
      Queues = lists:usort([Name || {resource, _, queue, Name} <- Done]),
      logger:warning("kizuna: ~b amq.topic bindings missing from the topic trie re-added, for ~p", [length(Done), Queues]),
      put(repaired, lists:sublist([{Q, erlang:system_time(millisecond)} || Q <- Queues] ++ case get(repaired) of undefined -> []; L -> L end, 1000))
    end,
    Watch = fun Loop(Before) ->
      receive after ${everyMs} ->
        Now = try Missing() catch _:_ -> [] end,
        case [B || B <- Now, lists:member(B, Before)] of
          [] -> ok;
          Lost -> catch Repair(Lost)
        end,
        Loop(Now)
      end
    end,
    register(${ROUTE_REPAIR_PROCESS}, spawn(fun() -> Watch([]) end)),
    started
end.`;
}

/** The queues whose bindings the watcher re-added, as `[{QueueName, UnixMs}]` (watcherRecordsExpr). */
export const ROUTE_REPAIRS_EXPR = watcherRecordsExpr(ROUTE_REPAIR_PROCESS, 'repaired');
