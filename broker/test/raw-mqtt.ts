/**
 * MQTT 3.1.1 packets written by hand over a raw socket, for what a well-behaved client library
 * will not do: announce a huge packet, trickle a CONNECT, replay a QoS 2 PUBLISH.
 */
import { connect } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocket, createWebSocketStream } from 'ws';

const str = (s: string) => {
  const b = Buffer.from(s, 'utf8');
  return Buffer.concat([Buffer.from([b.length >> 8, b.length & 0xff]), b]);
};

/** The variable-length "remaining length" of a fixed header [MQTT-2.2.3]. */
export function varint(n: number): Buffer {
  const out: number[] = [];
  do {
    let byte = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) byte |= 0x80;
    out.push(byte);
  } while (n > 0);
  return Buffer.from(out);
}

const packet = (first: number, body: Buffer) => Buffer.concat([Buffer.from([first]), varint(body.length), body]);

export interface ConnectFields {
  clientId: string;
  username?: string;
  password?: string;
  clean?: boolean;
  keepalive?: number;
  will?: { topic: string; payload: string; qos?: 0 | 1 | 2; retain?: boolean };
}

export function connectPacket(f: ConnectFields): Buffer {
  let flags = f.clean === false ? 0 : 0x02;
  if (f.will) flags |= 0x04 | ((f.will.qos ?? 0) << 3) | (f.will.retain ? 0x20 : 0);
  if (f.password !== undefined) flags |= 0x40;
  if (f.username !== undefined) flags |= 0x80;
  const keepalive = f.keepalive ?? 60;
  return packet(
    0x10,
    Buffer.concat([
      str('MQTT'),
      Buffer.from([4, flags, keepalive >> 8, keepalive & 0xff]),
      str(f.clientId),
      ...(f.will ? [str(f.will.topic), str(f.will.payload)] : []),
      ...(f.username !== undefined ? [str(f.username)] : []),
      ...(f.password !== undefined ? [str(f.password)] : []),
    ]),
  );
}

export function publishPacket(o: { topic: string; payload: string; qos: 0 | 1 | 2; id?: number; dup?: boolean }) {
  const first = 0x30 | (o.dup ? 0x08 : 0) | (o.qos << 1);
  const id = o.qos > 0 ? Buffer.from([(o.id ?? 1) >> 8, (o.id ?? 1) & 0xff]) : Buffer.alloc(0);
  return packet(first, Buffer.concat([str(o.topic), id, Buffer.from(o.payload, 'utf8')]));
}

export const pubrelPacket = (id: number) => Buffer.from([0x62, 2, id >> 8, id & 0xff]);

export interface RawPacket {
  type: number;
  flags: number;
  body: Buffer;
}

/** A raw TCP (or WebSocket) connection that splits what the broker sends into packets. */
export class RawClient {
  readonly packets: RawPacket[] = [];
  closed = false;
  closedAt = 0;
  private buf = Buffer.alloc(0);
  private constructor(readonly socket: Duplex) {
    socket.on('data', (d) => {
      this.buf = Buffer.concat([this.buf, d]);
      for (;;) {
        if (this.buf.length < 2) return;
        let len = 0;
        let mul = 1;
        let i = 1;
        for (; i < 5 && i < this.buf.length; i++) {
          len += (this.buf[i]! & 0x7f) * mul;
          mul *= 128;
          if ((this.buf[i]! & 0x80) === 0) break;
        }
        if (i >= this.buf.length || this.buf.length < i + 1 + len) return;
        this.packets.push({
          type: this.buf[0]! >> 4,
          flags: this.buf[0]! & 0xf,
          body: this.buf.subarray(i + 1, i + 1 + len),
        });
        this.buf = this.buf.subarray(i + 1 + len);
      }
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      this.closed = true;
      this.closedAt = Date.now();
    });
  }

  static open(url: string): Promise<RawClient> {
    const u = new URL(url);
    return new Promise((resolve, reject) => {
      const s = connect(Number(u.port), u.hostname, () => {
        s.off('error', reject);
        resolve(new RawClient(s));
      });
      s.once('error', reject);
    });
  }

  /** MQTT over WebSocket (subprotocol "mqtt"): each write is one binary frame. */
  static openWs(url: string): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, 'mqtt');
      ws.once('error', reject);
      ws.once('open', () => {
        ws.off('error', reject);
        const stream = createWebSocketStream(ws);
        ws.once('close', () => stream.destroy()); // the stream is half-open by default: closed is closed
        resolve(new RawClient(stream));
      });
    });
  }

  /** Resolves false if the socket is (or gets) closed before the write completes. */
  write(b: Buffer): Promise<boolean> {
    if (this.closed || this.socket.destroyed) return Promise.resolve(false);
    return new Promise((resolve) => this.socket.write(b, (err) => resolve(!err)));
  }

  /** The CONNACK return code, or undefined if none has arrived. */
  connackCode(): number | undefined {
    const p = this.packets.find((x) => x.type === 2);
    return p ? p.body[1] : undefined;
  }

  count(type: number): number {
    return this.packets.filter((p) => p.type === type).length;
  }

  end() {
    this.socket.destroy();
  }
}
