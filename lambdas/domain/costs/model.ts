/**
 * The monthly bill of a Vigil deployment, line by line, on each store: Amazon Timestream for
 * LiveAnalytics and Amazon Managed Service for Prometheus (AMP). Pure arithmetic over
 * {@link DeploymentFacts}, a {@link Workload} and a price table; every modelled figure (bytes per
 * record, function durations, query latencies) is a named constant below and documented in
 * docs/costs.md.
 */
import { DEFAULT_LIMITS } from '../config/defaults';
import { PRICES, type PriceKey, type PriceTable, tieredCost } from './prices';
import {
  type DeploymentFacts,
  LOG_BYTES_PER_REQUEST,
  MIRROR_COMBINATIONS_PER_RULE,
  type Workload,
} from './workload';

/** Hours in a billing month (AWS's 730-hour month). */
export const HOURS_PER_MONTH = 730;
/** Seconds in a billing month. */
export const SECONDS_PER_MONTH = HOURS_PER_MONTH * 3600;
/** Minutes in a billing month. */
export const MINUTES_PER_MONTH = HOURS_PER_MONTH * 60;
/** Days in a billing month. */
export const DAYS_PER_MONTH = HOURS_PER_MONTH / 24;

/**
 * Billed bytes of one sample in Timestream, written and stored: timestamp 8 + double 8 + label
 * values ~48 (dimension and measure names are not billed since 2022-07-08).
 */
export const TIMESTREAM_BYTES_PER_SAMPLE = 64;
/** Fewest TCUs Timestream allocates to queries (MaxQueryTCU's minimum). */
export const TIMESTREAM_MIN_TCUS = 4;
/** Shortest TCU time billed once compute is allocated, seconds. */
export const TIMESTREAM_MIN_BILLED_SECONDS = 30;
/** Latency of one small Timestream query at 4 TCUs, seconds (modelled). */
export const TIMESTREAM_QUERY_BASE_SECONDS = 0.25;
/** Raw samples one Timestream query reads per second at 4 TCUs (modelled). */
export const TIMESTREAM_SAMPLES_PER_QUERY_SECOND = 5_000_000;

/** Stored bytes of one sample in AMP (AWS: "typically 1 or 2 bytes"; the upper figure). */
export const AMP_BYTES_PER_SAMPLE = 2;
/** Stored metadata of one series in AMP, bytes (name and labels; modelled). */
export const AMP_BYTES_PER_SERIES = 1_000;
/** Bytes in AMP's billed GB (2^30). */
export const AMP_BYTES_PER_GB = 2 ** 30;
/** Latency of one AMP query API call from Lambda, seconds (modelled). */
export const AMP_QUERY_SECONDS = 0.1;

/** Series a `vigil-dashboards` run records (docs/dashboards-and-gpu.md: services, models, drift, severities). */
export const DASHBOARD_RECORDED_SERIES = 34;
/** Distinct store queries of one `vigil-dashboards` run (docs/costs.md). */
export const DASHBOARD_QUERIES_PER_RUN = 12;
/** CloudWatch dashboards Vigil creates when `dashboards:` is on (main + health). */
export const DASHBOARDS_CREATED = 2;
/** CloudWatch dashboards free per account. */
export const FREE_DASHBOARDS = 3;
/** Vigil's own CloudWatch counters (rule failures, Timestream rejections, scrape failures...). */
export const VIGIL_OWN_METRICS = 6;
/** CloudWatch agent metrics per GPU instance (17 nvidia_gpu + 6 cpu/mem/disk + 1 mirrored). */
export const CLOUDWATCH_METRICS_PER_GPU = 24;
/** nvidia_gpu metrics the GPU import requests with GetMetricData each run. */
export const GPU_IMPORT_METRICS_PER_GPU = 17;

/** Log bytes Vigil's functions write per invocation (Powertools line, EMF mirror lines). */
export const OWN_LOG_BYTES_PER_INVOCATION = 1_000;
/** Archived (compressed) size of CloudWatch Logs relative to ingested bytes (modelled 1:6.7). */
export const LOGS_ARCHIVE_RATIO = 0.15;

