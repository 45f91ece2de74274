import { LABEL_NAME_RE, METRIC_NAME_RE } from '../series/labels';
import {
  AMP_MAX_RETENTION_DAYS,
  AMP_MIN_RETENTION_DAYS,
  DEFAULT_AMP_RETENTION_DAYS,
  DEFAULT_CLIENT_BURST_LIMIT,
  DEFAULT_CLIENT_RATE_LIMIT,
  DEFAULT_LIMITS,
  DEFAULT_LOG_RETENTION_DAYS,
  DEFAULT_MAGNETIC_RETENTION_DAYS,
  DEFAULT_MEMORY_RETENTION_HOURS,
  DEFAULT_PUSH_SCRAPE_INTERVAL_SECONDS,
  TIMESTREAM_MAX_DIMENSIONS_PER_TABLE,
  TIMESTREAM_MAX_MEASURE_NAMES_PER_TABLE,
} from './defaults';
import { type AlertingConfig, validateAlertingConfig } from '../alerting/config';
import { type ChannelsConfig, validateChannelsConfig } from '../notifications/channels-config';
import { validateLogLevel, validateLogsConfig } from '../logs/logs-config';
import { type GpuConfig, validateGpuConfig } from '../gpu/gpu-config';
import { type DriftConfig, validateDriftConfig } from '../drift/drift-config';
import { parseDurationMs } from '../promql/lexical';
import { validateDashboardsConfig } from '../dashboards/dashboards-config';
import { withDashboardMirrorRules } from '../dashboards/mirror-rules';
import { type ScrapeConfig, validateScrapeConfig } from '../scrape/scrape-config';
import { type RelabelConfig, validateRelabelConfigs } from '../scrape/relabel';
import { STORE_KINDS, WORKSPACE_ARN_RE } from './store';
import type {
  AmpConfig,
  ApiClientConfig,
  EvaluationConfig,
  IngestLimits,
  MirrorRule,
  StoreKind,
  VigilConfig,
} from './types';

/** A configuration error: `path` is a dotted path into the YAML (`limits.maxBodyBytes`). */
export interface ConfigIssue {
  readonly path: string;
  readonly message: string;
}

/** Thrown by loaders when validation fails; carries every issue, not only the first. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly issues: readonly ConfigIssue[];
  constructor(source: string, issues: readonly ConfigIssue[], options?: ErrorOptions) {
    super(
      `${source}: invalid configuration:\n${issues.map((i) => `  ${i.path}: ${i.message}`).join('\n')}`,
      options,
    );
    this.issues = issues;
  }
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
/** Prometheus's default `evaluation_interval`. */
const DEFAULT_EVALUATION_INTERVAL_MS = 60_000;
/** API Gateway passes binary bodies base64-encoded; Lambda's synchronous invoke payload is 6 MB. */
const MAX_BODY_BYTES = 4_500_000;
/**
 * Lambda's synchronous response payload is 6 MB (read as 6,000,000 bytes, the smaller reading);
 * 10,000 bytes of it are left to the status code, headers and the JSON document around the body.
 * https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html
 */
const MAX_RESPONSE_BYTES = 5_990_000;
const PROJECT_RE = /^[a-z][a-z0-9-]{0,30}$/;
const TOP_LEVEL_KEYS = [
  'reservedConcurrency',
  'dashboards',
  'logs',
  'logLevel',
  'scrape_configs',
  'scrape',
  'write_relabel_configs',
  'gpu',
  'drift',
  'channels',
  'rules',
  'evaluation',
  'alerting',
  'project',
  'store',
  'timestream',
  'amp',
  'api',
  'limits',
  'cloudwatch',
  'pushgateway',
  'logRetentionDays',
];
/** CloudWatch Logs accepts only these retention periods (days). */
const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288,
  3653,
];

