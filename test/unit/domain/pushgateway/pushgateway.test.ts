import { BadRequestError } from '../../../../lambdas/domain/errors';
import type { PushGroup, PushGroupStore } from '../../../../lambdas/domain/ports';
import {
  applyPush,
  applyPushFailure,
  type PushedSample,
  staleMarkersForDelete,
} from '../../../../lambdas/domain/pushgateway/apply-push';
import { parseGroupingKey } from '../../../../lambdas/domain/pushgateway/grouping-key';
import { PushAwareSeriesStore } from '../../../../lambdas/domain/pushgateway/push-aware-series-store';
import { type Labels, seriesKey } from '../../../../lambdas/domain/series/labels';
import { MatchOp } from '../../../../lambdas/domain/series/matchers';
import { isStaleNaN } from '../../../../lambdas/domain/series/sample';
import { InMemorySeriesStore } from '../../../helpers/in-memory-series-store';

const T0 = 1_764_086_400_000;

describe('Function: parseGroupingKey', () => {
  it.each([
    ['/metrics/job/train', { job: 'train' }],
    ['/metrics/job/train/', { job: 'train' }],
    ['/metrics/job/train/instance/gpu-1', { instance: 'gpu-1', job: 'train' }],
    [
      '/metrics/job/directory_cleaner/path@base64/L3Zhci90bXA',
      { job: 'directory_cleaner', path: '/var/tmp' },
    ],
    [
      '/metrics/job/titan/name@base64/zqDPgc6_zrzOt864zrXPjc-C',
      { job: 'titan', name: 'Προμηθεύς' },
    ],
    [
      '/metrics/job/titan/name/%CE%A0%CF%81%CE%BF%CE%BC%CE%B7%CE%B8%CE%B5%CF%8D%CF%82',
      { job: 'titan', name: 'Προμηθεύς' },
    ],
    ['/metrics/job@base64/YS9i', { job: 'a/b' }],
    ['/metrics/job@base64/YS9iYw==', { job: 'a/bc' }],
    [
      '/metrics/job/example/first_label@base64/=/second_label/foobar',
      { job: 'example', second_label: 'foobar' },
    ],
  ])('parses %s (Pushgateway README examples)', (path, expected) => {
    // Act & Assess
    expect(parseGroupingKey(path)).toEqual(expected);
  });

  it.each([
    ['/metrics/job/train/instance', /odd number of components/],
    ['/metrics/job@base64/=', /job name must not be empty/],
    ['/metrics/job/', /odd number of components/],
    ['/metrics/instance/x', /path must look like/],
    ['/metrics/job/a/__x/1', /invalid label name/],
    ['/metrics/job/a/b-c/1', /invalid label name/],
    ['/metrics/job/a/x/1/x/2', /duplicate label "x"/],
    ['/metrics/job/a/x@base64/a+b', /invalid base64/],
    ['/metrics/job/%E0%A4%A', /invalid percent-encoding in value of job/],
  ])('refuses %s', (path, message) => {
    // Act & Assess
    expect(() => parseGroupingKey(path)).toThrow(BadRequestError);
    expect(() => parseGroupingKey(path)).toThrow(message);
  });
});

const pushed = (name: string, labels: Labels, value: number, family = name): PushedSample => ({
  labels: { __name__: name, ...labels },
  value,
  family,
});
const metricValue = (group: PushGroup, name: string): number | undefined =>
  group.metrics.find((m) => m.labels.__name__ === name)?.value;

