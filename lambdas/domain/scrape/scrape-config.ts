/**
 * `scrape_configs:` (Prometheus's field names and defaults) and `scrape:` (Vigil's deployment
 * settings) in vigil.config.yaml.
 * @see https://prometheus.io/docs/prometheus/latest/configuration/configuration/#scrape_config
 */
import type { ConfigIssue } from '../config/issues';
import {
  bool,
  duration,
  fail,
  failInItem,
  labelMap,
  list,
  mapping,
  onList,
  onMapping,
  runSchema,
  section,
  show,
  z,
} from '../config/schema-kit';
import { LABEL_NAME_RE } from '../series/labels';
import type { RelabelConfig } from './relabel';
import { relabelConfigsSchema } from './relabel-schema';
import {
  type AuthorizationConfig,
  type BasicAuthConfig,
  type CredentialSource,
  httpAuthSchemas,
} from '../config/http-auth';

/** Where a scrape credential comes from: the config, a file on the scraping machine, or a secret. */
type ScrapeCredentialKind = 'inline' | 'file' | 'secret';
type SecretSource = Extract<CredentialSource, { kind: ScrapeCredentialKind }>;

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
  readonly basicAuth?: BasicAuthConfig<ScrapeCredentialKind>;
  readonly authorization?: AuthorizationConfig<ScrapeCredentialKind>;
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

const nonEmpty = z
  .string({ error: (i) => (i.input === undefined ? 'is required' : 'must be a non-empty string') })
  .min(1, { error: 'must be a non-empty string' });
const scrapeDuration = duration(
  (v) => `must be a positive duration like 30s or 1m, got ${show(v)}`,
);

const { basicAuth: basicAuthSchema, authorization: authorizationSchema } =
  httpAuthSchemas<ScrapeCredentialKind>(['inline', 'file', 'secret']);

/** One `static_configs` entry. */
const staticConfigSchema = mapping(
  {
    targets: z.array(
      z.unknown().superRefine((t, ctx) => {
        if (typeof t !== 'string' || !TARGET_RE.test(t))
          fail(
            ctx,
            `${show(t)} is not a host:port address (no scheme or path: use scheme and metrics_path)`,
          );
      }) as unknown as z.ZodString,
      { error: 'must be a list of host:port' },
    ),
    labels: labelMap(LABEL_NAME_RE).default({}),
  },
  'must be a mapping with targets and labels',
);

/** One `scrape_configs` entry (Prometheus's field names and defaults). */
const scrapeJobSchema = mapping(
  {
    job_name: nonEmpty,
    metrics_path: nonEmpty
      .refine((p) => p.startsWith('/'), { error: 'must start with /' })
      .default('/metrics'),
    scheme: z
      .enum(['http', 'https'], { error: (i) => `must be http or https, got ${show(i.input)}` })
      .default('http'),
    scrape_interval: scrapeDuration
      .refine((ms) => ms >= MIN_LOCAL_SCRAPE_INTERVAL_MS, { error: 'must be at least 1s' })
      .default(DEFAULT_SCRAPE_INTERVAL_MS),
    scrape_timeout: scrapeDuration.optional(),
    basic_auth: basicAuthSchema.optional(),
    authorization: authorizationSchema.optional(),
    tls_config: mapping({ insecure_skip_verify: bool().default(false) }).default({
      insecure_skip_verify: false,
    }),
    sample_limit: z
      .number({ error: 'must be a non-negative integer (0 = no limit)' })
      .refine((v) => Number.isInteger(v) && v >= 0, {
        error: 'must be a non-negative integer (0 = no limit)',
      })
      .default(0),
    static_configs: list(staticConfigSchema, 'must be a list of {targets, labels}').default([]),
    /** URL query parameters (`params: {module: [http_2xx]}`). */
    params: z
      .record(z.string(), z.array(z.string(), { error: 'must be a list of strings' }), {
        error: 'must map parameter names to lists of values',
      })
      .default({}),
    honor_labels: bool().default(false),
    honor_timestamps: bool().default(true),
    /** Applied to each target's labels before scraping (may drop targets). */
    relabel_configs: relabelConfigsSchema.default([]),
    /** Applied to each scraped sample's labels (may drop samples). */
    metric_relabel_configs: relabelConfigsSchema.default([]),
  },
  'must be a mapping with job_name and static_configs',
)
  .superRefine((job, ctx) => {
    const failed = new Set(ctx.issues.map((i) => i.path?.[0]));
    if (
      job.basic_auth !== undefined &&
      job.authorization !== undefined &&
      !failed.has('basic_auth') &&
      !failed.has('authorization')
    )
      fail(ctx, 'at most one of basic_auth and authorization may be configured');
    const interval =
      typeof job.scrape_interval === 'number' ? job.scrape_interval : DEFAULT_SCRAPE_INTERVAL_MS;
    // Prometheus: an unset timeout is the global one (10s), but never longer than the interval.
    if (typeof job.scrape_timeout === 'number' && job.scrape_timeout > interval)
      fail(
        ctx,
        `scrape timeout greater than scrape interval for scrape config with job name ${show(job.job_name ?? '')}`,
        ['scrape_timeout'],
      );
  }, onMapping)
  .transform((job): ScrapeJobConfig => {
    const scrapeIntervalMs = job.scrape_interval;
    const scrapeTimeoutMs =
      job.scrape_timeout ?? Math.min(DEFAULT_SCRAPE_TIMEOUT_MS, scrapeIntervalMs);
    return {
      jobName: job.job_name,
      staticConfigs: job.static_configs,
      metricsPath: job.metrics_path,
      scheme: job.scheme,
      params: job.params,
      scrapeIntervalMs,
      scrapeTimeoutMs,
      scrapeInterval: formatPromDuration(scrapeIntervalMs),
      scrapeTimeout: formatPromDuration(scrapeTimeoutMs),
      honorLabels: job.honor_labels,
      honorTimestamps: job.honor_timestamps,
      ...(job.basic_auth ? { basicAuth: job.basic_auth } : {}),
      ...(job.authorization ? { authorization: job.authorization } : {}),
      insecureSkipVerify: job.tls_config.insecure_skip_verify,
      sampleLimit: job.sample_limit,
      relabelConfigs: job.relabel_configs,
      metricRelabelConfigs: job.metric_relabel_configs,
    };
  });

