import {
  deployedScrapeIssues,
  referencedSecrets,
  validateScrapeConfig,
} from '../../../../lambdas/domain/scrape/scrape-config';
import { validateConfig } from '../../../../lambdas/domain/config/validate';

const job = (extra: Record<string, unknown> = {}) => ({
  job_name: 'api',
  static_configs: [{ targets: ['api:8000'] }],
  ...extra,
});

describe('Scrape config: scrape_configs', () => {
  it("fills in Prometheus's defaults", () => {
    // Act
    const { config, issues } = validateScrapeConfig([job()], undefined);

    // Assess
    expect(issues).toEqual([]);
    expect(config.jobs).toEqual([
      {
        jobName: 'api',
        staticConfigs: [{ targets: ['api:8000'], labels: {} }],
        metricsPath: '/metrics',
        scheme: 'http',
        params: {},
        scrapeIntervalMs: 60_000,
        scrapeTimeoutMs: 10_000,
        scrapeInterval: '1m',
        scrapeTimeout: '10s',
        honorLabels: false,
        honorTimestamps: true,
        insecureSkipVerify: false,
        sampleLimit: 0,
        relabelConfigs: [],
        metricRelabelConfigs: [],
      },
    ]);
  });

  it('defaults the timeout to the interval when the interval is shorter than 10s', () => {
    // Act
    const { config } = validateScrapeConfig([job({ scrape_interval: '5s' })], undefined);

    // Assess
    expect(config.jobs[0]).toMatchObject({
      scrapeIntervalMs: 5000,
      scrapeTimeoutMs: 5000,
      scrapeTimeout: '5s',
    });
  });

  it('reads every supported field', () => {
    // Act
    const { config, issues } = validateScrapeConfig(
      [
        job({
          metrics_path: '/probe',
          scheme: 'https',
          params: { module: ['http_2xx'] },
          scrape_interval: '2m',
          scrape_timeout: '30s',
          honor_labels: true,
          honor_timestamps: false,
          authorization: { credentials_secret: 'vigil/scrape-token' },
          tls_config: { insecure_skip_verify: true },
          sample_limit: 5000,
          static_configs: [{ targets: ['a:1', '[::1]:9100'], labels: { env: 'prod' } }],
        }),
      ],
      { vpc: { subnetIds: ['subnet-0abc1234'], securityGroupIds: ['sg-0def5678'] } },
    );

    // Assess
    expect(issues).toEqual([]);
    expect(config.jobs[0]).toMatchObject({
      metricsPath: '/probe',
      scheme: 'https',
      params: { module: ['http_2xx'] },
      scrapeIntervalMs: 120_000,
      scrapeTimeoutMs: 30_000,
      honorLabels: true,
      honorTimestamps: false,
      authorization: {
        type: 'Bearer',
        credentials: { kind: 'secret', secretId: 'vigil/scrape-token' },
      },
      insecureSkipVerify: true,
      sampleLimit: 5000,
      staticConfigs: [{ targets: ['a:1', '[::1]:9100'], labels: { env: 'prod' } }],
    });
    expect(config.vpc).toEqual({
      subnetIds: ['subnet-0abc1234'],
      securityGroupIds: ['sg-0def5678'],
    });
  });

  it('reports every problem with its path', () => {
    // Act
    const { issues } = validateScrapeConfig(
      [
        job({
          scrape_interval: '10s',
          scrape_timeout: '20s',
          scheme: 'ftp',
          metrics_path: 'metrics',
        }),
        job({
          static_configs: [{ targets: ['http://api:8000/metrics'], labels: { 'bad-name': 'x' } }],
          basic_auth: { username: 'u', password: 'p', password_file: '/p' },
          authorization: { type: 'Basic', credentials: 'c' },
          sample_limit: -1,
          relabel_configs: [{ action: 'hashmod', target_label: 'shard' }],
          honour_labels: true,
        }),
        { static_configs: [] },
      ],
      { vpc: { subnetIds: ['nope'], securityGroupIds: [] } },
    );

    // Assess
    expect(issues).toEqual([
      { path: 'scrape_configs[0].metrics_path', message: 'must start with /' },
      { path: 'scrape_configs[0].scheme', message: 'must be http or https, got "ftp"' },
      {
        path: 'scrape_configs[0].scrape_timeout',
        message:
          'scrape timeout greater than scrape interval for scrape config with job name "api"',
      },
      {
        path: 'scrape_configs[1].honour_labels',
        message: 'unknown key, did you mean `honor_labels`?',
      },
      {
        path: 'scrape_configs[1].job_name',
        message: 'found multiple scrape configs with job name "api"',
      },
      {
        path: 'scrape_configs[1].basic_auth',
        message:
          'only one of password, password_file, password_secret may be given, got password and password_file',
      },
      {
        path: 'scrape_configs[1].authorization.type',
        message: 'authorization type cannot be set to "basic", use "basic_auth" instead',
      },
      {
        path: 'scrape_configs[1].sample_limit',
        message: 'must be a non-negative integer (0 = no limit)',
      },
      {
        path: 'scrape_configs[1].static_configs[0].targets[0]',
        message:
          '"http://api:8000/metrics" is not a host:port address (no scheme or path: use scheme and metrics_path)',
      },
      {
        path: 'scrape_configs[1].static_configs[0].labels.bad-name',
        message: 'invalid label name',
      },
      {
        path: 'scrape_configs[1].relabel_configs[0]',
        message: 'relabel configuration for hashmod requires non-zero modulus',
      },
      { path: 'scrape_configs[2].job_name', message: 'is required' },
      { path: 'scrape.vpc.subnetIds[0]', message: 'not a subnet id: "nope"' },
      {
        path: 'scrape.vpc.securityGroupIds',
        message: 'must be a non-empty list of security group ids',
      },
    ]);
  });

  it('is read by validateConfig under scrape_configs and scrape', () => {
    // Act
    const { config, issues } = validateConfig({ scrape_configs: [job()], scrape: {} });

    // Assess
    expect(issues).toEqual([]);
    expect(config.scrape.jobs.map((j) => j.jobName)).toEqual(['api']);
  });
});

