/**
 * The terminal's card verifier when it runs alone: jpki's createVerifier with the authority's
 * trust anchors and its OCSP responder over HTTP (fail closed: no answer, no tap). The anchors
 * come from a pinned PEM file when one is configured, otherwise from {authority}/ca/anchors.pem,
 * fetched at start and again on later taps until they arrive, so a terminal started with no
 * network starts anyway and verifies as soon as the authority is reachable.
 */
import { readFile } from 'node:fs/promises';
import type { Logger } from '@kizuna/core';
import { createVerifier, ocspStatusSource, type Verifier } from '@kizuna/jpki';
import { jpkiCardVerifier, type CardVerifier } from './verifier.ts';

export interface AuthorityVerifierOptions {
  /** The authority's base URL (jpki authority-http: /ca/anchors.pem, /ocsp). */
  authorityUrl: string;
  /** PEM bundle of the CAs to trust, read instead of fetching them (pins them: a network attacker cannot swap them). */
  trustAnchorsFile?: string | undefined;
  logger: Logger;
  /** Per HTTP request, ms (default 5000). */
  timeoutMs?: number;
}

export interface AuthorityCardVerifier extends CardVerifier {
  /** Load the anchors now (server start); resolves false when they cannot be had yet. */
  prepare(): Promise<boolean>;
}

export function authorityCardVerifier(o: AuthorityVerifierOptions): AuthorityCardVerifier {
  const base = o.authorityUrl.replace(/\/+$/, '');
  const timeoutMs = o.timeoutMs ?? 5000;
  let loading: Promise<CardVerifier> | null = null;

  async function anchorsPem(): Promise<string> {
    if (o.trustAnchorsFile) return readFile(o.trustAnchorsFile, 'utf8');
    const res = await fetch(`${base}/ca/anchors.pem`, { signal: AbortSignal.timeout(timeoutMs) });
    if (!res.ok) throw new Error(`${base}/ca/anchors.pem answered HTTP ${res.status}`);
    return res.text();
  }

  function load(): Promise<CardVerifier> {
    loading ??= (async () => {
      const pem = await anchorsPem();
      if (!pem.includes('-----BEGIN CERTIFICATE-----')) throw new Error('the trust anchors are not PEM certificates');
      const v: Verifier = createVerifier({
        trustAnchors: pem,
        status: ocspStatusSource(`${base}/ocsp`, { timeoutMs }),
      });
      o.logger.info({ anchors: v.anchors.map((a) => a.subject), authority: base }, 'card verifier ready');
      return jpkiCardVerifier(v);
    })().catch((e: Error) => {
      loading = null; // try again on the next tap
      throw e;
    });
    return loading;
  }

  const verify: CardVerifier = async (der) => {
    let v: CardVerifier;
    try {
      v = await load();
    } catch (e) {
      o.logger.warn(
        { code: 'KZ_SHELTER_CARD_STATUS_UNKNOWN', err: (e as Error).message },
        'no trust anchors yet; card refused (fail closed)',
      );
      return { ok: false, reason: 'status-unknown' };
    }
    return v(der);
  };
  return Object.assign(verify, {
    prepare: () =>
      load().then(
        () => true,
        (e: Error) => {
          o.logger.warn(
            { code: 'KZ_SHELTER_ANCHORS_UNAVAILABLE', err: e.message },
            'trust anchors not loaded yet; cards are refused until they are',
          );
          return false;
        },
      ),
  });
}
