/**
 * `scrape_configs:` (Prometheus's field names and defaults) and `scrape:` (Vigil's deployment
 * settings) in vigil.config.yaml.
 * @see https://prometheus.io/docs/prometheus/latest/configuration/configuration/#scrape_config
 */
import type { ConfigIssue } from '../config/validate';
import { parseDurationMs } from '../promql/lexical';
import { LABEL_NAME_RE } from '../series/labels';
import { type RelabelConfig, validateRelabelConfigs } from './relabel';

/**
 * Where a credential comes from: written in the config (`password`), read from a file at scrape
 * time (`password_file`, as Prometheus), or a Secrets Manager secret (`password_secret`, AWS only).
 */
type SecretSource =
  | { readonly kind: 'inline'; readonly value: string }
  | { readonly kind: 'file'; readonly path: string }
  | { readonly kind: 'secret'; readonly secretId: string };

/** `basic_auth`: user name and one password source. */
interface BasicAuthConfig {
  readonly username: string;
  readonly password: SecretSource;
}

/** `authorization`: `Authorization: <type> <credentials>`. */
interface AuthorizationConfig {
  /** @default 'Bearer' */
  readonly type: string;
  readonly credentials: SecretSource;
}

/** One `static_configs` entry. */
interface StaticConfig {
  readonly targets: readonly string[];
  readonly labels: Readonly<Record<string, string>>;
}

/** One `scrape_configs` entry with every default filled in. */
interface ScrapeJobConfig {
  readonly jobName: string;
  readonly staticConfigs: readonly StaticConfig[];
  /** @default '/metrics' */
  readonly metricsPath: string;
  /** @default 'http' */
  readonly scheme: 'http' | 'https';
  /** URL query parameters (`params: {module: [http_2xx]}`). @default {} */
  readonly params: Readonly<Record<string, readonly string[]>>;
  /** @default 60000 (Prometheus's global scrape_interval default, 1m) */
  readonly scrapeIntervalMs: number;
  /** @default min(10000, scrapeIntervalMs) (Prometheus's global scrape_timeout default, 10s) */
  readonly scrapeTimeoutMs: number;
  /** The durations as written (or the defaults), for `/api/v1/targets`. */
  readonly scrapeInterval: string;
  readonly scrapeTimeout: string;
  /** @default false */
  readonly honorLabels: boolean;
  /** @default true */
  readonly honorTimestamps: boolean;
  readonly basicAuth?: BasicAuthConfig;
  readonly authorization?: AuthorizationConfig;
  /** `tls_config.insecure_skip_verify`. @default false */
  readonly insecureSkipVerify: boolean;
  /** Most samples a scrape may hold; more fails the scrape. 0 = no limit. @default 0 */
  readonly sampleLimit: number;
  /** Applied to each target's labels before scraping (may drop targets). @default [] */
  readonly relabelConfigs: readonly RelabelConfig[];
  /** Applied to each scraped sample's labels (may drop samples). @default [] */
  readonly metricRelabelConfigs: readonly RelabelConfig[];
}

/** `scrape.vpc`: run the scrape function in these subnets to reach private targets. */
interface ScrapeVpcConfig {
  readonly vpcId?: string;
  readonly subnetIds: readonly string[];
  readonly securityGroupIds: readonly string[];
}

/** `scrape_configs` plus `scrape`. */
interface ScrapeConfig {
  readonly jobs: readonly ScrapeJobConfig[];
  readonly vpc?: ScrapeVpcConfig;
}

/** Prometheus's `global.scrape_interval` default. */
const DEFAULT_SCRAPE_INTERVAL_MS = 60_000;
/** Prometheus's `global.scrape_timeout` default. */
const DEFAULT_SCRAPE_TIMEOUT_MS = 10_000;
/**
 * Shortest interval deployed: EventBridge rate expressions go down to one minute.
 * @see https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-scheduled-rule-pattern.html#eb-rate-expressions
 */
const MIN_DEPLOYED_SCRAPE_INTERVAL_MS = 60_000;
/** Shortest interval locally. */
const MIN_LOCAL_SCRAPE_INTERVAL_MS = 1_000;

const DEFAULT_SCRAPE_CONFIG: ScrapeConfig = { jobs: [] };

