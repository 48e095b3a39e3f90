/**
 * The console's dashboard stream (GET /api/live, Server-Sent Events) read as the browser reads
 * it, for the benches that time an event until it shows there (municipal-console/bench/dashboard.ts,
 * system/bench/checkins.ts).
 */
import { request } from 'node:http';

export interface LiveAlertEvent {
  /** performance.now() when the chunk holding it arrived. */
  at: number;
  totals: { delivered: number; arrived: number };
  /** Size of the SSE block. */
  bytes: number;
}

/** Open the stream; `onAlert` gets every `alert` event of `alertId`. Resolves once the stream answered 200. */
export function openLiveStream(
  consoleUrl: string,
  token: string,
  alertId: string,
  onAlert: (e: LiveAlertEvent) => void,
): Promise<{ close(): void }> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${consoleUrl}/api/live`,
      { headers: { authorization: `Bearer ${token}`, accept: 'text/event-stream' } },
      (r) => {
        if (r.statusCode !== 200) {
          reject(new Error(`/api/live answered ${r.statusCode}`));
          return;
        }
        r.setEncoding('utf8');
        let buf = '';
        r.on('data', (chunk: string) => {
          const at = performance.now();
          buf += chunk;
          let end: number;
          while ((end = buf.indexOf('\n\n')) >= 0) {
            const block = buf.slice(0, end);
            buf = buf.slice(end + 2);
            if (!block.includes('event: alert')) continue;
            const data = block.split('\n').find((l) => l.startsWith('data: '));
            const ev = JSON.parse(data!.slice(6)) as {
              alert: { id: string };
              totals: { delivered: number; arrived: number };
            };
            if (ev.alert.id === alertId) onAlert({ at, totals: ev.totals, bytes: Buffer.byteLength(block) });
          }
        });
        resolve({
          close: () => {
            req.destroy();
          },
        });
      },
    );
    req.on('error', reject);
    req.end();
  });
}
