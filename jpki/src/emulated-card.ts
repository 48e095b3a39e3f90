/**
 * An emulated My Number card: the JPKI application answering ISO 7816-4 APDUs as listed in
 * docs/PLATFORM.md, "The JPKI card's APDUs" (SELECT, READ BINARY, VERIFY, COMPUTE DIGITAL SIGNATURE).
 * Private keys live in private fields and are used only by COMPUTE DIGITAL SIGNATURE; the signing
 * certificate is readable only after the signing password. There is no My Number on this card.
 */
import { createPrivateKey, privateEncrypt, randomUUID, constants as C, type KeyObject } from 'node:crypto';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { parseCommand, response } from './apdu.ts';
import { AUTH_PIN_TRIES, EF, JPKI_AID, JPKI_TOKEN, SIGN_PASSWORD_TRIES, SW } from './constants.ts';
import { deriveSealKey, seal, unseal, type SealKey } from './card-file.ts';
import { equalBytes } from './bytes.ts';
import { jpkiErrors } from './errors.ts';

/** Everything a card holds. Only the authority (issuing) and the card file see this. */
export interface CardContents {
  authKeyPkcs8: Uint8Array;
  signKeyPkcs8: Uint8Array;
  authCert: Uint8Array;
  authCaCert: Uint8Array;
  signCert: Uint8Array;
  signCaCert: Uint8Array;
  authPin: string;
  signPassword: string;
  authTriesLeft?: number;
  signTriesLeft?: number;
}

interface PinState {
  secret: Uint8Array;
  max: number;
  left: number;
  verified: boolean;
}

const b64 = (b: Uint8Array) => Buffer.from(b).toString('base64');
const unb64 = (s: string) => new Uint8Array(Buffer.from(s, 'base64'));
// RSA-2048 PKCS#1 v1.5 type 1 padding leaves at most 245 bytes of input.
const MAX_SIGN_INPUT = 245;

export class EmulatedCard {
  /** A random id for readers and bridges to tell cards apart (not printed on the card, not personal). */
  readonly id: string;
  label: string;
  readonly #files = new Map<number, Uint8Array>();
  readonly #authKey: KeyObject;
  readonly #signKey: KeyObject;
  readonly #contents: CardContents;
  readonly #pins: Map<number, PinState>;
  #apSelected = false;
  #current: number | null = null;
  #persist: { file: string; sealKey: SealKey } | null = null;

