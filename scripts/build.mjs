/**
 * Builds the command line and the local server into dist/ (gitignored), so that `npx vigil …` and
 * `npm start` run plain JavaScript instead of compiling TypeScript at every start. `npm ci` and
 * `npm install` run it (the `prepare` script); `npm run build` after changing the sources. The
 * Lambda bundles are not built here: CDK's NodejsFunction bundles each handler at synth time.
 *
 * Dependencies are bundled (one file to read instead of dozens: yaml alone is 80 modules), except
 * the AWS SDK, which stays in node_modules; code splitting keeps every dynamic `import()` a chunk
 * of its own, so a command loads only what it runs, and the SDK only when it calls AWS. Jest's
 * global setup (test/helpers/build-dist.mjs) runs this build too.
 * Every file is written flat into dist/, so `new URL('./query-worker-boot.js', import.meta.url)`
 * in lambdas/local/query-workers.ts finds the bundled worker from whichever chunk holds the pool.
 */
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
export const DIST = join(ROOT, 'dist');

/** Builds dist/cli.js, dist/server.js and dist/query-worker-boot.js with their chunks. */
export const build = async () => {
  const result = await esbuild.build({
    absWorkingDir: ROOT,
    entryPoints: {
      cli: 'bin/cli.ts',
      server: 'bin/server.ts',
      'query-worker-boot': 'lambdas/local/query-worker.ts',
    },
    outdir: DIST,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    external: ['@aws-sdk/*', '@smithy/*'],
    // Bundled CommonJS dependencies call require() for Node's built-in modules.
    banner: {
      js: "import { createRequire as __vigilCreateRequire } from 'node:module';\nconst require = __vigilCreateRequire(import.meta.url);",
    },
    sourcemap: 'linked',
    logLevel: 'warning',
    metafile: true,
  });
  // Files of earlier builds go once this one is written: dist/ is never empty while tests run.
  const written = new Set(Object.keys(result.metafile.outputs).map((f) => join(ROOT, f)));
  for (const name of existsSync(DIST) ? readdirSync(DIST) : []) {
    const file = join(DIST, name);
    if (!written.has(file)) rmSync(file, { force: true });
  }
};

if (process.argv[1] === fileURLToPath(import.meta.url)) await build();