/** DynamoDB write units of one alert-state document write (versioned, up to 2 KB). */
export const ALERT_STATE_WRITE_UNITS = 2;
/** DynamoDB write units of one new series in the series index (a transactional write). */
export const SERIES_INDEX_WRITE_UNITS = 2;
/** Bytes one series takes in the series index. */
export const SERIES_INDEX_BYTES_PER_SERIES = 200;

/** Customer managed KMS keys Vigil creates (tables and logs; alert topics). */
export const KMS_KEYS = 2;
/** KMS requests per month: 3 encrypting services re-fetching a data key every 5 minutes. */
export const KMS_REQUESTS_PER_MONTH = 3 * 12 * HOURS_PER_MONTH;
/** S3 kept for drift reports, rejected records and access logs, GB (modelled). */
export const S3_GB = 1;

/** A Lambda function as the model prices it. */
interface FunctionUse {
  readonly name: string;
  readonly memoryMb: number;
  readonly invocations: number;
  readonly durationMs: number;
}

/** Memory of Vigil's functions, MB (lib/constructs). */
const MEMORY_MB = {
  default: 512,
  authorizer: 256,
  query: 1024,
  evaluator: 1024,
  drift: 1769,
  notifier: 256,
} as const;

/** Modelled function durations, ms. */
export const DURATION_MS = {
  authorizer: 10,
  ingestBase: 20,
  ingestPerSampleTimestream: 0.02,
  ingestPerSampleAmp: 0.01,
  logIngest: 30,
  queryBase: 50,
  engineMsPerSample: 0.001,
  evaluatorBase: 300,
  scrapeBase: 500,
  scrapePerTarget: 50,
  driftRun: 5_000,
  gpuImportRun: 2_000,
  notifier: 500,
} as const;

/** The store a bill is for. */
export type StoreKind = 'timestream' | 'amp';

/** One line of a bill. */
export interface CostLine {
  /** Service, as on the AWS bill. */
  readonly service: string;
  /** What is charged, in words. */
  readonly item: string;
  /** How much of it a month. */
  readonly quantity: number;
  /** The unit of `quantity`. */
  readonly unit: string;
  /** Monthly cost, USD. */
  readonly usd: number;
}

/** One store's monthly bill. */
export interface StoreBill {
  readonly store: StoreKind;
  readonly lines: readonly CostLine[];
  /** Sum of the lines, USD per month. */
  readonly totalUsd: number;
  /** `totalUsd` per million samples ingested. */
  readonly usdPerMillionSamples: number;
}

/** Both bills, the usage they share, and the store to choose. */
export interface CostEstimate {
  /** Samples stored per month: clients' and Vigil's own (rule results, dashboards). */
  readonly samplesPerMonth: number;
  /** API Gateway requests per month. */
  readonly apiRequestsPerMonth: number;
  /** Rule-evaluator runs per month (0 without rules or dashboards). */
  readonly evaluatorRunsPerMonth: number;
  readonly timestream: StoreBill;
  readonly amp: StoreBill;
  /** The cheaper store that the account can use. */
  readonly recommended: StoreKind;
  /** Why, in one or two sentences. */
  readonly recommendation: string;
  /** What the workload needs beyond the defaults or the modelled capacity, in words. */
  readonly warnings: readonly string[];
  /** What rule evaluation costs on each store, per run or per rule. */
  readonly evaluation: EvaluationCost;
}

/** The cost of evaluating rules: a fixed window per run on Timestream, samples read on AMP. */
export interface EvaluationCost {
  /** TCU-seconds one one-minute evaluator run is billed on Timestream (≥ 4 TCUs × 30 s). */
  readonly timestreamTcuSecondsPerRun: number;
  /** USD of one evaluator run's Timestream query compute, whatever its rules. */
  readonly timestreamUsdPerRun: number;
  /** Samples AMP processes for one rule evaluation (series × points in the range). */
  readonly ampSamplesPerRule: number;
  /** USD of one rule evaluation's query samples on AMP. */
  readonly ampUsdPerRule: number;
}

/** Can this account use Timestream for LiveAnalytics (`vigil doctor` says)? */
export type TimestreamAvailability = 'yes' | 'no' | 'unknown';

const price = (prices: PriceTable, key: PriceKey, units: number): number =>
  tieredCost(prices[key].tiers, units);

