import { DEFAULT_LIMITS } from '../../../../lambdas/domain/config/defaults';
import type { RuntimeConfig } from '../../../../lambdas/domain/config/types';
import { PayloadTooLargeError } from '../../../../lambdas/domain/errors';
import { ingestSeries } from '../../../../lambdas/domain/ingest/ingest-series';
import { admitNamesInMemory } from '../../../../lambdas/domain/ingest/name-budget';
import { validateRelabelConfigs } from '../../../../lambdas/domain/scrape/relabel-schema';
import type {
  CardinalityTracker,
  NameBudget,
  NameRefusal,
  SeriesNames,
  SeriesStore,
  WriteResult,
} from '../../../../lambdas/domain/ports';
import { seriesKey } from '../../../../lambdas/domain/series/labels';
import type { Series } from '../../../../lambdas/domain/series/sample';
import { InMemorySeriesStore } from '../../../helpers/in-memory-series-store';
import { RecordingMetricsMirror } from '../../../helpers/recording-metrics-mirror';

const NOW = 1_764_086_400_000;
const config: RuntimeConfig = {
  limits: { ...DEFAULT_LIMITS, maxSamplesPerRequest: 5, maxSeriesPerMetric: 2 },
  cloudwatch: { namespace: 'Vigil', mirror: [] },
  pushgateway: { scrapeIntervalSeconds: 15 },
  maxSampleAgeMs: 86_400_000,
};
const range = { startMs: NOW - 3_600_000, endMs: NOW };
/** One series with one sample at NOW. */
const one = (labels: Record<string, string>, v = 1) => ({ labels, samples: [{ t: NOW, v }] });

/** Refuses new series past the limit, counting per metric (like the real trackers). */
class CountingCardinalityTracker implements CardinalityTracker {
  readonly known = new Map<string, Set<string>>();
  async admit(
    series: readonly { metric: string; key: string }[],
    limit: number,
  ): Promise<ReadonlySet<string>> {
    const refused = new Set<string>();
    for (const { metric, key } of series) {
      const set = this.known.get(metric) ?? new Set<string>();
      if (!set.has(key) && set.size >= limit) refused.add(key);
      else set.add(key);
      this.known.set(metric, set);
    }
    return refused;
  }

  readonly dimensions = new Set<string>();
  readonly measures = new Set<string>();
  async admitNames(
    series: readonly SeriesNames[],
    budget: NameBudget,
  ): Promise<ReadonlyMap<number, NameRefusal>> {
    return admitNamesInMemory(this, series, budget);
  }
}

/** A store that refuses samples with a negative value, as Timestream rejects records. */
class PickyStore extends InMemorySeriesStore {
  override async write(series: readonly Series[]): Promise<WriteResult> {
    const ok = series
      .map((s) => ({ ...s, samples: s.samples.filter((x) => x.v >= 0) }))
      .filter((s) => s.samples.length > 0);
    const rejected = series.flatMap((s) =>
      s.samples
        .filter((x) => x.v < 0)
        .map((sample) => ({ labels: s.labels, sample, reason: 'negative' })),
    );
    const written = await super.write(ok);
    return { accepted: written.accepted, rejected };
  }
}

const makePorts = (store: SeriesStore = new InMemorySeriesStore()) => ({
  store,
  cardinality: new CountingCardinalityTracker(),
  mirror: new RecordingMetricsMirror(),
});

