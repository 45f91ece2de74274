/**
 * `npm run bench:init`: each Lambda function's init duration against a bare Powertools handler.
 *
 * Every `lambdas/handlers/*.ts` is bundled as `bench/bundles.ts` builds it (esbuild, as
 * `VigilFunction` does: split at every `import()`, the AWS SDK bundled), and so is a bare handler
 * (Powertools Logger and Metrics in a middy chain). Each function is also bundled with the AWS
 * SDK left external, loaded from `node_modules` as the runtime's own SDK would be: the build
 * `VigilFunction` used before it bundled the SDK. Each bundle is then imported in a fresh `node` process the way the
 * Lambda runtime loads an ESM handler (`await import(file)`), with the function's environment
 * set; the time from the start of the import to the exported `handler` is the init figure.
 * Processes alternate between the functions and the bare handler; medians of several.
 * The bundles are written under `node_modules/.cache` so that the AWS SDK, left external as the
 * runtime provides it, resolves from the project's `node_modules`.
 *
 * Run alone: `npx tsx bench/init-duration.ts [runs]`.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { runtimeConfigOf, validateConfig } from '../lambdas/domain/config/validate';
import { buildBundle, buildHandlerBundles } from './bundles';
import { fmt, median, ROOT, table } from './lib';

/** A handler with nothing but Powertools' Logger and Metrics in a middy chain. */
const BARE_HANDLER = `
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
const logger = new Logger();
const metrics = new Metrics({ namespace: 'Bench' });
export const handler = middy(async () => ({ statusCode: 200, body: 'ok' }))
  .use(injectLambdaContext(logger))
  .use(logMetrics(metrics));
`;

/** What the Lambda runtime and the `Vigil` construct put in a function's environment. */
const LAMBDA_ENV: Record<string, string> = {
  AWS_REGION: 'eu-west-1',
  AWS_DEFAULT_REGION: 'eu-west-1',
  AWS_LAMBDA_FUNCTION_NAME: 'vigil-bench',
  AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '1024',
  AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
  AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x',
  AWS_ACCESS_KEY_ID: 'AKIDBENCH',
  AWS_SECRET_ACCESS_KEY: 'bench',
  AWS_SESSION_TOKEN: 'bench',
  NODE_OPTIONS: '--enable-source-maps',
  POWERTOOLS_SERVICE_NAME: 'vigil',
  POWERTOOLS_METRICS_NAMESPACE: 'Vigil',
  VIGIL_RUNTIME_CONFIG: JSON.stringify(runtimeConfigOf(validateConfig({}).config)),
  VIGIL_STORE: 'timestream',
  VIGIL_SAMPLES_DATABASE: 'vigil',
  VIGIL_SAMPLES_TABLE: 'samples',
  VIGIL_EVENTS_DATABASE: 'vigil',
  VIGIL_EVENTS_TABLE: 'events',
  VIGIL_PUSH_GROUPS_TABLE: 'vigil-push-groups',
  VIGIL_SERIES_INDEX_TABLE: 'vigil-series-index',
  VIGIL_ALERT_STATE_TABLE: 'vigil-alert-state',
  VIGIL_DRIFT_REPORTS_BUCKET: 'vigil-drift-reports',
  VIGIL_DRIFT_FUNCTION: 'vigil-run-drift-monitors',
  VIGIL_ALERT_TOPICS: JSON.stringify({ default: 'arn:aws:sns:eu-west-1:123456789012:vigil' }),
  VIGIL_GPU_IMPORT: JSON.stringify({ scheduleMinutes: 5, periodSeconds: 60 }),
  VIGIL_LOGS_CONFIG: JSON.stringify({
    project: 'vigil',
    logs: { services: [], retentionDays: 30, prediction: {}, measures: [], limits: {} },
  }),
  VIGIL_RULES_DOCUMENT: 'rules.json',
  VIGIL_DRIFT_DOCUMENT: 'drift.json',
  VIGIL_SCRAPE_JOBS: 'scrape-jobs.json',
};

/** The documents the construct copies into a bundle, empty (files named as in `LAMBDA_ENV`). */
const BUNDLE_FILES: Record<string, unknown> = {
  'rules.json': { groups: [], evaluation: {}, alerting: {} },
  'drift.json': { drift: { monitors: [] }, baselines: {} },
  'scrape-jobs.json': [],
};

/**
 * Milliseconds from the start of `import(file)` to a function `handler`, in a fresh process, and
 * the CPU time the process spent meanwhile (less disturbed by other processes on a busy machine).
 */
const SCRIPT = `
const { performance } = await import('node:perf_hooks');
const cpu = process.cpuUsage();
const started = performance.now();
const mod = await import(process.argv[1]);
const ms = performance.now() - started;
const used = process.cpuUsage(cpu);
if (typeof mod.handler !== 'function') throw new Error('no handler export');
process.stdout.write(ms + ' ' + (used.user + used.system) / 1000);
`;

interface InitOnce {
  readonly ms: number;
  readonly cpuMs: number;
}

const initOnce = (file: string): InitOnce | string => {
  try {
    const [ms, cpuMs] = initOrThrow(file).split(' ').map(Number);
    return { ms: Number(ms), cpuMs: Number(cpuMs) };
  } catch (e) {
    const stderr = String((e as { stderr?: unknown }).stderr ?? e);
    return stderr.split('\n').find((l) => l.startsWith('Error')) ?? stderr.slice(0, 200);
  }
};