class Reader {
  readonly issues: ConfigIssue[] = [];
  fail(path: string, message: string): void {
    this.issues.push({ path, message });
  }
  section(parent: Obj, key: string, path: string): Obj {
    const v = parent[key];
    if (v === undefined || v === null) return {};
    if (!isObj(v)) {
      this.fail(path, 'must be a mapping');
      return {};
    }
    return v;
  }
  unknownKeys(o: Obj, allowed: readonly string[], path: string): void {
    for (const k of Object.keys(o)) {
      if (!allowed.includes(k)) {
        this.fail(
          path ? `${path}.${k}` : k,
          `unknown key (expected one of: ${allowed.join(', ')})`,
        );
      }
    }
  }
  int(o: Obj, key: string, path: string, def: number, min: number, max: number): number {
    const v = o[key];
    if (v === undefined || v === null) return def;
    if (typeof v !== 'number' || !Number.isInteger(v)) {
      this.fail(path, `must be an integer, got ${JSON.stringify(v)}`);
      return def;
    }
    if (v < min || v > max) {
      this.fail(path, `must be between ${min} and ${max}, got ${v}`);
      return def;
    }
    return v;
  }
  str(
    o: Obj,
    key: string,
    path: string,
    def: string | undefined,
    re?: RegExp,
    hint?: string,
  ): string {
    const v = o[key];
    if (v === undefined || v === null) {
      if (def === undefined) this.fail(path, 'is required');
      return def ?? '';
    }
    if (typeof v !== 'string') {
      this.fail(path, `must be a string, got ${JSON.stringify(v)}`);
      return def ?? '';
    }
    if (re && !re.test(v))
      this.fail(path, `${JSON.stringify(v)} is not valid${hint ? ` (${hint})` : ''}`);
    return v;
  }
}

