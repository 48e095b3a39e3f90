/**
 * The SDK's `Storage` (localStorage where the box has it, else cookies) behind the plain
 * key-value interface the alert store and the receipt outbox are written against (they are
 * tested in Node with a Map). Values stay JSON documents under the same keys as before.
 */
import type { KeyValueStorage } from '../alerts/alert-store.ts';
import { Storage } from './index.ts';

export function sdkKeyValueStorage(): KeyValueStorage {
  return {
    getItem(key) {
      const v = Storage.get(key);
      return v === null || v === undefined ? null : JSON.stringify(v);
    },
    setItem(key, value) {
      if (!Storage.set(key, JSON.parse(value) as unknown)) throw new Error('storage refused the value');
    },
  };
}
