/**
 * Configuration of one shelter terminal run alone (`tsx evacuation-center/src/server.ts`).
 * The system launcher builds the terminal from the same options without reading these.
 */
import Type from 'typebox';
import { loadConfig } from '@kizuna/core';

const SafeId = (description: string) => Type.String({ pattern: '^[A-Za-z0-9_-]{1,64}$', description });

export const TerminalConfigSchema = Type.Object({
  KZ_SHELTER_HOST: Type.String({
    default: '127.0.0.1',
    description: 'Address the kiosk listens on (loopback: the kiosk browser runs on the same laptop)',
  }),
  KZ_SHELTER_PORT: Type.Integer({
    minimum: 0,
    maximum: 65535,
    default: 18820,
    description: 'Kiosk and terminal API (TCP port; 0 picks a free one)',
  }),
  KZ_SHELTER_DATA_DIR: Type.String({
    default: '.data/shelter-terminal',
    description: "PGlite data directory of the terminal's own store and outbox; 'memory' keeps nothing (tests only)",
  }),
  KZ_SHELTER_MUNI: Type.String({
    pattern: '^\\d{6}$',
    default: '999997',
    description: 'Municipality code (6 digits) the shelter belongs to',
  }),
  KZ_SHELTER_ID: SafeId('Shelter id as the municipality knows it'),
  KZ_SHELTER_TERMINAL: SafeId("This terminal's id (several terminals may serve one shelter)"),
  KZ_SHELTER_TLS_CERT_FILE: Type.Optional(
    Type.String({ minLength: 1, description: 'PEM certificate chain: the kiosk is served over HTTPS' }),
  ),
  KZ_SHELTER_TLS_KEY_FILE: Type.Optional(
    Type.String({ minLength: 1, description: 'PEM private key of KZ_SHELTER_TLS_CERT_FILE' }),
  ),
  KZ_SHELTER_MQTT_URL: Type.String({
    default: 'mqtt://127.0.0.1:18830',
    description: 'Broker URL (mqtt://, mqtts://, ws://, wss://)',
  }),
  KZ_SHELTER_MQTT_USERNAME: Type.String({
    minLength: 1,
    description: "The terminal's broker username (also its MQTT client id)",
  }),
  KZ_SHELTER_MQTT_PASSWORD: Type.String({ minLength: 1, description: "The terminal's broker password (never logged)" }),
  KZ_SHELTER_CONSOLE_URL: Type.String({
    default: 'http://127.0.0.1:18800',
    description: 'Municipal console base URL (roster)',
  }),
  KZ_SHELTER_AUTHORITY_URL: Type.String({
    pattern: '^https?://',
    default: 'http://127.0.0.1:18840',
    description:
      'Certificate authority (J-LIS stand-in): trust anchors from /ca/anchors.pem, revocation status from its OCSP responder /ocsp',
  }),
  KZ_SHELTER_TRUST_ANCHORS_FILE: Type.Optional(
    Type.String({
      minLength: 1,
      description: 'PEM file of the CAs to trust (pins them; otherwise fetched from the authority over the network)',
    }),
  ),
  KZ_SHELTER_CARD_BRIDGE_URL: Type.String({
    pattern: '^$|^wss?://',
    default: 'ws://127.0.0.1:18860',
    description:
      "The card-reader bridge the kiosk page connects to (jpki's, ws://); empty: no reader, check-in by hand only",
  }),
  KZ_SHELTER_ROSTER_REFRESH_S: Type.Integer({
    minimum: 5,
    default: 300,
    description: 'Roster refresh interval while connected (seconds); also refreshed on every reconnect',
  }),
  KZ_SHELTER_RECONNECT_BASE_MS: Type.Integer({
    minimum: 1,
    default: 1000,
    description: 'Broker reconnect backoff: ceiling of the first random wait (ms), doubled after each failed attempt',
  }),
  KZ_SHELTER_RECONNECT_CAP_MS: Type.Integer({
    minimum: 1,
    default: 30_000,
    description: 'Broker reconnect backoff: the random wait never exceeds this (ms)',
  }),
  KZ_SHELTER_WARN_RATIO: Type.Number({
    exclusiveMinimum: 0,
    maximum: 1,
    default: 0.9,
    description: 'Occupancy share of capacity at which the kiosk warns (0–1)',
  }),
  KZ_SHELTER_CAPACITY: Type.Optional(
    Type.Integer({
      minimum: 0,
      description: 'Capacity (people) before the first roster arrives; the roster overrides it',
    }),
  ),
  KZ_SHELTER_LOG_LEVEL: Type.String({ default: 'info', description: 'pino log level' }),
});

export type TerminalConfig = ReturnType<typeof loadTerminalConfig>;
export const loadTerminalConfig = (env: Record<string, string | undefined> = process.env) =>
  loadConfig(TerminalConfigSchema, env);
