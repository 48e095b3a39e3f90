/**
 * What a watcher installed in a RabbitMQ node (rabbitmq-global-unblock.ts, rabbitmq-route-repair.ts)
 * keeps of what it did: a list in its process dictionary under `key`.
 */

/**
 * An Erlang expression (no final `.`, so it can sit inside a larger one, beside another such
 * expression: its variables are named after the process) reading that list, or `none` when the
 * process is not running. For `rabbitmqctl eval`, add the `.`.
 */
export function watcherRecordsExpr(process: string, key: string): string {
  const v = process
    .split('_')
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join('');
  return `case whereis(${process}) of
  undefined -> none;
  ${v} -> {dictionary, ${v}Dict} = process_info(${v}, dictionary), proplists:get_value(${key}, ${v}Dict, [])
end`;
}
