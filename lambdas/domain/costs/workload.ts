/**
 * What `vigil cost` prices: the facts a deployment's config fixes (functions, alarms, dashboards,
 * retention, channels) and the workload the user describes (series, intervals, rules, queries,
 * logs). Pure: the CLI reads the files and hands the parsed config and rule groups in.
 */
import type { VigilConfig } from '../config/types';

/** What `vigil.config.yaml` fixes about the bill, whatever the traffic. */
export interface DeploymentFacts {
  /** Rule groups of the config's rule files: rules and interval of each. Empty without `rules:`. */
  readonly ruleGroups: readonly { readonly rules: number; readonly intervalSeconds: number }[];
  /** The `vigil-dashboards` recording rules and CloudWatch dashboards are on. */
  readonly dashboardsEnabled: boolean;
  /** How often the `vigil-dashboards` group runs, seconds. */
  readonly dashboardsIntervalSeconds: number;
  /** `cloudwatch.mirror` rules (each is one metric name with its dimensions). */
  readonly mirrorRules: number;
  /** Scrape jobs: targets and interval of each. */
  readonly scrapeJobs: readonly { readonly targets: number; readonly intervalSeconds: number }[];
  /** Drift monitors: how often each runs, seconds. */
  readonly driftMonitorEverySeconds: readonly number[];
  /** GPU monitoring: on, its import schedule, and which CloudWatch alarms it creates. */
  readonly gpu: {
    readonly enabled: boolean;
    readonly importEveryMinutes: number | undefined;
    readonly temperatureAlarm: boolean;
    readonly idleAlarm: boolean;
    readonly memoryAlarm: boolean;
  };
  /** Notifier functions (Slack, PagerDuty) the channels need; each has a secret and a DLQ. */
  readonly notifiers: readonly ('slack' | 'pagerduty')[];
  /** Email subscriptions over all severities. */
  readonly emailSubscriptions: number;
  /** `timestream.memoryRetentionHours`. */
  readonly memoryRetentionHours: number;
  /** `timestream.magneticRetentionDays`. */
  readonly magneticRetentionDays: number;
  /** `logs.retentionDays` (the services' log groups). */
  readonly logsRetentionDays: number;
  /** `logRetentionDays` (Vigil's own functions). */
  readonly ownLogRetentionDays: number;
  /** `api.clients` (one API key and usage plan each: free). */
  readonly apiClients: number;
}

/** The traffic and use `vigil cost` prices, with the unit of every number in its name. */
export interface Workload {
  /** Active series (distinct metric name + labels) sending samples. */
  readonly activeSeries: number;
  /** Seconds between two samples of one series (scrape or push interval). */
  readonly sampleIntervalSeconds: number;
  /** Samples per ingest request (remote_write sends up to 2,000 by default). */
  readonly samplesPerRequest: number;
  /** Alerting and recording rules. */
  readonly rules: number;
  /** Rule groups they are in. */
  readonly ruleGroups: number;
  /** Evaluation interval of the rule groups, seconds. */
  readonly ruleIntervalSeconds: number;
  /** Series one rule's selector matches. */
  readonly seriesPerRule: number;
  /** Range of one rule's range selector (`rate(x[5m])`), seconds. */
  readonly ruleRangeSeconds: number;
  /** Query API requests (Grafana panels, `query_range`) per month. */
  readonly queriesPerMonth: number;
  /** Series one query matches. */
  readonly seriesPerQuery: number;
  /** Range one query reads, seconds. */
  readonly queryRangeSeconds: number;
  /** Structured logs sent to `/ingest/logs`, GB per day. */
  readonly logGbPerDay: number;
  /**
   * Ingest API requests (metrics and logs) per month; `undefined` = derived from the samples
   * (÷ `samplesPerRequest`) and the logs (÷ {@link LOG_BYTES_PER_REQUEST}).
   */
  readonly ingestRequestsPerMonth: number | undefined;
  /** New series per day (deployments, pods, label churn): series-index writes. */
  readonly newSeriesPerDay: number;
  /** How long samples are kept, days (both stores priced at the same retention). */
  readonly retentionDays: number;
  /** GPUs watched by the CloudWatch agent (one per instance assumed); 0 without `gpu.enabled`. */
  readonly gpus: number;
  /** Metric × dimension-value combinations mirrored to CloudWatch; `undefined` = derived. */
  readonly mirroredMetrics: number | undefined;
  /** Alert notifications published to SNS per month. */
  readonly notificationsPerMonth: number;
}

/** The workload presets of `vigil cost --workload`. */
export type WorkloadPreset = 'small' | 'mid' | 'large';

/** Bytes of logs one `/ingest/logs` request carries (a batching shipper's request). */
export const LOG_BYTES_PER_REQUEST = 100_000;

/** Metric × dimension-value combinations assumed per `cloudwatch.mirror` rule. */
export const MIRROR_COMBINATIONS_PER_RULE = 10;

