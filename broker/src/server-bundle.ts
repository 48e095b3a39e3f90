/**
 * The broker server as one JavaScript file, for production starts. Through tsx a restarted broker
 * spends seconds compiling its modules before it listens (docs/BENCHMARKS.md, "Reconnect storm"),
 * seconds in which a city's TVs are refused and back off. `npm run build:broker` writes
 * broker/dist/server.mjs; `node broker/dist/server.mjs` runs it with the same KZ_BROKER_*
 * variables as `npx tsx broker/src/server.ts`. Our workspaces (@kizuna/*) and the packages they use
 * are bundled into it; PGlite stays outside (it loads its wasm from beside its own module) and the
 * credential table's migrations are read from broker/migrations, so the file belongs at
 * broker/dist/server.mjs in the checkout (the default), where Node finds both.
 */
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';

export const BROKER_BUNDLE = fileURLToPath(new URL('../dist/server.mjs', import.meta.url));

/**
 * Packages left outside the bundle even when node_modules are bundled: PGlite loads its wasm and
 * data files from beside its own module.
 */
const LOADS_FILES_BESIDE_ITSELF = ['@electric-sql/pglite'];

export interface BrokerBuildOptions {
  /**
   * 'bundled' (the default): every package but those that load files beside themselves goes into
   * the one file: a restarted broker resolves and reads hundreds of files less before it listens
   * (broker/bench/broker-start.ts). 'external': only our workspaces are bundled.
   */
  nodeModules?: 'bundled' | 'external';
}

const packageOf = (path: string) =>
  path
    .split('/')
    .slice(0, path.startsWith('@') ? 2 : 1)
    .join('/');

export async function buildBrokerServer(
  outfile = BROKER_BUNDLE,
  opts: BrokerBuildOptions = {},
): Promise<{ outfile: string; ms: number }> {
  const t0 = Date.now();
  const bundleModules = (opts.nodeModules ?? 'bundled') === 'bundled';
  await build({
    entryPoints: [fileURLToPath(new URL('./server.ts', import.meta.url))],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    sourcemap: true,
    // CommonJS packages bundled into an ES module still call require()
    banner: {
      js: "import { createRequire as __kzRequire } from 'node:module'; const require = __kzRequire(import.meta.url);",
    },
    logLevel: 'warning',
    plugins: [
      {
        name: 'node-modules-outside',
        setup(b) {
          b.onResolve({ filter: /^[^./]/ }, (a) => {
            if (a.path.startsWith('@kizuna/')) return undefined;
            if (bundleModules && !a.path.startsWith('node:') && !LOADS_FILES_BESIDE_ITSELF.includes(packageOf(a.path)))
              return undefined;
            return { path: a.path, external: true };
          });
        },
      },
    ],
  });
  return { outfile, ms: Date.now() - t0 };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { outfile, ms } = await buildBrokerServer(process.argv[2]);
  console.log(`wrote ${outfile} in ${ms} ms; run it with: node ${outfile}`);
}
