/** Running an external broker as a child process: free ports, readiness, a clean stop. */
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { accessSync, constants, readFileSync } from 'node:fs';
import { createConnection, createServer, type AddressInfo } from 'node:net';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { brokerErrors } from './errors.ts';

/**
 * A free port for a child that cannot be told "port 0" (a RabbitMQ node, Mosquitto, epmd), taken
 * below the kernel's ephemeral range. A port the kernel handed out for port 0 goes back to that
 * range when we close it, and a RabbitMQ cluster binds its ports seconds later, one node after the
 * other: meanwhile any outgoing connection or rabbitmqctl's own listener on the machine could be
 * given it. (Seen, cause not confirmed: a node whose listener supervisor, ranch_acceptors_sup,
 * failed to start right after another cluster's run; one cluster start in four failing when three
 * test files started clusters at once.) Below the range the kernel never hands a port out by
 * itself; ports given in this process are not given twice.
 */
export async function freePort(host = '127.0.0.1'): Promise<number> {
  const [lo, hi] = outsideEphemeral();
  for (let i = 0; i < 200 && hi > lo; i++) {
    const port = lo + Math.floor(Math.random() * (hi - lo));
    if (given.has(port)) continue;
    if (await canListen(host, port)) {
      given.add(port);
      return port;
    }
  }
  return kernelPort(host);
}

const given = new Set<number>();

/** [first, last) ports between 10000 and the ephemeral range's start (Linux), or an empty range. */
function outsideEphemeral(): [number, number] {
  try {
    const start = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
    return Number.isInteger(start) && start > 10_000 ? [10_000, start] : [0, 0];
  } catch {
    return [0, 0];
  }
}

function canListen(host: string, port: number): Promise<boolean> {
  const server = createServer();
  return new Promise((resolve) => {
    server.once('error', () => resolve(false));
    server.listen(port, host, () => server.close(() => resolve(true)));
  });
}

async function kernelPort(host: string): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Throws KZ_BROKER_BINARY_MISSING with the install hint when `file` is missing (or not executable). */
export function requireBinary(file: string, hint: string, executable = true): void {
  try {
    accessSync(file, executable ? constants.X_OK : constants.R_OK);
  } catch {
    throw brokerErrors.KZ_BROKER_BINARY_MISSING(`${file} not found${executable ? ' or not executable' : ''} — ${hint}`);
  }
}

/** uid/gid of a system user, from /etc/passwd (no native module needed). */
export function systemUser(name: string): { uid: number; gid: number } | null {
  try {
    const line = readFileSync('/etc/passwd', 'utf8')
      .split('\n')
      .find((l) => l.startsWith(`${name}:`));
    if (!line) return null;
    const [, , uid, gid] = line.split(':');
    return { uid: Number(uid), gid: Number(gid) };
  } catch {
    return null;
  }
}

export interface Child {
  process: ChildProcess;
  /** The last lines the child wrote (for error messages); never contains secrets we wrote. */
  tail(): string;
  exited: Promise<number | null>;
}

/** Children still running → whether they lead their own process group. */
const running = new Map<ChildProcess, boolean>();
// If our process ends without close() (a crash, an aborted test run), its brokers end with it.
process.once('exit', () => {
  for (const [c, group] of running) {
    try {
      if (c.pid) process.kill(group ? -c.pid : c.pid, 'SIGKILL');
    } catch {
      /* already gone */
    }
  }
});

