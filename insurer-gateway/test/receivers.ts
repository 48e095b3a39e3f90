/** Real HTTP webhook receivers for the gateway suites: one that answers, one that never does. */
import { createServer, type Server, type ServerResponse } from 'node:http';

export interface Delivery {
  body: string;
  event: { id: string; seq: number; type: string; data: Record<string, any> };
  signature: string;
  /** When the request arrived (ms since the epoch). */
  at: number;
}

export interface Receiver {
  url: string;
  deliveries: Delivery[];
  /** Resolves with the first delivery that matches (waits for it). */
  next(match?: (d: Delivery) => boolean): Promise<Delivery>;
  close(): Promise<void>;
}

/**
 * `answer` writes the response (default 204); `'hang'` reads the request and never answers.
 * Every delivery is recorded, whatever the answer.
 */
export async function startReceiver(
  answer: 'hang' | ((res: ServerResponse, d: Delivery) => void) = (res) => {
    res.statusCode = 204;
    res.end();
  },
): Promise<Receiver> {
  const deliveries: Delivery[] = [];
  const waiters: { match: (d: Delivery) => boolean; ok: (d: Delivery) => void }[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => {
      body += c;
    });
    req.on('end', () => {
      const d: Delivery = {
        body,
        event: JSON.parse(body),
        signature: String(req.headers['kz-signature']),
        at: Date.now(),
      };
      deliveries.push(d);
      for (const w of [...waiters]) {
        if (w.match(d)) {
          waiters.splice(waiters.indexOf(w), 1);
          w.ok(d);
        }
      }
      if (answer !== 'hang') answer(res, d);
    });
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', () => ok()));
  return {
    url: `http://127.0.0.1:${(server.address() as { port: number }).port}/hook`,
    deliveries,
    next(match = () => true) {
      const found = deliveries.find(match);
      if (found) return Promise.resolve(found);
      return new Promise((ok) => waiters.push({ match, ok }));
    },
    close: () =>
      new Promise<void>((ok) => {
        server.closeAllConnections();
        server.close(() => ok());
      }),
  };
}

/** The `t=` of a `kz-signature` header, in ms. */
export const signedAt = (signature: string): number => Number(/t=(\d+)/.exec(signature)?.[1]) * 1000;