describe('Function: applyPush', () => {
  const key = { job: 'train', instance: 'gpu-1' };

  it('adds push_time_seconds and push_failure_time_seconds to a new group', () => {
    // Act
    const { group, samples } = applyPush('PUT', key, undefined, [pushed('loss', {}, 0.5)], T0);

    // Assess
    expect(group.metrics.map((m) => m.labels)).toEqual([
      { __name__: 'loss', instance: 'gpu-1', job: 'train' },
      { __name__: 'push_time_seconds', instance: 'gpu-1', job: 'train' },
      { __name__: 'push_failure_time_seconds', instance: 'gpu-1', job: 'train' },
    ]);
    expect(metricValue(group, 'push_time_seconds')).toBe(T0 / 1000);
    expect(metricValue(group, 'push_failure_time_seconds')).toBe(0);
    expect(samples.every((s) => s.samples[0]?.t === T0)).toBe(true);
  });

  it('lets grouping labels overwrite labels of the same name in the body', () => {
    // Act
    const { group } = applyPush(
      'PUT',
      key,
      undefined,
      [pushed('loss', { job: 'other', instance: 'x', phase: 'eval' }, 1)],
      T0,
    );

    // Assess
    expect(group.metrics[0]?.labels).toEqual({
      __name__: 'loss',
      instance: 'gpu-1',
      job: 'train',
      phase: 'eval',
    });
  });

  it('overrides a pushed push_time_seconds with its own', () => {
    // Act
    const { group } = applyPush('PUT', key, undefined, [pushed('push_time_seconds', {}, 1)], T0);

    // Assess
    expect(group.metrics.filter((m) => m.labels.__name__ === 'push_time_seconds')).toHaveLength(1);
    expect(metricValue(group, 'push_time_seconds')).toBe(T0 / 1000);
  });

  it('refuses samples with timestamps', () => {
    // Act & Assess
    expect(() =>
      applyPush('PUT', key, undefined, [{ ...pushed('loss', {}, 1), timestampMs: T0 }], T0),
    ).toThrow(/must not have timestamps \(metric loss\)/);
  });

  it('refuses the same series twice in one push', () => {
    // Act & Assess
    expect(() =>
      applyPush('PUT', key, undefined, [pushed('loss', {}, 1), pushed('loss', {}, 2)], T0),
    ).toThrow(BadRequestError);
  });

  it('PUT replaces the whole group and ends the series that left it with a stale marker', () => {
    // Prepare
    const first = applyPush(
      'PUT',
      key,
      undefined,
      [pushed('loss', {}, 1), pushed('acc', {}, 0.9)],
      T0,
    );

    // Act
    const second = applyPush('PUT', key, first.group, [pushed('loss', {}, 0.5)], T0 + 60_000);

    // Assess
    expect(second.group.metrics.map((m) => m.labels.__name__)).toEqual([
      'loss',
      'push_time_seconds',
      'push_failure_time_seconds',
    ]);
    const stale = second.samples.filter((s) => isStaleNaN(s.samples[0]?.v as number));
    expect(stale.map((s) => s.labels)).toEqual([
      { __name__: 'acc', instance: 'gpu-1', job: 'train' },
    ]);
    expect(stale[0]?.samples[0]?.t).toBe(T0 + 60_000);
  });

  it('PUT with an empty body empties the group but updates push_time_seconds', () => {
    // Prepare
    const first = applyPush('PUT', key, undefined, [pushed('loss', {}, 1)], T0);

    // Act
    const { group } = applyPush('PUT', key, first.group, [], T0 + 1000);

    // Assess
    expect(group.metrics.map((m) => m.labels.__name__)).toEqual([
      'push_time_seconds',
      'push_failure_time_seconds',
    ]);
    expect(metricValue(group, 'push_time_seconds')).toBe((T0 + 1000) / 1000);
  });

  it('POST replaces only same-named families, a histogram family as a whole', () => {
    // Prepare
    const first = applyPush(
      'PUT',
      key,
      undefined,
      [
        pushed('lat_bucket', { le: '0.1' }, 1, 'lat'),
        pushed('lat_bucket', { le: '+Inf' }, 2, 'lat'),
        pushed('lat_sum', {}, 0.3, 'lat'),
        pushed('lat_count', {}, 2, 'lat'),
        pushed('acc', {}, 0.9),
      ],
      T0,
    );

    // Act
    const second = applyPush(
      'POST',
      key,
      first.group,
      [pushed('lat_bucket', { le: '+Inf' }, 5, 'lat'), pushed('lat_count', {}, 5, 'lat')],
      T0 + 1000,
    );

    // Assess
    const names = second.group.metrics.map((m) => `${m.labels.__name__}${m.labels.le ?? ''}`);
    expect(names).toEqual([
      'acc',
      'lat_bucket+Inf',
      'lat_count',
      'push_time_seconds',
      'push_failure_time_seconds',
    ]);
    const stale = second.samples
      .filter((s) => isStaleNaN(s.samples[0]?.v as number))
      .map((s) => `${s.labels.__name__}${s.labels.le ?? ''}`);
    expect(stale.sort()).toEqual(['lat_bucket0.1', 'lat_sum']);
  });

  it('POST with an empty body keeps every metric and updates push_time_seconds', () => {
    // Prepare
    const first = applyPush('PUT', key, undefined, [pushed('acc', {}, 0.9)], T0);

    // Act
    const { group, samples } = applyPush('POST', key, first.group, [], T0 + 1000);

    // Assess
    expect(metricValue(group, 'acc')).toBe(0.9);
    expect(metricValue(group, 'push_time_seconds')).toBe((T0 + 1000) / 1000);
    expect(samples.some((s) => isStaleNaN(s.samples[0]?.v as number))).toBe(false);
  });
});

