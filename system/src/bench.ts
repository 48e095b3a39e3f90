/**
 * `npm run bench [filter…]`: every part's benchmarks (<part>/bench/*.ts), one child process each,
 * one after another so they do not compete for the two cores. Each benchmark prints its own
 * figures and its baseline measured in the same run; docs/BENCHMARKS.md records them.
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const parts = ['jpki', 'broker', 'municipal-console', 'evacuation-center', 'insurer-gateway', 'tv-app', 'system'];
const filters = process.argv.slice(2);

const files = parts
  .flatMap((p) => {
    const dir = join(root, p, 'bench');
    if (!existsSync(dir)) return [];
    return readdirSync(dir)
      .filter((f) => f.endsWith('.ts') && !f.startsWith('_'))
      .sort()
      .map((f) => join(dir, f));
  })
  .filter((f) => filters.length === 0 || filters.some((x) => relative(root, f).includes(x)));

if (files.length === 0) {
  console.error(`bench: no benchmark matches ${filters.join(' ') || '(none found)'}`);
  process.exit(1);
}

let failed = 0;
for (const file of files) {
  const name = relative(root, file);
  console.log(`\n=== ${name} ===`);
  const t0 = Date.now();
  const code = await new Promise<number>((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', file], { cwd: root, stdio: 'inherit' });
    child.on('exit', (c) => resolve(c ?? 1));
  });
  console.log(
    `=== ${name}: ${code === 0 ? 'done' : `FAILED (exit ${code})`} in ${((Date.now() - t0) / 1000).toFixed(1)} s ===`,
  );
  if (code !== 0) failed += 1;
}
process.exit(failed ? 1 : 0);