type NumericLimit = Exclude<keyof IngestLimits, 'maxSeriesPerMetricOverrides'>;
type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** `limits.maxSeriesPerMetricOverrides`: metric name → most series, each a positive integer. */
const readSeriesOverrides = (r: Reader, limits: Obj): Record<string, number> => {
  const path = 'limits.maxSeriesPerMetricOverrides';
  const o = r.section(limits, 'maxSeriesPerMetricOverrides', path);
  const out: Record<string, number> = {};
  for (const metric of Object.keys(o)) {
    if (!METRIC_NAME_RE.test(metric)) {
      r.fail(
        `${path}.${metric}`,
        'is not a metric name ([a-zA-Z_:][a-zA-Z0-9_:]*): name the metric as stored, e.g. http_request_duration_seconds_bucket',
      );
      continue;
    }
    Object.defineProperty(out, metric, {
      value: r.int(o, metric, `${path}.${metric}`, 0, 1, Number.MAX_SAFE_INTEGER),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return out;
};

const readLimits = (r: Reader, root: Obj): IngestLimits => {
  const o = r.section(root, 'limits', 'limits');
  r.unknownKeys(o, Object.keys(DEFAULT_LIMITS), 'limits');
  const keys = (Object.keys(DEFAULT_LIMITS) as (keyof IngestLimits)[]).filter(
    (k): k is NumericLimit => k !== 'maxSeriesPerMetricOverrides',
  );
  const out: Mutable<IngestLimits> = { ...DEFAULT_LIMITS };
  // A reserve may be 0 (every name for clients); every other limit is at least 1.
  const minOf = (k: NumericLimit): number => (k.startsWith('reserved') ? 0 : 1);
  for (const k of keys)
    out[k] = r.int(o, k, `limits.${k}`, DEFAULT_LIMITS[k], minOf(k), Number.MAX_SAFE_INTEGER);
  out.maxSeriesPerMetricOverrides = readSeriesOverrides(r, o);
  // https://docs.aws.amazon.com/timestream/latest/developerguide/ts-limits.html
  if (out.maxDimensionNames > TIMESTREAM_MAX_DIMENSIONS_PER_TABLE) {
    r.fail(
      'limits.maxDimensionNames',
      `must be at most ${TIMESTREAM_MAX_DIMENSIONS_PER_TABLE} (Timestream dimensions per table)`,
    );
  }
  if (out.maxMeasureNames > TIMESTREAM_MAX_MEASURE_NAMES_PER_TABLE) {
    r.fail(
      'limits.maxMeasureNames',
      `must be at most ${TIMESTREAM_MAX_MEASURE_NAMES_PER_TABLE} (Timestream measure names per table)`,
    );
  }
  if (out.reservedDimensionNames >= out.maxDimensionNames) {
    r.fail(
      'limits.reservedDimensionNames',
      `must be less than limits.maxDimensionNames (${out.maxDimensionNames}), or clients could add no label name`,
    );
  }
  if (out.reservedMeasureNames >= out.maxMeasureNames) {
    r.fail(
      'limits.reservedMeasureNames',
      `must be less than limits.maxMeasureNames (${out.maxMeasureNames}), or clients could add no metric name`,
    );
  }
  if (out.maxLabelNameBytes > 60)
    r.fail('limits.maxLabelNameBytes', 'must be at most 60 (Timestream dimension name limit)');
  if (out.maxLabelValueBytes > 2048)
    r.fail('limits.maxLabelValueBytes', 'must be at most 2048 (Timestream dimension value limit)');
  if (out.maxMetricNameBytes > 256)
    r.fail('limits.maxMetricNameBytes', 'must be at most 256 (Timestream measure name limit)');
  if (out.maxBodyBytes > MAX_BODY_BYTES) {
    r.fail(
      'limits.maxBodyBytes',
      `must be at most ${MAX_BODY_BYTES} (Lambda's 6 MB invoke payload holds the base64-encoded body)`,
    );
  }
  if (out.maxResponseBytes > MAX_RESPONSE_BYTES) {
    r.fail(
      'limits.maxResponseBytes',
      `must be at most ${MAX_RESPONSE_BYTES} (Lambda's 6 MB response payload holds the JSON-escaped body, status and headers)`,
    );
  }
  return out;
};

const readMirror = (r: Reader, cw: Obj): MirrorRule[] => {
  const v = cw.mirror;
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) {
    r.fail('cloudwatch.mirror', 'must be a list');
    return [];
  }
  return v.map((item, i) => {
    const path = `cloudwatch.mirror[${i}]`;
    if (!isObj(item)) {
      r.fail(path, 'must be a mapping with metric and dimensions');
      return { metric: '', dimensions: [] };
    }
    r.unknownKeys(item, ['metric', 'dimensions'], path);
    const metric = r.str(
      item,
      'metric',
      `${path}.metric`,
      undefined,
      METRIC_NAME_RE,
      'a Prometheus metric name',
    );
    const dims = item.dimensions ?? [];
    if (!Array.isArray(dims) || dims.some((d) => typeof d !== 'string' || !LABEL_NAME_RE.test(d))) {
      r.fail(`${path}.dimensions`, 'must be a list of label names');
      return { metric, dimensions: [] };
    }
    // EMF allows at most 30 dimension keys in a dimension set.
    if (dims.length > 30)
      r.fail(`${path}.dimensions`, 'at most 30 dimensions (CloudWatch EMF limit)');
    return { metric, dimensions: dims as string[] };
  });
};

const readClients = (r: Reader, api: Obj): ApiClientConfig[] => {
  const v = api.clients;
  if (v === undefined || v === null)
    return [
      {
        name: 'default',
        rateLimit: DEFAULT_CLIENT_RATE_LIMIT,
        burstLimit: DEFAULT_CLIENT_BURST_LIMIT,
      },
    ];
  if (!Array.isArray(v)) {
    r.fail('api.clients', 'must be a list');
    return [];
  }
  const seen = new Set<string>();
  return v.map((item, i) => {
    const path = `api.clients[${i}]`;
    if (!isObj(item)) {
      r.fail(path, 'must be a mapping with name, rateLimit, burstLimit');
      return { name: '', rateLimit: 0, burstLimit: 0 };
    }
    r.unknownKeys(item, ['name', 'rateLimit', 'burstLimit', 'quotaPerDay'], path);
    const name = r.str(
      item,
      'name',
      `${path}.name`,
      undefined,
      /^[a-zA-Z0-9-_]{1,64}$/,
      'letters, digits, - and _',
    );
    if (seen.has(name)) r.fail(`${path}.name`, `duplicate client name ${JSON.stringify(name)}`);
    seen.add(name);
    const client: ApiClientConfig = {
      name,
      rateLimit: r.int(
        item,
        'rateLimit',
        `${path}.rateLimit`,
        DEFAULT_CLIENT_RATE_LIMIT,
        1,
        10_000,
      ),
      burstLimit: r.int(
        item,
        'burstLimit',
        `${path}.burstLimit`,
        DEFAULT_CLIENT_BURST_LIMIT,
        1,
        5_000,
      ),
    };
    // An empty YAML value (`quotaPerDay:`) parses as null and means "no quota", not a quota of 0.
    if (item.quotaPerDay === undefined || item.quotaPerDay === null) return client;
    return {
      ...client,
      quotaPerDay: r.int(item, 'quotaPerDay', `${path}.quotaPerDay`, 0, 1, Number.MAX_SAFE_INTEGER),
    };
  });
};

const readRuleFiles = (r: Reader, root: Obj): string[] => {
  const v = root.rules;
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string' || x === '')) {
    r.fail('rules', 'must be a list of rule file paths or globs');
    return [];
  }
  return v as string[];
};

const readEvaluation = (r: Reader, root: Obj): EvaluationConfig => {
  const o = r.section(root, 'evaluation', 'evaluation');
  r.unknownKeys(o, ['interval', 'external_labels', 'external_url'], 'evaluation');
  let intervalMs = DEFAULT_EVALUATION_INTERVAL_MS;
  if (o.interval !== undefined && o.interval !== null) {
    intervalMs =
      (typeof o.interval === 'string' ? parseDurationMs(o.interval) : undefined) ?? Number.NaN;
    if (!(intervalMs > 0)) {
      r.fail(
        'evaluation.interval',
        `must be a positive Prometheus duration like 1m, got ${JSON.stringify(o.interval)}`,
      );
      intervalMs = DEFAULT_EVALUATION_INTERVAL_MS;
    }
  }
  const externalLabels: Record<string, string> = {};
  const labels = o.external_labels ?? {};
  if (!isObj(labels))
    r.fail('evaluation.external_labels', 'must be a mapping of label names to values');
  else {
    for (const [k, v] of Object.entries(labels)) {
      if (!LABEL_NAME_RE.test(k) || k.startsWith('__'))
        r.fail(`evaluation.external_labels.${k}`, 'invalid label name');
      else if (typeof v !== 'string') r.fail(`evaluation.external_labels.${k}`, 'must be a string');
      else externalLabels[k] = v;
    }
  }
  return {
    intervalMs,
    externalLabels,
    externalUrl: r.str(o, 'external_url', 'evaluation.external_url', ''),
  };
};

const readChannels = (r: Reader, root: Obj): ChannelsConfig => {
  const { config, issues } = validateChannelsConfig(root.channels);
  for (const i of issues) r.fail(i.path, i.message);
  return config;
};

const readDrift = (r: Reader, root: Obj): DriftConfig => {
  const { config, issues } = validateDriftConfig(root.drift);
  for (const i of issues) r.fail(i.path, i.message);
  return config;
};

const readGpu = (r: Reader, root: Obj): GpuConfig => {
  const { config, issues } = validateGpuConfig(root.gpu);
  for (const i of issues) r.fail(i.path, i.message);
  return config;
};

const readScrape = (r: Reader, root: Obj): ScrapeConfig => {
  const { config, issues } = validateScrapeConfig(root.scrape_configs, root.scrape);
  for (const i of issues) r.fail(i.path, i.message);
  return config;
};

/** A section validated by its own module: its issues join the others. */
const readSection = <T>(r: Reader, v: { config: T; issues: ConfigIssue[] }): T => {
  for (const i of v.issues) r.fail(i.path, i.message);
  return v.config;
};

/**
 * `write_relabel_configs`: Prometheus's relabel_config list (the key a Prometheus `remote_write`
 * entry uses), applied by Vigil to every series it ingests.
 */
const readWriteRelabelConfigs = (r: Reader, root: Obj): RelabelConfig[] => {
  const { configs, issues } = validateRelabelConfigs(
    root.write_relabel_configs,
    'write_relabel_configs',
  );
  for (const i of issues) r.fail(i.path, i.message);
  return configs;
};

const readAlerting = (r: Reader, root: Obj): AlertingConfig => {
  const { config, issues } = validateAlertingConfig(root.alerting);
  for (const i of issues) r.fail(i.path, i.message);
  return config;
};

/** `reservedConcurrency: true|false` (see `VigilConfig.reservedConcurrency`). */
const readReservedConcurrency = (r: Reader, root: Obj): boolean => {
  const v = root.reservedConcurrency;
  if (v === undefined || v === null) return false;
  if (typeof v !== 'boolean') {
    r.fail('reservedConcurrency', 'must be true or false');
    return false;
  }
  return v;
};

/** `store:` and `amp:` (the workspace is used only when `store: amp`). */
const readStore = (r: Reader, root: Obj): { store: StoreKind; amp: AmpConfig } => {
  let store: StoreKind = 'timestream';
  const raw = root.store;
  if (raw !== undefined && raw !== null) {
    if (typeof raw === 'string' && (STORE_KINDS as readonly string[]).includes(raw)) {
      store = raw as StoreKind;
    } else {
      r.fail('store', `must be one of ${STORE_KINDS.join(', ')}, got ${JSON.stringify(raw)}`);
    }
  }
  const section = r.section(root, 'amp', 'amp');
  r.unknownKeys(section, ['workspaceArn', 'retentionDays'], 'amp');
  const retentionDays = r.int(
    section,
    'retentionDays',
    'amp.retentionDays',
    DEFAULT_AMP_RETENTION_DAYS,
    AMP_MIN_RETENTION_DAYS,
    AMP_MAX_RETENTION_DAYS,
  );
  let workspaceArn: string | undefined;
  const arn = section.workspaceArn;
  if (arn !== undefined && arn !== null) {
    if (typeof arn === 'string' && WORKSPACE_ARN_RE.test(arn)) {
      workspaceArn = arn;
    } else {
      r.fail(
        'amp.workspaceArn',
        `must be a workspace ARN (arn:aws:aps:<region>:<account>:workspace/<id>), got ${JSON.stringify(arn)}`,
      );
    }
  }
  return { store, amp: workspaceArn ? { workspaceArn, retentionDays } : { retentionDays } };
};

/**
 * Validates parsed `vigil.config.yaml` content and fills in defaults.
 * Returns every problem found, each with its path, so a user fixes them in one go.
 * @example
 * const { config, issues } = validateConfig(YAML.parse(text));
 */
const validateConfig = (raw: unknown): { config: VigilConfig; issues: ConfigIssue[] } => {
  const r = new Reader();
  const root: Obj = raw === undefined || raw === null ? {} : isObj(raw) ? raw : {};
  if (raw !== undefined && raw !== null && !isObj(raw)) r.fail('(root)', 'must be a mapping');
  r.unknownKeys(root, TOP_LEVEL_KEYS, '');
  const project = r.str(
    root,
    'project',
    'project',
    'vigil',
    PROJECT_RE,
    'lowercase letters, digits and -, starting with a letter, at most 31 characters',
  );
  const ts = r.section(root, 'timestream', 'timestream');
  r.unknownKeys(ts, ['database', 'memoryRetentionHours', 'magneticRetentionDays'], 'timestream');
  // Timestream limits: memory store 1..8766 hours, magnetic store 1..73000 days.
  const timestream = {
    database: r.str(
      ts,
      'database',
      'timestream.database',
      `vigil-${project}`,
      /^[a-zA-Z0-9_.-]{3,256}$/,
      '3-256 of a-z A-Z 0-9 _ . -',
    ),
    memoryRetentionHours: r.int(
      ts,
      'memoryRetentionHours',
      'timestream.memoryRetentionHours',
      DEFAULT_MEMORY_RETENTION_HOURS,
      1,
      8766,
    ),
    magneticRetentionDays: r.int(
      ts,
      'magneticRetentionDays',
      'timestream.magneticRetentionDays',
      DEFAULT_MAGNETIC_RETENTION_DAYS,
      1,
      73000,
    ),
  };
  const { store, amp } = readStore(r, root);
  const api = r.section(root, 'api', 'api');
  r.unknownKeys(api, ['clients'], 'api');
  const cw = r.section(root, 'cloudwatch', 'cloudwatch');
  r.unknownKeys(cw, ['namespace', 'mirror'], 'cloudwatch');
  const pg = r.section(root, 'pushgateway', 'pushgateway');
  r.unknownKeys(pg, ['scrapeIntervalSeconds'], 'pushgateway');
  const logRetentionDays = r.int(
    root,
    'logRetentionDays',
    'logRetentionDays',
    DEFAULT_LOG_RETENTION_DAYS,
    1,
    3653,
  );
  if (!LOG_RETENTION_DAYS.includes(logRetentionDays)) {
    r.fail(
      'logRetentionDays',
      `must be one of CloudWatch Logs' retention periods: ${LOG_RETENTION_DAYS.join(', ')}`,
    );
  }
  const config: VigilConfig = {
    project,
    store,
    timestream,
    amp,
    api: { clients: readClients(r, api) },
    limits: readLimits(r, root),
    writeRelabelConfigs: readWriteRelabelConfigs(r, root),
    cloudwatch: {
      namespace: r.str(
        cw,
        'namespace',
        'cloudwatch.namespace',
        'Vigil',
        /^[^:][^:]{0,254}$/,
        'no colon, at most 255 characters',
      ),
      mirror: readMirror(r, cw),
    },
    pushgateway: {
      scrapeIntervalSeconds: r.int(
        pg,
        'scrapeIntervalSeconds',
        'pushgateway.scrapeIntervalSeconds',
        DEFAULT_PUSH_SCRAPE_INTERVAL_SECONDS,
        1,
        300,
      ),
    },
    // The store's retention: older samples would be dropped (Timestream) or refused (AMP).
    maxSampleAgeMs:
      (store === 'amp' ? amp.retentionDays : timestream.magneticRetentionDays) * 24 * 3600 * 1000,
    logRetentionDays,
    rules: readRuleFiles(r, root),
    evaluation: readEvaluation(r, root),
    alerting: readAlerting(r, root),
    channels: readChannels(r, root),
    logs: readSection(r, validateLogsConfig(root.logs)),
    logLevel: readSection(r, validateLogLevel(root.logLevel)),
    scrape: readScrape(r, root),
    gpu: readGpu(r, root),
    drift: readDrift(r, root),
    dashboards: readSection(r, validateDashboardsConfig(root.dashboards)),
    reservedConcurrency: readReservedConcurrency(r, root),
  };
  return { config, issues: r.issues };
};

/** The part of the config functions need at run time (handed over in `ENV.RUNTIME_CONFIG`). */
const runtimeConfigOf = (c: VigilConfig) => ({
  limits: c.limits,
  writeRelabelConfigs: c.writeRelabelConfigs ?? [],
  // Every metric a dashboard charts is mirrored (dashboards/mirror-rules.ts).
  cloudwatch: withDashboardMirrorRules(c.cloudwatch, c.dashboards, c.channels),
  pushgateway: c.pushgateway,
  maxSampleAgeMs: c.maxSampleAgeMs,
});

export { runtimeConfigOf, validateConfig };
