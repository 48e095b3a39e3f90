/**
 * Typing on the TV's on-screen keyboard the way a resident does: arrow keys to each letter and
 * OK, number keys for digits, then the arrows to the OK key. Layout as in src/components/Keyboard/index.ts.
 */
import type { Page } from 'puppeteer';
import { KEY, press } from '@kizuna/test-utils';

// Row 3 of the policy keyboard has the hyphen after 4–9 (digits are typed with the number keys).
const ROWS = ['ABCDEFGHIJ', 'KLMNOPQRST', 'UVWXYZ0123', '456789-'];

/** Position of the keyboard's focus, which starts on A each time the field appears. */
export class RemoteTyping {
  private row = 0;
  private col = 0;
  constructor(private readonly page: Page) {}

  private async moveTo(row: number, col: number): Promise<void> {
    const cols = async () => {
      while (this.col < col) {
        await press(this.page, KEY.Right);
        this.col++;
      }
      while (this.col > col) {
        await press(this.page, KEY.Left);
        this.col--;
      }
    };
    // Row 3 has wide keys from column 7 on (Down lands on the key under the column): reach the
    // column in a full row first, then go down.
    if (row === 3) await cols();
    while (this.row < row) {
      await press(this.page, KEY.Down);
      this.row++;
    }
    while (this.row > row) {
      await press(this.page, KEY.Up);
      this.row--;
    }
    await cols();
  }

  /** Letters with the arrows and OK; digits with the number keys. */
  async type(text: string): Promise<void> {
    for (const ch of text) {
      if (/[0-9]/.test(ch)) {
        await press(this.page, 48 + Number(ch));
        continue;
      }
      const row = ROWS.findIndex((r) => r.includes(ch));
      if (row < 0) throw new Error(`no key for ${ch}`);
      await this.moveTo(row, ROWS[row]!.indexOf(ch));
      await press(this.page, KEY.Enter);
    }
  }

  /** To the OK key (bottom right) and press it. */
  async ok(): Promise<void> {
    await this.moveTo(2, 9);
    await press(this.page, KEY.Down);
    await press(this.page, KEY.Enter);
    this.row = 0;
    this.col = 0; // a new field starts on A again
  }

  /** PIN: four number keys; the focus then sits on OK. */
  async pin(pin: string): Promise<void> {
    for (const d of pin) await press(this.page, 48 + Number(d));
    await press(this.page, KEY.Enter);
  }
}

export async function pressTimes(page: Page, key: number, n: number): Promise<void> {
  for (let i = 0; i < n; i++) await press(page, key);
}
