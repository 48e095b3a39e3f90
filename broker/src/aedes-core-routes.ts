/**
 * The exact TV topics one bridge has the core send to this edge: a TV's alert and mail topics,
 * subscribed at the core when the TV subscribes here (batched into one SUBSCRIBE per turn of the
 * event loop), and kept: a TV's session at this edge outlives its connection, and its messages
 * must keep coming while it is away. With wildcards instead, every edge received every message
 * of its municipality and did the work of filtering it: adding edges did not lighten any of them.
 * mqtt.js subscribes them all again if the core lost the bridge's session.
 */
import type { MqttClient } from 'mqtt';
import { topics } from '@kizuna/contract';
import type { Logger } from '@kizuna/core';
import { filterCovers } from './topic-match.ts';

/** Topics per SUBSCRIBE packet: well under the core's packet size limit. */
const ROUTES_PER_SUBSCRIBE = 1000;
/** How long a TV's SUBACK waits for the core's. */
const ROUTE_WAIT_MS = 5000;

export class CoreRoutes {
  private readonly routed = new Map<string, Promise<void>>();
  private pending: { topic: string; done: () => void }[] = [];
  constructor(
    private readonly link: MqttClient,
    private readonly muni: string,
    private readonly log: Logger,
  ) {}

  /** A filter of this municipality's TV alerts or mail (a TV may only subscribe to its own). */
  covers(filter: string): boolean {
    return filterCovers(topics.allTvAlerts(this.muni), filter) || filterCovers(topics.allTvMailOf(this.muni), filter);
  }

  /** Resolves once the core has granted the route (or could not be asked within ROUTE_WAIT_MS: then on reconnect). */
  route(topic: string): Promise<void> {
    let p = this.routed.get(topic);
    if (!p) {
      p = new Promise<void>((done) => {
        if (this.pending.length === 0) setImmediate(() => this.flush());
        this.pending.push({ topic, done });
      });
      this.routed.set(topic, p);
    }
    return p;
  }

  private flush(): void {
    const batch = this.pending;
    this.pending = [];
    for (let i = 0; i < batch.length; i += ROUTES_PER_SUBSCRIBE) {
      const part = batch.slice(i, i + ROUTES_PER_SUBSCRIBE);
      const done = () => {
        for (const x of part) x.done();
      };
      const timer = setTimeout(done, ROUTE_WAIT_MS);
      this.link.subscribe(
        part.map((x) => x.topic),
        { qos: 1 },
        (err, granted) => {
          clearTimeout(timer);
          if (err)
            this.log.warn(
              { err: err.message, topics: part.length },
              'core did not route TV topics to this edge; retried on reconnect',
            );
          else if (granted?.some((g) => g.qos !== 1))
            this.log.warn(
              { refused: granted.filter((g) => g.qos !== 1).map((g) => g.topic) },
              'core refused routing TV topics to this edge',
            );
          done();
        },
      );
    }
  }
}