const line = (
  prices: PriceTable,
  key: PriceKey,
  quantity: number,
  unit: string,
  unitsPerPrice: number,
  item = prices[key].item,
): CostLine => ({
  service: prices[key].service,
  item,
  quantity,
  unit,
  usd: price(prices, key, quantity / unitsPerPrice),
});

/** The usage both stores share. */
interface SharedUsage {
  readonly clientSamples: number;
  readonly ownSamples: number;
  readonly ingestRequests: number;
  readonly logRequests: number;
  readonly evaluatorRuns: number;
  /** Rule evaluations per month (each rule once per interval). */
  readonly ruleEvaluations: number;
  /** Dashboard recording-rule runs per month. */
  readonly dashboardRuns: number;
  readonly driftRuns: number;
  readonly scrapeRuns: number;
  readonly scrapeTargets: number;
  readonly gpuImportRuns: number;
}

const sharedUsage = (facts: DeploymentFacts, w: Workload): SharedUsage => {
  const clientSamples = (w.activeSeries * SECONDS_PER_MONTH) / w.sampleIntervalSeconds;
  const ruleEvaluations = w.rules * (SECONDS_PER_MONTH / w.ruleIntervalSeconds);
  const dashboardRuns = facts.dashboardsEnabled
    ? SECONDS_PER_MONTH / facts.dashboardsIntervalSeconds
    : 0;
  // One sample per rule evaluation (recording result or ALERTS), the dashboards' series per run.
  const ownSamples = ruleEvaluations + dashboardRuns * DASHBOARD_RECORDED_SERIES;
  const logRequests = (w.logGbPerDay * 1e9 * DAYS_PER_MONTH) / LOG_BYTES_PER_REQUEST;
  const metricRequests = clientSamples / w.samplesPerRequest;
  const ingestRequests = w.ingestRequestsPerMonth ?? metricRequests + logRequests;
  const scrapeInterval = Math.min(...facts.scrapeJobs.map((j) => j.intervalSeconds));
  return {
    clientSamples,
    ownSamples,
    ingestRequests,
    logRequests: Math.min(logRequests, ingestRequests),
    evaluatorRuns: w.rules > 0 || facts.dashboardsEnabled ? MINUTES_PER_MONTH : 0,
    ruleEvaluations,
    dashboardRuns,
    driftRuns: facts.driftMonitorEverySeconds.reduce((n, s) => n + SECONDS_PER_MONTH / s, 0),
    scrapeRuns: facts.scrapeJobs.length > 0 ? SECONDS_PER_MONTH / Math.max(60, scrapeInterval) : 0,
    scrapeTargets: facts.scrapeJobs.reduce((n, j) => n + j.targets, 0),
    gpuImportRuns:
      facts.gpu.enabled && w.gpus > 0 && facts.gpu.importEveryMinutes !== undefined
        ? MINUTES_PER_MONTH / facts.gpu.importEveryMinutes
        : 0,
  };
};

/**
 * CloudWatch alarms the stack creates, counted as lib/constructs/self-monitoring.ts and the
 * notifier and GPU constructs do: per synchronous function Errors, Throttles, Duration; per
 * asynchronous one (schedules, notifiers) Errors, EventAge, EventsDropped, Duration; API 5xx and
 * p99 latency; one per schedule dead-letter queue and per notifier dead-letter queue; rule
 * evaluation failures (2) with the evaluator; Timestream rejected records and throttling (2);
 * scrape failures (1). The GPU alarms (temperature, idle, memory used) are Metrics Insights
 * alarms, counted apart: each analyses one metric per GPU.
 */
