import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { buildSync, type Metafile } from 'esbuild';
import { bundleLambda, lambdaBundleOptions } from '../../../lib/constructs/lambda-bundle';
import { runtimeConfigOf, validateConfig } from '../../../lambdas/domain/config/validate';
import { binaryPostEvent } from '../../helpers/api-gateway-event';

const repo = resolve(import.meta.dirname, '../../..');

/** Static `import`/`export … from` of a chunk: a file read at init. */
const STATIC_CHUNK_IMPORT = /(?:import|export)\s*(?:[^"'()]*from\s*)?["']\.\/chunk-/;

/** Runs `script` (an ES module) in a fresh `node --enable-source-maps` and parses its output. */
const runNode = (script: string, env: Record<string, string> = {}): unknown =>
  JSON.parse(
    execFileSync(process.execPath, ['--enable-source-maps', '--input-type=module', '-e', script], {
      cwd: repo,
      env: { PATH: process.env.PATH ?? '', ...env },
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    }).trim(),
  );

/** A module the handler shares with the module it imports on first use. */
const SHARED = `export class SharedError extends Error {}
export const state = { calls: 0 };
export const raise = (message: string): never => {
  state.calls += 1;
  throw new SharedError(message);
};
`;
const LAZY = `import { raise } from './shared';
export const fail = (): never => raise('from the lazy module');
`;
const ENTRY = `import { SharedError, state } from './shared';
export const handler = async () => {
  const { fail } = await import('./lazy');
  try {
    fail();
  } catch (e) {
    return { same: e instanceof SharedError, calls: state.calls, stack: String((e as Error).stack) };
  }
};
`;

describe('Lambda bundles: chunks read at init folded into index.mjs', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'vigil-fold-'));
    writeFileSync(join(dir, 'shared.ts'), SHARED);
    writeFileSync(join(dir, 'lazy.ts'), LAZY);
    writeFileSync(join(dir, 'entry.ts'), ENTRY);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('reads one file at init, and the module loaded on first use shares its classes and state', () => {
    // Prepare: split alone, the shared module is a chunk of its own that index.mjs imports.
    buildSync(lambdaBundleOptions(join(dir, 'entry.ts'), join(dir, 'split')));
    const splitEntry = readFileSync(join(dir, 'split', 'index.mjs'), 'utf8');
    expect(splitEntry).toMatch(STATIC_CHUNK_IMPORT);

    // Act
    const metafile: Metafile = bundleLambda(join(dir, 'entry.ts'), join(dir, 'out'));
    const index = readFileSync(join(dir, 'out', 'index.mjs'), 'utf8');
    const result = runNode(
      `const m = await import(${JSON.stringify(pathToFileURL(join(dir, 'out', 'index.mjs')).href)});
       process.stdout.write(JSON.stringify(await m.handler()));`,
    ) as { same: boolean; calls: number; stack: string };

    // Assess
    expect(index).not.toMatch(STATIC_CHUNK_IMPORT);
    expect(index).toMatch(/import\("\.\/chunk-[\w-]+\.mjs"\)/);
    const indexKey = Object.keys(metafile.outputs).find((k) => k.endsWith('out/index.mjs')) ?? '';
    expect(
      Object.keys(metafile.outputs[indexKey]?.inputs ?? {}).map((i) => i.split('/').pop()),
    ).toEqual(expect.arrayContaining(['shared.ts', 'entry.ts']));
    expect(result.same).toBe(true);
    expect(result.calls).toBe(1);
    // Source maps run through the fold: the frames name the TypeScript lines.
    expect(result.stack).toMatch(/shared\.ts:5:\d+/);
    expect(result.stack).toMatch(/lazy\.ts:2:\d+/);
    expect(result.stack).toMatch(/entry\.ts:5:\d+/);
  });

  it('serves a query through the query function as deployed, loading RE2 on first use', () => {
    // Prepare
    const out = join(dir, 'query');
    bundleLambda(join(repo, 'lambdas', 'handlers', 'query.ts'), out);
    const query =
      'label_replace(label_replace(vector(1), "b", "xx", "", ""), "a", "$1-$2", "b", "(x)(x+)")';
    const event = binaryPostEvent(
      '/api/v1/query',
      `query=${encodeURIComponent(query)}&time=1700000000`,
      { 'content-type': 'application/x-www-form-urlencoded' },
    );

    // Act
    const response = runNode(
      `const m = await import(${JSON.stringify(pathToFileURL(join(out, 'index.mjs')).href)});
       const context = { functionName: 'vigil-query', awsRequestId: 'r-1', getRemainingTimeInMillis: () => 30000 };
       const r = await m.handler(${JSON.stringify(event)}, context);
       process.stdout.write(JSON.stringify({ statusCode: r.statusCode, body: JSON.parse(r.body) }));`,
      {
        AWS_REGION: 'eu-west-1',
        AWS_ACCESS_KEY_ID: 'AKIDTEST',
        AWS_SECRET_ACCESS_KEY: 'test',
        POWERTOOLS_METRICS_DISABLED: 'true',
        POWERTOOLS_LOG_LEVEL: 'SILENT',
        VIGIL_RUNTIME_CONFIG: JSON.stringify(runtimeConfigOf(validateConfig({}).config)),
        VIGIL_STORE: 'timestream',
        VIGIL_SAMPLES_DATABASE: 'vigil',
        VIGIL_SAMPLES_TABLE: 'samples',
      },
    );

    // Assess
    expect(response).toEqual({
      statusCode: 200,
      body: {
        status: 'success',
        data: {
          resultType: 'vector',
          result: [{ metric: { a: 'x-x', b: 'xx' }, value: [1700000000, '1'] }],
        },
      },
    });
  });
});
