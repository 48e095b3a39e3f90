/**
 * JMA documents dropped as files into a folder (KZ_CONSOLE_JMA_DIR), for a receiver that writes
 * files rather than calling POST /api/jma. The folder is read every few seconds (fs.watch misses
 * events on network shares); each `*.xml` file, oldest name first, is applied like a pushed
 * document and then moved out of the way: to `done/`, or to `refused/` with `<name>.error.json`
 * saying why. A file still being written (changed within the last second) waits for the next pass.
 */
import { mkdir, readdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { KzError, type Db, type Logger } from '@kizuna/core';
import { parseJma } from './jma-document.ts';
import { receiveJma } from './jma-store.ts';

export const JMA_FOLDER_ACTOR = 'jma-folder';
const MAX_BYTES = 1024 * 1024;

export class JmaFolder {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<number> | null = null;

  constructor(
    private readonly o: {
      dir: string;
      db: Db;
      logger: Logger;
      now: () => Date;
      /** Told after a document changed the suggestions. */
      onChange: () => void;
    },
  ) {}

  start(everyMs: number): void {
    this.timer = setInterval(
      () =>
        void this.scan().catch((e) =>
          this.o.logger.warn({ err: e, dir: this.o.dir }, 'JMA folder could not be read; tried again next pass'),
        ),
      everyMs,
    );
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running?.catch(() => undefined);
  }

  /** One pass over the folder; returns how many files it took. */
  scan(): Promise<number> {
    this.running ??= this.pass().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  private async pass(): Promise<number> {
    const { dir, logger } = this.o;
    const names = (await readdir(dir, { withFileTypes: true }))
      .filter((e) => e.isFile() && e.name.toLowerCase().endsWith('.xml'))
      .map((e) => e.name)
      .sort();
    let taken = 0;
    for (const name of names) {
      const path = join(dir, name);
      const s = await stat(path);
      if (Date.now() - s.mtimeMs < 1000) continue;
      try {
        if (s.size > MAX_BYTES) throw new Error(`larger than ${MAX_BYTES} bytes`);
        const out = await receiveJma(this.o.db, parseJma(await readFile(path)), this.o.now(), JMA_FOLDER_ACTOR);
        await this.move(path, 'done', name);
        if (out.outcome === 'applied') this.o.onChange();
        logger.info({ file: name, outcome: out.outcome }, 'JMA document from the folder');
      } catch (e) {
        // a refusal is the file's fault: set it aside and say why; anything else (the database) is retried
        const refused = e instanceof KzError || (e instanceof Error && e.message.startsWith('larger than'));
        if (!refused) {
          logger.error({ err: e, file: name }, 'JMA document from the folder not applied; retried next pass');
          continue;
        }
        const why =
          e instanceof KzError
            ? { code: e.code, message: e.message, details: e.details }
            : { message: (e as Error).message };
        await this.move(path, 'refused', name);
        await writeFile(join(dir, 'refused', `${name}.error.json`), JSON.stringify(why, null, 2));
        logger.warn({ file: name, ...why }, 'JMA document from the folder refused');
      }
      taken++;
    }
    return taken;
  }

  private async move(path: string, to: 'done' | 'refused', name: string) {
    await mkdir(join(this.o.dir, to), { recursive: true });
    await rename(path, join(this.o.dir, to, name));
  }
}