export const countAlarms = (
  facts: DeploymentFacts,
  w: Workload,
): { standard: number; metricsInsights: number } => {
  const evaluator = w.rules > 0 || facts.dashboardsEnabled;
  const scrape = facts.scrapeJobs.length > 0;
  const drift = facts.driftMonitorEverySeconds.length > 0;
  const gpuImport = facts.gpu.enabled && facts.gpu.importEveryMinutes !== undefined;
  // ingestMetrics, ingestPushgateway, ingestRemoteWrite, readSeries, query, health, alerts,
  // authorizer, ingestLogs, ingestLoki, ingestOtlpMetrics, ingestOtlpLogs (+ driftReports).
  const synchronous = 12 + (drift ? 1 : 0);
  const asynchronous =
    (evaluator ? 1 : 0) +
    (scrape ? 1 : 0) +
    (drift ? 1 : 0) +
    (gpuImport ? 1 : 0) +
    facts.notifiers.length;
  const scheduleDlqs = (evaluator ? 1 : 0) + (scrape ? 1 : 0) + (drift ? 1 : 0);
  const standard =
    synchronous * 3 +
    asynchronous * 4 +
    2 + // API 5xx share, p99 latency
    scheduleDlqs +
    facts.notifiers.length + // each notifier's dead-letter alarm
    (evaluator ? 2 : 0) +
    2 + // Timestream rejected records, throttling
    (scrape ? 1 : 0);
  const gpus = facts.gpu.enabled ? w.gpus : 0;
  const metricsInsights =
    ((facts.gpu.temperatureAlarm ? 1 : 0) +
      (facts.gpu.idleAlarm ? 1 : 0) +
      (facts.gpu.memoryAlarm ? 1 : 0)) *
    gpus;
  return { standard, metricsInsights };
};

/** Timestream query compute: the 30 s minimum per allocation makes per-minute evaluation fixed. */
const timestreamTcuHours = (
  w: Workload,
  u: SharedUsage,
): {
  tcuHours: number;
  evaluatorBusySeconds: number;
  querySeconds: number;
  windowSeconds: number;
} => {
  const pointsPerRule = w.seriesPerRule * (w.ruleRangeSeconds / w.sampleIntervalSeconds);
  const ruleQuerySeconds =
    TIMESTREAM_QUERY_BASE_SECONDS + pointsPerRule / TIMESTREAM_SAMPLES_PER_QUERY_SECOND;
  // Queries of one evaluator run (the evaluator runs once a minute): due rules + dashboards.
  const ruleQueriesPerRun = u.evaluatorRuns > 0 ? u.ruleEvaluations / u.evaluatorRuns : 0;
  const dashboardQueriesPerRun =
    u.evaluatorRuns > 0 ? (u.dashboardRuns * DASHBOARD_QUERIES_PER_RUN) / u.evaluatorRuns : 0;
  const evaluatorBusySeconds =
    ruleQueriesPerRun * ruleQuerySeconds + dashboardQueriesPerRun * TIMESTREAM_QUERY_BASE_SECONDS;
  const windowSeconds =
    u.evaluatorRuns > 0 ? Math.max(TIMESTREAM_MIN_BILLED_SECONDS, evaluatorBusySeconds) : 0;
  const evaluatorTcuSeconds = u.evaluatorRuns * TIMESTREAM_MIN_TCUS * windowSeconds;
  // Share of the month already billed for the evaluator's windows (one window per minute).
  const covered = u.evaluatorRuns > 0 ? Math.min(1, windowSeconds / 60) : 0;
  // Queries arriving outside those windows open their own (30 s minimum); those inside add work.
  const querySeconds =
    TIMESTREAM_QUERY_BASE_SECONDS +
    (w.seriesPerQuery * (w.queryRangeSeconds / w.sampleIntervalSeconds)) /
      TIMESTREAM_SAMPLES_PER_QUERY_SECOND;
  const adHoc = w.queriesPerMonth + u.driftRuns;
  const uncoveredSeconds = SECONDS_PER_MONTH * (1 - covered);
  const adHocWindowSeconds =
    Math.min(
      uncoveredSeconds,
      adHoc * (1 - covered) * Math.max(TIMESTREAM_MIN_BILLED_SECONDS, querySeconds),
    ) +
    adHoc * covered * querySeconds;
  const tcuSeconds = evaluatorTcuSeconds + TIMESTREAM_MIN_TCUS * adHocWindowSeconds;
  return { tcuHours: tcuSeconds / 3600, evaluatorBusySeconds, querySeconds, windowSeconds };
};

