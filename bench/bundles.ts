/**
 * Bundle size of each Lambda entry point, built the way
 * `lib/constructs/vigil-function.ts` has `NodejsFunction` build it: esbuild, bundle, ESM,
 * platform node, target node24 (from the nodejs24.x runtime), minify, main fields
 * `module,main`, the `createRequire` banner, and the runtime's AWS SDK v3 left external
 * (`@aws-sdk/*` and `@smithy/*`: cdk.json sets `@aws-cdk/aws-lambda-nodejs:sdkV3ExcludeSmithyPackages`).
 * The source map is written as in the deployed asset but not counted.
 *
 * Run alone: `npx tsx bench/bundles.ts`.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { fmt, table } from './lib';

const ROOT = resolve(import.meta.dirname, '..');
const HANDLERS_DIR = join(ROOT, 'lambdas', 'handlers');

/** Same text as `ESM_REQUIRE_BANNER` in lib/constructs/vigil-function.ts. */
const ESM_REQUIRE_BANNER = [
  "import { createRequire as __vigilCreateRequire } from 'node:module';",
  'const require = __vigilCreateRequire(import.meta.url);',
].join(' ');

/** One handler's bundle. */
export interface BundleFigure {
  readonly handler: string;
  readonly bytes: number;
  readonly gzipBytes: number;
}

/** Bundles every `lambdas/handlers/*.ts` into a temp folder and measures `index.mjs`. */
const runBundleBench = async (): Promise<BundleFigure[]> => {
  const entries = readdirSync(HANDLERS_DIR)
    .filter((f) => f.endsWith('.ts'))
    .sort();
  const out = mkdtempSync(join(tmpdir(), 'vigil-bundles-'));
  const figures: BundleFigure[] = [];
  try {
    for (const entry of entries) {
      const name = basename(entry, '.ts');
      const outfile = join(out, name, 'index.mjs');
      await build({
        entryPoints: [join(HANDLERS_DIR, entry)],
        absWorkingDir: ROOT,
        bundle: true,
        outfile,
        target: 'node24',
        platform: 'node',
        format: 'esm',
        minify: true,
        sourcemap: true,
        sourcesContent: false,
        external: ['@aws-sdk/*', '@smithy/*'],
        mainFields: ['module', 'main'],
        banner: { js: ESM_REQUIRE_BANNER },
        logLevel: 'error',
      });
      figures.push({
        handler: name,
        bytes: statSync(outfile).size,
        gzipBytes: gzipSync(readFileSync(outfile)).length,
      });
    }
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
  return figures;
};

/** The figures as a printable table. */
const formatBundleFigures = (figures: readonly BundleFigure[]): string =>
  table([
    ['handler', 'index.mjs', 'gzip'],
    ...figures.map((f) => [
      f.handler,
      `${fmt(f.bytes / 1024, 1)} KiB`,
      `${fmt(f.gzipBytes / 1024, 1)} KiB`,
    ]),
  ]);

const isMain = import.meta.url === `file://${process.argv[1]}`;
if (isMain) console.log(formatBundleFigures(await runBundleBench()));

export { formatBundleFigures, runBundleBench };
