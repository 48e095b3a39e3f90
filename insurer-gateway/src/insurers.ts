/**
 * Insurers: their API keys (two may be active at once, so a key rotates without downtime),
 * client certificates for mutual TLS, webhook endpoint, and the emergency stop (緊急時体制):
 * a suspended insurer's calls are refused and its webhooks held, and nothing is lost.
 */
import type { Queryable } from '@kizuna/core';
import { isSafeId } from '@kizuna/contract';
import { gatewayErrors as E } from './errors.ts';
import { newId, newSecret } from './ids.ts';

export const MAX_ACTIVE_KEYS = 2;

export interface Insurer {
  id: string;
  name: string;
  status: 'active' | 'suspended';
  statusReason: string | null;
  statusChangedAt: Date | null;
  webhookUrl: string | null;
  createdAt: Date;
}
export interface ApiKey {
  keyId: string;
  secret: string;
}
export interface InsurerCredentials extends ApiKey {
  insurerId: string;
  webhookSecret: string;
}

interface InsurerRow {
  id: string;
  name: string;
  status: 'active' | 'suspended';
  status_reason: string | null;
  status_changed_at: Date | null;
  webhook_url: string | null;
  created_at: Date;
}
const toInsurer = (r: InsurerRow): Insurer => ({
  id: r.id,
  name: r.name,
  status: r.status,
  statusReason: r.status_reason,
  statusChangedAt: r.status_changed_at ? new Date(r.status_changed_at) : null,
  webhookUrl: r.webhook_url,
  createdAt: new Date(r.created_at),
});

export function checkWebhookUrl(url: string): void {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw E.KZ_GW_WEBHOOK_URL(`not a URL: ${url.slice(0, 100)}`);
  }
  if (!['http:', 'https:'].includes(u.protocol) || u.username || u.password) throw E.KZ_GW_WEBHOOK_URL(u.protocol);
}

/** Registers an insurer and returns its first API key and its webhook secret (shown once). */
export async function createInsurer(
  db: Queryable,
  input: { id: string; name: string; webhookUrl?: string | undefined },
  now = new Date(),
): Promise<InsurerCredentials> {
  if (!isSafeId(input.id)) throw E.KZ_GW_BAD_ID(JSON.stringify(input.id));
  if (input.webhookUrl) checkWebhookUrl(input.webhookUrl);
  const webhookSecret = newSecret();
  const { rowCount } = await db.query(
    `INSERT INTO gw_insurers (id, name, webhook_url, webhook_secret, created_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (id) DO NOTHING`,
    [input.id, input.name, input.webhookUrl ?? null, webhookSecret, now],
  );
  if (rowCount === 0) throw E.KZ_GW_INSURER_EXISTS(input.id);
  const key = await addApiKey(db, input.id, now);
  return { insurerId: input.id, ...key, webhookSecret };
}

export async function getInsurer(db: Queryable, id: string): Promise<Insurer> {
  const { rows } = await db.query<InsurerRow>('SELECT * FROM gw_insurers WHERE id = $1', [id]);
  if (!rows[0]) throw E.KZ_GW_UNKNOWN_INSURER(id);
  return toInsurer(rows[0]);
}

export async function listInsurers(db: Queryable): Promise<Insurer[]> {
  const { rows } = await db.query<InsurerRow>('SELECT * FROM gw_insurers ORDER BY id');
  return rows.map(toInsurer);
}

/** A new key; refused when two are already active (rotation: add new, switch clients, revoke old). */
export async function addApiKey(db: Queryable, insurerId: string, now = new Date()): Promise<ApiKey> {
  await getInsurer(db, insurerId);
  const { rows } = await db.query<{ n: string }>(
    'SELECT count(*) AS n FROM gw_insurer_keys WHERE insurer_id = $1 AND revoked_at IS NULL',
    [insurerId],
  );
  if (Number(rows[0]?.n ?? 0) >= MAX_ACTIVE_KEYS) throw E.KZ_GW_KEY_LIMIT(insurerId);
  const key = { keyId: newId('key'), secret: newSecret() };
  await db.query('INSERT INTO gw_insurer_keys (key_id, insurer_id, secret, created_at) VALUES ($1, $2, $3, $4)', [
    key.keyId,
    insurerId,
    key.secret,
    now,
  ]);
  return key;
}