  constructor(contents: CardContents, label = 'card', id: string = randomUUID()) {
    this.id = id;
    this.label = label;
    this.#contents = { ...contents };
    this.#authKey = createPrivateKey({ key: Buffer.from(contents.authKeyPkcs8), format: 'der', type: 'pkcs8' });
    this.#signKey = createPrivateKey({ key: Buffer.from(contents.signKeyPkcs8), format: 'der', type: 'pkcs8' });
    const token = new Uint8Array(32).fill(0x20);
    token.set(Buffer.from(JPKI_TOKEN, 'ascii'));
    this.#files.set(EF.TOKEN, token);
    this.#files.set(EF.AUTH_CERT, contents.authCert);
    this.#files.set(EF.AUTH_CA_CERT, contents.authCaCert);
    this.#files.set(EF.SIGN_CERT, contents.signCert);
    this.#files.set(EF.SIGN_CA_CERT, contents.signCaCert);
    this.#pins = new Map([
      [
        EF.AUTH_PIN,
        {
          secret: Buffer.from(contents.authPin, 'ascii'),
          max: AUTH_PIN_TRIES,
          left: contents.authTriesLeft ?? AUTH_PIN_TRIES,
          verified: false,
        },
      ],
      [
        EF.SIGN_PIN,
        {
          secret: Buffer.from(contents.signPassword, 'ascii'),
          max: SIGN_PASSWORD_TRIES,
          left: contents.signTriesLeft ?? SIGN_PASSWORD_TRIES,
          verified: false,
        },
      ],
    ]);
  }

  /** Power cycle (card pulled out and put back): forgets the selected file and every verified PIN. */
  reset(): void {
    this.#apSelected = false;
    this.#current = null;
    for (const p of this.#pins.values()) p.verified = false;
  }

  async transmit(apdu: Uint8Array): Promise<Uint8Array> {
    return this.transmitSync(apdu);
  }

  transmitSync(apdu: Uint8Array): Uint8Array {
    const cmd = parseCommand(apdu);
    if (!cmd) return response(SW.WRONG_LENGTH);
    if (cmd.cla !== 0x00 && cmd.cla !== 0x80) return response(SW.CLA_NOT_SUPPORTED);
    switch (cmd.ins) {
      case 0xa4:
        return this.#select(cmd.p1, cmd.p2, cmd.data);
      case 0xb0:
        return this.#readBinary(cmd.p1, cmd.p2, cmd.le);
      case 0x20:
        return this.#verify(cmd.p1, cmd.p2, cmd.data);
      case 0x2a:
        return this.#sign(cmd.cla, cmd.p1, cmd.p2, cmd.data, cmd.le);
      default:
        return response(SW.INS_NOT_SUPPORTED);
    }
  }

  #select(p1: number, p2: number, data: Uint8Array): Uint8Array {
    if (p2 !== 0x0c) return response(SW.INCORRECT_P1P2); // only "no response data", as JPKI drivers send
    if (p1 === 0x04) {
      if (!equalBytes(data, JPKI_AID)) return response(SW.FILE_NOT_FOUND);
      this.reset(); // selecting the application (again) clears its security status
      this.#apSelected = true;
      return response(SW.OK);
    }
    if (p1 === 0x02) {
      if (data.length !== 2) return response(SW.WRONG_LENGTH);
      const fid = (data[0]! << 8) | data[1]!;
      const known = this.#files.has(fid) || this.#pins.has(fid) || fid === EF.AUTH_KEY || fid === EF.SIGN_KEY;
      if (!this.#apSelected || !known) return response(SW.FILE_NOT_FOUND);
      this.#current = fid;
      return response(SW.OK);
    }
    return response(SW.INCORRECT_P1P2);
  }

  #readBinary(p1: number, p2: number, le: number | undefined): Uint8Array {
    if (p1 & 0x80) return response(SW.FUNC_NOT_SUPPORTED); // short EF identifier addressing
    if (this.#current === null) return response(SW.NO_CURRENT_EF);
    const file = this.#files.get(this.#current);
    if (!file) return response(SW.INCOMPATIBLE_FILE); // a key or PIN file
    if (this.#current === EF.SIGN_CERT && !this.#pins.get(EF.SIGN_PIN)!.verified)
      return response(SW.SECURITY_NOT_SATISFIED);
    if (le === undefined) return response(SW.WRONG_LENGTH);
    const offset = (p1 << 8) | p2;
    if (offset >= file.length) return response(SW.WRONG_P1P2);
    const chunk = file.subarray(offset, offset + le);
    return response(chunk.length < le ? SW.EOF_BEFORE_LE : SW.OK, chunk);
  }

  #verify(p1: number, p2: number, data: Uint8Array): Uint8Array {
    if (p1 !== 0x00 || p2 !== 0x80) return response(SW.INCORRECT_P1P2);
    const pin = this.#current === null ? undefined : this.#pins.get(this.#current);
    if (!pin) return response(this.#current === null ? SW.NO_CURRENT_EF : SW.INCOMPATIBLE_FILE);
    if (pin.left === 0) return response(SW.AUTH_BLOCKED);
    if (data.length === 0) return response(0x63c0 | pin.left);
    if (data.length > 16) return response(SW.WRONG_LENGTH);
    if (equalBytes(data, pin.secret)) {
      pin.verified = true;
      if (pin.left !== pin.max) {
        pin.left = pin.max;
        this.#changed();
      }
      return response(SW.OK);
    }
    pin.verified = false;
    pin.left -= 1;
    this.#changed();
    return response(pin.left === 0 ? SW.AUTH_BLOCKED : 0x63c0 | pin.left);
  }

  #sign(cla: number, p1: number, p2: number, data: Uint8Array, le: number | undefined): Uint8Array {
    if (cla !== 0x80) return response(SW.CLA_NOT_SUPPORTED);
    if (p1 !== 0x00 || p2 !== 0x80) return response(SW.INCORRECT_P1P2);
    if (this.#current !== EF.AUTH_KEY && this.#current !== EF.SIGN_KEY) {
      return response(this.#current === null ? SW.NO_CURRENT_EF : SW.INCOMPATIBLE_FILE);
    }
    const auth = this.#current === EF.AUTH_KEY;
    const pin = this.#pins.get(auth ? EF.AUTH_PIN : EF.SIGN_PIN)!;
    if (pin.left === 0) return response(SW.AUTH_BLOCKED);
    if (!pin.verified) return response(SW.SECURITY_NOT_SATISFIED);
    if (le === undefined || data.length === 0 || data.length > MAX_SIGN_INPUT) return response(SW.WRONG_LENGTH);
    // PKCS#1 v1.5 type 1 padding over the DigestInfo the host sent, as the card's RSA engine does
    const sig = privateEncrypt({ key: auth ? this.#authKey : this.#signKey, padding: C.RSA_PKCS1_PADDING }, data);
    return response(SW.OK, new Uint8Array(sig));
  }

  #changed(): void {
    if (this.#persist) this.#write(this.#persist.file, this.#persist.sealKey);
  }

  #serialize(): Uint8Array {
    const c = this.#contents;
    return Buffer.from(
      JSON.stringify({
        authKeyPkcs8: b64(c.authKeyPkcs8),
        signKeyPkcs8: b64(c.signKeyPkcs8),
        authCert: b64(c.authCert),
        authCaCert: b64(c.authCaCert),
        signCert: b64(c.signCert),
        signCaCert: b64(c.signCaCert),
        authPin: c.authPin,
        signPassword: c.signPassword,
        authTriesLeft: this.#pins.get(EF.AUTH_PIN)!.left,
        signTriesLeft: this.#pins.get(EF.SIGN_PIN)!.left,
      }),
    );
  }

  #write(file: string, k: SealKey): void {
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(seal(this.#serialize(), this.label, k), null, 1), { mode: 0o600 });
    renameSync(tmp, file);
  }

  /**
   * Writes the card, sealed under `fileKey`. With `{ keepInSync: true }` every later change of a
   * try counter is written too, so a locked PIN stays locked across restarts.
   */
  save(file: string, fileKey: string | Uint8Array, opts: { keepInSync?: boolean } = {}): void {
    const k = deriveSealKey(fileKey);
    this.#write(file, k);
    if (opts.keepInSync) this.#persist = { file, sealKey: k };
  }

  /** Opens a card file (KZ_CARD_FILE_INVALID for a wrong key or a damaged file). */
  static load(file: string, fileKey: string | Uint8Array, opts: { keepInSync?: boolean } = {}): EmulatedCard {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (e) {
      throw jpkiErrors.KZ_CARD_FILE_INVALID(
        `cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
      );
    }
    const { plain, label, sealKey } = unseal(text, fileKey);
    let card: EmulatedCard;
    try {
      const j = JSON.parse(plain.toString('utf8')) as Record<string, string | number>;
      card = new EmulatedCard(
        {
          authKeyPkcs8: unb64(j.authKeyPkcs8 as string),
          signKeyPkcs8: unb64(j.signKeyPkcs8 as string),
          authCert: unb64(j.authCert as string),
          authCaCert: unb64(j.authCaCert as string),
          signCert: unb64(j.signCert as string),
          signCaCert: unb64(j.signCaCert as string),
          authPin: j.authPin as string,
          signPassword: j.signPassword as string,
          authTriesLeft: j.authTriesLeft as number,
          signTriesLeft: j.signTriesLeft as number,
        },
        label,
      );
    } catch (e) {
      throw jpkiErrors.KZ_CARD_FILE_INVALID(`card contents: ${(e as Error).message}`);
    }
    if (opts.keepInSync) card.#persist = { file, sealKey };
    return card;
  }
}