const BASE: Omit<Workload, 'retentionDays'> = {
  activeSeries: 1_000,
  sampleIntervalSeconds: 15,
  samplesPerRequest: 2_000,
  rules: 15,
  ruleGroups: 3,
  ruleIntervalSeconds: 60,
  seriesPerRule: 10,
  ruleRangeSeconds: 300,
  queriesPerMonth: 20_000,
  seriesPerQuery: 10,
  queryRangeSeconds: 3_600,
  logGbPerDay: 0.5,
  ingestRequestsPerMonth: undefined,
  newSeriesPerDay: 50,
  gpus: 0,
  mirroredMetrics: undefined,
  notificationsPerMonth: 200,
};

/**
 * The three reference workloads. Small team: 1,000 series at 15 s, 15 rules, one Grafana user.
 * Mid-size service: 50,000 series, 100 rules, a team's dashboards, 8 GPUs. Large fleet:
 * 1,000,000 series, 500 rules, many dashboards, 64 GPUs.
 */
export const WORKLOAD_PRESETS: Readonly<Record<WorkloadPreset, Omit<Workload, 'retentionDays'>>> = {
  small: BASE,
  mid: {
    ...BASE,
    activeSeries: 50_000,
    rules: 100,
    ruleGroups: 10,
    seriesPerRule: 200,
    queriesPerMonth: 200_000,
    seriesPerQuery: 50,
    logGbPerDay: 10,
    newSeriesPerDay: 2_500,
    gpus: 8,
    notificationsPerMonth: 1_000,
  },
  large: {
    ...BASE,
    activeSeries: 1_000_000,
    rules: 500,
    ruleGroups: 25,
    seriesPerRule: 2_000,
    queriesPerMonth: 1_000_000,
    seriesPerQuery: 200,
    logGbPerDay: 100,
    newSeriesPerDay: 50_000,
    gpus: 64,
    notificationsPerMonth: 5_000,
  },
};

/** Reads the {@link DeploymentFacts} out of a validated config and its loaded rule groups. */
export const deploymentFacts = (
  config: VigilConfig,
  ruleGroups: readonly { readonly rules: readonly unknown[]; readonly intervalMs?: number }[],
): DeploymentFacts => {
  const severities = Object.values(config.channels.severities);
  const notifiers: ('slack' | 'pagerduty')[] = [];
  if (severities.some((s) => s.slack)) notifiers.push('slack');
  if (severities.some((s) => s.pagerduty)) notifiers.push('pagerduty');
  const gpu = config.gpu;
  return {
    ruleGroups: ruleGroups.map((g) => ({
      rules: g.rules.length,
      intervalSeconds: (g.intervalMs ?? config.evaluation.intervalMs) / 1000,
    })),
    dashboardsEnabled: config.dashboards.enabled,
    dashboardsIntervalSeconds:
      (config.dashboards.intervalMs ?? config.evaluation.intervalMs) / 1000,
    mirrorRules: config.cloudwatch.mirror.length,
    scrapeJobs: config.scrape.jobs.map((j) => ({
      targets: j.staticConfigs.reduce((n, s) => n + s.targets.length, 0),
      intervalSeconds: j.scrapeIntervalMs / 1000,
    })),
    driftMonitorEverySeconds: config.drift.monitors.map((m) => m.schedule.everyMs / 1000),
    gpu: {
      enabled: gpu.enabled,
      importEveryMinutes:
        gpu.enabled && gpu.import.enabled ? gpu.import.scheduleMinutes : undefined,
      temperatureAlarm: gpu.enabled && gpu.alarms.temperature.enabled,
      idleAlarm: gpu.enabled && gpu.alarms.idle.enabled,
      memoryAlarm: gpu.enabled && gpu.import.enabled && gpu.alarms.memoryUsed.enabled,
    },
    notifiers,
    emailSubscriptions: severities.reduce((n, s) => n + s.email.length, 0),
    memoryRetentionHours: config.timestream.memoryRetentionHours,
    magneticRetentionDays: config.timestream.magneticRetentionDays,
    logsRetentionDays: config.logs.retentionDays,
    ownLogRetentionDays: config.logRetentionDays,
    apiClients: config.api.clients.length,
  };
};

/**
 * The workload of a preset, or without one the small team's with the config's own rules (their
 * count, groups and shortest interval) when it lists rule files. Retention is the config's
 * magnetic retention.
 */
export const presetWorkload = (
  preset: WorkloadPreset | undefined,
  facts: DeploymentFacts,
): Workload => {
  const base = WORKLOAD_PRESETS[preset ?? 'small'];
  const fromConfig =
    preset === undefined && facts.ruleGroups.length > 0
      ? {
          rules: facts.ruleGroups.reduce((n, g) => n + g.rules, 0),
          ruleGroups: facts.ruleGroups.length,
          ruleIntervalSeconds: Math.min(...facts.ruleGroups.map((g) => g.intervalSeconds)),
        }
      : {};
  return {
    ...base,
    ...fromConfig,
    gpus: facts.gpu.enabled ? base.gpus : 0,
    retentionDays: facts.magneticRetentionDays,
  };
};