const lambdaLines = (prices: PriceTable, fns: readonly FunctionUse[]): CostLine[] =>
  fns
    .filter((f) => f.invocations > 0)
    .map((f) => {
      const gbSeconds = f.invocations * (f.memoryMb / 1024) * (f.durationMs / 1000);
      return {
        service: 'AWS Lambda',
        item: `${f.name} (${f.memoryMb} MB, ${round(f.durationMs)} ms × ${round(f.invocations)} invocations)`,
        quantity: gbSeconds,
        unit: 'GB-s',
        usd:
          price(prices, 'lambdaArmGbSecond', gbSeconds) +
          price(prices, 'lambdaRequests', f.invocations / 1e6),
      };
    });

const round = (n: number): string =>
  n >= 100 ? Math.round(n).toLocaleString('en-US') : String(Math.round(n * 100) / 100);

/** The lines both stores share: API, DynamoDB, CloudWatch, SNS, S3, KMS, Secrets Manager. */
const commonLines = (
  prices: PriceTable,
  facts: DeploymentFacts,
  w: Workload,
  u: SharedUsage,
  invocations: number,
): CostLine[] => {
  const apiRequests = u.ingestRequests + w.queriesPerMonth;
  const groupsPerRun =
    u.evaluatorRuns > 0
      ? (Math.min(w.rules, w.ruleGroups) * (SECONDS_PER_MONTH / w.ruleIntervalSeconds) +
          u.dashboardRuns) /
        u.evaluatorRuns
      : 0;
  // Each due group: its state read (1 RRU) and written (2 WRU); the dispatcher's state too.
  const stateDocsPerMonth = u.evaluatorRuns * (groupsPerRun + (u.evaluatorRuns > 0 ? 1 : 0));
  const seriesIndexWrites = w.newSeriesPerDay * DAYS_PER_MONTH * SERIES_INDEX_WRITE_UNITS;
  const indexGb =
    ((w.activeSeries + w.newSeriesPerDay * w.retentionDays) * SERIES_INDEX_BYTES_PER_SERIES) / 1e9;
  const alarms = countAlarms(facts, w);
  const gpus = facts.gpu.enabled ? w.gpus : 0;
  const mirrored = w.mirroredMetrics ?? facts.mirrorRules * MIRROR_COMBINATIONS_PER_RULE;
  const customMetrics =
    mirrored +
    (facts.dashboardsEnabled ? DASHBOARD_RECORDED_SERIES : 0) +
    VIGIL_OWN_METRICS +
    gpus * CLOUDWATCH_METRICS_PER_GPU;
  const dashboards = facts.dashboardsEnabled ? DASHBOARDS_CREATED : 0;
  const ownLogGbPerDay = (invocations * OWN_LOG_BYTES_PER_INVOCATION) / 1e9 / DAYS_PER_MONTH;
  const logsIngestedGb = (w.logGbPerDay + ownLogGbPerDay) * DAYS_PER_MONTH;
  const logsStoredGb =
    (w.logGbPerDay * facts.logsRetentionDays + ownLogGbPerDay * facts.ownLogRetentionDays) *
    LOGS_ARCHIVE_RATIO;
  const getMetricDataMetrics = u.gpuImportRuns * gpus * GPU_IMPORT_METRICS_PER_GPU;
  return [
    line(prices, 'apiGatewayRestRequests', apiRequests, 'requests', 1e6),
    line(
      prices,
      'dynamoDbWriteUnits',
      stateDocsPerMonth * ALERT_STATE_WRITE_UNITS + seriesIndexWrites,
      'WRU',
      1e6,
      'on-demand writes (alert state, series index)',
    ),
    line(
      prices,
      'dynamoDbReadUnits',
      stateDocsPerMonth,
      'RRU',
      1e6,
      'on-demand reads (alert state)',
    ),
    line(prices, 'dynamoDbStorage', indexGb, 'GB-month', 1),
    line(prices, 'cloudWatchCustomMetrics', customMetrics, 'metrics', 1),
    line(
      prices,
      'cloudWatchStandardAlarm',
      alarms.standard,
      'alarms',
      1,
      'standard alarms Vigil creates',
    ),
    line(
      prices,
      'cloudWatchMetricsInsightsAlarm',
      alarms.metricsInsights,
      'metrics analysed',
      1,
      'Metrics Insights alarms (GPU temperature, idle, memory)',
    ),
    line(prices, 'cloudWatchDashboard', Math.max(0, dashboards - FREE_DASHBOARDS), 'dashboards', 1),
    line(
      prices,
      'cloudWatchLogsIngested',
      logsIngestedGb,
      'GB',
      1,
      'logs ingested (services + Vigil)',
    ),
    line(prices, 'cloudWatchLogsStored', logsStoredGb, 'GB-month', 1),
    line(
      prices,
      'cloudWatchGetMetricData',
      getMetricDataMetrics,
      'metrics',
      1_000,
      'GetMetricData (GPU import)',
    ),
    line(prices, 'snsPublishes', w.notificationsPerMonth, 'publishes', 1e6),
    line(prices, 'snsEmail', w.notificationsPerMonth * facts.emailSubscriptions, 'emails', 100_000),
    line(prices, 's3Storage', S3_GB, 'GB-month', 1),
    line(prices, 'kmsKey', KMS_KEYS, 'keys', 1),
    line(prices, 'kmsRequests', KMS_REQUESTS_PER_MONTH, 'requests', 10_000),
    line(prices, 'secretsManagerSecret', facts.notifiers.length, 'secrets', 1),
  ];
};

