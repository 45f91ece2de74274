/**
 * Bundle size of each Lambda entry point, built the way
 * `lib/constructs/vigil-function.ts` has `NodejsFunction` build it: esbuild, bundle, ESM,
 * platform node, target node24 (from the nodejs24.x runtime), minify, main fields
 * `module,main`, the `createRequire` banner, the AWS SDK bundled but for the credential
 * providers Lambda never reaches (`UNREACHED_CREDENTIAL_PROVIDERS`).
 * The source map is written as in the deployed asset but not counted.
 *
 * Run alone: `npx tsx bench/bundles.ts`.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { type BuildOptions, build } from 'esbuild';
import { UNREACHED_CREDENTIAL_PROVIDERS } from '../lib/constructs/vigil-function';
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

/** esbuild options of a Lambda bundle, as `NodejsFunction` has them in `VigilFunction`. */
const lambdaBuildOptions = (outfile: string): BuildOptions => ({
  absWorkingDir: ROOT,
  bundle: true,
  outfile,
  target: 'node24',
  platform: 'node',
  format: 'esm',
  minify: true,
  sourcemap: true,
  sourcesContent: false,
  mainFields: ['module', 'main'],
  banner: { js: ESM_REQUIRE_BANNER },
  logLevel: 'error',
});

/**
 * Bundles every `lambdas/handlers/*.ts` into `<outDir>/<handler>/index.mjs`; `external` leaves
 * packages out (to compare with the runtime's own AWS SDK).
 */
const buildHandlerBundles = async (
  outDir: string,
  external: readonly string[] = [],
): Promise<{ readonly handler: string; readonly outfile: string }[]> => {
  const entries = readdirSync(HANDLERS_DIR)
    .filter((f) => f.endsWith('.ts'))
    .sort();
  const out: { handler: string; outfile: string }[] = [];
  for (const entry of entries) {
    const handler = basename(entry, '.ts');
    const outfile = join(outDir, handler, 'index.mjs');
    await build({
      ...lambdaBuildOptions(outfile),
      entryPoints: [join(HANDLERS_DIR, entry)],
      external: [...UNREACHED_CREDENTIAL_PROVIDERS, ...external],
    });
    out.push({ handler, outfile });
  }
  return out;
};

/** Bundles every `lambdas/handlers/*.ts` into a temp folder and measures `index.mjs`. */
const runBundleBench = async (): Promise<BundleFigure[]> => {
  const out = mkdtempSync(join(tmpdir(), 'vigil-bundles-'));
  try {
    return (await buildHandlerBundles(out)).map(({ handler, outfile }) => ({
      handler,
      bytes: statSync(outfile).size,
      gzipBytes: gzipSync(readFileSync(outfile)).length,
    }));
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
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

export { buildHandlerBundles, formatBundleFigures, lambdaBuildOptions, ROOT, runBundleBench };
