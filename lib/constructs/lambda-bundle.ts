import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { AssetHashType, DockerImage } from 'aws-cdk-lib';
import { Code } from 'aws-cdk-lib/aws-lambda';
import { type BuildOptions, buildSync, type Metafile } from 'esbuild';
import { foldInitChunks } from './init-chunks';
import { predecodedLezerPromql } from './lezer-tables';
import { handlerEntry, PROJECT_ROOT } from './paths';

/**
 * Credential providers `@aws-sdk/credential-provider-node` imports dynamically after the
 * environment's credentials, with the clients they use: never loaded on Lambda, and provided by
 * the runtime's own SDK if they were.
 */
export const UNREACHED_CREDENTIAL_PROVIDERS = [
  '@aws-sdk/credential-provider-sso',
  '@aws-sdk/credential-provider-ini',
  '@aws-sdk/credential-provider-process',
  '@aws-sdk/credential-provider-web-identity',
  '@aws-sdk/credential-provider-login',
  '@aws-sdk/nested-clients',
] as const;

/**
 * ESM bundles have no `require`, `__filename` or `__dirname`; CommonJS dependencies bundled
 * into them (and the AWS SDK's own fallbacks) still call `require` for Node built-ins.
 * https://github.com/evanw/esbuild/issues/1921
 */
const ESM_REQUIRE_BANNER = [
  "import { createRequire as __vigilCreateRequire } from 'node:module';",
  'const require = __vigilCreateRequire(import.meta.url);',
].join(' ');

/**
 * Packages replaced in every bundle: by a module of `lambdas/bundle-aliases` (relative to the
 * project root, as esbuild's `alias` takes them), and the PromQL grammar by its copy with the
 * parse tables decoded at synth (`lezer-tables.ts`).
 */
const bundleAliases = (): Record<string, string> => {
  const lezerPromql = predecodedLezerPromql();
  return {
    '@lezer/highlight': './lambdas/bundle-aliases/lezer-highlight.ts',
    ...(lezerPromql ? { '@prometheus-io/lezer-promql': lezerPromql } : {}),
  };
};

/**
 * esbuild options of a function's bundle: `index.mjs` (ESM, minified, source maps without
 * sources) plus a chunk per `import()` target and per module shared between them, so the init
 * phase loads only what the handler imports statically; an adapter and its AWS SDK client are read
 * from their chunk on first use. The AWS SDK is bundled rather than taken from the runtime: one
 * minified file loads in a third of the time the runtime's node_modules take to resolve (`npm run
 * bench:init`; https://github.com/aws/aws-cdk/issues/25492), and the lockfile pins its version.
 * Left out: the credential providers Lambda never reaches (its role's keys are in the environment,
 * the chain's first link); the SDK imports them only on demand. Packages' ESM builds are preferred
 * so esbuild can tree-shake them.
 */
const lambdaBundleOptions = (
  entry: string,
  outdir: string,
  external: readonly string[] = [],
): BuildOptions => ({
  absWorkingDir: PROJECT_ROOT,
  entryPoints: [entry],
  bundle: true,
  outdir,
  splitting: true,
  entryNames: 'index',
  chunkNames: 'chunk-[hash]',
  outExtension: { '.js': '.mjs' },
  // nodejs24.x
  target: 'node24',
  platform: 'node',
  format: 'esm',
  minify: true,
  sourcemap: true,
  sourcesContent: false,
  mainFields: ['module', 'main'],
  banner: { js: ESM_REQUIRE_BANNER },
  external: [...UNREACHED_CREDENTIAL_PROVIDERS, ...external],
  alias: bundleAliases(),
  logLevel: 'error',
});

/**
 * Bundles `entry` into `outdir` as a function's code: split at every `import()`
 * (`lambdaBundleOptions`), then with the chunks `index.mjs` imports statically folded into it
 * (`foldInitChunks`), so init reads one file. Returns the metafile of the files written.
 */
const bundleLambda = (
  entry: string,
  outdir: string,
  external: readonly string[] = [],
): Metafile => {
  const { metafile } = buildSync({
    ...lambdaBundleOptions(entry, outdir, external),
    metafile: true,
  });
  return foldInitChunks(metafile as Metafile, outdir, PROJECT_ROOT);
};

/**
 * The code of the function running `lambdas/handlers/<handlerName>.ts`: bundled by the local
 * esbuild at synth (never Docker), with `files` (name in the bundle → local path) copied beside
 * `index.mjs`. The asset is hashed on its output, as `NodejsFunction` does.
 */
const bundledHandlerCode = (
  handlerName: string,
  files: Readonly<Record<string, string>> = {},
): Code =>
  Code.fromAsset(PROJECT_ROOT, {
    assetHashType: AssetHashType.OUTPUT,
    bundling: {
      // Never run: local bundling below always succeeds. Part of the asset's cache key with the
      // command, which names the handler and the copied files.
      image: DockerImage.fromRegistry('vigil-local-esbuild'),
      command: ['esbuild', handlerName, ...Object.entries(files).flat()],
      local: {
        tryBundle: (outputDir: string): boolean => {
          bundleLambda(handlerEntry(handlerName), outputDir);
          for (const [name, source] of Object.entries(files)) {
            copyFileSync(source, join(outputDir, name));
          }
          return true;
        },
      },
    },
  });

export { bundledHandlerCode, bundleLambda, ESM_REQUIRE_BANNER, lambdaBundleOptions };