describe('Function: ingestSeries', () => {
  it('stores valid samples and mirrors them after the write', async () => {
    // Prepare
    const ports = makePorts();

    // Act
    const result = await ingestSeries(
      [{ labels: { __name__: 'loss', job: 'train' }, samples: [{ t: NOW, v: 0.5 }] }],
      ports,
      config,
      NOW,
    );

    // Assess
    expect(result).toEqual({ accepted: 1, rejected: [] });
    expect(await ports.store.select([], range)).toEqual([
      { labels: { __name__: 'loss', job: 'train' }, samples: [{ t: NOW, v: 0.5 }] },
    ]);
    expect(ports.mirror.calls).toEqual([
      [{ labels: { __name__: 'loss', job: 'train' }, samples: [{ t: NOW, v: 0.5 }] }],
    ]);
  });

  it('throws PayloadTooLargeError past maxSamplesPerRequest, storing nothing', async () => {
    // Prepare
    const ports = makePorts();
    const samples = Array.from({ length: 6 }, (_, i) => ({ t: NOW - i, v: i }));

    // Act & Assess
    await expect(
      ingestSeries([{ labels: { __name__: 'x' }, samples }], ports, config, NOW),
    ).rejects.toThrow(
      new PayloadTooLargeError('request holds 6 samples, more than the limit of 5 per request'),
    );
    expect(await ports.store.select([], range)).toEqual([]);
  });

  it('refuses new series past maxSeriesPerMetric with a reason, still storing known ones', async () => {
    // Prepare
    const ports = makePorts();
    const s = (model: string, v: number) => ({
      labels: { __name__: 'acc', model },
      samples: [{ t: NOW, v }],
    });

    // Act
    const result = await ingestSeries([s('a', 1), s('b', 2), s('c', 3)], ports, config, NOW);

    // Assess
    expect(result.accepted).toBe(2);
    expect(result.rejected).toEqual([
      {
        labels: { __name__: 'acc', model: 'c' },
        sample: { t: NOW, v: 3 },
        reason:
          'metric acc already has 2 series, its limit (limits.maxSeriesPerMetric); new series acc{model="c"} refused. To admit more, raise it for this metric in vigil.config.yaml: limits: { maxSeriesPerMetricOverrides: { acc: <series> } } (docs/cardinality.md says what a series costs)',
      },
    ]);
    expect((await ports.store.series([[]], range)).map(seriesKey).sort()).toEqual(
      [
        { __name__: 'acc', model: 'a' },
        { __name__: 'acc', model: 'b' },
      ]
        .map(seriesKey)
        .sort(),
    );
  });

  it('admits a metric up to its own limit from limits.maxSeriesPerMetricOverrides, naming that key when full', async () => {
    // Prepare
    const ports = makePorts();
    const limits = { ...config.limits, maxSeriesPerMetricOverrides: { acc: 3, loss: 1 } };
    const s = (name: string, model: string) => ({
      labels: { __name__: name, model },
      samples: [{ t: NOW, v: 1 }],
    });

    // Act
    const result = await ingestSeries(
      [s('acc', 'a'), s('acc', 'b'), s('acc', 'c'), s('acc', 'd'), s('loss', 'a'), s('loss', 'b')],
      ports,
      { ...config, limits: { ...limits, maxSamplesPerRequest: 10 } },
      NOW,
    );

    // Assess
    expect(result.accepted).toBe(4);
    expect(result.rejected.map((r) => r.reason)).toEqual([
      expect.stringMatching(
        /^metric acc already has 3 series, its limit \(limits\.maxSeriesPerMetricOverrides\.acc\); new series acc\{model="d"\} refused/,
      ),
      expect.stringMatching(
        /^metric loss already has 1 series, its limit \(limits\.maxSeriesPerMetricOverrides\.loss\)/,
      ),
    ]);
  });

  it('admits by default a request-latency histogram of 64 instances (38,400 bucket series)', async () => {
    // Prepare
    const ports = makePorts();
    const series = [];
    for (let instance = 0; instance < 64; instance++)
      for (const method of ['GET', 'POST'])
        for (const path of ['/a', '/b', '/c', '/d', '/e'])
          for (const status of ['200', '400', '500'])
            for (const version of ['v1', 'v2'])
              for (let le = 0; le < 10; le++)
                series.push({
                  labels: {
                    __name__: 'http_request_duration_seconds_bucket',
                    instance: `i-${instance}`,
                    method,
                    path,
                    status,
                    version,
                    le: String(le),
                  },
                  samples: [{ t: NOW, v: 1 }],
                });

    // Act
    const result = await ingestSeries(
      series,
      ports,
      { ...config, limits: { ...DEFAULT_LIMITS, maxSamplesPerRequest: 100_000 } },
      NOW,
    );

    // Assess
    expect(result).toEqual({ accepted: 38_400, rejected: [] });
  });

  it('does not call the store or the mirror when every sample is invalid', async () => {
    // Prepare
    const ports = makePorts();

    // Act
    const result = await ingestSeries(
      [{ labels: { __name__: '9bad' }, samples: [{ t: NOW, v: 1 }] }],
      ports,
      config,
      NOW,
    );

    // Assess
    expect(result.accepted).toBe(0);
    expect(result.rejected[0]?.reason).toMatch(/^invalid metric name "9bad"/);
    expect(ports.mirror.calls).toEqual([]);
  });

  it('mirrors only samples the store actually wrote', async () => {
    // Prepare
    const ports = makePorts(new PickyStore());

    // Act
    const result = await ingestSeries(
      [
        {
          labels: { __name__: 'temp', room: 'a' },
          samples: [
            { t: NOW - 1, v: 1 },
            { t: NOW, v: -1 },
          ],
        },
        { labels: { __name__: 'temp', room: 'b' }, samples: [{ t: NOW, v: -2 }] },
      ],
      ports,
      config,
      NOW,
    );

    // Assess
    expect(result.accepted).toBe(1);
    expect(result.rejected.map((r) => r.reason)).toEqual(['negative', 'negative']);
    expect(ports.mirror.calls).toEqual([
      [{ labels: { __name__: 'temp', room: 'a' }, samples: [{ t: NOW - 1, v: 1 }] }],
    ]);
  });

  describe('label and metric name budgets', () => {
    // Client budgets: 3 label names (4 minus 1 reserved), 2 metric names (3 minus 1 reserved).
    const small: RuntimeConfig = {
      ...config,
      limits: {
        ...DEFAULT_LIMITS,
        maxDimensionNames: 4,
        reservedDimensionNames: 1,
        maxMeasureNames: 3,
        reservedMeasureNames: 1,
      },
    };

    it('refuses a series bringing a new label name past the client budget, naming the label and the limits', async () => {
      // Prepare
      const ports = makePorts();
      await ingestSeries(
        [one({ __name__: 'up', job: 'a', instance: 'i', pod: 'p' })],
        ports,
        small,
        NOW,
      );

      // Act
      const result = await ingestSeries(
        [
          one({ __name__: 'up', job: 'b' }, 2),
          one({ __name__: 'kube_pod_labels', pod: 'p', label_team: 'ml', label_tier: 'gpu' }, 3),
        ],
        ports,
        small,
        NOW,
      );

      // Assess
      expect(result.accepted).toBe(1);
      expect(result.rejected).toEqual([
        {
          labels: { __name__: 'kube_pod_labels', label_team: 'ml', label_tier: 'gpu', pod: 'p' },
          sample: { t: NOW, v: 3 },
          reason:
            'label names "label_team", "label_tier" are new and the samples table has no room for them (Timestream dimension names): at most 3 (limits.maxDimensionNames 4 minus limits.reservedDimensionNames 1 kept for Vigil\'s own series); remove labels with write_relabel_configs (action: labeldrop) in series kube_pod_labels{label_team="ml", label_tier="gpu", pod="p"}',
        },
      ]);
      expect([...ports.cardinality.dimensions].sort()).toEqual(['instance', 'job', 'pod']);
    });

    it('refuses a series with a new metric name past the client budget, without spending label names on it', async () => {
      // Prepare
      const ports = makePorts();
      await ingestSeries([one({ __name__: 'a' }), one({ __name__: 'b' })], ports, small, NOW);

      // Act
      const result = await ingestSeries([one({ __name__: 'c', job: 'x' }, 5)], ports, small, NOW);

      // Assess
      expect(result).toEqual({
        accepted: 0,
        rejected: [
          {
            labels: { __name__: 'c', job: 'x' },
            sample: { t: NOW, v: 5 },
            reason:
              'metric name "c" is new and the samples table has no room for another metric name (Timestream measure name): at most 2 (limits.maxMeasureNames 3 minus limits.reservedMeasureNames 1 kept for Vigil\'s own series); drop metrics with write_relabel_configs (action: drop) in series c{job="x"}',
          },
        ],
      });
      expect(ports.cardinality.dimensions).toEqual(new Set());
      expect(await ports.store.select([], range)).toHaveLength(2);
    });

    it("lets Vigil's own series use the reserve, and no further", async () => {
      // Prepare
      const ports = makePorts();
      await ingestSeries([one({ __name__: 'a' }), one({ __name__: 'b' })], ports, small, NOW);

      // Act
      const own = await ingestSeries(
        [one({ __name__: 'vigil_log_events_total' })],
        ports,
        small,
        NOW,
        { origin: 'vigil' },
      );
      const past = await ingestSeries([one({ __name__: 'ALERTS' })], ports, small, NOW, {
        origin: 'vigil',
      });

      // Assess
      expect(own).toEqual({ accepted: 1, rejected: [] });
      expect(past.rejected[0]?.reason).toBe(
        'metric name "ALERTS" is new and the samples table has no room for another metric name (Timestream measure name): at most 3 (limits.maxMeasureNames); drop metrics with write_relabel_configs (action: drop) in series ALERTS{}',
      );
    });

    it("registers a series' new names all together or not at all, so a refused series spends nothing", async () => {
      // Prepare
      const ports = makePorts();
      await ingestSeries([one({ __name__: 'a', job: 'x' })], ports, small, NOW);

      // Act
      const result = await ingestSeries(
        [
          one({ __name__: 'a', p: '1', q: '1', r: '1' }, 2),
          one({ __name__: 'a', p: '1', q: '1' }, 3),
        ],
        ports,
        small,
        NOW,
      );

      // Assess
      expect(result.accepted).toBe(1);
      expect(result.rejected).toEqual([
        {
          labels: { __name__: 'a', p: '1', q: '1', r: '1' },
          sample: { t: NOW, v: 2 },
          reason:
            'label names "p", "q", "r" are new and the samples table has no room for them (Timestream dimension names): at most 3 (limits.maxDimensionNames 4 minus limits.reservedDimensionNames 1 kept for Vigil\'s own series); remove labels with write_relabel_configs (action: labeldrop) in series a{p="1", q="1", r="1"}',
        },
      ]);
      expect([...ports.cardinality.dimensions].sort()).toEqual(['job', 'p', 'q']);
    });

    it('keeps storing series whose names are known once the budget is full', async () => {
      // Prepare
      const ports = makePorts();
      await ingestSeries([one({ __name__: 'a', x: '1', y: '1', z: '1' })], ports, small, NOW);

      // Act
      const result = await ingestSeries(
        [one({ __name__: 'a', x: '2', z: '2' }, 2), one({ __name__: 'a', w: '1' }, 3)],
        ports,
        small,
        NOW,
      );

      // Assess
      expect(result.accepted).toBe(1);
      expect(result.rejected.map((r) => r.labels)).toEqual([{ __name__: 'a', w: '1' }]);
    });
  });

  describe('write_relabel_configs', () => {
    const relabelConfigs = (raw: unknown) => {
      const { configs, issues } = validateRelabelConfigs(raw, 'write_relabel_configs');
      expect(issues).toEqual([]);
      return configs;
    };

    it('accepts a label-heavy series past the 128 dimension limit once labeldrop removes the label_* labels', async () => {
      // Prepare: the table already holds 110 of the 112 label names clients may use, so the
      // series' 6 new label names cannot all fit; without label_* its 2 others can.
      const ports = makePorts();
      const filler: Record<string, string> = { __name__: 'filler' };
      for (let i = 0; i < 55; i++) filler[`l${i}`] = 'x';
      const filler2: Record<string, string> = { __name__: 'filler' };
      for (let i = 55; i < 110; i++) filler2[`l${i}`] = 'x';
      const defaults: RuntimeConfig = { ...config, limits: DEFAULT_LIMITS };
      await ingestSeries([one(filler), one(filler2)], ports, defaults, NOW);
      const kubeLabels: Record<string, string> = {
        __name__: 'kube_pod_labels',
        namespace: 'ml',
        pod: 'trainer-0',
      };
      for (const k of ['app', 'team', 'tier', 'version']) kubeLabels[`label_${k}`] = k;
      const series = [one(kubeLabels, 1)];
      const relabelled: RuntimeConfig = {
        ...defaults,
        writeRelabelConfigs: relabelConfigs([{ action: 'labeldrop', regex: 'label_.*' }]),
      };

      // Act
      const without = await ingestSeries(series, ports, defaults, NOW);
      const withRelabel = await ingestSeries(series, ports, relabelled, NOW);

      // Assess
      expect(without.accepted).toBe(0);
      expect(without.rejected[0]?.reason).toMatch(
        /^label names "label_app", "label_team", "label_tier", "label_version", "namespace", "pod" are new .* at most 112 \(limits\.maxDimensionNames 128 minus limits\.reservedDimensionNames 16/,
      );
      expect(withRelabel).toEqual({ accepted: 1, rejected: [] });
      expect(
        await ports.store.select([{ name: '__name__', op: '=', value: 'kube_pod_labels' }], range),
      ).toEqual([
        {
          labels: { __name__: 'kube_pod_labels', namespace: 'ml', pod: 'trainer-0' },
          samples: [{ t: NOW, v: 1 }],
        },
      ]);
      expect(ports.cardinality.dimensions.size).toBe(112);
    });

    it('drops whole metrics, counting their samples as dropped, not rejected', async () => {
      // Prepare
      const ports = makePorts();
      const relabelled: RuntimeConfig = {
        ...config,
        writeRelabelConfigs: relabelConfigs([
          { source_labels: ['__name__'], regex: 'go_.*', action: 'drop' },
        ]),
      };

      // Act
      const result = await ingestSeries(
        [
          {
            labels: { __name__: 'go_goroutines' },
            samples: [
              { t: NOW - 1, v: 7 },
              { t: NOW, v: 8 },
            ],
          },
          one({ __name__: 'loss' }, 0.5),
        ],
        ports,
        relabelled,
        NOW,
      );

      // Assess
      expect(result).toEqual({ accepted: 1, rejected: [], dropped: 2 });
      expect((await ports.store.series([[]], range)).map((l) => l.__name__)).toEqual(['loss']);
      expect(ports.cardinality.measures).toEqual(new Set(['loss']));
    });

    it('relabels before validation, so a rewritten label is validated and a duplicate name still rejected', async () => {
      // Prepare
      const ports = makePorts();
      const relabelled: RuntimeConfig = {
        ...config,
        writeRelabelConfigs: relabelConfigs([
          { source_labels: ['host'], target_label: 'instance' },
          { action: 'labeldrop', regex: 'host' },
        ]),
      };

      // Act
      const result = await ingestSeries(
        [
          one({ __name__: 'up', host: 'gpu-1' }),
          {
            labels: [
              ['__name__', 'up'],
              ['job', 'a'],
              ['job', 'b'],
            ],
            samples: [{ t: NOW, v: 0 }],
          },
        ],
        ports,
        relabelled,
        NOW,
      );

      // Assess
      expect(result.accepted).toBe(1);
      expect(result.rejected.map((r) => r.reason)).toEqual([
        'duplicate label name "job" in series up{job="b"}',
      ]);
      expect(await ports.store.series([[]], range)).toEqual([
        { __name__: 'up', instance: 'gpu-1' },
      ]);
    });
  });
});
