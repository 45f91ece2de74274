import type { AddressInfo } from 'node:net';
import { makeAlertsHandler } from '../api/alerts';
import { makeDriftReportsHandler } from '../api/drift-reports';
import { makeHealthHandler } from '../api/health';
import { makeIngestLogsHandler } from '../api/ingest-logs';
import { makeIngestLokiHandler } from '../api/ingest-loki';
import { makeOtlpLogsHandler, makeOtlpMetricsHandler } from '../api/ingest-otlp';
import { makeIngestMetricsHandler } from '../api/ingest-metrics';
import { makePushgatewayHandler } from '../api/ingest-pushgateway';
import { makeRemoteWriteHandler } from '../api/ingest-remote-write';
import { DEFAULT_LABEL_CACHE_ENTRIES } from '../domain/remote-write';
import { LAMBDA_QUERY_TIMEOUT_MS, makeQueryHandler } from '../api/query';
import { makeReadSeriesHandler } from '../api/read-series';
import { FunctionName } from '../api/routes';
import type { VigilConfig } from '../domain/config/types';
import type { Clock } from '../domain/ports';
import { NameBudgetSeriesStore } from '../domain/ingest/name-budget-series-store';
import { runEvaluation } from '../domain/rules/evaluation-run';
import type { RulesDocument } from '../domain/rules/rules-document';
import { logger } from '../shared/powertools';
import { startLocalScraper } from './local-scraper';
import { makeScrapeTargetsHandler } from '../api/scrape-targets';
import { FileAlertStateStore } from '../adapters/alert-state/file-alert-state-store';
import { join } from 'node:path';
import { loadRulesDocument } from '../shared/rules-loader';
import { VIGIL_VERSION } from '../shared/version';
import { DataFileDamagedError } from '../adapters/files/data-file-damaged-error';
import { DataDirectoryDamagedError, findDamagedFiles } from './data-directory';
import { createLocalServer, type LocalHandler } from './http-server';
import { startPushRescrapeTimer } from '../wiring/local-amp';
import { localAlertingDeps, localApiDeps, localLogsApiDeps } from '../wiring/local-deps';
import { localDriftApiDeps, localDriftDeps, startDriftTimer } from '../wiring/local-drift';
import { QueryWorkerPool } from './query-workers';

export interface LocalVigilOptions {
  readonly config: VigilConfig;
  readonly dataDir: string;
  readonly apiKeys: readonly string[];
  /** 0 picks a free port. */
  readonly port: number;
  readonly host: string;
  readonly clock?: Clock;
  /** Directory `config.rules` paths are relative to (the config file's). @default process.cwd() */
  readonly configDir?: string;
  /** Queries evaluated at once, each in a worker thread. @default see `defaultConcurrency` */
  readonly queryConcurrency?: number;
}

/**
 * Timer period of the local evaluator: each run evaluates only the groups with a tick due
 * (ticks are whole multiples of the group's interval) and flushes due notification groups, so
 * 1s gives every group and `group_wait` a 1s granularity.
 */
const TIMER_MS = 1000;

/**
 * Runs the rule evaluator on a timer, one run at a time, as the scheduled function does in AWS.
 * Returns a function that stops it and waits for a running run to end.
 */
const startEvaluator = (
  document: RulesDocument,
  deps: Omit<Parameters<typeof runEvaluation>[0], 'document'>,
): (() => Promise<void>) => {
  let running: Promise<void> = Promise.resolve();
  let busy = false;
  const timer = setInterval(() => {
    if (busy) return;
    busy = true;
    running = runEvaluation({ ...deps, document }, deps.clock.now())
      .then(() => undefined)
      .catch((err: unknown) => {
        logger.error('rule evaluation run failed', err as Error);
      })
      .finally(() => {
        busy = false;
      });
  }, TIMER_MS);
  return async () => {
    clearInterval(timer);
    await running;
  };
};

/**
 * Opens the stores of the data directory, or throws one `DataDirectoryDamagedError` naming every
 * damaged file: local mode never starts with data silently missing (docs/local-data.md).
 */
const openDataDirectory = (opts: LocalVigilOptions): ReturnType<typeof localApiDeps> => {
  const damaged: DataFileDamagedError[] = [];
  let deps: ReturnType<typeof localApiDeps> | undefined;
  try {
    deps = localApiDeps(opts.config, opts.dataDir, opts.clock);
  } catch (error) {
    if (!(error instanceof DataFileDamagedError)) throw error;
    damaged.push(error);
  }
  for (const d of findDamagedFiles(opts.dataDir, { samples: false }))
    if (!damaged.some((known) => known.file === d.file)) damaged.push(d);
  if (damaged.length > 0 || deps === undefined) {
    deps?.close();
    throw new DataDirectoryDamagedError(opts.dataDir, damaged);
  }
  return deps;
};

