/**
 * The authority's three CAs (a root and the signing and user-authentication issuing CAs): made
 * once and kept in the store, loaded from it at every start.
 */
import { createPrivateKey } from 'node:crypto';
import { x509, generateRsaKeyPair, exportPkcs8, importPkcs8 } from './engine.ts';
import { createIssuingCa, createRootCa, type CaMaterial, type CertKind } from './profile.ts';
import { STORE_FORMAT, type AuthorityStore, type StoreData, type StoredCa } from './authority-store.ts';
import type { TrustAnchors } from './authority-types.ts';
import { fromBase64, toBase64 } from './base64.ts';

export interface AuthorityCas {
  root: CaMaterial;
  issuers: Record<CertKind, CaMaterial>;
}

async function newCaData(now: Date): Promise<StoreData['cas']> {
  const [rootKeys, signKeys, authKeys] = await Promise.all([
    generateRsaKeyPair(),
    generateRsaKeyPair(),
    generateRsaKeyPair(),
  ]);
  const rootCert = await createRootCa(rootKeys, now);
  const root: CaMaterial = { cert: rootCert, privateKey: rootKeys.privateKey };
  const [signCert, authCert] = await Promise.all([
    createIssuingCa('sign', signKeys.publicKey, root, now),
    createIssuingCa('auth', authKeys.publicKey, root, now),
  ]);
  const stored = async (cert: x509.X509Certificate, key: CryptoKey): Promise<StoredCa> => ({
    certDer: toBase64(cert.rawData),
    keyPkcs8: toBase64(await exportPkcs8(key)),
  });
  return {
    root: await stored(rootCert, rootKeys.privateKey),
    sign: await stored(signCert, signKeys.privateKey),
    auth: await stored(authCert, authKeys.privateKey),
  };
}

/** The store's CAs, made first (with an empty register) when the store is new. */
export async function openAuthorityCas(store: AuthorityStore, clock: () => Date): Promise<AuthorityCas> {
  if (!store.read()) {
    const cas = await newCaData(clock());
    // another process may have initialised the store meanwhile: its CAs win
    store.update((d) =>
      d
        ? { data: d, result: undefined }
        : {
            data: { format: STORE_FORMAT, cas, certs: {}, crlNumber: { sign: 0, auth: 0 }, revision: 0 },
            result: undefined,
          },
    );
  }
  const initial = store.read()!;
  const loadCa = async (c: StoredCa): Promise<CaMaterial> => ({
    cert: new x509.X509Certificate(fromBase64(c.certDer)),
    privateKey: await importPkcs8(fromBase64(c.keyPkcs8)),
  });
  const root = await loadCa(initial.cas.root);
  const issuers: Record<CertKind, CaMaterial> = {
    sign: await loadCa(initial.cas.sign),
    auth: await loadCa(initial.cas.auth),
  };
  // fail early on a damaged key file rather than at the first signature
  for (const c of Object.values(initial.cas))
    createPrivateKey({ key: Buffer.from(fromBase64(c.keyPkcs8)), format: 'der', type: 'pkcs8' });
  return { root, issuers };
}

/** The three CA certificates, DER and as one PEM bundle, root first. */
export function trustAnchorsOf({ root, issuers }: AuthorityCas): TrustAnchors {
  const ders = [root, issuers.sign, issuers.auth].map((c) => new Uint8Array(c.cert.rawData));
  return {
    root: ders[0]!,
    sign: ders[1]!,
    auth: ders[2]!,
    certificates: ders,
    pem: [root, issuers.sign, issuers.auth].map((c) => c.cert.toString('pem')).join('\n') + '\n',
  };
}
