import type { IncomingSeries } from '../ingest/validate-series';
import { LABEL_NAME_RE, METRIC_NAME_LABEL } from '../series/labels';
import type { Sample } from '../series/sample';
import { GPU_DIMENSIONS, GPU_LABELS, gpuMetricByCloudWatchName } from './cwagent-metrics';

/** A CloudWatch metric as ListMetrics returns it: name and dimensions (namespace implied). */
interface CloudWatchMetricRef {
  readonly metricName: string;
  readonly dimensions: Readonly<Record<string, string>>;
}

/** The datapoints GetMetricData returned for one metric (seconds-precision timestamps as ms). */
interface CloudWatchMetricData {
  readonly metric: CloudWatchMetricRef;
  readonly timestampsMs: readonly number[];
  readonly values: readonly number[];
}

/** The time range one import run asks for. */
interface ImportWindow {
  readonly startMs: number;
  readonly endMs: number;
  readonly periodSeconds: number;
}

/**
 * Derived series: GPU memory used as a percent of the total, the value the memory alarm watches
 * (CloudWatch alarms cannot divide two Metrics Insights results), mirrored to CloudWatch by the
 * import with the dimensions {@link GPU_MEMORY_PERCENT_DIMENSIONS}.
 */
const GPU_MEMORY_USED_PERCENT = 'gpu_memory_used_percent';
const GPU_MEMORY_PERCENT_DIMENSIONS = ['instance_id', 'gpu_index'] as const;

/**
 * How far back each run reaches beyond its own schedule: the agent buffers and flushes metrics
 * (up to a minute or so), so a run also re-reads the previous few minutes. Re-imported samples are
 * identical and the store keeps the last write.
 */
const IMPORT_OVERLAP_MS = 5 * 60_000;

/**
 * Only GPU metrics with a GPU `index` are imported: the agent publishes per GPU; metrics without
 * the dimension would be some other roll-up and would clash with the per-GPU series.
 */
const isGpuMetric = (m: CloudWatchMetricRef): boolean =>
  gpuMetricByCloudWatchName(m.metricName) !== undefined &&
  m.dimensions[GPU_DIMENSIONS.index] !== undefined;

/** A dimension name the table does not know, as a label name: `Some-Dim` → `some_dim`. */
const labelNameOf = (dimension: string): string | undefined => {
  const known = (GPU_LABELS as Readonly<Record<string, string>>)[dimension];
  if (known) return known;
  const snake = dimension
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/[^A-Za-z0-9_]/g, '_')
    .toLowerCase();
  return LABEL_NAME_RE.test(snake) && !snake.startsWith('__') ? snake : undefined;
};

/**
 * The Prometheus labels of a CloudWatch GPU metric: `__name__` from the table in
 * `cwagent-metrics.ts`, each dimension renamed (`InstanceId` → `instance_id`, `index` →
 * `gpu_index`, `name` → `gpu_name`; other dimensions in snake_case). `undefined` for a metric
 * that is not an imported GPU metric.
 */
const labelsOf = (m: CloudWatchMetricRef): Record<string, string> | undefined => {
  const def = gpuMetricByCloudWatchName(m.metricName);
  if (!def || !isGpuMetric(m)) return undefined;
  const labels: Record<string, string> = { [METRIC_NAME_LABEL]: def.promName };
  for (const [dim, value] of Object.entries(m.dimensions)) {
    const name = labelNameOf(dim);
    if (name !== undefined && value !== '') labels[name] = value;
  }
  return labels;
};

/**
 * The window of one run ending at `nowMs`: from two schedules plus {@link IMPORT_OVERLAP_MS}
 * before, to now, both aligned down to the period (GetMetricData returns periods starting at
 * multiples of the period; a partial last period is re-read by the next run). Two schedules, so
 * one failed run loses nothing: GetMetricData is billed per metric requested, not per datapoint,
 * so the longer window costs nothing more.
 */