export function startChild(file: string, args: string[], opts: SpawnOptions = {}): Child {
  const child = spawn(file, args, { stdio: ['ignore', 'pipe', 'pipe'], ...opts });
  running.set(child, !!opts.detached);
  child.once('exit', () => running.delete(child));
  const lines: string[] = [];
  const keep = (chunk: Buffer) => {
    lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
    if (lines.length > 40) lines.splice(0, lines.length - 40);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<number | null>((resolve) => {
    child.once('exit', (code) => resolve(code));
    child.once('error', (err) => {
      lines.push(err.message);
      resolve(-1);
    });
  });
  return { process: child, tail: () => lines.slice(-12).join('\n'), exited };
}

/**
 * The environment of an embedded broker process (`broker/src/server.ts` or its bundle) on loopback
 * and a PGlite directory, for tests and benchmarks: MQTT on `port`, WebSocket and auth on free ports.
 */
export async function embeddedBrokerEnv(port: number, dataDir: string): Promise<Record<string, string>> {
  return {
    KZ_BROKER_MODE: 'embedded',
    KZ_BROKER_HOST: '127.0.0.1',
    KZ_BROKER_PORT: String(port),
    KZ_BROKER_WS_PORT: String(await freePort()),
    KZ_BROKER_AUTH_PORT: String(await freePort()),
    KZ_BROKER_DATA_DIR: dataDir,
    KZ_BROKER_LOG_LEVEL: 'error',
  };
}

/**
 * Resolve once `port` accepts TCP connections, tried every `pollMs`; KZ_BROKER_START_FAILED if the
 * child exits or time runs out.
 */
export async function waitForPort(
  child: Child,
  what: string,
  host: string,
  port: number,
  timeoutMs: number,
  pollMs = 100,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exitCode: number | null | undefined;
  void child.exited.then((c) => {
    exitCode = c;
  });
  while (Date.now() < deadline) {
    if (exitCode !== undefined)
      throw brokerErrors.KZ_BROKER_START_FAILED(`${what} exited (code ${exitCode}): ${child.tail()}`);
    const open = await new Promise<boolean>((resolve) => {
      const s = createConnection({ host, port });
      s.once('connect', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (open) return;
    await new Promise((r) => setTimeout(r, pollMs));
  }
  throw brokerErrors.KZ_BROKER_START_FAILED(
    `${what} did not listen on ${host}:${port} within ${timeoutMs} ms: ${child.tail()}`,
  );
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves when the child is gone. */
export async function stopChild(child: Child, graceMs = 5000): Promise<void> {
  const p = child.process;
  if (p.exitCode !== null || p.signalCode !== null) return;
  p.kill('SIGTERM');
  const timer = setTimeout(() => p.kill('SIGKILL'), graceMs);
  await child.exited;
  clearTimeout(timer);
}

/**
 * One MQTT login, no reconnects: resolves with the client on CONNACK 0, rejects on a refusal (the
 * error's numeric `code` is the CONNACK's), an error, or a socket closed before any CONNACK —
 * which mqtt.js' connectAsync does not settle on, so a caller waiting on it would hang.
 */
export function connectOnce(url: string, opts: IClientOptions): Promise<MqttClient> {
  return new Promise((resolve, reject) => {
    const client = mqtt.connect(url, { ...opts, reconnectPeriod: 0 });
    const closed = () => fail(new Error('closed without CONNACK'));
    const fail = (e: Error) => {
      client.off('error', fail).off('close', closed).end(true);
      reject(e);
    };
    client.once('connect', () => {
      client.off('error', fail).off('close', closed);
      resolve(client);
    });
    client.once('error', fail);
    client.once('close', closed);
  });
}

/**
 * Waits until the broker answers a CONNECT with a CONNACK. An open port is not enough for
 * RabbitMQ: its MQTT listener opens while the node is still booting, and a login then is closed
 * without a CONNACK (seen once in CI: the first client of a fresh node got "closed"). The probe
 * logs in with a name no store holds, so the answer is a refusal (CONNACK 4/5) that has gone
 * through the whole login path, the auth backend included; nothing is stored for it.
 */
export async function waitForMqttLogin(child: Child, what: string, url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exitCode: number | null | undefined;
  void child.exited.then((c) => {
    exitCode = c;
  });
  let last = 'no answer';
  while (Date.now() < deadline) {
    if (exitCode !== undefined)
      throw brokerErrors.KZ_BROKER_START_FAILED(`${what} exited (code ${exitCode}): ${child.tail()}`);
    const answer = await connectOnce(url, {
      username: `kz-readiness-probe-${process.pid}`,
      password: 'not-a-credential',
      clientId: `kz-readiness-probe-${process.pid}`,
      protocolVersion: 4,
      connectTimeout: Math.max(1000, Math.min(10_000, deadline - Date.now())),
    }).then(
      (c) => (c.end(true), 'connack'),
      (err: Error & { code?: number | string }) => (typeof err.code === 'number' ? 'connack' : err.message),
    );
    if (answer === 'connack') return;
    last = answer;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw brokerErrors.KZ_BROKER_START_FAILED(
    `${what} did not answer a CONNECT at ${url} within ${timeoutMs} ms (${last}): ${child.tail()}`,
  );
}

/** CPU seconds (user + system) a process has used, from /proc (Linux); NaN when it cannot be read. Benchmarks read a broker's with it. */
export function processCpuSeconds(pid: number | undefined): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ 100)
  } catch {
    return NaN;
  }
}
