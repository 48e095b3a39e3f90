/**
 * The fan-out journal's record of one chunk (table `fanout_chunks`, migration 008): the chunk's
 * TVs with the exact payloads published to them and the residents they address, packed into one
 * deflated buffer. Packing: each column's values joined by U+001E, the columns by U+001D; JSON
 * text never holds either raw (JSON.stringify escapes control characters), and ids, refs, zone
 * and language codes are checked for them (joinField).
 */
import { deflateSync, inflateSync } from 'node:zlib';
import type { RecipientRow } from './personalise.ts';
import type { Language } from '@kizuna/contract';
import type { Queryable } from '@kizuna/core';
import { COLUMN_SEP, FIELD_SEP, joinBytes, joinField } from './packed-fields.ts';
import { writeDeliveries, writeRecipients, type DeliveryRow } from './repository/delivery-rows.ts';
import { chunkBody, deleteJournal, journalRows } from './repository/journal-rows.ts';

export interface JournalChunk {
  deliveries: DeliveryRow[];
  recipients: RecipientRow[];
}

/**
 * The chunk packed and deflated, assembled from buffers: building it as one string first (a
 * chunk's megabytes of two-byte JSON joined, copied into the column join, then encoded) cost 3–4×
 * the deflate itself.
 */
export function packChunk(c: JournalChunk): Buffer {
  const d = c.deliveries;
  const r = c.recipients;
  const before =
    [joinField(d.map((x) => x.device_id)), joinField(d.map((x) => x.zone_id))].join(COLUMN_SEP) + COLUMN_SEP;
  const after =
    COLUMN_SEP +
    [
      joinField(r.map((x) => x.residentId)),
      joinField(r.map((x) => x.ref)),
      joinField(r.map((x) => x.deviceId)),
      joinField(r.map((x) => x.zoneId)),
      r.map((x) => (x.needsHelp ? 't' : 'f')).join(''),
      r.map((x) => (x.leaveNow ? 't' : 'f')).join(''),
      joinField(r.map((x) => x.language)),
      joinField(r.map((x) => x.shelterId ?? '')),
    ].join(COLUMN_SEP);
  // the payloads column: JSON texts joined by U+001E (see joinJson), as bytes
  const payloads = joinBytes(
    d.map((x) => (typeof x.payload === 'string' ? Buffer.from(x.payload, 'utf8') : x.payload)),
  );
  // level 1, on this thread: a chunk's payloads repeat most of their bytes, so this is a few ms per
  // 4,000 TVs; on libuv's pool it waited behind the broker and the TVs for the machine's cores
  return deflateSync(Buffer.concat([Buffer.from(before, 'utf8'), payloads, Buffer.from(after, 'utf8')]), { level: 1 });
}

export function unpackChunk(body: Uint8Array, tvs: number): JournalChunk {
  const cols = inflateSync(body).toString('utf8').split(COLUMN_SEP);
  if (cols.length !== 11) throw new Error(`fan-out journal chunk has ${cols.length} columns, expected 11`);
  const split = (s: string) => (s === '' ? [] : s.split(FIELD_SEP));
  const [devices, zones, payloads, residents, refs, rdevices, rzones, help, leave, langs, shelters] = cols as [
    string,
    string,
    string,
    string,
    string,
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  const dv = split(devices);
  const zv = split(zones);
  const pv = split(payloads);
  if (dv.length !== tvs || zv.length !== tvs || pv.length !== tvs)
    throw new Error(`fan-out journal chunk: ${dv.length}/${zv.length}/${pv.length} TV values, expected ${tvs}`);
  const rv = split(residents);
  const n = rv.length;
  const refv = split(refs);
  const rdv = split(rdevices);
  const rzv = split(rzones);
  const lv = split(langs);
  // one value per resident, '' meaning no shelter: a lone '' is one value here
  const sv = n === 0 ? [] : shelters.split(FIELD_SEP);
  if ([refv, rdv, rzv, lv, sv].some((a) => a.length !== n) || help.length !== n || leave.length !== n)
    throw new Error('fan-out journal chunk: resident columns of unequal length');
  return {
    deliveries: dv.map((device_id, i) => ({ device_id, zone_id: zv[i]!, payload: pv[i]! })),
    recipients: rv.map((residentId, i) => ({
      residentId,
      ref: refv[i]!,
      deviceId: rdv[i]!,
      zoneId: rzv[i]!,
      needsHelp: help[i] === 't',
      leaveNow: leave[i] === 't',
      language: lv[i]! as Language,
      shelterId: sv[i] === '' ? null : sv[i]!,
    })),
  };
}

/** Rows per statement when a journal is written out: about 15 ms of PGlite each. */
const MATERIALISE_SLICE = 500;
const yieldToIo = () => new Promise<void>((resolve) => setImmediate(resolve));

/** A fan-out's own journaled chunks, still in memory: their rows are written without unpacking them. */
export interface OwnChunks {
  owner: string;
  written: Map<number, { at: Date; c: JournalChunk }>;
}

/**
 * Write the alert's journaled chunks as one `alert_recipients` row per resident and one
 * `deliveries` row per TV, oldest revision first, and delete them; in the caller's transaction,
 * which must hold the alert's row lock. A fan-out's own chunks come from its memory, others
 * (a dead owner's, an older revision's) are unpacked. Rows never go back to an older revision.
 * Returns the TVs written.
 */
export async function materialiseJournal(q: Queryable, id: string, own?: OwnChunks): Promise<number> {
  const rows = await journalRows(q, id, own?.owner ?? '');
  if (rows.length === 0) return 0;
  let tvs = 0;
  for (const r of rows) {
    const mine = r.owner === own?.owner ? own.written.get(Number(r.chunk)) : undefined;
    const c = mine?.c ?? unpackChunk(r.body ?? (await chunkBody(q, id, r)), Number(r.tvs));
    // in slices, letting I/O run in between: with the embedded broker in this process, a TV socket
    // waiting for 'drain' would otherwise wait for the whole write, hundreds of ms at 10,000 TVs
    for (let i = 0; i < c.recipients.length; i += MATERIALISE_SLICE) {
      await writeRecipients(q, id, Number(r.revision), c.recipients.slice(i, i + MATERIALISE_SLICE));
      await yieldToIo();
    }
    for (let i = 0; i < c.deliveries.length; i += MATERIALISE_SLICE) {
      await writeDeliveries(
        q,
        id,
        Number(r.revision),
        new Date(r.written_at),
        c.deliveries.slice(i, i + MATERIALISE_SLICE),
      );
      await yieldToIo();
    }
    tvs += c.deliveries.length;
  }
  await deleteJournal(q, id);
  return tvs;
}
