import { DEFAULT_CHANNELS_CONFIG } from '../../../../lambdas/domain/notifications/channels-config';
import { DEFAULT_GPU_CONFIG } from '../../../../lambdas/domain/gpu/gpu-config';
import { DEFAULT_DASHBOARDS_CONFIG } from '../../../../lambdas/domain/dashboards/dashboards-config';
import { DEFAULT_LOGS_CONFIG } from '../../../../lambdas/domain/logs/logs-config';
import { DEFAULT_ALERTING_CONFIG } from '../../../../lambdas/domain/alerting/config';
import { DEFAULT_LIMITS } from '../../../../lambdas/domain/config/defaults';
import { ampEndpointOf, workspaceIdOf } from '../../../../lambdas/domain/config/store';
import {
  ConfigError,
  runtimeConfigOf,
  validateConfig,
} from '../../../../lambdas/domain/config/validate';

const issuesOf = (raw: unknown) => validateConfig(raw).issues;
const pathsOf = (raw: unknown) => issuesOf(raw).map((i) => i.path);

describe('Function: validateConfig', () => {
  describe('defaults', () => {
    it('fills in every default for an empty file', () => {
      // Act
      const { config, issues } = validateConfig(undefined);

      // Assess
      expect(issues).toEqual([]);
      expect(config).toEqual({
        project: 'vigil',
        store: 'timestream',
        amp: { retentionDays: 150 },
        timestream: {
          database: 'vigil-vigil',
          memoryRetentionHours: 24,
          magneticRetentionDays: 365,
        },
        api: { clients: [{ name: 'default', rateLimit: 100, burstLimit: 200 }] },
        limits: DEFAULT_LIMITS,
        cloudwatch: { namespace: 'Vigil', mirror: [] },
        pushgateway: { scrapeIntervalSeconds: 15 },
        maxSampleAgeMs: 365 * 86_400_000,
        otlp: { promoteResourceAttributes: [], keepIdentifyingResourceAttributes: false },
        logRetentionDays: 30,
        rules: [],
        scrape: { jobs: [] },
        drift: { driftShare: 0.5, minSampleSize: 30, monitors: [] },
        evaluation: { intervalMs: 60_000, externalLabels: {}, externalUrl: '' },
        alerting: DEFAULT_ALERTING_CONFIG,
        channels: DEFAULT_CHANNELS_CONFIG,
        gpu: DEFAULT_GPU_CONFIG,
        dashboards: DEFAULT_DASHBOARDS_CONFIG,
        logs: DEFAULT_LOGS_CONFIG,
        logLevel: 'INFO',
        reservedConcurrency: false,
        writeRelabelConfigs: [],
      });
      expect(config.limits).toMatchObject({
        maxDimensionNames: 128,
        maxMeasureNames: 8192,
        reservedDimensionNames: 16,
        reservedMeasureNames: 256,
      });
    });

    it('derives the database name from the project and keeps given values', () => {
      // Act
      const { config, issues } = validateConfig({
        project: 'ml-prod',
        limits: { maxSeriesPerMetric: 500 },
        timestream: { magneticRetentionDays: 30 },
        api: { clients: [{ name: 'trainer', quotaPerDay: 1000 }] },
      });

      // Assess
      expect(issues).toEqual([]);
      expect(config.timestream.database).toBe('vigil-ml-prod');
      expect(config.limits.maxSeriesPerMetric).toBe(500);
      expect(config.limits.maxBodyBytes).toBe(4 * 1024 * 1024);
      expect(config.maxSampleAgeMs).toBe(30 * 86_400_000);
      expect(config.api.clients).toEqual([
        { name: 'trainer', rateLimit: 100, burstLimit: 200, quotaPerDay: 1000 },
      ]);
    });

    it('treats a key with an empty YAML value (null) as absent', () => {
      // Act
      const { config, issues } = validateConfig({
        limits: null,
        api: { clients: [{ name: 'a', quotaPerDay: null }] },
      });

      // Assess
      expect(issues).toEqual([]);
      expect(config.limits).toEqual(DEFAULT_LIMITS);
      expect(config.api.clients[0]).toEqual({ name: 'a', rateLimit: 100, burstLimit: 200 });
    });
  });

  describe('issues', () => {
    it('reports unknown keys at every level with their path', () => {
      // Act
      const paths = pathsOf({
        projet: 'x',
        limits: { maxBodySize: 1 },
        timestream: { retention: 3 },
        cloudwatch: { mirror: [{ metric: 'up', dims: [] }] },
        pushgateway: { interval: 1 },
        api: { keys: [] },
      });

      // Assess
      expect(paths).toEqual(
        expect.arrayContaining([
          'projet',
          'limits.maxBodySize',
          'timestream.retention',
          'cloudwatch.mirror[0].dims',
          'pushgateway.interval',
          'api.keys',
        ]),
      );
      expect(paths).toHaveLength(6);
    });

    it('names the expected keys in an unknown-key message', () => {
      // Act
      const [issue] = issuesOf({ pushgateway: { interval: 1 } });

      // Assess
      expect(issue).toEqual({
        path: 'pushgateway.interval',
        message: 'unknown key (expected one of: scrapeIntervalSeconds)',
      });
    });

    it('reports wrong types with the value found', () => {
      // Act
      const issues = issuesOf({
        project: 42,
        limits: { maxSamplesPerRequest: '1000' },
        pushgateway: { scrapeIntervalSeconds: 1.5 },
        timestream: 'yes',
      });

      // Assess
      expect(issues).toEqual(
        expect.arrayContaining([
          { path: 'project', message: 'must be a string, got 42' },
          { path: 'limits.maxSamplesPerRequest', message: 'must be an integer, got "1000"' },
          { path: 'pushgateway.scrapeIntervalSeconds', message: 'must be an integer, got 1.5' },
          { path: 'timestream', message: 'must be a mapping' },
        ]),
      );
    });

    it('reports a root that is not a mapping', () => {
      // Act & Assess
      expect(pathsOf(['a'])).toEqual(['(root)']);
    });

    it('reports out-of-range values with the bounds', () => {
      // Act
      const issues = issuesOf({
        limits: { maxFutureMs: 0 },
        pushgateway: { scrapeIntervalSeconds: 301 },
        api: { clients: [{ name: 'a', rateLimit: 10_001, burstLimit: 0 }] },
      });

      // Assess
      expect(issues).toEqual([
        { path: 'api.clients[0].rateLimit', message: 'must be between 1 and 10000, got 10001' },
        { path: 'api.clients[0].burstLimit', message: 'must be between 1 and 5000, got 0' },
        {
          path: 'limits.maxFutureMs',
          message: 'must be between 1 and 9007199254740991, got 0',
        },
        {
          path: 'pushgateway.scrapeIntervalSeconds',
          message: 'must be between 1 and 300, got 301',
        },
      ]);
    });

    it.each([
      ['memoryRetentionHours', 8767, 'must be between 1 and 8766, got 8767'],
      ['magneticRetentionDays', 73001, 'must be between 1 and 73000, got 73001'],
    ])('enforces the Timestream retention limit of %s', (key, value, message) => {
      // Act & Assess
      expect(issuesOf({ timestream: { [key]: value } })).toEqual([
        { path: `timestream.${key}`, message },
      ]);
    });

    it.each([
      ['maxLabelNameBytes', 61, 'Timestream dimension name limit'],
      ['maxLabelValueBytes', 2049, 'Timestream dimension value limit'],
      ['maxMetricNameBytes', 257, 'Timestream measure name limit'],
      ['maxBodyBytes', 4_500_001, "Lambda's 6 MB invoke payload"],
      ['maxResponseBytes', 5_990_001, "Lambda's 6 MB response payload"],
    ])('refuses limits.%s = %s above the AWS limit', (key, value, reason) => {
      // Act
      const issues = issuesOf({ limits: { [key]: value } });

      // Assess
      expect(issues).toHaveLength(1);
      expect(issues[0]?.path).toBe(`limits.${key}`);
      expect(issues[0]?.message).toContain(reason);
    });

    it('accepts the AWS limits themselves', () => {
      // Act & Assess
      expect(
        issuesOf({
          limits: {
            maxLabelNameBytes: 60,
            maxLabelValueBytes: 2048,
            maxMetricNameBytes: 256,
            maxBodyBytes: 4_500_000,
            maxResponseBytes: 5_990_000,
          },
        }),
      ).toEqual([]);
    });

    it.each([
      [{ maxDimensionNames: 128, maxMeasureNames: 8192 }, []],
      [{ maxDimensionNames: 64, reservedDimensionNames: 0, reservedMeasureNames: 0 }, []],
      [
        { maxDimensionNames: 129 },
        [
          {
            path: 'limits.maxDimensionNames',
            message: 'must be at most 128 (Timestream dimensions per table)',
          },
        ],
      ],
      [
        { maxMeasureNames: 8193 },
        [
          {
            path: 'limits.maxMeasureNames',
            message: 'must be at most 8192 (Timestream measure names per table)',
          },
        ],
      ],
      [
        { maxDimensionNames: 16 },
        [
          {
            path: 'limits.reservedDimensionNames',
            message:
              'must be less than limits.maxDimensionNames (16), or clients could add no label name',
          },
        ],
      ],
      [
        { reservedMeasureNames: 8192 },
        [
          {
            path: 'limits.reservedMeasureNames',
            message:
              'must be less than limits.maxMeasureNames (8192), or clients could add no metric name',
          },
        ],
      ],
      [
        { reservedDimensionNames: -1 },
        [
          {
            path: 'limits.reservedDimensionNames',
            message: 'must be between 0 and 9007199254740991, got -1',
          },
        ],
      ],
    ])('checks the name budgets %j', (limits, expected) => {
      // Act & Assess
      expect(issuesOf({ limits })).toEqual(expected);
    });

    it.each([
      [[{ action: 'labeldrop', regex: 'label_.*' }], []],
      [[{ source_labels: ['__name__'], regex: 'go_.*', action: 'drop' }], []],
      [
        { action: 'drop' },
        [{ path: 'write_relabel_configs', message: 'must be a list of relabel configs' }],
      ],
      [
        [{ action: 'labeldrop', regex: 'label_.*', target: 'x' }],
        [
          {
            path: 'write_relabel_configs[0].target',
            message:
              'unknown key (expected one of: source_labels, separator, target_label, regex, modulus, replacement, action)',
          },
        ],
      ],
    ])('validates write_relabel_configs %j with path-named issues', (raw, expected) => {
      // Act & Assess
      expect(issuesOf({ write_relabel_configs: raw })).toEqual(expected);
    });

    it('reports a bad write_relabel_configs action and regex with their paths', () => {
      // Act
      const paths = pathsOf({
        write_relabel_configs: [{ action: 'dropall' }, { action: 'labeldrop', regex: '(' }],
      });

      // Assess
      expect(paths).toEqual(['write_relabel_configs[0].action', 'write_relabel_configs[1].regex']);
    });

    it('accepts only CloudWatch Logs retention periods', () => {
      // Act & Assess
      expect(issuesOf({ logRetentionDays: 731 })).toEqual([]);
      expect(pathsOf({ logRetentionDays: 31 })).toEqual(['logRetentionDays']);
    });

    it('reports duplicate client names', () => {
      // Act
      const issues = issuesOf({ api: { clients: [{ name: 'a' }, { name: 'b' }, { name: 'a' }] } });

      // Assess
      expect(issues).toEqual([
        { path: 'api.clients[2].name', message: 'duplicate client name "a"' },
      ]);
    });

    it('reports a missing or invalid client name', () => {
      // Act & Assess
      expect(issuesOf({ api: { clients: [{ rateLimit: 5 }, { name: 'a b' }, 'x'] } })).toEqual([
        { path: 'api.clients[0].name', message: 'is required' },
        { path: 'api.clients[1].name', message: '"a b" is not valid (letters, digits, - and _)' },
        { path: 'api.clients[2]', message: 'must be a mapping with name, rateLimit, burstLimit' },
      ]);
    });

    it('reports bad mirror rules', () => {
      // Act
      const issues = issuesOf({
        cloudwatch: {
          mirror: [
            { metric: 'ok_metric', dimensions: ['model'] },
            { metric: '1bad', dimensions: [] },
            { metric: 'm', dimensions: ['__name__x', 'bad-name'] },
            { dimensions: [] },
            { metric: 'many', dimensions: Array.from({ length: 31 }, (_, i) => `d${i}`) },
            'up',
          ],
        },
      });

      // Assess
      expect(issues.map((i) => i.path)).toEqual([
        'cloudwatch.mirror[1].metric',
        'cloudwatch.mirror[2].dimensions',
        'cloudwatch.mirror[3].metric',
        'cloudwatch.mirror[4].dimensions',
        'cloudwatch.mirror[5]',
      ]);
      expect(issues[3]?.message).toBe('at most 30 dimensions (CloudWatch EMF limit)');
    });

    it('reports a mirror that is not a list', () => {
      // Act & Assess
      expect(issuesOf({ cloudwatch: { mirror: { metric: 'up' } } })).toEqual([
        { path: 'cloudwatch.mirror', message: 'must be a list' },
      ]);
    });

    it('reports every problem at once, not only the first', () => {
      // Act & Assess
      expect(
        issuesOf({ project: 'Bad_Name', logRetentionDays: 2, limits: { maxLabelNameBytes: 100 } }),
      ).toHaveLength(3);
    });

    it('refuses a namespace with a colon', () => {
      // Act & Assess
      expect(pathsOf({ cloudwatch: { namespace: 'a:b' } })).toEqual(['cloudwatch.namespace']);
    });
  });
});

