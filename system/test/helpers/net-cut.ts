/** A TCP relay in front of the broker that tests can cut and restore: the network, not the broker, goes away. */
import { createServer, connect, type AddressInfo, type Socket } from 'node:net';

export async function netCut(target: { host: string; port: number }) {
  const sockets = new Set<Socket>();
  let blocked = false;
  const server = createServer((client) => {
    if (blocked) {
      client.destroy();
      return;
    }
    const up = connect(target.port, target.host);
    sockets.add(client);
    sockets.add(up);
    client.pipe(up);
    up.pipe(client);
    const end = () => {
      client.destroy();
      up.destroy();
      sockets.delete(client);
      sockets.delete(up);
    };
    client.on('error', end);
    up.on('error', end);
    client.on('close', end);
    up.on('close', end);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `mqtt://127.0.0.1:${port}`,
    block() {
      blocked = true;
      for (const s of sockets) s.destroy();
      sockets.clear();
    },
    unblock() {
      blocked = false;
    },
    async close() {
      this.block();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
