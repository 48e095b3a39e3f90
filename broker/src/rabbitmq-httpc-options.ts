/**
 * RabbitMQ's HTTP auth backend asks the auth service through Erlang's `httpc`, default profile,
 * whose defaults suit a browser more than a broker: at most 2 persistent connections to a host,
 * each taking up to 5 requests queued behind the one in flight. A node's logins, resource and
 * topic checks then wait in those queues, not on the service: 24 questions at once went out 4 at a
 * time (rabbitmq-cluster.test.ts). In the fault suite at 10,000 TVs (2026-12-08 01:10 run) node
 * 1's busiest processes were waiting for answers in `httpc` (`httpc:handle_answer`), two of them
 * with 421 and 444 messages in their mailboxes, while the auth service answered in 3–8 ms.
 *
 * This installs a process in a node that sets the default profile so that a connection carries one
 * request at a time (a busy one is never handed another) and up to HTTPC_MAX_SESSIONS of them are
 * kept (httpc opens one-off connections beyond that), idle ones closed before the auth service's
 * own keep-alive timeout would (Node's default: 72 s for fastify) so a request is never sent down
 * a connection the server is closing. It sets them again whenever they differ (the options live in
 * `inets`' profile, which a restart of the rabbit application may start anew), and keeps when it
 * did (`applied`, the last 20, read by HTTPC_OPTIONS_APPLIED_EXPR).
 */
import { watcherRecordsExpr } from './rabbitmq-watcher-records.ts';

/** Name the process is registered under in the node (one per node). */
export const HTTPC_OPTIONS_PROCESS = 'kz_httpc_options';

/** Persistent connections a node keeps to the auth service. */
export const HTTPC_MAX_SESSIONS = 64;

/** The options, as Erlang terms. */
export const HTTPC_OPTIONS = `[{max_sessions, ${HTTPC_MAX_SESSIONS}}, {max_keep_alive_length, 1}, {keep_alive_timeout, 30000}]`;

/** How often the process checks the options (ms). */
const CHECK_EVERY_MS = 5000;

/** Erlang for `rabbitmqctl eval`: starts the process unless running; returns started | running. */
export function httpcOptionsInstaller(): string {
  return `
case whereis(${HTTPC_OPTIONS_PROCESS}) of
  P when is_pid(P) -> running;
  undefined ->
    Want = ${HTTPC_OPTIONS},
    Keys = [K || {K, _} <- Want],
    Apply = fun() ->
      case catch httpc:get_options(Keys) of
        {ok, Have} ->
          case lists:sort(Have) =:= lists:sort(Want) of
            true -> ok;
            false ->
              ok = httpc:set_options(Want),
              put(applied, lists:sublist([erlang:system_time(millisecond) | case get(applied) of undefined -> []; Old -> Old end], 20))
          end;
        _ -> ok
      end
    end,
    Loop = fun L() -> catch Apply(), receive after ${CHECK_EVERY_MS} -> L() end end,
    Self = self(),
    Pid = spawn(fun() -> catch Apply(), Self ! {kz_httpc_applied, self()}, Loop() end),
    receive {kz_httpc_applied, Pid} -> ok after 10000 -> ok end,
    register(${HTTPC_OPTIONS_PROCESS}, Pid),
    started
end.`;
}

/** When the process set the options, as `[UnixMs]`, newest first (watcherRecordsExpr). */
export const HTTPC_OPTIONS_APPLIED_EXPR = watcherRecordsExpr(HTTPC_OPTIONS_PROCESS, 'applied');