describe('Function: validateConfig (store and amp)', () => {
  it('keeps a valid amp section beside the default store', () => {
    // Prepare
    const workspaceArn = 'arn:aws:aps:eu-west-1:123456789012:workspace/ws-0a1b2c3d-4e5f';

    // Act
    const { config, issues } = validateConfig({ amp: { workspaceArn, retentionDays: 1095 } });

    // Assess
    expect(issues).toEqual([]);
    expect(config.store).toBe('timestream');
    expect(config.amp).toEqual({ workspaceArn, retentionDays: 1095 });
  });

  it('reports an unknown store, an out-of-range retention, a malformed ARN and unknown keys by path', () => {
    // Act
    const issues = issuesOf({
      store: 'influxdb',
      amp: { workspaceArn: 'ws-123', retentionDays: 1096, alias: 'x' },
    });

    // Assess
    expect(issues).toEqual([
      { path: 'store', message: 'must be one of timestream, amp, got "influxdb"' },
      expect.objectContaining({ path: 'amp.alias' }),
      { path: 'amp.retentionDays', message: 'must be between 1 and 1095, got 1096' },
      {
        path: 'amp.workspaceArn',
        message:
          'must be a workspace ARN (arn:aws:aps:<region>:<account>:workspace/<id>), got "ws-123"',
      },
    ]);
  });

  it('accepts store: amp without a workspace ARN (the stack creates one)', () => {
    // Act
    const { config, issues } = validateConfig({ store: 'amp', amp: { retentionDays: 30 } });

    // Assess
    expect(issues).toEqual([]);
    expect(config.store).toBe('amp');
    expect(config.amp).toEqual({ retentionDays: 30 });
    expect(config.maxSampleAgeMs).toBe(30 * 86_400_000);
  });
});

