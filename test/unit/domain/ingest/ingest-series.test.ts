import { DEFAULT_LIMITS } from '../../../../lambdas/domain/config/defaults';
import type { RuntimeConfig } from '../../../../lambdas/domain/config/types';
import { PayloadTooLargeError } from '../../../../lambdas/domain/errors';
import { ingestSeries } from '../../../../lambdas/domain/ingest/ingest-series';
import type {
  CardinalityTracker,
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
          'metric acc already has 2 series (limits.maxSeriesPerMetric); new series acc{model="c"} refused',
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
});
