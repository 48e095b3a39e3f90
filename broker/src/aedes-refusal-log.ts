/**
 * Log lines for the refusals aedes 1.2 decides on its own, outside the policy hooks (issue 21,
 * found by the fuzzer): a protocol error or a timeout that closes the connection ('clientError',
 * 'connectionError'), a CONNACK for a protocol level other than 3.1.1, and a packet only a server
 * sends (aedes closes the socket for those without any event). Socket errors of a peer that went
 * away (ECONNRESET, EPIPE, …) are not refusals: they are logged at debug. Each line names the
 * client id the CONNECT claimed, also when aedes refused it before taking the id.
 */
import type { EventEmitter } from 'node:events';
import type { Aedes, Client } from 'aedes';
import type { Logger } from '@kizuna/core';

/** Packets a client never sends [MQTT-2.2.1]: aedes drops the connection when one arrives. */
const SERVER_ONLY = new Set(['connack', 'suback', 'unsuback', 'pingresp']);

interface Peer {
  address: string;
  /** The client id of the CONNECT parsed on this connection, if any. */
  claimedId?: string;
}

export interface RefusalLog {
  /** Called for each accepted connection, before its first packet is parsed. */
  watch(client: Client, address: string): void;
}

export function logAedesRefusals(aedes: Aedes, log: Logger): RefusalLog {
  const peers = new WeakMap<Client, Peer>();
  const who = (client: Client) => {
    const peer = peers.get(client);
    return { clientId: client.id ?? peer?.claimedId, address: peer?.address };
  };
  const closed = (client: Client, err: Error & { code?: unknown }) => {
    const fields = { ...who(client), reason: err.message };
    if (typeof err.code === 'string') log.debug({ ...fields, code: err.code }, 'connection closed: socket error');
    else log.info(fields, 'connection closed: protocol error');
  };
  aedes.on('clientError', closed);
  aedes.on('connectionError', closed);
  aedes.on('connackSent', (packet, client) => {
    // The other return codes come from the authenticate hook, which logs its reason.
    if (packet.returnCode === 1) log.info(who(client), 'connect refused: unacceptable protocol version');
  });
  return {
    watch(client, address) {
      const peer: Peer = { address };
      peers.set(client, peer);
      const parser = (client as unknown as { _parser?: EventEmitter })._parser;
      if (!parser) throw new Error('aedes changed: refusals cannot be logged (aedes-refusal-log.ts)');
      parser.prependListener('packet', (packet: { cmd: string; clientId?: string }) => {
        if (packet.cmd === 'connect' && peer.claimedId === undefined) peer.claimedId = packet.clientId;
        else if (SERVER_ONLY.has(packet.cmd))
          log.info({ ...who(client), packet: packet.cmd }, 'connection closed: a client may not send this packet');
      });
    },
  };
}