describe('Function: validateConfig (amp.endpoint and amp.region for local mode)', () => {
  it('keeps a workspace URL and a region', () => {
    // Act
    const { config, issues } = validateConfig({
      store: 'amp',
      amp: {
        endpoint: 'https://aps-workspaces.eu-west-1.amazonaws.com/workspaces/ws-1',
        region: 'eu-west-1',
      },
    });

    // Assess
    expect(issues).toEqual([]);
    expect(config.amp).toEqual({
      retentionDays: 150,
      endpoint: 'https://aps-workspaces.eu-west-1.amazonaws.com/workspaces/ws-1',
      region: 'eu-west-1',
    });
  });

  it('reports an endpoint that is not an http(s) URL and a malformed region by path', () => {
    // Act
    const issues = issuesOf({ amp: { endpoint: 'aps-workspaces/ws-1', region: 'Ireland' } });

    // Assess
    expect(issues).toEqual([
      {
        path: 'amp.endpoint',
        message: '"aps-workspaces/ws-1" is not valid (an http(s) URL, the workspace URL)',
      },
      { path: 'amp.region', message: '"Ireland" is not valid (an AWS region, e.g. eu-west-1)' },
    ]);
  });
});

describe('Function: validateConfig (per-series limits of the store)', () => {
  it("takes AMP's labels per series and label size with store: amp, Timestream's otherwise", () => {
    // Act
    const amp = validateConfig({ store: 'amp' }).config.limits;
    const timestream = validateConfig({}).config.limits;

    // Assess
    expect(amp).toMatchObject({
      maxLabelsPerSeries: 70,
      maxLabelNameBytes: 7168,
      maxLabelValueBytes: 7168,
      maxMetricNameBytes: 7168,
    });
    expect(timestream).toMatchObject({
      maxLabelsPerSeries: 64,
      maxLabelNameBytes: 60,
      maxLabelValueBytes: 2048,
      maxMetricNameBytes: 256,
    });
  });

  it("refuses per-series limits past AMP's quotas with store: amp, naming the quota", () => {
    // Act
    const issues = issuesOf({
      store: 'amp',
      limits: { maxLabelsPerSeries: 71, maxLabelValueBytes: 8000, maxLabelNameBytes: 100 },
    });

    // Assess
    expect(issues).toEqual([
      {
        path: 'limits.maxLabelsPerSeries',
        message: 'must be at most 70 with store: amp (AMP labels per series)',
      },
      {
        path: 'limits.maxLabelValueBytes',
        message: 'must be at most 7168 with store: amp (AMP label size)',
      },
    ]);
  });
});