/** Starts local Vigil (used by `npm start` and by the end-to-end tests). */
const startLocalVigil = async (
  opts: LocalVigilOptions,
): Promise<{ port: number; rules: { groups: number; rules: number }; close(): Promise<void> }> => {
  const deps = openDataDirectory(opts);
  const document: RulesDocument =
    opts.config.rules.length > 0
      ? loadRulesDocument(opts.config, opts.configDir ?? process.cwd())
      : { groups: [], evaluation: opts.config.evaluation, alerting: opts.config.alerting };
  const alerting = localAlertingDeps(opts.config, opts.dataDir, deps.clock);
  // Scrape targets (`scrape_configs`): each job on its own timer, same code as the scheduled function.
  const scrapeState = new FileAlertStateStore({
    directory: join(opts.dataDir, 'scrape'),
    now: () => deps.clock.now(),
  });
  const stopScraper =
    opts.config.scrape.jobs.length > 0
      ? startLocalScraper(
          {
            ingest: { store: deps.store, cardinality: deps.cardinality, mirror: deps.mirror },
            config: deps.config,
            state: scrapeState,
            clock: deps.clock,
          },
          opts.config.scrape.jobs,
        )
      : async () => {};
  const stopEvaluator =
    document.groups.length > 0
      ? startEvaluator(document, {
          // As deployed: ALERTS and recorded series keep within the name budgets (of the
          // embedded store; a workspace evaluates the rules' PromQL and has no name budgets).
          ...(deps.queryEngine
            ? { store: deps.store, queryEngine: deps.queryEngine }
            : {
                store: new NameBudgetSeriesStore({
                  inner: deps.store,
                  tracker: deps.cardinality,
                  limits: deps.config.limits,
                }),
              }),
          clock: deps.clock,
          ...alerting,
        })
      : async () => {};
  const drift = localDriftDeps(opts.config, opts.dataDir, deps, opts.configDir ?? process.cwd());
  const stopDrift = startDriftTimer(opts.config, drift, deps.clock);
  const logsDeps = localLogsApiDeps(opts.config, opts.dataDir, deps);
  logger.setLogLevel(opts.config.logLevel);
  // PromQL runs in worker threads: a long or large query never holds up ingestion or /health.
  // A workspace (`store: amp`) evaluates it itself.
  const queries = deps.queryEngine
    ? undefined
    : new QueryWorkerPool({
        store: deps.store,
        ...(opts.queryConcurrency !== undefined ? { concurrency: opts.queryConcurrency } : {}),
      });
  const stopRescrape = deps.queryEngine
    ? startPushRescrapeTimer(
        {
          groups: deps.pushGroups,
          store: deps.store,
          intervalMs: deps.config.pushgateway.scrapeIntervalSeconds * 1000,
        },
        deps.clock,
      )
    : async () => {};
  const handlers: Record<FunctionName, LocalHandler> = {
    [FunctionName.IngestLogs]: makeIngestLogsHandler(logsDeps),
    [FunctionName.IngestLoki]: makeIngestLokiHandler(logsDeps),
    [FunctionName.IngestMetrics]: makeIngestMetricsHandler(deps),
    [FunctionName.IngestOtlpMetrics]: makeOtlpMetricsHandler(deps, DEFAULT_LABEL_CACHE_ENTRIES),
    [FunctionName.IngestOtlpLogs]: makeOtlpLogsHandler(logsDeps),
    [FunctionName.IngestPushgateway]: makePushgatewayHandler(deps),
    // The embedded store holds every series' labels anyway: the cache adds little to them.
    [FunctionName.IngestRemoteWrite]: makeRemoteWriteHandler(deps, DEFAULT_LABEL_CACHE_ENTRIES),
    [FunctionName.ReadSeries]: makeReadSeriesHandler(deps),
    // The Lambda's limits: the handler's middleware sees the same 30 s as a Lambda invocation.
    [FunctionName.Query]: makeQueryHandler(deps, {
      ...(queries ? { evaluate: queries.evaluate } : {}),
      maxTimeoutMs: LAMBDA_QUERY_TIMEOUT_MS,
    }),
    [FunctionName.ScrapeTargets]: makeScrapeTargetsHandler({
      jobs: opts.config.scrape.jobs,
      state: scrapeState,
    }),
    [FunctionName.Health]: makeHealthHandler({ version: VIGIL_VERSION, mode: 'local' }),
    [FunctionName.Alerts]: makeAlertsHandler({
      state: alerting.state,
      document,
      clock: deps.clock,
    }),
    [FunctionName.DriftReports]: makeDriftReportsHandler(
      localDriftApiDeps(opts.config, drift, deps.clock),
    ),
  };
  const server = createLocalServer({
    handlers,
    apiKeys: opts.apiKeys,
    maxBodyBytes: opts.config.limits.maxBodyBytes,
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    rules: {
      groups: document.groups.length,
      rules: document.groups.reduce((n, g) => n + g.rules.length, 0),
    },
    close: async () => {
      await stopScraper();
      await stopEvaluator();
      await alerting.alertmanagers.idle();
      await stopDrift();
      await stopRescrape();
      await queries?.close();
      await new Promise<void>((resolve) => {
        server.close(() => {
          deps.close();
          resolve();
        });
        server.closeAllConnections();
      });
    },
  };
};

export { startLocalVigil };