/** The functions both stores run, with durations that do not depend on the store. */
const commonFunctions = (facts: DeploymentFacts, w: Workload, u: SharedUsage): FunctionUse[] => {
  const gpus = facts.gpu.enabled ? w.gpus : 0;
  return [
    {
      name: 'authorizer',
      memoryMb: MEMORY_MB.authorizer,
      invocations: u.ingestRequests + w.queriesPerMonth,
      durationMs: DURATION_MS.authorizer,
    },
    {
      name: 'ingest-logs',
      memoryMb: MEMORY_MB.default,
      invocations: u.logRequests,
      durationMs: DURATION_MS.logIngest,
    },
    {
      name: 'scrape-targets',
      memoryMb: MEMORY_MB.default,
      invocations: u.scrapeRuns,
      durationMs: DURATION_MS.scrapeBase + u.scrapeTargets * DURATION_MS.scrapePerTarget,
    },
    {
      name: 'run-drift-monitors',
      memoryMb: MEMORY_MB.drift,
      invocations: u.driftRuns,
      durationMs: DURATION_MS.driftRun,
    },
    {
      name: 'import-gpu-metrics',
      memoryMb: MEMORY_MB.default,
      invocations: gpus > 0 ? u.gpuImportRuns : 0,
      durationMs: DURATION_MS.gpuImportRun,
    },
    {
      name: 'notifiers',
      memoryMb: MEMORY_MB.notifier,
      invocations: w.notificationsPerMonth * facts.notifiers.length,
      durationMs: DURATION_MS.notifier,
    },
  ];
};

const bill = (store: StoreKind, lines: CostLine[], samples: number): StoreBill => {
  const totalUsd = lines.reduce((n, l) => n + l.usd, 0);
  return { store, lines, totalUsd, usdPerMillionSamples: totalUsd / (samples / 1e6) };
};

/**
 * The monthly bill on both stores, line by line, and the store to choose. Timestream is
 * recommended only when it is cheaper and the account can use it (`timestream: 'yes'`); when
 * that is unknown and Timestream is cheaper, the recommendation says to run `vigil doctor`.
 */
