/**
 * Lightning's fireAncestors is typed against a fixed event map; our screens talk to App through
 * `$name` methods, so this typed-once helper keeps the casts in one place.
 */
import type Lightning from '@lightningjs/core';

export function fire(from: Lightning.Component, name: `$${string}`, ...args: unknown[]): void {
  (from.fireAncestors as unknown as (n: string, ...a: unknown[]) => void).call(from, name, ...args);
}