const initOrThrow = (file: string): string =>
  execFileSync(process.execPath, ['--input-type=module', '-e', SCRIPT, pathToFileURL(file).href], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', ...LAMBDA_ENV },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });

/** One function's figure. */
export interface InitFigure {
  readonly handler: string;
  /** With the AWS SDK bundled (the deployed build). */
  readonly medianMs: number;
  /** Median over the bare handler's median in the same run. */
  readonly ratio: number;
  /** CPU time of the same imports, median. */
  readonly cpuMs: number;
  /** With the AWS SDK external, from `node_modules`. */
  readonly externalSdkMs: number;
  /** Why the bundle could not be loaded with the bench's environment. */
  readonly error?: string;
}

const SDK_EXTERNAL = ['@aws-sdk/*', '@smithy/*'];

export interface InitReport {
  readonly bareMs: number;
  readonly bareCpuMs: number;
  readonly runs: number;
  readonly figures: InitFigure[];
}

const runInitBench = async (runs = 7): Promise<InitReport> => {
  const dir = join(ROOT, 'node_modules', '.cache', 'vigil-init-bench');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  try {
    const bundles = await buildHandlerBundles(dir);
    const external = new Map(
      (await buildHandlerBundles(join(dir, 'sdk-external'), SDK_EXTERNAL)).map((b) => [
        b.handler,
        b.outfile,
      ]),
    );
    for (const b of [...bundles, ...[...external].map(([, outfile]) => ({ outfile }))]) {
      for (const [name, doc] of Object.entries(BUNDLE_FILES)) {
        writeFileSync(join(dirname(b.outfile), name), JSON.stringify(doc));
      }
    }
    const bareEntry = join(dir, 'bare.ts');
    writeFileSync(bareEntry, BARE_HANDLER);
    const { outfile: bare } = await buildBundle(bareEntry, join(dir, 'bare-powertools'));
    const bareTimes: InitOnce[] = [];
    const times = new Map<string, InitOnce[]>(bundles.map((b) => [b.handler, []]));
    const externalTimes = new Map<string, number[]>(bundles.map((b) => [b.handler, []]));
    const errors = new Map<string, string>();
    const first = initOnce(bare);
    // The first import of a fresh build also warms the file cache: not counted.
    if (typeof first === 'string') throw new Error(`bare handler: ${first}`);
    for (let i = 0; i < runs; i++) {
      for (const b of bundles) {
        if (errors.has(b.handler)) continue;
        const bareMsOnce = initOnce(bare);
        const ms = initOnce(b.outfile);
        const externalMs = initOnce(external.get(b.handler) ?? '');
        if (typeof ms === 'string') errors.set(b.handler, ms);
        else times.get(b.handler)?.push(ms);
        if (typeof externalMs !== 'string') externalTimes.get(b.handler)?.push(externalMs.ms);
        if (typeof bareMsOnce !== 'string') bareTimes.push(bareMsOnce);
      }
    }
    const bareMs = median(bareTimes.map((t) => t.ms));
    const bareCpuMs = median(bareTimes.map((t) => t.cpuMs));
    return {
      bareMs,
      bareCpuMs,
      runs,
      figures: bundles.map((b) => {
        const error = errors.get(b.handler);
        const externalSdkMs = median(externalTimes.get(b.handler) ?? [Number.NaN]);
        if (error !== undefined) {
          return {
            handler: b.handler,
            medianMs: NaN,
            ratio: NaN,
            cpuMs: NaN,
            externalSdkMs,
            error,
          };
        }
        const own = times.get(b.handler) ?? [];
        const ms = median(own.map((t) => t.ms));
        const cpuMs = median(own.map((t) => t.cpuMs));
        return { handler: b.handler, medianMs: ms, ratio: ms / bareMs, cpuMs, externalSdkMs };
      }),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
};

const formatInitFigures = (r: InitReport): string =>
  [
    `bare Powertools handler (Logger + Metrics + middy): ${fmt(r.bareMs, 1)} ms, ${fmt(r.bareCpuMs, 1)} ms CPU (medians over the run); each function: median of ${r.runs} fresh processes; goal ≤ 2x`,
    table([
      [
        'handler',
        'init, SDK external',
        'x bare',
        'init, SDK bundled',
        'x bare',
        'CPU, SDK bundled',
        'x bare',
        'note',
      ],
      ...r.figures.map((f) => [
        f.handler,
        `${fmt(f.externalSdkMs, 1)} ms`,
        `${fmt(f.externalSdkMs / r.bareMs, 2)}x`,
        `${fmt(f.medianMs, 1)} ms`,
        `${fmt(f.ratio, 2)}x`,
        `${fmt(f.cpuMs, 1)} ms`,
        `${fmt(f.cpuMs / r.bareCpuMs, 2)}x`,
        f.error === undefined ? '' : `not loaded: ${f.error}`,
      ]),
    ]),
  ].join('\n');

const isMain = import.meta.url === `file://${process.argv[1]}`;
if (isMain) {
  const runs = process.argv[2] ? Number(process.argv[2]) : 7;
  console.log(formatInitFigures(await runInitBench(runs)));
}

export { formatInitFigures, runInitBench };
