/**
 * What the gateway needs from the outside, as small interfaces: the jpki verifier, the card
 * login challenges, the authority's status and renewal links, the MQTT client and a clock. The
 * real ones are injected by server.ts / the system launcher; tests inject real ones too.
 */

/** Outcome of one CMS verification (jpki's `createVerifier().verifyCms`). */
export type CmsVerification =
  | {
      ok: true;
      /** Signer certificate serial, lower-case hex. */
      serial: string;
      content: Uint8Array;
      signingTime?: Date | undefined;
      personal?: { name: string; address: string; birthDate: string; sex: number } | null | undefined;
      evidence: { signerCertificate: Uint8Array; ocspResponse?: Uint8Array | undefined };
    }
  | { ok: false; reason: string; detail?: string | undefined };

export interface CmsVerifier {
  verifyCms(
    der: Uint8Array,
    opts: { purpose: 'sign' | 'auth'; detachedContent?: Uint8Array; at?: Date },
  ): Promise<CmsVerification>;
}

/** Re-checks a report from its stored evidence (signer certificate + OCSP response) at `at`. */
export interface EvidenceVerifier {
  verifyEvidence(input: {
    cms: Uint8Array;
    detachedContent?: Uint8Array;
    signerCertificate: Uint8Array;
    ocspResponse?: Uint8Array;
    at: Date;
  }): Promise<{ ok: true } | { ok: false; reason: string; detail?: string }>;
}

/** Card login (challenge–response with the user-authentication certificate). */
export interface LoginChallenges {
  issue(): Promise<{ id: string; challenge: string; expiresAt: string }>;
  /** Resolves to the authentication certificate's serial, or throws a coded error naming the failed check. */
  verify(input: { id: string; signature: string; certificate: string }): Promise<{ serial: string }>;
}

export interface CertStatus {
  /** 'expired': past notAfter and not renewed (no event: the resident renews the card). */
  status: 'good' | 'revoked' | 'expired' | 'unknown';
  reason?: string | undefined;
  revokedAt?: Date | undefined;
  /** The authority's old → new link when the certificate was renewed. */
  renewedTo?: string | undefined;
  /** The new → old link: the certificate this one renewed. */
  renewedFrom?: string | undefined;
}

/** The authority's status source (OCSP/CRL) and its links. */
export interface StatusSource {
  status(serial: string): Promise<CertStatus>;
}

export interface MqttPublisher {
  publishAsync(topic: string, message: string, opts: { qos: 0 | 1; retain?: boolean }): Promise<unknown>;
}

export interface Clock {
  now(): Date;
}
export const systemClock: Clock = { now: () => new Date() };

/** fetch-compatible function for webhooks (injectable so tests can count calls). */
export type WebhookFetch = (
  url: string,
  init: { method: 'POST'; headers: Record<string, string>; body: string; signal?: AbortSignal },
) => Promise<{ status: number }>;
