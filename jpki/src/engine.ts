/**
 * One crypto engine for pkijs and @peculiar/x509: Node's WebCrypto. Importing this module sets
 * both; every module that uses either library imports it first.
 */
import 'reflect-metadata'; // @peculiar/x509 needs a Reflect metadata polyfill
import { webcrypto } from 'node:crypto';
import * as pkijs from 'pkijs';
import * as x509 from '@peculiar/x509';

const crypto = webcrypto as unknown as Crypto;
pkijs.setEngine('node', new pkijs.CryptoEngine({ name: 'node', crypto }));
x509.cryptoProvider.set(crypto);

export const RSA_ALG = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' } as const;
export const subtle = crypto.subtle;

export interface RsaKeyPair {
  privateKey: CryptoKey;
  publicKey: CryptoKey;
}

/** RSA-2048 key pair, extractable so that the card file and the authority store can keep it encrypted. */
export async function generateRsaKeyPair(): Promise<RsaKeyPair> {
  return (await subtle.generateKey(
    { ...RSA_ALG, modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]) },
    true,
    ['sign', 'verify'],
  )) as RsaKeyPair;
}

export async function exportPkcs8(key: CryptoKey): Promise<Uint8Array> {
  return new Uint8Array(await subtle.exportKey('pkcs8', key));
}

export async function importPkcs8(der: Uint8Array): Promise<CryptoKey> {
  return await subtle.importKey('pkcs8', der as Uint8Array<ArrayBuffer>, RSA_ALG, true, ['sign']);
}

export { pkijs, x509 };
