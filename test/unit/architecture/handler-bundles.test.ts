import { readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { build, type Metafile } from 'esbuild';

const repo = resolve(import.meta.dirname, '../../..');
const handlersDir = join(repo, 'lambdas', 'handlers');

/**
 * The inputs esbuild bundles into each handler (what `NodejsFunction` would deploy), by handler
 * name. The AWS SDK is left out: it never reaches Vigil's modules.
 */
const bundleInputs = async (): Promise<Map<string, string[]>> => {
  const entries = readdirSync(handlersDir).filter((f) => f.endsWith('.ts'));
  const { metafile } = (await build({
    absWorkingDir: repo,
    entryPoints: entries.map((f) => join(handlersDir, f)),
    bundle: true,
    write: false,
    outdir: join(repo, 'node_modules', '.cache', 'handler-bundles-test'),
    platform: 'node',
    format: 'esm',
    target: 'node24',
    mainFields: ['module', 'main'],
    external: ['@aws-sdk/*', '@smithy/*'],
    metafile: true,
    logLevel: 'error',
  })) as { metafile: Metafile };
  const byHandler = new Map<string, string[]>();
  for (const [out, { entryPoint, inputs }] of Object.entries(metafile.outputs)) {
    if (!entryPoint || !out.endsWith('.js')) continue;
    byHandler.set(entryPoint.replace(/^.*\//, '').replace(/\.ts$/, ''), Object.keys(inputs));
  }
  return byHandler;
};

describe('Lambda handler bundles', () => {
  it('hold no config schema: zod stays out of every function (the config is validated at synth)', async () => {
    const byHandler = await bundleInputs();
    expect(byHandler.size).toBe(readdirSync(handlersDir).filter((f) => f.endsWith('.ts')).length);
    const withSchema = [...byHandler]
      .map(([handler, inputs]) => [
        handler,
        inputs.filter(
          (i) =>
            i.includes('node_modules/zod/') ||
            /lambdas\/domain\/config\/(schema|schema-kit|validate)\.ts$/.test(i),
        ).length,
      ])
      .filter(([, n]) => n !== 0);
    expect(withSchema).toEqual([]);
  });

  it('would see zod in a handler that imports the config schema', async () => {
    const { metafile } = (await build({
      absWorkingDir: repo,
      stdin: {
        contents: "export { validateConfig } from './lambdas/domain/config/validate';",
        resolveDir: repo,
        loader: 'ts',
      },
      bundle: true,
      write: false,
      platform: 'node',
      format: 'esm',
      metafile: true,
      logLevel: 'error',
    })) as { metafile: Metafile };
    expect(Object.keys(metafile.inputs).some((i) => i.includes('node_modules/zod/'))).toBe(true);
  });
});