const importWindow = (
  nowMs: number,
  scheduleMinutes: number,
  periodSeconds: number,
): ImportWindow => {
  const periodMs = periodSeconds * 1000;
  const endMs = Math.floor(nowMs / periodMs) * periodMs;
  const startMs =
    Math.floor((endMs - 2 * scheduleMinutes * 60_000 - IMPORT_OVERLAP_MS) / periodMs) * periodMs;
  return { startMs, endMs, periodSeconds };
};

/**
 * GetMetricData results → series under the Prometheus names, values converted to base units
 * (MiB → bytes, MHz → hertz, µs → seconds), samples sorted by time. Metrics without data are
 * dropped. For each GPU with both `memory_used` and `memory_total` at a timestamp, also the
 * derived {@link GPU_MEMORY_USED_PERCENT} series (used / total × 100; a zero total gives no sample).
 */
const toImportedSeries = (data: readonly CloudWatchMetricData[]): IncomingSeries[] => {
  const out: IncomingSeries[] = [];
  const memory = new Map<
    string,
    { labels: Record<string, string>; used: Map<number, number>; total: Map<number, number> }
  >();
  for (const d of data) {
    const labels = labelsOf(d.metric);
    const def = gpuMetricByCloudWatchName(d.metric.metricName);
    if (!labels || !def || d.timestampsMs.length === 0) continue;
    const samples: Sample[] = d.timestampsMs
      .map((t, i) => ({ t, v: (d.values[i] ?? Number.NaN) * def.factor }))
      .filter((s) => !Number.isNaN(s.v))
      .sort((a, b) => a.t - b.t);
    if (samples.length === 0) continue;
    out.push({ labels, samples });
    if (def.measurement === 'memory_used' || def.measurement === 'memory_total') {
      const { [METRIC_NAME_LABEL]: _, ...gpuLabels } = labels;
      const key = JSON.stringify(Object.entries(gpuLabels).sort());
      const entry = memory.get(key) ?? { labels: gpuLabels, used: new Map(), total: new Map() };
      memory.set(key, entry);
      const target = def.measurement === 'memory_used' ? entry.used : entry.total;
      for (const s of samples) target.set(s.t, s.v);
    }
  }
  for (const { labels, used, total } of memory.values()) {
    const samples: Sample[] = [];
    for (const [t, u] of used) {
      const tot = total.get(t);
      if (tot !== undefined && tot > 0) samples.push({ t, v: (u / tot) * 100 });
    }
    if (samples.length === 0) continue;
    samples.sort((a, b) => a.t - b.t);
    out.push({ labels: { [METRIC_NAME_LABEL]: GPU_MEMORY_USED_PERCENT, ...labels }, samples });
  }
  return out;
};

/**
 * Splits series into batches of at most `maxSamples` samples (the ingest pipeline's per-request
 * limit); a series longer than that is split across batches.
 */
const batchBySamples = (
  series: readonly IncomingSeries[],
  maxSamples: number,
): IncomingSeries[][] => {
  const batches: IncomingSeries[][] = [];
  let current: IncomingSeries[] = [];
  let count = 0;
  for (const s of series) {
    for (let i = 0; i < s.samples.length; ) {
      const room = maxSamples - count;
      const part = s.samples.slice(i, i + room);
      current.push({ labels: s.labels, samples: part });
      count += part.length;
      i += part.length;
      if (count >= maxSamples) {
        batches.push(current);
        current = [];
        count = 0;
      }
    }
  }
  if (current.length > 0) batches.push(current);
  return batches;
};

export type { CloudWatchMetricData, CloudWatchMetricRef, ImportWindow };
export {
  batchBySamples,
  GPU_MEMORY_PERCENT_DIMENSIONS,
  GPU_MEMORY_USED_PERCENT,
  IMPORT_OVERLAP_MS,
  importWindow,
  isGpuMetric,
  labelsOf,
  toImportedSeries,
};