describe('Function: ampEndpointOf', () => {
  it('derives the workspace URL and region from the ARN when no endpoint is given', () => {
    // Act
    const endpoint = ampEndpointOf(
      { workspaceArn: 'arn:aws:aps:us-east-2:123456789012:workspace/ws-abc' },
      'eu-west-1',
    );

    // Assess
    expect(endpoint).toEqual({
      url: 'https://aps-workspaces.us-east-2.amazonaws.com/workspaces/ws-abc',
      region: 'us-east-2',
    });
  });

  it("takes the region from amp.region, else the endpoint's host, else AWS_REGION", () => {
    // Act
    const explicit = ampEndpointOf(
      { endpoint: 'http://127.0.0.1:9090/workspaces/ws-1/', region: 'ap-south-1' },
      'eu-west-1',
    );
    const fromHost = ampEndpointOf(
      { endpoint: 'https://aps-workspaces.eu-central-1.amazonaws.com/workspaces/ws-1' },
      'eu-west-1',
    );
    const fromEnv = ampEndpointOf(
      { endpoint: 'http://127.0.0.1:9090/workspaces/ws-1' },
      'eu-west-1',
    );

    // Assess
    expect(explicit).toEqual({
      url: 'http://127.0.0.1:9090/workspaces/ws-1',
      region: 'ap-south-1',
    });
    expect(fromHost).toMatchObject({ region: 'eu-central-1' });
    expect(fromEnv).toMatchObject({ region: 'eu-west-1' });
  });

  it('names the missing key when neither a URL nor a region can be found', () => {
    // Act
    const noUrl = ampEndpointOf({}, 'eu-west-1');
    const noRegion = ampEndpointOf(
      { endpoint: 'http://127.0.0.1:9090/workspaces/ws-1' },
      undefined,
    );

    // Assess
    expect(noUrl).toEqual({ error: expect.objectContaining({ path: 'amp.endpoint' }) });
    expect(noRegion).toEqual({ error: expect.objectContaining({ path: 'amp.region' }) });
  });
});