const JOB_KEYS = [
  'job_name',
  'static_configs',
  'metrics_path',
  'scheme',
  'params',
  'scrape_interval',
  'scrape_timeout',
  'honor_labels',
  'honor_timestamps',
  'basic_auth',
  'authorization',
  'tls_config',
  'sample_limit',
  'relabel_configs',
  'metric_relabel_configs',
];

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
/** `host:port` or `host` (a bracketed IPv6 address allowed); no scheme, no path. */
const TARGET_RE = /^(\[[0-9a-fA-F:.]+\]|[^\s/:@?#[\]]+)(:\d{1,5})?$/;

/**
 * Prometheus's `model.Duration.String` (`90s` → `1m30s`, `60s` → `1m`; years and weeks only when
 * exact), for `__scrape_interval__` and `/api/v1/targets`.
 */
const formatPromDuration = (durationMs: number): string => {
  let ms = durationMs;
  if (ms === 0) return '0s';
  let out = '';
  const units: [string, number, boolean][] = [
    ['y', 365 * 86_400_000, true],
    ['w', 7 * 86_400_000, true],
    ['d', 86_400_000, false],
    ['h', 3_600_000, false],
    ['m', 60_000, false],
    ['s', 1000, false],
    ['ms', 1, false],
  ];
  for (const [unit, mult, exact] of units) {
    if (exact && ms % mult !== 0) continue;
    const v = Math.floor(ms / mult);
    if (v > 0) {
      out += `${v}${unit}`;
      ms -= v * mult;
    }
  }
  return out;
};

/** Validation helper collecting issues with their paths. */
class Issues {
  readonly list: ConfigIssue[] = [];
  fail(path: string, message: string): void {
    this.list.push({ path, message });
  }
  unknownKeys(o: Obj, allowed: readonly string[], path: string): void {
    for (const k of Object.keys(o)) {
      if (!allowed.includes(k))
        this.fail(`${path}.${k}`, `unknown key (expected one of: ${allowed.join(', ')})`);
    }
  }
  bool(o: Obj, key: string, path: string, def: boolean): boolean {
    const v = o[key];
    if (v === undefined || v === null) return def;
    if (typeof v !== 'boolean') {
      this.fail(`${path}.${key}`, 'must be true or false');
      return def;
    }
    return v;
  }
  string(o: Obj, key: string, path: string): string | undefined {
    const v = o[key];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'string' || v === '') {
      this.fail(`${path}.${key}`, 'must be a non-empty string');
      return undefined;
    }
    return v;
  }
  duration(o: Obj, key: string, path: string): number | undefined {
    const v = o[key];
    if (v === undefined || v === null) return undefined;
    const ms = typeof v === 'string' ? parseDurationMs(v) : undefined;
    if (ms === undefined || !(ms > 0)) {
      this.fail(
        `${path}.${key}`,
        `must be a positive duration like 30s or 1m, got ${JSON.stringify(v)}`,
      );
      return undefined;
    }
    return ms;
  }
}

/** One credential: exactly one of `<name>`, `<name>_file`, `<name>_secret`. */
const readSecret = (is: Issues, o: Obj, name: string, path: string): SecretSource | undefined => {
  const inline = is.string(o, name, path);
  const file = is.string(o, `${name}_file`, path);
  const secret = is.string(o, `${name}_secret`, path);
  const given = [inline, file, secret].filter((x) => x !== undefined).length;
  if (given > 1) {
    is.fail(path, `at most one of ${name}, ${name}_file, ${name}_secret may be given`);
    return undefined;
  }
  if (inline !== undefined) return { kind: 'inline', value: inline };
  if (file !== undefined) return { kind: 'file', path: file };
  if (secret !== undefined) return { kind: 'secret', secretId: secret };
  return undefined;
};

const readStaticConfigs = (is: Issues, v: unknown, path: string): StaticConfig[] => {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) {
    is.fail(path, 'must be a list of {targets, labels}');
    return [];
  }
  return v.map((sc, i) => {
    const p = `${path}[${i}]`;
    if (!isObj(sc)) {
      is.fail(p, 'must be a mapping with targets and labels');
      return { targets: [], labels: {} };
    }
    is.unknownKeys(sc, ['targets', 'labels'], p);
    const targets: string[] = [];
    if (!Array.isArray(sc.targets)) is.fail(`${p}.targets`, 'must be a list of host:port');
    else {
      sc.targets.forEach((t, j) => {
        if (typeof t !== 'string' || !TARGET_RE.test(t))
          is.fail(
            `${p}.targets[${j}]`,
            `${JSON.stringify(t)} is not a host:port address (no scheme or path: use scheme and metrics_path)`,
          );
        else targets.push(t);
      });
    }
    const labels: Record<string, string> = {};
    const rawLabels = sc.labels ?? {};
    if (!isObj(rawLabels)) is.fail(`${p}.labels`, 'must be a mapping of label names to values');
    else {
      for (const [k, val] of Object.entries(rawLabels)) {
        if (!LABEL_NAME_RE.test(k)) is.fail(`${p}.labels.${k}`, 'invalid label name');
        else if (typeof val !== 'string') is.fail(`${p}.labels.${k}`, 'must be a string');
        else labels[k] = val;
      }
    }
    return { targets, labels };
  });
};