/** `scrape_configs:`, job names unique. */
const scrapeConfigsSchema = list(scrapeJobSchema, 'must be a list of scrape configs')
  .superRefine((jobs, ctx) => {
    const seen = new Set<unknown>();
    jobs.forEach((job, i) => {
      const name =
        (job as { jobName?: unknown; job_name?: unknown }).jobName ??
        (job as { job_name?: unknown }).job_name;
      if (typeof name !== 'string') return;
      if (seen.has(name))
        failInItem(ctx, `found multiple scrape configs with job name ${show(name)}`, [
          i,
          'job_name',
        ]);
      seen.add(name);
    });
  }, onList)
  .default([]);

/**
 * An EC2 resource id: the prefix, a hyphen and 8 (older resources) or 17 lowercase hexadecimal
 * characters. CloudFormation refuses anything else at deploy time (`AWS::EC2::SecurityGroup.Id`
 * and its kin), so the config check does too.
 * @see https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/resource-ids.html
 */
const EC2_ID = {
  subnet: /^subnet-([0-9a-f]{8}|[0-9a-f]{17})$/,
  sg: /^sg-([0-9a-f]{8}|[0-9a-f]{17})$/,
  vpc: /^vpc-([0-9a-f]{8}|[0-9a-f]{17})$/,
} as const;

const ec2Ids = (re: RegExp, what: string) =>
  z
    .array(
      z.unknown().superRefine((x, ctx) => {
        if (typeof x !== 'string' || !re.test(x))
          fail(ctx, `not a ${what.replace(/s$/, '')}: ${show(x)}`);
      }) as unknown as z.ZodString,
      { error: `must be a non-empty list of ${what}` },
    )
    .min(1, { error: `must be a non-empty list of ${what}` });

/** `scrape:`: `vpc`, the subnets the scrape function runs in to reach private targets. */
const scrapeSchema = section({
  vpc: mapping(
    {
      vpcId: z
        .unknown()
        .superRefine((v, ctx) => {
          if (typeof v !== 'string' || !EC2_ID.vpc.test(v)) fail(ctx, `not a VPC id: ${show(v)}`);
        })
        .transform((v) => v as string)
        .optional(),
      subnetIds: ec2Ids(EC2_ID.subnet, 'subnet ids'),
      securityGroupIds: ec2Ids(EC2_ID.sg, 'security group ids'),
    },
    'must be a mapping with subnetIds and securityGroupIds',
  ).optional(),
});

/** `scrape_configs` and `scrape`, as the top level of the config holds them. */
const scrapeSections = {
  scrape_configs: scrapeConfigsSchema,
  scrape: scrapeSchema,
};
const scrapeOf = (c: {
  scrape_configs: readonly ScrapeJobConfig[];
  scrape: { vpc?: ScrapeVpcConfig | undefined };
}): ScrapeConfig => ({ jobs: c.scrape_configs, ...(c.scrape.vpc ? { vpc: c.scrape.vpc } : {}) });

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
): { config: ScrapeConfig; issues: ConfigIssue[] } =>
  runSchema(
    z.object(scrapeSections).transform(scrapeOf),
    { scrape_configs: scrapeConfigs, scrape },
    '',
    () => DEFAULT_SCRAPE_CONFIG,
  );

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
  ScrapeConfig,
  ScrapeCredentialKind,
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
  scrapeOf,
  scrapeSections,
  validateScrapeConfig,
};
