/**
 * Bundle size of each Lambda entry point, built as `lib/constructs/lambda-bundle.ts` builds it for
 * `VigilFunction` (esbuild, ESM split at every `import()`, target node24, minified, the AWS SDK
 * bundled but for the credential providers Lambda never reaches): what the init phase loads
 * (`index.mjs` and the chunks it imports statically) and the whole bundle (every chunk, loaded or
 * not). Source maps are written as in the deployed asset but not counted.
 *
 * Run alone: `npx tsx bench/bundles.ts`.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Metafile } from 'esbuild';
import { staticClosure } from '../lib/constructs/init-chunks';
import { bundleLambda } from '../lib/constructs/lambda-bundle';
import { fmt, ROOT, table } from './lib';

const HANDLERS_DIR = join(ROOT, 'lambdas', 'handlers');

/** One handler's bundle. */
export interface BundleFigure {
  readonly handler: string;
  /** `index.mjs` and the chunks it imports statically: what the init phase reads. */
  readonly initBytes: number;
  readonly initGzipBytes: number;
  /** How many files the init phase reads. */
  readonly initFiles: number;
  /** Every `.mjs` file of the bundle. */
  readonly totalBytes: number;
  readonly files: number;
}

/** One built bundle: its entry file and esbuild's metafile. */
export interface BuiltBundle {
  readonly handler: string;
  readonly outfile: string;
  readonly metafile: Metafile;
}

/**
 * Bundles `entry` into `<outDir>/index.mjs` and its chunks as `VigilFunction` does; `external`
 * leaves packages out (to compare with the runtime's own AWS SDK).
 */
const buildBundle = async (
  entry: string,
  outDir: string,
  external: readonly string[] = [],
): Promise<{ outfile: string; metafile: Metafile }> => {
  const metafile = bundleLambda(entry, outDir, external);
  return { outfile: join(outDir, 'index.mjs'), metafile };
};

/**
 * Bundles every `lambdas/handlers/*.ts` into `<outDir>/<handler>/index.mjs` and its chunks.
 */
const buildHandlerBundles = async (
  outDir: string,
  external: readonly string[] = [],
): Promise<BuiltBundle[]> => {
  const entries = readdirSync(HANDLERS_DIR)
    .filter((f) => f.endsWith('.ts'))
    .sort();
  const out: BuiltBundle[] = [];
  for (const entry of entries) {
    const handler = basename(entry, '.ts');
    const built = await buildBundle(join(HANDLERS_DIR, entry), join(outDir, handler), external);
    out.push({ handler, ...built });
  }
  return out;
};

/** The output files the entry loads before its handler exists: itself and its static imports. */
const initFiles = (metafile: Metafile): string[] => {
  const entry = Object.keys(metafile.outputs).find((k) => k.endsWith('/index.mjs'));
  if (entry === undefined) throw new Error('no index.mjs in the bundle');
  return staticClosure(metafile, entry);
};

/** Bundles every `lambdas/handlers/*.ts` into a temp folder and measures the files. */
const runBundleBench = async (): Promise<BundleFigure[]> => {
  const out = mkdtempSync(join(tmpdir(), 'vigil-bundles-'));
  try {
    return (await buildHandlerBundles(out)).map(({ handler, metafile }) => {
      const js = Object.keys(metafile.outputs).filter((f) => f.endsWith('.mjs'));
      const init = initFiles(metafile).map((f) => readFileSync(join(ROOT, f)));
      return {
        handler,
        initBytes: init.reduce((n, b) => n + b.length, 0),
        initGzipBytes: init.reduce((n, b) => n + gzipSync(b).length, 0),
        initFiles: init.length,
        totalBytes: js.reduce((n, f) => n + (metafile.outputs[f]?.bytes ?? 0), 0),
        files: js.length,
      };
    });
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
};

/** The figures as a printable table. */
const formatBundleFigures = (figures: readonly BundleFigure[]): string =>
  table([
    ['handler', 'loaded at init', 'gzip', 'files at init', 'whole bundle', 'files'],
    ...figures.map((f) => [
      f.handler,
      `${fmt(f.initBytes / 1024, 1)} KiB`,
      `${fmt(f.initGzipBytes / 1024, 1)} KiB`,
      String(f.initFiles),
      `${fmt(f.totalBytes / 1024, 1)} KiB`,
      String(f.files),
    ]),
  ]);

const isMain = import.meta.url === `file://${process.argv[1]}`;
if (isMain) console.log(formatBundleFigures(await runBundleBench()));

export { buildBundle, buildHandlerBundles, formatBundleFigures, runBundleBench };