describe('Function: workspaceIdOf', () => {
  it('reads the id of a workspace ARN and nothing else', () => {
    // Act & Assess
    expect(workspaceIdOf('arn:aws:aps:us-east-1:123456789012:workspace/ws-abc')).toBe('ws-abc');
    expect(workspaceIdOf('arn:aws:aps:us-east-1:123456789012:rulegroupsnamespace/ws-abc/x')).toBe(
      undefined,
    );
  });
});

describe('Config key: limits.maxSeriesPerMetricOverrides', () => {
  it('reads a limit per metric name', () => {
    // Act
    const { config, issues } = validateConfig({
      limits: { maxSeriesPerMetricOverrides: { http_request_duration_seconds_bucket: 100_000 } },
    });

    // Assess
    expect(issues).toEqual([]);
    expect(config.limits.maxSeriesPerMetricOverrides).toEqual({
      http_request_duration_seconds_bucket: 100_000,
    });
    expect(runtimeConfigOf(config).limits.maxSeriesPerMetricOverrides).toEqual({
      http_request_duration_seconds_bucket: 100_000,
    });
  });

  it('defaults to no overrides and 50,000 series per metric', () => {
    // Act
    const { config } = validateConfig({});

    // Assess
    expect(config.limits.maxSeriesPerMetricOverrides).toEqual({});
    expect(config.limits.maxSeriesPerMetric).toBe(50_000);
  });

  it('names each bad entry: not a metric name, not a positive integer, not a mapping', () => {
    // Act
    const bad = validateConfig({
      limits: { maxSeriesPerMetricOverrides: { 'http-requests': 5, loss: 0, acc: 'many' } },
    });
    const notMapping = validateConfig({ limits: { maxSeriesPerMetricOverrides: [1] } });

    // Assess
    expect(bad.issues).toEqual([
      {
        path: 'limits.maxSeriesPerMetricOverrides.http-requests',
        message:
          'is not a metric name ([a-zA-Z_:][a-zA-Z0-9_:]*): name the metric as stored, e.g. http_request_duration_seconds_bucket',
      },
      {
        path: 'limits.maxSeriesPerMetricOverrides.loss',
        message: 'must be between 1 and 9007199254740991, got 0',
      },
      {
        path: 'limits.maxSeriesPerMetricOverrides.acc',
        message: 'must be an integer, got "many"',
      },
    ]);
    expect(notMapping.issues).toEqual([
      { path: 'limits.maxSeriesPerMetricOverrides', message: 'must be a mapping' },
    ]);
  });
});