const readParams = (is: Issues, v: unknown, path: string): Record<string, string[]> => {
  if (v === undefined || v === null) return {};
  const out: Record<string, string[]> = {};
  if (!isObj(v)) {
    is.fail(path, 'must map parameter names to lists of values');
    return out;
  }
  for (const [k, vals] of Object.entries(v)) {
    if (!Array.isArray(vals) || vals.some((x) => typeof x !== 'string'))
      is.fail(`${path}.${k}`, 'must be a list of strings');
    else out[k] = vals as string[];
  }
  return out;
};

const readJob = (
  is: Issues,
  raw: unknown,
  path: string,
  seen: Set<string>,
): ScrapeJobConfig | undefined => {
  if (!isObj(raw)) {
    is.fail(path, 'must be a mapping with job_name and static_configs');
    return undefined;
  }
  is.unknownKeys(raw, JOB_KEYS, path);
  const jobName = is.string(raw, 'job_name', path);
  if (jobName === undefined && raw.job_name === undefined)
    is.fail(`${path}.job_name`, 'is required');
  if (jobName !== undefined) {
    if (seen.has(jobName))
      is.fail(
        `${path}.job_name`,
        `found multiple scrape configs with job name ${JSON.stringify(jobName)}`,
      );
    seen.add(jobName);
  }
  const metricsPath = is.string(raw, 'metrics_path', path) ?? '/metrics';
  if (!metricsPath.startsWith('/')) is.fail(`${path}.metrics_path`, 'must start with /');
  const scheme = is.string(raw, 'scheme', path) ?? 'http';
  if (scheme !== 'http' && scheme !== 'https')
    is.fail(`${path}.scheme`, `must be http or https, got ${JSON.stringify(scheme)}`);
  const intervalMs = is.duration(raw, 'scrape_interval', path);
  const timeoutMs = is.duration(raw, 'scrape_timeout', path);
  const scrapeIntervalMs = intervalMs ?? DEFAULT_SCRAPE_INTERVAL_MS;
  if (scrapeIntervalMs < MIN_LOCAL_SCRAPE_INTERVAL_MS)
    is.fail(`${path}.scrape_interval`, 'must be at least 1s');
  // Prometheus: an unset timeout is the global one (10s), but never longer than the interval.
  const scrapeTimeoutMs = timeoutMs ?? Math.min(DEFAULT_SCRAPE_TIMEOUT_MS, scrapeIntervalMs);
  if (scrapeTimeoutMs > scrapeIntervalMs)
    is.fail(
      `${path}.scrape_timeout`,
      `scrape timeout greater than scrape interval for scrape config with job name ${JSON.stringify(jobName ?? '')}`,
    );
  let basicAuth: BasicAuthConfig | undefined;
  if (raw.basic_auth !== undefined && raw.basic_auth !== null) {
    const p = `${path}.basic_auth`;
    if (!isObj(raw.basic_auth)) is.fail(p, 'must be a mapping with username and password');
    else {
      const ba = raw.basic_auth;
      is.unknownKeys(ba, ['username', 'password', 'password_file', 'password_secret'], p);
      const username = is.string(ba, 'username', p) ?? '';
      const password = readSecret(is, ba, 'password', p);
      if (password === undefined)
        is.fail(p, 'needs one of password, password_file, password_secret');
      else basicAuth = { username, password };
    }
  }
  let authorization: AuthorizationConfig | undefined;
  if (raw.authorization !== undefined && raw.authorization !== null) {
    const p = `${path}.authorization`;
    if (!isObj(raw.authorization)) is.fail(p, 'must be a mapping with type and credentials');
    else {
      const a = raw.authorization;
      is.unknownKeys(a, ['type', 'credentials', 'credentials_file', 'credentials_secret'], p);
      const type = is.string(a, 'type', p) ?? 'Bearer';
      // Prometheus refuses `type: Basic` here: basic_auth is the way to send it.
      if (type.toLowerCase() === 'basic')
        is.fail(
          `${p}.type`,
          'authorization type cannot be set to "basic", use "basic_auth" instead',
        );
      const credentials = readSecret(is, a, 'credentials', p);
      if (credentials === undefined)
        is.fail(p, 'needs one of credentials, credentials_file, credentials_secret');
      else authorization = { type, credentials };
    }
  }
  if (basicAuth && authorization)
    is.fail(path, 'at most one of basic_auth and authorization may be configured');
  let insecureSkipVerify = false;
  if (raw.tls_config !== undefined && raw.tls_config !== null) {
    const p = `${path}.tls_config`;
    if (!isObj(raw.tls_config)) is.fail(p, 'must be a mapping');
    else {
      is.unknownKeys(raw.tls_config, ['insecure_skip_verify'], p);
      insecureSkipVerify = is.bool(raw.tls_config, 'insecure_skip_verify', p, false);
    }
  }
  let sampleLimit = 0;
  if (raw.sample_limit !== undefined && raw.sample_limit !== null) {
    const v = raw.sample_limit;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0)
      is.fail(`${path}.sample_limit`, 'must be a non-negative integer (0 = no limit)');
    else sampleLimit = v;
  }
  return {
    jobName: jobName ?? '',
    staticConfigs: readStaticConfigs(is, raw.static_configs, `${path}.static_configs`),
    metricsPath,
    scheme: scheme === 'https' ? 'https' : 'http',
    params: readParams(is, raw.params, `${path}.params`),
    scrapeIntervalMs,
    scrapeTimeoutMs,
    scrapeInterval: formatPromDuration(scrapeIntervalMs),
    scrapeTimeout: formatPromDuration(scrapeTimeoutMs),
    honorLabels: is.bool(raw, 'honor_labels', path, false),
    honorTimestamps: is.bool(raw, 'honor_timestamps', path, true),
    ...(basicAuth ? { basicAuth } : {}),
    ...(authorization ? { authorization } : {}),
    insecureSkipVerify,
    sampleLimit,
    relabelConfigs: relabelOf(is, raw.relabel_configs, `${path}.relabel_configs`),
    metricRelabelConfigs: relabelOf(
      is,
      raw.metric_relabel_configs,
      `${path}.metric_relabel_configs`,
    ),
  };
};