export const estimateCosts = (
  facts: DeploymentFacts,
  w: Workload,
  timestream: TimestreamAvailability = 'unknown',
  prices: PriceTable = PRICES,
): CostEstimate => {
  const u = sharedUsage(facts, w);
  const samples = u.clientSamples + u.ownSamples;
  const metricRequests = Math.max(0, u.ingestRequests - u.logRequests);
  const samplesPerRequest = metricRequests > 0 ? u.clientSamples / metricRequests : 0;
  const common = commonFunctions(facts, w, u);

  // Timestream: Vigil's engine evaluates over raw samples selected from Timestream.
  const ts = timestreamTcuHours(w, u);
  const pointsPerRule = w.seriesPerRule * (w.ruleRangeSeconds / w.sampleIntervalSeconds);
  const pointsPerQuery = w.seriesPerQuery * (w.queryRangeSeconds / w.sampleIntervalSeconds);
  const tsFunctions: FunctionUse[] = [
    {
      name: 'ingest',
      memoryMb: MEMORY_MB.default,
      invocations: metricRequests,
      durationMs:
        DURATION_MS.ingestBase + samplesPerRequest * DURATION_MS.ingestPerSampleTimestream,
    },
    {
      name: 'evaluate-rules',
      memoryMb: MEMORY_MB.evaluator,
      invocations: u.evaluatorRuns,
      durationMs:
        DURATION_MS.evaluatorBase +
        ts.evaluatorBusySeconds * 1000 +
        (u.evaluatorRuns > 0 ? (u.ruleEvaluations / u.evaluatorRuns) * pointsPerRule : 0) *
          DURATION_MS.engineMsPerSample,
    },
    {
      name: 'query',
      memoryMb: MEMORY_MB.query,
      invocations: w.queriesPerMonth,
      durationMs:
        DURATION_MS.queryBase +
        ts.querySeconds * 1000 +
        pointsPerQuery * DURATION_MS.engineMsPerSample,
    },
    ...common,
  ];
  const tsInvocations = tsFunctions.reduce((n, f) => n + f.invocations, 0);
  const bytes = samples * TIMESTREAM_BYTES_PER_SAMPLE;
  const memoryGb =
    ((samples / HOURS_PER_MONTH) * facts.memoryRetentionHours * TIMESTREAM_BYTES_PER_SAMPLE) / 1e9;
  const magneticGb =
    ((samples / DAYS_PER_MONTH) * w.retentionDays * TIMESTREAM_BYTES_PER_SAMPLE) / 1e9;
  const timestreamLines: CostLine[] = [
    line(
      prices,
      'timestreamWrites',
      bytes / 1e9,
      'GB',
      1,
      `writes (${round(samples)} samples × ${TIMESTREAM_BYTES_PER_SAMPLE} B)`,
    ),
    line(
      prices,
      'timestreamMemoryStore',
      memoryGb * HOURS_PER_MONTH,
      'GB-hours',
      1,
      `memory store (${facts.memoryRetentionHours} h)`,
    ),
    line(
      prices,
      'timestreamMagneticStore',
      magneticGb,
      'GB-month',
      1,
      `magnetic store (${w.retentionDays} days, full)`,
    ),
    line(
      prices,
      'timestreamTcuHour',
      ts.tcuHours,
      'TCU-hours',
      1,
      'queries (≥ 4 TCUs × ≥ 30 s per allocation)',
    ),
    ...lambdaLines(prices, tsFunctions),
    ...commonLines(prices, facts, w, u, tsInvocations),
  ];

  // AMP: PromQL is pushed down to AMP's query API; samples go by remote_write.
  const ruleQsp = u.ruleEvaluations * pointsPerRule;
  // A dashboards query reads its series' 5-minute range: modelled as one rule's points.
  const dashboardQsp = u.dashboardRuns * DASHBOARD_QUERIES_PER_RUN * pointsPerRule;
  const queryQsp = w.queriesPerMonth * pointsPerQuery;
  const ampStoredGb =
    ((samples / DAYS_PER_MONTH) * w.retentionDays * AMP_BYTES_PER_SAMPLE +
      (w.activeSeries + w.newSeriesPerDay * w.retentionDays) * AMP_BYTES_PER_SERIES) /
    AMP_BYTES_PER_GB;
  const ampQueriesPerRun =
    u.evaluatorRuns > 0
      ? (u.ruleEvaluations + u.dashboardRuns * DASHBOARD_QUERIES_PER_RUN) / u.evaluatorRuns
      : 0;
  const ampFunctions: FunctionUse[] = [
    {
      name: 'ingest',
      memoryMb: MEMORY_MB.default,
      invocations: metricRequests,
      durationMs: DURATION_MS.ingestBase + samplesPerRequest * DURATION_MS.ingestPerSampleAmp,
    },
    {
      name: 'evaluate-rules',
      memoryMb: MEMORY_MB.evaluator,
      invocations: u.evaluatorRuns,
      durationMs: DURATION_MS.evaluatorBase + ampQueriesPerRun * AMP_QUERY_SECONDS * 1000,
    },
    {
      name: 'query',
      memoryMb: MEMORY_MB.query,
      invocations: w.queriesPerMonth,
      durationMs: DURATION_MS.queryBase + AMP_QUERY_SECONDS * 1000,
    },
    ...common,
  ];
  const ampInvocations = ampFunctions.reduce((n, f) => n + f.invocations, 0);
  const ampLines: CostLine[] = [
    line(prices, 'ampSamplesIngested', samples, 'samples', 1e7),
    line(
      prices,
      'ampQuerySamples',
      ruleQsp + dashboardQsp + queryQsp,
      'samples',
      1e9,
      'query samples processed (rules, dashboards, queries)',
    ),
    line(
      prices,
      'ampStorage',
      ampStoredGb,
      'GB-month',
      1,
      `metrics storage (${w.retentionDays} days, full)`,
    ),
    ...lambdaLines(prices, ampFunctions),
    ...commonLines(prices, facts, w, u, ampInvocations),
  ];

  const timestreamBill = bill('timestream', timestreamLines, samples);
  const ampBill = bill('amp', ampLines, samples);
  const timestreamCheaper = timestreamBill.totalUsd < ampBill.totalUsd;
  const recommended: StoreKind = timestreamCheaper && timestream === 'yes' ? 'timestream' : 'amp';
  const recommendation = recommend(timestreamCheaper, timestream, timestreamBill, ampBill);
  return {
    samplesPerMonth: samples,
    apiRequestsPerMonth: u.ingestRequests + w.queriesPerMonth,
    evaluatorRunsPerMonth: u.evaluatorRuns,
    timestream: timestreamBill,
    amp: ampBill,
    recommended,
    recommendation,
    warnings: warningsOf(w, ts.evaluatorBusySeconds),
    evaluation: {
      timestreamTcuSecondsPerRun: TIMESTREAM_MIN_TCUS * ts.windowSeconds,
      timestreamUsdPerRun: price(
        prices,
        'timestreamTcuHour',
        (TIMESTREAM_MIN_TCUS * ts.windowSeconds) / 3600,
      ),
      ampSamplesPerRule: pointsPerRule,
      ampUsdPerRule: price(prices, 'ampQuerySamples', pointsPerRule / 1e9),
    },
  };
};

