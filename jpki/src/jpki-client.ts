/**
 * The caller's side of the card: speaks the JPKI APDUs (docs/PLATFORM.md, "The JPKI card's APDUs") through a
 * CardTransport, so an emulated card, the WebSocket bridge or a PC/SC reader are interchangeable.
 * PINs are checked for format before anything is sent, so a typo in the format never costs a try.
 */
import { createHash } from 'node:crypto';
import { jpkiApdu, parseResponse, swHex } from './apdu.ts';
import { AUTH_PIN_PATTERN, DIGEST_INFO_PREFIX, EF, SIGN_PASSWORD_PATTERN, SW } from './constants.ts';
import { concat } from './bytes.ts';
import { buildSignedData } from './cms-build.ts';
import { jpkiErrors, type KzError } from './errors.ts';

/** Anything that carries APDUs to a card and back: in-process card, bridge, PC/SC reader. */
export interface CardTransport {
  transmit(apdu: Uint8Array): Promise<Uint8Array>;
}

export type PinKind = 'auth' | 'sign';

const READ_CHUNK = 255;

export class JpkiClient {
  readonly #transport: CardTransport;
  #queue: Promise<unknown> = Promise.resolve();

  constructor(transport: CardTransport) {
    this.#transport = transport;
  }

  /** One operation at a time: a sequence of SELECT/VERIFY/… must not interleave with another. */
  #exclusive<T>(op: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(op, op);
    this.#queue = run.catch(() => undefined);
    return run;
  }

  async #send(apdu: Uint8Array): Promise<{ data: Uint8Array; sw: number }> {
    let raw: Uint8Array;
    try {
      raw = await this.#transport.transmit(apdu);
    } catch (e) {
      if ((e as KzError).code?.startsWith?.('KZ_')) throw e;
      throw jpkiErrors.KZ_CARD_TRANSPORT((e as Error).message);
    }
    const r = parseResponse(raw);
    if (!r) throw jpkiErrors.KZ_CARD_TRANSPORT('the card sent no status word');
    return r;
  }

  /** Sends and insists on 90 00 (or 62 82 for a short read), naming the failure. */
  async #ok(apdu: Uint8Array, what: string): Promise<Uint8Array> {
    const { data, sw } = await this.#send(apdu);
    if (sw === SW.OK || sw === SW.EOF_BEFORE_LE) return data;
    throw this.#error(sw, what);
  }

  #error(sw: number, what: string): KzError {
    if ((sw & 0xfff0) === 0x63c0)
      return jpkiErrors.KZ_CARD_PIN_WRONG(`${sw & 0x0f} tries left`, { triesLeft: sw & 0x0f, sw: swHex(sw) });
    if (sw === SW.AUTH_BLOCKED) return jpkiErrors.KZ_CARD_LOCKED(what, { triesLeft: 0, sw: swHex(sw) });
    if (sw === SW.SECURITY_NOT_SATISFIED) return jpkiErrors.KZ_CARD_SECURITY_STATUS(what, { sw: swHex(sw) });
    return jpkiErrors.KZ_CARD_APDU_FAILED(`${what}: status ${swHex(sw)}`, { sw: swHex(sw) });
  }

  async #selectAp(): Promise<void> {
    const { sw } = await this.#send(jpkiApdu.selectAp());
    if (sw === SW.FILE_NOT_FOUND) throw jpkiErrors.KZ_CARD_NOT_JPKI();
    if (sw !== SW.OK) throw this.#error(sw, 'SELECT JPKI application');
  }

  async #selectEf(fid: number): Promise<void> {
    await this.#ok(jpkiApdu.selectEf(fid), `SELECT EF ${fid.toString(16).padStart(4, '0')}`);
  }

  /** READ BINARY of a DER file: the header first for the length, then the rest in chunks. */
  async #readDer(fid: number): Promise<Uint8Array> {
    await this.#selectEf(fid);
    const what = `READ BINARY EF ${fid.toString(16).padStart(4, '0')}`;
    const head = await this.#ok(jpkiApdu.readBinary(0, 4), what);
    if (head.length < 2 || head[0] !== 0x30) throw jpkiErrors.KZ_CARD_APDU_FAILED(`${what}: not a DER certificate`);
    let total: number;
    const l = head[1]!;
    if (l < 0x80) total = 2 + l;
    else if (l === 0x81) total = 3 + head[2]!;
    else if (l === 0x82) total = 4 + ((head[2]! << 8) | head[3]!);
    else throw jpkiErrors.KZ_CARD_APDU_FAILED(`${what}: unsupported DER length`);
    const parts = [head.subarray(0, Math.min(head.length, total))];
    let offset = parts[0]!.length;
    while (offset < total) {
      const chunk = await this.#ok(jpkiApdu.readBinary(offset, Math.min(READ_CHUNK, total - offset)), what);
      if (chunk.length === 0) throw jpkiErrors.KZ_CARD_APDU_FAILED(`${what}: file shorter than its DER header says`);
      parts.push(chunk);
      offset += chunk.length;
    }
    return concat(...parts);
  }

  async #verify(kind: PinKind, secret: string): Promise<void> {
    const pattern = kind === 'auth' ? AUTH_PIN_PATTERN : SIGN_PASSWORD_PATTERN;
    if (typeof secret !== 'string' || !pattern.test(secret)) {
      throw jpkiErrors.KZ_CARD_PIN_FORMAT(
        kind === 'auth' ? 'the PIN is 4 digits' : 'the signing password is 6–16 upper-case letters and digits',
      );
    }
    await this.#selectEf(kind === 'auth' ? EF.AUTH_PIN : EF.SIGN_PIN);
    const { sw } = await this.#send(jpkiApdu.verify(Buffer.from(secret, 'ascii')));
    if (sw !== SW.OK) throw this.#error(sw, kind === 'auth' ? 'authentication PIN' : 'signing password');
  }

  async #signDigest(kind: PinKind, secret: string, data: Uint8Array): Promise<Uint8Array> {
    await this.#selectAp();
    await this.#verify(kind, secret);
    await this.#selectEf(kind === 'auth' ? EF.AUTH_KEY : EF.SIGN_KEY);
    const digestInfo = concat(DIGEST_INFO_PREFIX['SHA-256'], createHash('sha256').update(data).digest());
    const sig = await this.#ok(jpkiApdu.computeSignature(digestInfo), 'COMPUTE DIGITAL SIGNATURE');
    if (sig.length !== 256) throw jpkiErrors.KZ_CARD_APDU_FAILED(`signature of ${sig.length} bytes, expected 256`);
    return sig;
  }

  /** The user-authentication certificate (EF 000A), readable without the PIN. */
  readAuthCertificate(): Promise<Uint8Array> {
    return this.#exclusive(async () => {
      await this.#selectAp();
      return await this.#readDer(EF.AUTH_CERT);
    });
  }

  /** The certificate of the CA that issued the authentication certificate (EF 000B). */
  readAuthCaCertificate(): Promise<Uint8Array> {
    return this.#exclusive(async () => {
      await this.#selectAp();
      return await this.#readDer(EF.AUTH_CA_CERT);
    });
  }

  /** The certificate of the CA that issued the signing certificate (EF 0002). */
  readSigningCaCertificate(): Promise<Uint8Array> {
    return this.#exclusive(async () => {
      await this.#selectAp();
      return await this.#readDer(EF.SIGN_CA_CERT);
    });
  }

  /** The signing certificate (EF 0001): the card releases it only after the signing password. */
  readSigningCertificate(password: string): Promise<Uint8Array> {
    return this.#exclusive(async () => {
      await this.#selectAp();
      await this.#verify('sign', password);
      return await this.#readDer(EF.SIGN_CERT);
    });
  }

  /** Tries left before the PIN or password locks (0 = locked); costs no try. */
  triesLeft(kind: PinKind): Promise<number> {
    return this.#exclusive(async () => {
      await this.#selectAp();
      await this.#selectEf(kind === 'auth' ? EF.AUTH_PIN : EF.SIGN_PIN);
      const { sw } = await this.#send(jpkiApdu.verify());
      if ((sw & 0xfff0) === 0x63c0) return sw & 0x0f;
      if (sw === SW.AUTH_BLOCKED) return 0;
      throw this.#error(sw, 'VERIFY (status)');
    });
  }

  /** RSASSA-PKCS1-v1_5 / SHA-256 signature of `data` with the authentication key (challenge–response login). */
  authSign(pin: string, data: Uint8Array): Promise<Uint8Array> {
    return this.#exclusive(() => this.#signDigest('auth', pin, data));
  }

  /** RSASSA-PKCS1-v1_5 / SHA-256 signature of `data` with the signing key. */
  sign(password: string, data: Uint8Array): Promise<Uint8Array> {
    return this.#exclusive(() => this.#signDigest('sign', password, data));
  }

  /**
   * A CMS SignedData (RFC 5652, DER) over `content`, signed on the card with the signing key:
   * the signing certificate included, signed attributes content-type, message-digest and signing-time.
   */
  signCms(
    password: string,
    content: Uint8Array,
    opts: { detached?: boolean; signingTime?: Date } = {},
  ): Promise<Uint8Array> {
    return this.#exclusive(async () => {
      await this.#selectAp();
      await this.#verify('sign', password);
      const cert = await this.#readDer(EF.SIGN_CERT);
      return await buildSignedData({
        content,
        certificate: cert,
        detached: opts.detached ?? false,
        signingTime: opts.signingTime ?? new Date(),
        // the password is still verified: select the key and sign without asking again
        sign: async (signedAttrs) => {
          await this.#selectEf(EF.SIGN_KEY);
          const digestInfo = concat(DIGEST_INFO_PREFIX['SHA-256'], createHash('sha256').update(signedAttrs).digest());
          return await this.#ok(jpkiApdu.computeSignature(digestInfo), 'COMPUTE DIGITAL SIGNATURE');
        },
      });
    });
  }
}