const relabelOf = (is: Issues, raw: unknown, path: string): RelabelConfig[] => {
  const { configs, issues } = validateRelabelConfigs(raw, path);
  for (const i of issues) is.fail(i.path, i.message);
  return configs;
};

/**
 * An EC2 resource id: the prefix, a hyphen and 8 (older resources) or 17 lowercase hexadecimal
 * characters. CloudFormation refuses anything else at deploy time (`AWS::EC2::SecurityGroup.Id`
 * and its kin), so the config check does too.
 * @see https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/resource-ids.html
 */
const ec2Id = (prefix: string): RegExp => new RegExp(`^${prefix}-([0-9a-f]{8}|[0-9a-f]{17})$`);

const readVpc = (is: Issues, raw: unknown, path: string): ScrapeVpcConfig | undefined => {
  if (raw === undefined || raw === null) return undefined;
  if (!isObj(raw)) {
    is.fail(path, 'must be a mapping with subnetIds and securityGroupIds');
    return undefined;
  }
  is.unknownKeys(raw, ['vpcId', 'subnetIds', 'securityGroupIds'], path);
  const ids = (key: string, re: RegExp, what: string): string[] => {
    const v = raw[key];
    if (!Array.isArray(v) || v.length === 0) {
      is.fail(`${path}.${key}`, `must be a non-empty list of ${what}`);
      return [];
    }
    v.forEach((x, i) => {
      if (typeof x !== 'string' || !re.test(x))
        is.fail(`${path}.${key}[${i}]`, `not a ${what.replace(/s$/, '')}: ${JSON.stringify(x)}`);
    });
    return v.filter((x): x is string => typeof x === 'string');
  };
  const subnetIds = ids('subnetIds', ec2Id('subnet'), 'subnet ids');
  const securityGroupIds = ids('securityGroupIds', ec2Id('sg'), 'security group ids');
  const vpcId = raw.vpcId;
  if (vpcId !== undefined && (typeof vpcId !== 'string' || !ec2Id('vpc').test(vpcId)))
    is.fail(`${path}.vpcId`, `not a VPC id: ${JSON.stringify(vpcId)}`);
  return {
    ...(typeof vpcId === 'string' ? { vpcId } : {}),
    subnetIds,
    securityGroupIds,
  };
};