/** Most series per metric name accepted by default (`limits.maxSeriesPerMetric`). */
const DEFAULT_MAX_SERIES_PER_METRIC = DEFAULT_LIMITS.maxSeriesPerMetric;

const warningsOf = (w: Workload, evaluatorBusySeconds: number): string[] => {
  const warnings: string[] = [];
  if (evaluatorBusySeconds > 60) {
    warnings.push(
      `on Timestream the rule evaluator's queries take about ${Math.round(evaluatorBusySeconds)} s per one-minute run: raise the groups' intervals or MaxQueryTCU (more TCUs cost more), or use AMP`,
    );
  }
  if (w.activeSeries > DEFAULT_MAX_SERIES_PER_METRIC) {
    warnings.push(
      `${w.activeSeries.toLocaleString('en-US')} active series: raise limits.maxSeriesPerMetricOverrides (or limits.maxSeriesPerMetric, default ${DEFAULT_MAX_SERIES_PER_METRIC.toLocaleString('en-US')} per metric name) for metrics with more series than that`,
    );
  }
  return warnings;
};

const usd = (n: number): string =>
  `$${n.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;

const recommend = (
  timestreamCheaper: boolean,
  availability: TimestreamAvailability,
  ts: StoreBill,
  amp: StoreBill,
): string => {
  const diff = usd(Math.abs(ts.totalUsd - amp.totalUsd));
  if (!timestreamCheaper) {
    return `store: amp — Amazon Managed Service for Prometheus costs ${diff} a month less than Timestream for this workload, and every account can use it.`;
  }
  if (availability === 'yes') {
    return `store: timestream — Timestream for LiveAnalytics costs ${diff} a month less than AMP for this workload, and this account can use it.`;
  }
  if (availability === 'no') {
    return `store: amp — Timestream would cost ${diff} a month less, but this account cannot use it (closed to new accounts since 2025-06-20).`;
  }
  return `store: timestream if \`vigil doctor\` says this account can use Timestream for LiveAnalytics (closed to new accounts since 2025-06-20): it costs ${diff} a month less than AMP; otherwise store: amp.`;
};
