/**
 * Where the authority keeps its CA keys and the register of issued certificates: one JSON
 * document, in memory or in `<dataDir>/authority.json` (mode 0600). Writers take a lock file
 * and re-read first, so the CLI can issue or revoke while `serve` runs in another process; readers
 * re-read when the file changed, so a revocation shows in the next OCSP answer.
 */
import { closeSync, mkdirSync, openSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CertKind } from './profile.ts';
import type { AuthorityReason } from './revocation-reason.ts';
import { jpkiErrors } from './errors.ts';

export const STORE_FORMAT = 'kizuna-jpki-authority/1';

export interface StoredCa {
  certDer: string;
  keyPkcs8: string;
}

export interface CertRecord {
  serial: string;
  kind: CertKind;
  /** The opaque subject CN. */
  cn: string;
  /** An operator's label for the card (e.g. "demo resident 3"); never personal data. */
  label: string;
  der: string;
  notBefore: string;
  notAfter: string;
  issuedAt: string;
  status: 'good' | 'revoked';
  revokedAt?: string;
  reason?: AuthorityReason;
  /** The other certificate of the same card (sign ↔ auth). */
  pairSerial: string;
  renewedTo?: string;
  renewedFrom?: string;
  /** Its place in the change feed (authority-feed.ts), set when it was revoked. */
  changeSeq?: number;
}

export interface StoreData {
  format: typeof STORE_FORMAT;
  cas: { root: StoredCa; sign: StoredCa; auth: StoredCa };
  certs: Record<string, CertRecord>;
  crlNumber: Record<CertKind, number>;
  revision: number;
  /** The change feed's counter (absent in a register written before the feed existed). */
  changeSeq?: number;
}

export interface AuthorityStore {
  /** The current data (re-read from disk when another process changed it); null before initialisation. */
  read(): StoreData | null;
  /** Applies `fn` to the current data under the lock and persists the result. */
  update<T>(fn: (d: StoreData | null) => { data: StoreData; result: T }): T;
}

export function memoryStore(): AuthorityStore {
  let data: StoreData | null = null;
  return {
    read: () => data,
    update(fn) {
      const { data: next, result } = fn(data === null ? null : structuredClone(data));
      data = { ...next, revision: next.revision + 1 };
      return result;
    },
  };
}

const sleep = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

export function fileStore(dataDir: string): AuthorityStore {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const file = join(dataDir, 'authority.json');
  const lock = join(dataDir, 'authority.lock');
  // every write renames a new file into place: inode, mtime and size together tell a change
  let cache: { ino: number; mtimeMs: number; size: number; data: StoreData } | null = null;

  function load(): StoreData | null {
    let st;
    try {
      st = statSync(file);
    } catch {
      return null;
    }
    if (cache && cache.ino === st.ino && cache.mtimeMs === st.mtimeMs && cache.size === st.size) return cache.data;
    let data: StoreData;
    try {
      data = JSON.parse(readFileSync(file, 'utf8')) as StoreData;
    } catch (e) {
      throw jpkiErrors.KZ_JPKI_STORE_CORRUPT(`${file}: ${(e as Error).message}`);
    }
    if (data?.format !== STORE_FORMAT || !data.cas || !data.certs)
      throw jpkiErrors.KZ_JPKI_STORE_CORRUPT(`${file} is not a ${STORE_FORMAT} file`);
    cache = { ino: st.ino, mtimeMs: st.mtimeMs, size: st.size, data };
    return data;
  }

  function withLock<T>(fn: () => T): T {
    const deadline = Date.now() + 5000;
    let fd: number | undefined;
    while (fd === undefined) {
      try {
        fd = openSync(lock, 'wx', 0o600);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
        try {
          // a lock older than 30 s belongs to a process that died mid-write
          if (Date.now() - statSync(lock).mtimeMs > 30_000) unlinkSync(lock);
        } catch {
          /* gone meanwhile */
        }
        if (Date.now() > deadline) throw jpkiErrors.KZ_JPKI_STORE_BUSY(lock);
        sleep(20);
      }
    }
    try {
      return fn();
    } finally {
      closeSync(fd);
      unlinkSync(lock);
    }
  }

  return {
    read: load,
    update(fn) {
      return withLock(() => {
        const current = load();
        const { data, result } = fn(current === null ? null : structuredClone(current));
        const next = { ...data, revision: data.revision + 1 };
        const tmp = `${file}.${process.pid}.tmp`;
        writeFileSync(tmp, JSON.stringify(next), { mode: 0o600 });
        renameSync(tmp, file);
        cache = null;
        load();
        return result;
      });
    },
  };
}