describe('Scrape config: deployment checks', () => {
  it('refuses intervals under a minute or not whole minutes, and credentials outside Secrets Manager', () => {
    // Prepare
    const { config } = validateScrapeConfig(
      [
        job({ scrape_interval: '15s', basic_auth: { username: 'u', password_file: '/run/p' } }),
        job({ job_name: 'b', authorization: { credentials: 'token' } }),
        job({ job_name: 'c', scrape_interval: '90s' }),
      ],
      undefined,
    );

    // Act
    const issues = deployedScrapeIssues(config);

    // Assess
    expect(issues.map((i) => i.path)).toEqual([
      'scrape_configs[0].scrape_interval',
      'scrape_configs[0].basic_auth.password_file',
      'scrape_configs[1].authorization.credentials',
      'scrape_configs[2].scrape_interval',
    ]);
    expect(issues[0]?.message).toBe(
      'must be at least 1m when deployed (EventBridge schedules run at most once a minute), got 15s',
    );
  });

  it('lists the referenced secrets once each', () => {
    // Prepare
    const { config } = validateScrapeConfig(
      [
        job({
          basic_auth: {
            username: 'u',
            password_secret: 'arn:aws:secretsmanager:eu-west-1:1:secret:b',
          },
        }),
        job({ job_name: 'x', authorization: { credentials_secret: 'a' } }),
        job({ job_name: 'y', authorization: { credentials_secret: 'a' } }),
      ],
      undefined,
    );

    // Act
    const secrets = referencedSecrets(config);

    // Assess
    expect(deployedScrapeIssues(config)).toEqual([]);
    expect(secrets).toEqual(['a', 'arn:aws:secretsmanager:eu-west-1:1:secret:b']);
  });
});

describe('Scrape config: malformed values', () => {
  it.each([
    [
      'scrape_configs not a list',
      { a: 1 },
      undefined,
      'scrape_configs',
      'must be a list of scrape configs',
    ],
    [
      'a job not a mapping',
      ['api'],
      undefined,
      'scrape_configs[0]',
      'must be a mapping with job_name and static_configs',
    ],
    [
      'static_configs not a list',
      [job({ static_configs: 'x' })],
      undefined,
      'scrape_configs[0].static_configs',
      'must be a list of {targets, labels}',
    ],
    [
      'a static config not a mapping',
      [job({ static_configs: ['x'] })],
      undefined,
      'scrape_configs[0].static_configs[0]',
      'must be a mapping with targets and labels',
    ],
    [
      'params not a mapping',
      [job({ params: ['x'] })],
      undefined,
      'scrape_configs[0].params',
      'must map parameter names to lists of values',
    ],
    [
      'a param not a list',
      [job({ params: { m: 'x' } })],
      undefined,
      'scrape_configs[0].params.m',
      'must be a list of strings',
    ],
    [
      'interval under 1s',
      [job({ scrape_interval: '500ms' })],
      undefined,
      'scrape_configs[0].scrape_interval',
      'must be at least 1s',
    ],
    [
      'honor_labels not a boolean',
      [job({ honor_labels: 'yes' })],
      undefined,
      'scrape_configs[0].honor_labels',
      'must be true or false',
    ],
    [
      'metrics_path empty',
      [job({ metrics_path: '' })],
      undefined,
      'scrape_configs[0].metrics_path',
      'must be a non-empty string',
    ],
    [
      'a bad duration',
      [job({ scrape_interval: '1 minute' })],
      undefined,
      'scrape_configs[0].scrape_interval',
      'must be a positive duration like 30s or 1m, got "1 minute"',
    ],
    [
      'authorization without credentials',
      [job({ authorization: { type: 'Bearer' } })],
      undefined,
      'scrape_configs[0].authorization',
      'needs one of credentials, credentials_file, credentials_secret',
    ],
    [
      'basic_auth and authorization',
      [job({ basic_auth: { username: 'u', password: 'p' }, authorization: { credentials: 'c' } })],
      undefined,
      'scrape_configs[0]',
      'at most one of basic_auth and authorization may be configured',
    ],
    [
      'scrape.vpc not a mapping',
      [],
      { vpc: 'vpc-1' },
      'scrape.vpc',
      'must be a mapping with subnetIds and securityGroupIds',
    ],
    [
      'a security group id of neither 8 nor 17 hexadecimal digits',
      [],
      { vpc: { subnetIds: ['subnet-0123456789abcdef0'], securityGroupIds: ['sg-0cc'] } },
      'scrape.vpc.securityGroupIds[0]',
      'not a security group id: "sg-0cc"',
    ],
    [
      'a subnet id with capital letters',
      [],
      { vpc: { subnetIds: ['subnet-0123ABCD'], securityGroupIds: ['sg-01234567'] } },
      'scrape.vpc.subnetIds[0]',
      'not a subnet id: "subnet-0123ABCD"',
    ],
    [
      'a bad VPC id',
      [],
      { vpc: { vpcId: 'x', subnetIds: ['subnet-01234567'], securityGroupIds: ['sg-01234567'] } },
      'scrape.vpc.vpcId',
      'not a VPC id: "x"',
    ],
  ])('%s', (_name, configs, scrape, path, message) => {
    // Act
    const { issues } = validateScrapeConfig(configs, scrape);

    // Assess
    expect(issues).toContainEqual({ path, message });
  });
});
