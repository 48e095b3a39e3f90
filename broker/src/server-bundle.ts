/**
 * The broker server as one JavaScript file, for production starts. Through tsx a restarted broker
 * spends seconds compiling its modules before it listens (docs/BENCHMARKS.md, "Reconnect storm"),
 * seconds in which a city's TVs are refused and back off. `npm run build:broker` writes
 * broker/dist/server.mjs; `node broker/dist/server.mjs` runs it with the same KZ_BROKER_*
 * variables as `npx tsx broker/src/server.ts`. Our workspaces (@kizuna/*) are bundled into it;
 * node_modules stay outside (PGlite loads its wasm from beside its own module) and the credential
 * table's migrations are read from broker/migrations, so the file belongs at broker/dist/server.mjs
 * in the checkout (the default), where Node finds both.
 */
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';

export const BROKER_BUNDLE = fileURLToPath(new URL('../dist/server.mjs', import.meta.url));

export async function buildBrokerServer(outfile = BROKER_BUNDLE): Promise<{ outfile: string; ms: number }> {
  const t0 = Date.now();
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
          b.onResolve({ filter: /^[^./]/ }, (a) =>
            a.path.startsWith('@kizuna/') ? undefined : { path: a.path, external: true },
          );
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
