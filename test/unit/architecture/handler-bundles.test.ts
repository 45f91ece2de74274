import { readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { build, type Metafile } from 'esbuild';
import { lambdaBundleOptions } from '../../../lib/constructs/lambda-bundle';

const repo = resolve(import.meta.dirname, '../../..');
const handlersDir = join(repo, 'lambdas', 'handlers');

/**
 * The inputs each handler reads at init (its entry file and the chunks it imports statically) and
 * all it may load (`import()` too), by handler name, bundled with `splitting` as
 * `lib/constructs/lambda-bundle.ts` bundles it.
 */
const buildSplitInputs = async (): Promise<Map<string, { init: string[]; all: string[] }>> => {
  const entries = readdirSync(handlersDir).filter((f) => f.endsWith('.ts'));
  const { metafile } = (await build({
    ...lambdaBundleOptions(
      join(handlersDir, entries[0] ?? ''),
      join(repo, 'node_modules', '.cache', 'handler-bundles-split-test'),
      ['@aws-sdk/*', '@smithy/*'],
    ),
    entryPoints: entries.map((f) => join(handlersDir, f)),
    entryNames: '[name]',
    write: false,
    sourcemap: false,
    metafile: true,
  })) as { metafile: Metafile };
  const inputsFrom = (entry: string | undefined, follow: (kind: string) => boolean): string[] => {
    const read = new Set<string>();
    const queue = entry === undefined ? [] : [entry];
    for (let out = queue.pop(); out !== undefined; out = queue.pop()) {
      if (read.has(out)) continue;
      read.add(out);
      for (const i of metafile.outputs[out]?.imports ?? [])
        if (follow(i.kind) && i.path in metafile.outputs) queue.push(i.path);
    }
    return [...read].flatMap((out) => Object.keys(metafile.outputs[out]?.inputs ?? {}));
  };
  const byHandler = new Map<string, { init: string[]; all: string[] }>();
  for (const f of entries) {
    const entry = Object.keys(metafile.outputs).find(
      (out) => metafile.outputs[out]?.entryPoint === `lambdas/handlers/${f}`,
    );
    byHandler.set(f.replace(/\.ts$/, ''), {
      init: inputsFrom(entry, (kind) => kind === 'import-statement'),
      all: inputsFrom(entry, () => true),
    });
  }
  return byHandler;
};

let split: ReturnType<typeof buildSplitInputs> | undefined;
const splitInputs = (): ReturnType<typeof buildSplitInputs> => {
  split ??= buildSplitInputs();
  return split;
};

const isRe2js = (input: string): boolean => input.includes('node_modules/re2js/');
const isPromqlParser = (input: string): boolean =>
  /lezer-promql|node_modules\/@lezer\/|lambdas\/domain\/promql\/parser\.ts$/.test(input);

describe('Lambda handler bundles', () => {
  it('load RE2 (re2js) at init in no function: it is imported when a pattern needs it', async () => {
    // Act
    const byHandler = await splitInputs();

    // Assess
    const atInit = [...byHandler].filter(([, { init }]) => init.some(isRe2js)).map(([h]) => h);
    const onDemand = [...byHandler].filter(([, { all }]) => all.some(isRe2js)).map(([h]) => h);
    expect(atInit).toEqual([]);
    expect(onDemand).toEqual(
      expect.arrayContaining([
        'alerts',
        'evaluate-rules',
        'query',
        'read-series',
        'run-drift-monitors',
        'scrape-targets',
        'scrape-targets-api',
      ]),
    );
  });

  it('hold no config schema: zod stays out of every function (the config is validated at synth)', async () => {
    const byHandler = await splitInputs();
    expect(byHandler.size).toBe(readdirSync(handlersDir).filter((f) => f.endsWith('.ts')).length);
    const withSchema = [...byHandler]
      .map(([handler, { all: inputs }]) => [
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

  it('load the PromQL parser at init only where every invocation parses a query', async () => {
    // Act
    const byHandler = await splitInputs();

    // Assess
    const atInit = [...byHandler]
      .filter(([, { init }]) => init.some(isPromqlParser))
      .map(([h]) => h);
    expect(atInit).toEqual(['query']);
    // The rule evaluator and the drift monitors run queries parsed at synth; any other text
    // (a template's `query`) loads the parser on demand.
    for (const h of ['evaluate-rules', 'run-drift-monitors'])
      expect(byHandler.get(h)?.all.some(isPromqlParser)).toBe(true);
  });

  const PROTOBUFJS =
    /node_modules\/(protobufjs|long)\/|lambdas\/domain\/otlp\/(json|otlp-schema)\.ts$/;

  it.each(['ingest-otlp-metrics', 'ingest-otlp-logs'])(
    'leave protobufjs out of the init of %s: it is loaded on the first OTLP/JSON request',
    async (handler) => {
      const { init, all } = (await splitInputs()).get(handler) ?? { init: [], all: [] };
      expect(init.filter((i) => PROTOBUFJS.test(i))).toEqual([]);
      expect(init.some((i) => i.endsWith('lambdas/domain/otlp/protobuf.ts'))).toBe(true);
      expect(all.some((i) => i.includes('node_modules/protobufjs/'))).toBe(true);
    },
  );
});