describe('Function: runtimeConfigOf', () => {
  it('keeps only what functions need at run time', () => {
    // Prepare
    const { config } = validateConfig({ limits: { maxSeriesPerMetric: 7 } });

    // Act
    const runtime = runtimeConfigOf(config);

    // Assess
    expect(Object.keys(runtime).sort()).toEqual([
      'cloudwatch',
      'limits',
      'maxSampleAgeMs',
      'otlp',
      'pushgateway',
      'writeRelabelConfigs',
    ]);
    expect(runtime.limits.maxSeriesPerMetric).toBe(7);
  });

  it('carries write_relabel_configs with their defaults filled in', () => {
    // Prepare
    const { config } = validateConfig({
      write_relabel_configs: [{ action: 'labeldrop', regex: 'label_.*' }],
    });

    // Act
    const runtime = runtimeConfigOf(config);

    // Assess
    expect(runtime.writeRelabelConfigs).toEqual([
      {
        sourceLabels: [],
        separator: ';',
        targetLabel: '',
        regex: 'label_.*',
        modulus: 0,
        replacement: '$1',
        action: 'labeldrop',
      },
    ]);
  });
});

describe('Class: ConfigError', () => {
  it('lists every issue on a line of its own, with its path and its place in the file', () => {
    // Act
    const e = new ConfigError('vigil.config.yaml', [
      { path: 'a', message: 'x' },
      { path: 'b.c', message: 'y', line: 12, column: 3 },
    ]);

    // Assess
    expect(e.name).toBe('ConfigError');
    expect(e.message).toBe('vigil.config.yaml: a: x\nvigil.config.yaml:12:3 b.c: y');
  });
});

describe('Section: otlp', () => {
  it('promotes the listed resource attributes, trimmed', () => {
    // Act
    const { config, issues } = validateConfig({
      otlp: {
        promote_resource_attributes: [' deployment.environment', 'k8s.cluster.name'],
        keep_identifying_resource_attributes: true,
      },
    });

    // Assess
    expect(issues).toEqual([]);
    expect(config.otlp).toEqual({
      promoteResourceAttributes: ['deployment.environment', 'k8s.cluster.name'],
      keepIdentifyingResourceAttributes: true,
    });
  });

  it('names an empty or repeated attribute and an unknown key', () => {
    // Act
    const { issues } = validateConfig({
      otlp: { promote_resource_attributes: ['a', '', 'a'], translation_strategy: 'NoTranslation' },
    });

    // Assess
    expect(issues.map((i) => `${i.path}: ${i.message}`)).toEqual([
      'otlp.translation_strategy: unknown key (expected one of: promote_resource_attributes, keep_identifying_resource_attributes)',
      'otlp.promote_resource_attributes[1]: must not be empty, got ""',
      'otlp.promote_resource_attributes[2]: "a" is listed twice',
    ]);
  });
});