describe('Function: applyPushFailure', () => {
  it('sets push_failure_time_seconds and keeps the metrics', () => {
    // Prepare
    const { group } = applyPush('PUT', { job: 'a' }, undefined, [pushed('acc', {}, 0.9)], T0);

    // Act
    const failed = applyPushFailure(group, T0 + 5000);

    // Assess
    expect(failed.group.pushFailureTimeMs).toBe(T0 + 5000);
    expect(failed.group.pushTimeMs).toBe(T0);
    expect(metricValue(failed.group, 'push_failure_time_seconds')).toBe((T0 + 5000) / 1000);
    expect(metricValue(failed.group, 'push_time_seconds')).toBe(T0 / 1000);
    expect(metricValue(failed.group, 'acc')).toBe(0.9);
  });

  it('is remembered by the next successful push', () => {
    // Prepare
    const { group } = applyPush('PUT', { job: 'a' }, undefined, [], T0);
    const failed = applyPushFailure(group, T0 + 5000);

    // Act
    const next = applyPush('PUT', { job: 'a' }, failed.group, [], T0 + 9000);

    // Assess
    expect(metricValue(next.group, 'push_failure_time_seconds')).toBe((T0 + 5000) / 1000);
  });
});

describe('Function: staleMarkersForDelete', () => {
  it('ends every series of the group', () => {
    // Prepare
    const { group } = applyPush('PUT', { job: 'a' }, undefined, [pushed('acc', {}, 0.9)], T0);

    // Act
    const markers = staleMarkersForDelete(group, T0 + 1);

    // Assess
    expect(markers).toHaveLength(3);
    expect(
      markers.every((s) => isStaleNaN(s.samples[0]?.v as number) && s.samples[0]?.t === T0 + 1),
    ).toBe(true);
  });
});

class MapPushGroupStore implements PushGroupStore {
  readonly groups = new Map<string, PushGroup>();
  async get(key: Labels) {
    return this.groups.get(seriesKey(key));
  }
  async put(group: PushGroup) {
    this.groups.set(seriesKey(group.key), group);
  }
  async delete(key: Labels) {
    this.groups.delete(seriesKey(key));
  }
  async list() {
    return [...this.groups.values()];
  }
}

