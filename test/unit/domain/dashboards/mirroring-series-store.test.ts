import { MemorySeriesStore } from '../../../../lambdas/adapters/storage/memory-series-store';
import { MirroringSeriesStore } from '../../../../lambdas/domain/dashboards/mirroring-series-store';
import type {
  MetricsMirror,
  MirroredSeries,
  SeriesStore,
  WriteResult,
} from '../../../../lambdas/domain/ports';
import type { Series } from '../../../../lambdas/domain/series/sample';

class RecordingMirror implements MetricsMirror {
  readonly calls: MirroredSeries[][] = [];
  async mirror(series: readonly MirroredSeries[]): Promise<void> {
    this.calls.push([...series]);
  }
}

const recorded: Series = {
  labels: { __name__: 'vigil_dashboard:http_requests:rate5m', job: 'api' },
  samples: [
    { t: 60_000, v: 2 },
    { t: 120_000, v: 3 },
  ],
};

describe('Class: MirroringSeriesStore', () => {
  it('stores, then mirrors what was written, and reads through the inner store', async () => {
    // Prepare
    const inner = new MemorySeriesStore();
    const mirror = new RecordingMirror();
    const store = new MirroringSeriesStore({ inner, mirror });

    // Act
    const result = await store.write([recorded]);
    const read = await store.select(
      [{ name: '__name__', op: '=', value: 'vigil_dashboard:http_requests:rate5m' }],
      { startMs: 0, endMs: 200_000 },
    );

    // Assess
    expect(result).toEqual({ accepted: 2, rejected: [] });
    expect(mirror.calls).toEqual([[recorded]]);
    expect(read).toEqual([recorded]);
    expect(await store.labelNames([], { startMs: 0, endMs: 200_000 })).toEqual(['__name__', 'job']);
    expect(await store.labelValues('job', [], { startMs: 0, endMs: 200_000 })).toEqual(['api']);
    expect(await store.series([[]], { startMs: 0, endMs: 200_000 })).toEqual([recorded.labels]);
  });

  it('does not mirror samples the store rejected', async () => {
    // Prepare
    const first = recorded.samples[0] as Series['samples'][number];
    const inner = {
      write: async (): Promise<WriteResult> => ({
        accepted: 1,
        rejected: [{ labels: recorded.labels, sample: { ...first }, reason: 'too old' }],
      }),
    } as unknown as SeriesStore;
    const mirror = new RecordingMirror();

    // Act
    await new MirroringSeriesStore({ inner, mirror }).write([recorded]);

    // Assess
    expect(mirror.calls).toEqual([[{ labels: recorded.labels, samples: [{ t: 120_000, v: 3 }] }]]);
  });

  it('mirrors nothing when the write fails', async () => {
    // Prepare
    const inner = {
      write: async () => {
        throw new Error('throttled');
      },
    } as unknown as SeriesStore;
    const mirror = new RecordingMirror();

    // Act
    const write = new MirroringSeriesStore({ inner, mirror }).write([recorded]);

    // Assess
    await expect(write).rejects.toThrow('throttled');
    expect(mirror.calls).toEqual([]);
  });
});
