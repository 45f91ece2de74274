import { BadRequestError } from '../errors';
import type { PushGroup } from '../ports';
import {
  type Labels,
  METRIC_NAME_LABEL,
  metricName,
  normalizeLabels,
  seriesKey,
} from '../series/labels';
import { STALE_NAN, type Series } from '../series/sample';

/** Metrics the Pushgateway adds to every group; pushed metrics of these names are overridden. */
export const PUSH_TIME_METRIC = 'push_time_seconds';
export const PUSH_FAILURE_TIME_METRIC = 'push_failure_time_seconds';

/** One pushed sample, as the exposition parser produced it (labels without grouping labels). */
export interface PushedSample {
  readonly labels: Labels;
  readonly value: number;
  readonly timestampMs?: number;
  /** The metric family the sample belongs to (`x` for `x_bucket`). POST replaces by family. */
  readonly family: string;
}

/** What a push changes: the new group state and the samples to append to the series store. */
export interface PushOutcome {
  readonly group: PushGroup;
  readonly samples: Series[];
}

type GroupMetric = PushGroup['metrics'][number];

const withKey = (labels: Labels, key: Labels): Labels => normalizeLabels({ ...labels, ...key });

const pushTimeSeries = (key: Labels, successMs: number, failureMs: number): GroupMetric[] =>
  [
    { labels: withKey({ [METRIC_NAME_LABEL]: PUSH_TIME_METRIC }, key), value: successMs / 1000 },
    {
      labels: withKey({ [METRIC_NAME_LABEL]: PUSH_FAILURE_TIME_METRIC }, key),
      value: failureMs / 1000,
    },
  ].map((m) => ({ ...m, family: metricName(m.labels) }));

const isPushTime = (labels: Labels): boolean => {
  const n = metricName(labels);
  return n === PUSH_TIME_METRIC || n === PUSH_FAILURE_TIME_METRIC;
};

/**
 * Applies a PUT (replace the group) or POST (replace same-named metric families) to a group,
 * as the Pushgateway does: grouping labels overwrite labels of the same name in the body,
 * timestamps are refused, `push_time_seconds`/`push_failure_time_seconds` are kept per group.
 * Series that leave the group get a staleness marker so queries stop seeing them at once.
 * @see https://github.com/prometheus/pushgateway#put-method
 */
const applyPush = (
  method: 'PUT' | 'POST',
  key: Labels,
  previous: PushGroup | undefined,
  pushed: readonly PushedSample[],
  nowMs: number,
): PushOutcome => {
  const withTs = pushed.find((s) => s.timestampMs !== undefined);
  if (withTs) {
    throw new BadRequestError(
      `pushed metrics must not have timestamps (metric ${metricName(withTs.labels)}): the Pushgateway API refuses them`,
    );
  }
  const pushedFamilies = new Set(pushed.map((s) => s.family));
  const kept = (previous?.metrics ?? []).filter((m) => {
    if (isPushTime(m.labels)) return false;
    if (method === 'PUT') return false;
    return !pushedFamilies.has(
      (m as GroupMetric & { family?: string }).family ?? metricName(m.labels),
    );
  });
  const fresh = new Map<string, GroupMetric>();
  for (const s of pushed) {
    const labels = withKey(s.labels, key);
    if (isPushTime(labels)) continue;
    const k = seriesKey(labels);
    if (fresh.has(k)) {
      throw new BadRequestError(
        `duplicate sample for series ${metricName(labels)} ${k} in one push`,
      );
    }
    fresh.set(k, { labels, value: s.value, family: s.family });
  }
  const metrics: GroupMetric[] = [
    ...kept,
    ...fresh.values(),
    ...pushTimeSeries(key, nowMs, previous?.pushFailureTimeMs ?? 0),
  ];
  const nowKeys = new Set(metrics.map((m) => seriesKey(m.labels)));
  const samples: Series[] = metrics.map((m) => ({
    labels: m.labels,
    samples: [{ t: nowMs, v: m.value }],
  }));
  for (const m of previous?.metrics ?? []) {
    if (!nowKeys.has(seriesKey(m.labels)))
      samples.push({ labels: m.labels, samples: [{ t: nowMs, v: STALE_NAN }] });
  }
  return {
    group: { key, metrics, pushTimeMs: nowMs, pushFailureTimeMs: previous?.pushFailureTimeMs ?? 0 },
    samples,
  };
};

/** Records a failed push on an existing group (its `push_failure_time_seconds`). */
const applyPushFailure = (previous: PushGroup, nowMs: number): PushOutcome => {
  const metrics = previous.metrics.map((m) =>
    metricName(m.labels) === PUSH_FAILURE_TIME_METRIC ? { ...m, value: nowMs / 1000 } : m,
  );
  return {
    group: { ...previous, metrics, pushFailureTimeMs: nowMs },
    samples: metrics.map((m) => ({ labels: m.labels, samples: [{ t: nowMs, v: m.value }] })),
  };
};

/** Deleting a group ends all its series with staleness markers. */
const staleMarkersForDelete = (previous: PushGroup, nowMs: number): Series[] =>
  previous.metrics.map((m) => ({ labels: m.labels, samples: [{ t: nowMs, v: STALE_NAN }] }));

export { applyPush, applyPushFailure, staleMarkersForDelete };