describe('Class: PushAwareSeriesStore', () => {
  const setup = async (nowMs: number) => {
    const inner = new InMemorySeriesStore();
    const groups = new MapPushGroupStore();
    const store = new PushAwareSeriesStore({
      inner,
      groups,
      scrapeIntervalMs: 15_000,
      clock: { now: () => nowMs },
    });
    const outcome = applyPush('PUT', { job: 'batch' }, undefined, [pushed('rows', {}, 42)], T0);
    await store.write(outcome.samples);
    await groups.put(outcome.group);
    return { store, groups, inner };
  };
  const rows = [{ name: '__name__', op: MatchOp.Equal, value: 'rows' }] as const;

  describe('Method: select', () => {
    it('shows the latest value at every scrape interval after the push, up to now', async () => {
      // Prepare
      const { store } = await setup(T0 + 50_000);

      // Act
      const out = await store.select(rows, { startMs: T0 - 60_000, endMs: T0 + 3_600_000 });

      // Assess
      expect(out).toEqual([
        {
          labels: { __name__: 'rows', job: 'batch' },
          samples: [0, 15_000, 30_000, 45_000].map((d) => ({ t: T0 + d, v: 42 })),
        },
      ]);
    });

    it('starts at the first interval inside the range', async () => {
      // Prepare
      const { store } = await setup(T0 + 100_000);

      // Act
      const [s] = await store.select(rows, { startMs: T0 + 31_000, endMs: T0 + 61_000 });

      // Assess
      expect(s?.samples.map((x) => x.t - T0)).toEqual([45_000, 60_000]);
    });

    it('keeps an earlier pushed value visible until the next push, as scrapes would', async () => {
      // Prepare: pushes 20 minutes apart, longer than the 5 minute lookback
      const { store, groups } = await setup(T0 + 21 * 60_000);
      const previous = await groups.get({ job: 'batch' });
      const T1 = T0 + 20 * 60_000;
      const second = applyPush('PUT', { job: 'batch' }, previous, [pushed('rows', {}, 7)], T1);
      await store.write(second.samples);
      await groups.put(second.group);

      // Act
      const [s] = await store.select(rows, { startMs: T0 + 10 * 60_000, endMs: T1 + 30_000 });

      // Assess: value 42 every 15 s through the gap, then 7 from the second push on
      const at = (t: number) => s?.samples.find((x) => x.t === t)?.v;
      expect(s?.samples).toHaveLength(40 + 3);
      expect(at(T0 + 10 * 60_000)).toBe(42);
      expect(at(T1 - 15_000)).toBe(42);
      expect(at(T1)).toBe(7);
      expect(at(T1 + 30_000)).toBe(7);
    });

    it('stops showing a group once it is deleted', async () => {
      // Prepare
      const { store, groups } = await setup(T0 + 100_000);
      const group = await groups.get({ job: 'batch' });
      await store.write(staleMarkersForDelete(group as PushGroup, T0 + 20_000));
      await groups.delete({ job: 'batch' });

      // Act
      const [s] = await store.select(rows, { startMs: T0, endMs: T0 + 100_000 });

      // Assess
      expect(s?.samples.map((x) => x.t - T0)).toEqual([0, 20_000]);
      expect(isStaleNaN(s?.samples[1]?.v as number)).toBe(true);
    });
  });

  describe('Method: series / labelNames / labelValues', () => {
    it('include pushed series', async () => {
      // Prepare
      const { store, inner } = await setup(T0 + 100_000);
      inner.clear();
      const window = { startMs: T0 + 60_000, endMs: T0 + 100_000 };

      // Act
      const series = await store.series(
        [[{ name: 'job', op: MatchOp.Equal, value: 'batch' }]],
        window,
      );
      const names = await store.labelNames([], window);
      const jobs = await store.labelValues('job', [], window);

      // Assess
      expect(series.map((l) => l.__name__).sort()).toEqual([
        'push_failure_time_seconds',
        'push_time_seconds',
        'rows',
      ]);
      expect(names).toEqual(['__name__', 'job']);
      expect(jobs).toEqual(['batch']);
    });

    it('do not show a group pushed after the window', async () => {
      // Prepare
      const { store, inner } = await setup(T0 + 100_000);
      inner.clear();

      // Act & Assess
      expect(await store.labelValues('job', [], { startMs: T0 - 10_000, endMs: T0 - 1 })).toEqual(
        [],
      );
    });
  });
});