/**
 * Validates `scrape_configs:` (Prometheus's fields and defaults) and `scrape:` (`vpc`); every
 * problem is returned with its path.
 * @param scrapeConfigs - the raw `scrape_configs` value
 * @param scrape - the raw `scrape` value
 * @example validateScrapeConfig([{ job_name: 'api', static_configs: [{ targets: ['api:8000'] }] }], undefined)
 */
const validateScrapeConfig = (
  scrapeConfigs: unknown,
  scrape: unknown,
): { config: ScrapeConfig; issues: ConfigIssue[] } => {
  const is = new Issues();
  const jobs: ScrapeJobConfig[] = [];
  if (scrapeConfigs !== undefined && scrapeConfigs !== null) {
    if (!Array.isArray(scrapeConfigs))
      is.fail('scrape_configs', 'must be a list of scrape configs');
    else {
      const seen = new Set<string>();
      scrapeConfigs.forEach((raw, i) => {
        const job = readJob(is, raw, `scrape_configs[${i}]`, seen);
        if (job) jobs.push(job);
      });
    }
  }
  let vpc: ScrapeVpcConfig | undefined;
  if (scrape !== undefined && scrape !== null) {
    if (!isObj(scrape)) is.fail('scrape', 'must be a mapping');
    else {
      is.unknownKeys(scrape, ['vpc'], 'scrape');
      vpc = readVpc(is, scrape.vpc, 'scrape.vpc');
    }
  }
  return { config: { jobs, ...(vpc ? { vpc } : {}) }, issues: is.list };
};

/**
 * What a deployment adds to {@link validateScrapeConfig}: intervals of whole minutes, at least
 * one (EventBridge's finest rate), and credentials from Secrets Manager only (`*_secret`): an inline
 * password would end up in the function's environment, and a file does not exist in Lambda.
 */
const deployedScrapeIssues = (config: ScrapeConfig): ConfigIssue[] => {
  const issues: ConfigIssue[] = [];
  config.jobs.forEach((job, i) => {
    const path = `scrape_configs[${i}]`;
    if (job.scrapeIntervalMs < MIN_DEPLOYED_SCRAPE_INTERVAL_MS)
      issues.push({
        path: `${path}.scrape_interval`,
        message: `must be at least 1m when deployed (EventBridge schedules run at most once a minute), got ${job.scrapeInterval}`,
      });
    else if (job.scrapeIntervalMs % MIN_DEPLOYED_SCRAPE_INTERVAL_MS !== 0)
      issues.push({
        path: `${path}.scrape_interval`,
        message: `must be a whole number of minutes when deployed (EventBridge rate expressions count minutes), got ${job.scrapeInterval}`,
      });
    const sources: [string, SecretSource | undefined][] = [
      ['basic_auth.password', job.basicAuth?.password],
      ['authorization.credentials', job.authorization?.credentials],
    ];
    for (const [name, source] of sources) {
      if (source && source.kind !== 'secret')
        issues.push({
          path: `${path}.${name}${source.kind === 'file' ? '_file' : ''}`,
          message: `use ${name.split('.')[1]}_secret: <Secrets Manager secret name or ARN> when deployed (secrets are never stored in the function's configuration)`,
        });
    }
  });
  return issues;
};

/** Every Secrets Manager secret the jobs reference (`*_secret`), deduplicated. */
const referencedSecrets = (config: ScrapeConfig): string[] => {
  const ids = new Set<string>();
  for (const job of config.jobs) {
    for (const s of [job.basicAuth?.password, job.authorization?.credentials]) {
      if (s?.kind === 'secret') ids.add(s.secretId);
    }
  }
  return [...ids].sort();
};

export type {
  AuthorizationConfig,
  BasicAuthConfig,
  ScrapeConfig,
  ScrapeJobConfig,
  ScrapeVpcConfig,
  SecretSource,
  StaticConfig,
};
export {
  DEFAULT_SCRAPE_CONFIG,
  DEFAULT_SCRAPE_INTERVAL_MS,
  DEFAULT_SCRAPE_TIMEOUT_MS,
  deployedScrapeIssues,
  formatPromDuration,
  MIN_DEPLOYED_SCRAPE_INTERVAL_MS,
  referencedSecrets,
  validateScrapeConfig,
};
