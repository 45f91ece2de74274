import { validateConfig } from '../../../../lambdas/domain/config/validate';
import {
  DEFAULT_DRIFT_CONFIG,
  validateDriftConfig,
} from '../../../../lambdas/domain/drift/drift-config';

const EVENTS_MONITOR = {
  name: 'faces',
  source: {
    events: { model: 'face-attributes', model_version: 'v3', fields: ['confidence', 'beard'] },
  },
  reference: { window: '7d', offset: '7d' },
  schedule: { every: '1h' },
};

describe('drift config', () => {
  it('defaults to no monitors, minSampleSize 30 and driftShare 0.5', () => {
    // Act
    const { config, issues } = validateDriftConfig(undefined);

    // Assess
    expect(issues).toEqual([]);
    expect(config).toEqual({ minSampleSize: 30, driftShare: 0.5, monitors: [] });
    expect(validateConfig({}).config.drift).toBe(DEFAULT_DRIFT_CONFIG);
  });

  it('reads an events monitor with a rolling reference, durations in ms, method auto', () => {
    // Act
    const { config, issues } = validateDriftConfig({
      minSampleSize: 50,
      driftShare: 0.3,
      monitors: [EVENTS_MONITOR],
    });

    // Assess
    expect(issues).toEqual([]);
    expect(config.minSampleSize).toBe(50);
    expect(config.driftShare).toBe(0.3);
    expect(config.monitors).toEqual([
      {
        name: 'faces',
        source: {
          kind: 'events',
          model: 'face-attributes',
          modelVersion: 'v3',
          fields: ['confidence', 'beard'],
        },
        method: 'auto',
        reference: { kind: 'window', windowMs: 7 * 86_400_000, offsetMs: 7 * 86_400_000 },
        schedule: { everyMs: 3_600_000, windowMs: 3_600_000 },
      },
    ]);
  });

  it('reads a histogram monitor with matchers, a fixed range and psi by default', () => {
    // Act
    const { config, issues } = validateDriftConfig({
      monitors: [
        {
          name: 'latency',
          source: {
            histogram: { metric: 'model_inference_latency_seconds', matchers: '{job="inference"}' },
          },
          threshold: 0.2,
          reference: { start: '2026-11-01T00:00:00Z', end: '2026-11-08T00:00:00+01:00' },
          schedule: { every: '15m', window: '1h' },
        },
      ],
    });

    // Assess
    expect(issues).toEqual([]);
    expect(config.monitors[0]).toEqual({
      name: 'latency',
      source: {
        kind: 'histogram',
        metric: 'model_inference_latency_seconds',
        selector: '{job="inference"}',
        matchers: [{ name: 'job', op: '=', value: 'inference' }],
      },
      method: 'psi',
      threshold: 0.2,
      reference: {
        kind: 'range',
        startMs: Date.parse('2026-11-01T00:00:00Z'),
        endMs: Date.parse('2026-11-07T23:00:00Z'),
      },
      schedule: { everyMs: 900_000, windowMs: 3_600_000 },
    });
  });

  it('keeps a baseline path as written (the loader resolves it against the config file)', () => {
    // Act
    const { config, issues } = validateDriftConfig({
      monitors: [{ ...EVENTS_MONITOR, reference: { baseline: 'baselines/faces.csv' } }],
    });

    // Assess
    expect(issues).toEqual([]);
    expect(config.monitors[0]?.reference).toEqual({
      kind: 'baseline',
      path: 'baselines/faces.csv',
    });
  });

  it('reports every problem with its path', () => {
    // Act
    const { issues } = validateConfig({
      drift: {
        minSampleSize: 0,
        driftShare: 2,
        colour: 'red',
        monitors: [
          { ...EVENTS_MONITOR, name: 'bad name', method: 'ttest' },
          {
            name: 'h',
            source: { histogram: { metric: 'lat_bucket' } },
            reference: { window: 'soon' },
            schedule: { every: '30s' },
          },
          {
            name: 'h2',
            source: { histogram: { metric: 'lat', matchers: 'job="x"' } },
            method: 'ks',
            reference: { baseline: 'ref.csv' },
            schedule: { every: '1h' },
          },
          { ...EVENTS_MONITOR, source: { events: { fields: [] }, histogram: {} } },
          { ...EVENTS_MONITOR, reference: { start: 'yesterday', end: '2026-11-01T00:00:00Z' } },
          EVENTS_MONITOR,
          EVENTS_MONITOR,
        ],
      },
    });

    // Assess
    expect(issues).toEqual([
      {
        path: 'drift.colour',
        message: 'unknown key (expected one of: minSampleSize, driftShare, monitors)',
      },
      { path: 'drift.minSampleSize', message: 'must be a positive integer, got 0' },
      { path: 'drift.driftShare', message: 'must be a number in (0, 1], got 2' },
      { path: 'drift.monitors[0].name', message: 'must be 1-64 letters, digits, - or _' },
      {
        path: 'drift.monitors[0].method',
        message: 'must be one of auto, ks, wasserstein, psi, jensenshannon, chisquare, z',
      },
      {
        path: 'drift.monitors[1].source.histogram.metric',
        message: 'give the base name: lat',
      },
      {
        path: 'drift.monitors[1].reference.window',
        message: 'must be a positive Prometheus duration like 1h or 7d, got "soon"',
      },
      {
        path: 'drift.monitors[1].schedule.every',
        message: 'must be a whole number of minutes, at least 1m (EventBridge rate)',
      },
      {
        path: 'drift.monitors[2].source.histogram.matchers',
        message: 'must be a selector in braces like {job="inference"}, got "job=\\"x\\""',
      },
      {
        path: 'drift.monitors[3].source',
        message: 'must be a mapping with exactly one of: events, histogram',
      },
      {
        path: 'drift.monitors[4].reference.start',
        message: 'must be an RFC 3339 time like 2026-11-01T00:00:00Z, got "yesterday"',
      },
      { path: 'drift.monitors[6].name', message: 'duplicate monitor name "faces"' },
    ]);
  });

  it('refuses non-binned methods and baselines for histogram sources', () => {
    // Act
    const { issues } = validateDriftConfig({
      monitors: [
        {
          name: 'lat',
          source: { histogram: { metric: 'lat' } },
          method: 'ks',
          reference: { baseline: 'ref.csv' },
          schedule: { every: '1h' },
        },
      ],
    });

    // Assess
    expect(issues).toEqual([
      {
        path: 'drift.monitors[0].method',
        message:
          'a histogram source compares bucket counts: use one of psi, jensenshannon, chisquare',
      },
      {
        path: 'drift.monitors[0].reference.baseline',
        message: 'baseline files are for events sources only',
      },
    ]);
  });

  it('refuses an events source without model or fields, and a fixed range ending before it starts', () => {
    // Act
    const { issues } = validateDriftConfig({
      monitors: [
        {
          name: 'm',
          source: { events: { fields: ['a', 'a'] } },
          reference: { start: '2026-11-02T00:00:00Z', end: '2026-11-01T00:00:00Z' },
          schedule: { every: '1h', window: '0s' },
        },
      ],
    });

    // Assess
    expect(issues).toEqual([
      { path: 'drift.monitors[0].source.events.model', message: 'is required' },
      { path: 'drift.monitors[0].source.events.fields', message: 'duplicate field "a"' },
      { path: 'drift.monitors[0].reference.end', message: 'must be after start' },
      {
        path: 'drift.monitors[0].schedule.window',
        message: 'must be a positive Prometheus duration like 1h or 7d, got "0s"',
      },
    ]);
  });

  const BASE = {
    name: 'm',
    source: { events: { model: 'faces', fields: ['a'] } },
    reference: { window: '1h' },
    schedule: { every: '1h' },
  };
  it.each([
    ['a non-mapping drift section', 'nope', 'drift', 'must be a mapping'],
    ['monitors that are not a list', { monitors: {} }, 'drift.monitors', 'must be a list'],
    [
      'a monitor that is not a mapping',
      { monitors: ['m'] },
      'drift.monitors[0]',
      'must be a mapping with name, source, reference, schedule',
    ],
    [
      'an empty service',
      { monitors: [{ ...BASE, source: { events: { model: 'f', service: '', fields: ['a'] } } }] },
      'drift.monitors[0].source.events.service',
      'must be a non-empty string',
    ],
    [
      'empty fields',
      { monitors: [{ ...BASE, source: { events: { model: 'f', fields: [] } } }] },
      'drift.monitors[0].source.events.fields',
      'must be a non-empty list of prediction-event measure names',
    ],
    [
      'a source body that is not a mapping',
      { monitors: [{ ...BASE, source: { events: 'x' } }] },
      'drift.monitors[0].source.events',
      'must be a mapping',
    ],
    [
      'an invalid metric name',
      { monitors: [{ ...BASE, source: { histogram: { metric: '1x' } } }] },
      'drift.monitors[0].source.histogram.metric',
      'must be the base name of a Prometheus histogram (without _bucket)',
    ],
    [
      'matchers that are not a string',
      { monitors: [{ ...BASE, source: { histogram: { metric: 'x', matchers: 3 } } }] },
      'drift.monitors[0].source.histogram.matchers',
      'must be a selector string like {job="inference"}',
    ],
    [
      'matchers on le',
      { monitors: [{ ...BASE, source: { histogram: { metric: 'x', matchers: '{le="1"}' } } }] },
      'drift.monitors[0].source.histogram.matchers',
      'invalid selector "{le=\\"1\\"}": may not match le',
    ],
    [
      'a reference that is not a mapping',
      { monitors: [{ ...BASE, reference: '7d' }] },
      'drift.monitors[0].reference',
      'must be {window, offset}, {start, end} or {baseline}',
    ],
    [
      'a reference with only an offset',
      { monitors: [{ ...BASE, reference: { offset: '7d' } }] },
      'drift.monitors[0].reference',
      'must be {window, offset}, {start, end} or {baseline}',
    ],
    [
      'a baseline that is not a CSV path',
      { monitors: [{ ...BASE, reference: { baseline: 'ref.parquet' } }] },
      'drift.monitors[0].reference.baseline',
      'must be the path of a CSV file, relative to the config file',
    ],
    [
      'a schedule that is not a mapping',
      { monitors: [{ ...BASE, schedule: '1h' }] },
      'drift.monitors[0].schedule',
      'must be a mapping with every (and window)',
    ],
    [
      'a negative threshold',
      { monitors: [{ ...BASE, threshold: -1 }] },
      'drift.monitors[0].threshold',
      'must be a positive number, got -1',
    ],
  ])('refuses %s', (_what, raw, path, message) => {
    // Act
    const { issues } = validateDriftConfig(raw);

    // Assess
    expect(issues).toContainEqual({ path, message });
  });

  it('reads an unquoted YAML timestamp (a Date) as the instant it names', () => {
    // Act
    const { config, issues } = validateDriftConfig({
      monitors: [
        {
          ...BASE,
          reference: { start: new Date('2026-11-01T00:00:00Z'), end: '2026-11-02T00:00:00Z' },
        },
      ],
    });

    // Assess
    expect(issues).toEqual([]);
    expect(config.monitors[0]?.reference).toMatchObject({
      startMs: Date.parse('2026-11-01T00:00:00Z'),
    });
  });
});