export async function revokeApiKey(db: Queryable, insurerId: string, keyId: string, now = new Date()): Promise<void> {
  const { rowCount } = await db.query(
    'UPDATE gw_insurer_keys SET revoked_at = $3 WHERE insurer_id = $1 AND key_id = $2 AND revoked_at IS NULL',
    [insurerId, keyId, now],
  );
  if (rowCount === 0) throw E.KZ_GW_UNKNOWN_KEY(keyId);
}

export async function listApiKeys(
  db: Queryable,
  insurerId: string,
): Promise<{ keyId: string; createdAt: Date; revokedAt: Date | null }[]> {
  const { rows } = await db.query<{ key_id: string; created_at: Date; revoked_at: Date | null }>(
    'SELECT key_id, created_at, revoked_at FROM gw_insurer_keys WHERE insurer_id = $1 ORDER BY created_at',
    [insurerId],
  );
  return rows.map((r) => ({
    keyId: r.key_id,
    createdAt: new Date(r.created_at),
    revokedAt: r.revoked_at ? new Date(r.revoked_at) : null,
  }));
}

/** Registers a client certificate (SHA-256 fingerprint of its DER, hex) for mutual TLS. */
export async function addClientCertificate(
  db: Queryable,
  insurerId: string,
  fingerprintHex: string,
  now = new Date(),
): Promise<void> {
  await getInsurer(db, insurerId);
  const fp = fingerprintHex.toLowerCase().replace(/[^0-9a-f]/g, '');
  if (fp.length !== 64) throw E.KZ_GW_BAD_ID('fingerprint must be a SHA-256 hex digest');
  await db.query(
    'INSERT INTO gw_insurer_client_certs (fingerprint, insurer_id, added_at) VALUES ($1, $2, $3) ON CONFLICT (fingerprint) DO NOTHING',
    [fp, insurerId, now],
  );
}

/** Revokes a client certificate (rotation: register the new one first, then revoke the old; effective at the next request). */
export async function revokeClientCertificate(
  db: Queryable,
  insurerId: string,
  fingerprintHex: string,
  now = new Date(),
): Promise<void> {
  const fp = fingerprintHex.toLowerCase().replace(/[^0-9a-f]/g, '');
  const { rowCount } = await db.query(
    'UPDATE gw_insurer_client_certs SET revoked_at = $3 WHERE insurer_id = $1 AND fingerprint = $2 AND revoked_at IS NULL',
    [insurerId, fp, now],
  );
  if (rowCount === 0) throw E.KZ_GW_UNKNOWN_KEY(`client certificate ${fp}`);
}

/** Emergency stop: effective for the next request (no cache), webhooks held by the dispatcher. */
export async function suspendInsurer(
  db: Queryable,
  insurerId: string,
  reason: string,
  now = new Date(),
): Promise<Insurer> {
  const { rowCount } = await db.query(
    `UPDATE gw_insurers SET status = 'suspended', status_reason = $2, status_changed_at = $3 WHERE id = $1`,
    [insurerId, reason.slice(0, 500), now],
  );
  if (rowCount === 0) throw E.KZ_GW_UNKNOWN_INSURER(insurerId);
  return getInsurer(db, insurerId);
}

export async function resumeInsurer(db: Queryable, insurerId: string, now = new Date()): Promise<Insurer> {
  const { rowCount } = await db.query(
    `UPDATE gw_insurers SET status = 'active', status_reason = NULL, status_changed_at = $2 WHERE id = $1`,
    [insurerId, now],
  );
  if (rowCount === 0) throw E.KZ_GW_UNKNOWN_INSURER(insurerId);
  return getInsurer(db, insurerId);
}

export async function setWebhook(db: Queryable, insurerId: string, url: string | null): Promise<void> {
  if (url) checkWebhookUrl(url);
  const { rowCount } = await db.query('UPDATE gw_insurers SET webhook_url = $2 WHERE id = $1', [insurerId, url]);
  if (rowCount === 0) throw E.KZ_GW_UNKNOWN_INSURER(insurerId);
}

/** A new webhook secret; the old one stops signing at once (the receiver accepts both during its own switch). */
export async function rotateWebhookSecret(db: Queryable, insurerId: string): Promise<string> {
  const secret = newSecret();
  const { rowCount } = await db.query('UPDATE gw_insurers SET webhook_secret = $2 WHERE id = $1', [insurerId, secret]);
  if (rowCount === 0) throw E.KZ_GW_UNKNOWN_INSURER(insurerId);
  return secret;
}
