/**
 * OTLP metrics → Prometheus series, as Prometheus's OTLP receiver translates them
 * (storage/remote/otlptranslator/prometheusremotewrite, Prometheus 3.x, default settings):
 *
 * - labels: the point's attributes (names escaped by `labelNameOf`; keys that escape to the same
 *   name have their values joined with `;`), then the promoted resource attributes (a point
 *   attribute of the same name wins), `job` = `service.namespace/service.name`, `instance` =
 *   `service.instance.id`;
 * - one `target_info` sample (value 1, at the resource's newest point) per resource that has
 *   other attributes than those three, with them as labels;
 * - gauge and non-monotonic sum → one series; monotonic sum → `_total`; histogram →
 *   `_bucket{le}` (cumulative, `+Inf` = count), `_sum`, `_count`; summary → `{quantile}`, `_sum`,
 *   `_count`; a point flagged "no recorded value" → a staleness marker.
 *
 * Refused, counted in `rejected` with the reason: delta temporality (see `docs/otlp.md`),
 * exponential histograms (native histograms are not stored), metrics without data or a usable
 * name.
 */
import type { IncomingSeries } from '../ingest/validate-series';
import { internedFacts } from '../series/interned-labels';
import { seriesKey } from '../series/labels';
import { STALE_NAN } from '../series/sample';
import { formatFloat } from '../templates/go-float';
import { attributeMap, has, int64ToNumber, nanosToMs } from './attributes';
import { OtlpLabelCache, type PointLabelSets, type SourceNode } from './label-cache';
import { labelNameOf, type MetricKind, metricNameOf } from './names';
import type { OtlpConfig } from './otlp-settings';
import {
  type ExportMetricsServiceRequest,
  FLAG_NO_RECORDED_VALUE,
  type KeyValue,
  type Metric,
  type NumberDataPoint,
  Temporality,
} from './types';

const SERVICE_NAME = 'service.name';
const SERVICE_NAMESPACE = 'service.namespace';
const SERVICE_INSTANCE_ID = 'service.instance.id';
const IDENTIFYING = [SERVICE_NAME, SERVICE_NAMESPACE, SERVICE_INSTANCE_ID];
const TARGET_INFO = 'target_info';
/** Distinct refusal reasons quoted in a partial-success message. */
const MAX_REASONS = 5;

/** The series of a request, and the data points refused with their reasons. */
export interface TranslatedMetrics {
  readonly series: IncomingSeries[];
  /** Data points of the request (target_info not counted). */
  readonly points: number;
  readonly rejected: number;
  /** Distinct reasons, at most a few. */
  readonly reasons: readonly string[];
  /** The index of the data point a sample of the request came from (undefined for target_info). */
  readonly pointOf: (labels: Readonly<Record<string, string>>, t: number) => number | undefined;
}

type Labels = Record<string, string>;
type SeriesLabels = Readonly<Labels>;

/** Labels from attributes, with Prometheus's collision rule (sorted keys, values joined by `;`). */
const attributeLabels = (attrs: readonly KeyValue[] | undefined, ignore?: readonly string[]) => {
  const map = attributeMap(attrs);
  const out: Labels = {};
  for (const key of [...map.keys()].sort()) {
    if (ignore?.includes(key)) continue;
    const name = labelNameOf(key);
    if (name === undefined) continue;
    const value = map.get(key) as string;
    out[name] = Object.hasOwn(out, name) ? `${out[name]};${value}` : value;
  }
  return out;
};

interface ResourceContext {
  /** Promoted resource attributes, job and instance. */
  readonly base: Labels;
  readonly job?: string;
  readonly instance?: string;
  /** A unique text of `base`, `job` and `instance`, its key in the label cache. */
  readonly key: string;
}

/** One string of a cache key: length-prefixed, so a sequence of them reads back one way only. */
const keyPart = (s: string | undefined): string => (s === undefined ? '-' : `${s.length}:${s}`);

const resourceContext = (
  attrs: readonly KeyValue[] | undefined,
  config: OtlpConfig,
): ResourceContext => {
  const map = attributeMap(attrs);
  const promoted: Labels = {};
  for (const key of config.promoteResourceAttributes) {
    const value = map.get(key);
    const name = labelNameOf(key);
    if (value !== undefined && name !== undefined && !Object.hasOwn(promoted, name))
      promoted[name] = value;
  }
  const name = map.get(SERVICE_NAME);
  const ns = map.get(SERVICE_NAMESPACE);
  const job = name === undefined ? undefined : ns !== undefined ? `${ns}/${name}` : name;
  const instance = map.get(SERVICE_INSTANCE_ID);
  const names = Object.keys(promoted);
  let key = `${keyPart(job)}${keyPart(instance)}${names.length}|`;
  for (const n of names) key += `${keyPart(n)}${keyPart(promoted[n])}`;
  return {
    key,
    base: promoted,
    ...(job !== undefined && { job }),
    ...(instance !== undefined && { instance }),
  };
};

/**
 * The samples of one request, one series entry per sample (the store and the pipeline merge
 * series of equal labels), each with the index of the data point it came from.
 */
class SeriesBuilder {
  readonly series: { labels: SeriesLabels; samples: { t: number; v: number }[] }[] = [];
  readonly points: number[] = [];
  #index?: Map<string, number>;

  add(labels: SeriesLabels, t: number, v: number, point: number): void {
    this.series.push({ labels, samples: [{ t, v }] });
    this.points.push(point);
  }

  /** Built on the first call only: requests whose samples are all stored never pay for it. */
  pointOf(labels: Readonly<Record<string, string>>, t: number): number | undefined {
    if (!this.#index) {
      this.#index = new Map();
      this.series.forEach((s, i) => {
        const point = this.points[i] as number;
        const key = internedFacts(s.labels)?.key ?? seriesKey(s.labels);
        if (point >= 0) this.#index?.set(`${key}@${s.samples[0]?.t}`, point);
      });
    }
    return this.#index.get(`${seriesKey(labels)}@${t}`);
  }
}

/** The labels of a point: its attributes, then promoted attributes, job, instance, then extras. */
const pointLabels = (
  ctx: ResourceContext,
  attrs: readonly KeyValue[] | undefined,
  name: string,
): Labels => {
  const labels = attributeLabels(attrs);
  for (const [k, v] of Object.entries(ctx.base)) if (!Object.hasOwn(labels, k)) labels[k] = v;
  if (ctx.job !== undefined) labels.job = ctx.job;
  if (ctx.instance !== undefined) labels.instance = ctx.instance;
  labels.__name__ = name;
  return labels;
};

/**
 * The labels of one series of a point (`pointLabels`, plus `extraName` when given), the same
 * object as for the same series of the same source before.
 */
const seriesLabels = (
  cache: OtlpLabelCache,
  sets: PointLabelSets,
  ctx: ResourceContext,
  attrs: readonly KeyValue[] | undefined,
  name: string,
  extraName?: string,
  extraValue = '',
): SeriesLabels => {
  // Metric names hold no NUL, so the parts cannot run into each other.
  const id = extraName === undefined ? name : `${name}\u0000${extraName}\u0000${extraValue}`;
  const known = sets.series.get(id);
  if (known !== undefined) return known;
  const labels = pointLabels(ctx, attrs, name);
  if (extraName !== undefined) labels[extraName] = extraValue;
  return cache.add(sets, id, labels);
};

const deltaReason = (name: string) =>
  `metric "${name}" has delta temporality: Vigil stores cumulative series only (set the exporter's temporality preference to cumulative)`;

/**
 * Translates one `ExportMetricsServiceRequest`. Series labels come out sorted (and interned) when
 * none of their values is empty.
 * @param config - `otlp:` of vigil.config.yaml
 * @param cache - label sets translated by earlier requests (same answers, less work for repeats);
 * without it, the request's own repeats are shared.
 */
const translateMetrics = (
  request: ExportMetricsServiceRequest,
  config: OtlpConfig,
  cache: OtlpLabelCache = new OtlpLabelCache(Number.POSITIVE_INFINITY),
): TranslatedMetrics => {
  const out = new SeriesBuilder();
  const reasons = new Set<string>();
  let points = 0;
  let rejected = 0;
  const refuse = (n: number, reason: string) => {
    rejected += n;
    if (reasons.size < MAX_REASONS) reasons.add(reason);
  };
  for (const rm of request.resourceMetrics ?? []) {
    const resourceAttrs = rm.resource?.attributes;
    const ctx = resourceContext(resourceAttrs, config);
    const source = cache.resource(ctx.key);
    let newest = 0;
    for (const sm of rm.scopeMetrics ?? []) {
      for (const metric of sm.metrics ?? []) {
        const t = translateMetric(metric, ctx, cache, source, out, refuse, () => points++);
        if (t !== undefined) newest = Math.max(newest, t);
      }
    }
    addTargetInfo(resourceAttrs, ctx, newest, config, out);
  }
  return {
    series: out.series,
    points,
    rejected,
    reasons: [...reasons],
    pointOf: (labels, t) => out.pointOf(labels, t),
  };
};

/** `target_info`: the resource's non-identifying attributes, when it has any and a job or instance. */
const addTargetInfo = (
  attrs: readonly KeyValue[] | undefined,
  ctx: ResourceContext,
  t: number,
  config: OtlpConfig,
  out: SeriesBuilder,
): void => {
  if (t === 0) return;
  const keys = new Set((attrs ?? []).map((kv) => kv.key ?? ''));
  for (const k of IDENTIFYING) keys.delete(k);
  if (keys.size === 0) return;
  if (ctx.job === undefined && ctx.instance === undefined) return;
  const labels = attributeLabels(
    attrs,
    config.keepIdentifyingResourceAttributes ? undefined : IDENTIFYING,
  );
  if (ctx.job !== undefined) labels.job = ctx.job;
  if (ctx.instance !== undefined) labels.instance = ctx.instance;
  labels.__name__ = TARGET_INFO;
  out.add(labels, t, 1, -1);
};

const isNoValue = (flags: number | undefined) => ((flags ?? 0) & FLAG_NO_RECORDED_VALUE) !== 0;

/**
 * Adds one metric's points; returns the newest point time (ms), or undefined when the metric
 * was refused whole.
 */
const translateMetric = (
  metric: Metric,
  ctx: ResourceContext,
  cache: OtlpLabelCache,
  source: SourceNode,
  out: SeriesBuilder,
  refuse: (n: number, reason: string) => void,
  nextPoint: () => number,
): number | undefined => {
  const otelName = metric.name ?? '';
  const unit = metric.unit ?? '';
  let newest = 0;
  const at = (t: number) => {
    newest = Math.max(newest, t);
    return t;
  };
  const nameFor = (kind: MetricKind, count: number): string | undefined => {
    const name = metricNameOf(otelName, unit, kind);
    if (name === undefined) {
      for (let i = 0; i < count; i++) nextPoint();
      refuse(count, `metric name ${JSON.stringify(otelName)} has no letters or digits to keep`);
    }
    return name;
  };
  if (metric.gauge && has(metric, 'gauge')) {
    const dps = metric.gauge.dataPoints ?? [];
    const name = nameFor('gauge', dps.length);
    if (name === undefined) return undefined;
    for (const dp of dps) {
      const p = nextPoint();
      const sets = cache.sets(source, dp.attributes);
      out.add(
        seriesLabels(cache, sets, ctx, dp.attributes, name),
        at(nanosToMs(dp.timeUnixNano)),
        numberValue(dp),
        p,
      );
    }
    return newest;
  }
  if (metric.sum && has(metric, 'sum')) {
    const sum = metric.sum;
    const dps = sum.dataPoints ?? [];
    const monotonic = sum.isMonotonic === true;
    if ((sum.aggregationTemporality ?? 0) !== Temporality.Cumulative) {
      for (let i = 0; i < dps.length; i++) nextPoint();
      refuse(dps.length, temporalityReason(otelName, sum.aggregationTemporality ?? 0));
      return undefined;
    }
    // A non-monotonic sum is not a gauge to the namer either: no `_ratio`.
    const name = nameFor(monotonic ? 'counter' : 'other', dps.length);
    if (name === undefined) return undefined;
    for (const dp of dps) {
      const p = nextPoint();
      const sets = cache.sets(source, dp.attributes);
      out.add(
        seriesLabels(cache, sets, ctx, dp.attributes, name),
        at(nanosToMs(dp.timeUnixNano)),
        numberValue(dp),
        p,
      );
    }
    return newest;
  }
  if (metric.histogram && has(metric, 'histogram')) {
    const h = metric.histogram;
    const dps = h.dataPoints ?? [];
    if ((h.aggregationTemporality ?? 0) !== Temporality.Cumulative) {
      for (let i = 0; i < dps.length; i++) nextPoint();
      refuse(dps.length, temporalityReason(otelName, h.aggregationTemporality ?? 0));
      return undefined;
    }
    const name = nameFor('other', dps.length);
    if (name === undefined) return undefined;
    const [sumName, countName, bucketName] = [`${name}_sum`, `${name}_count`, `${name}_bucket`];
    for (const dp of dps) {
      const p = nextPoint();
      const t = at(nanosToMs(dp.timeUnixNano));
      const stale = isNoValue(dp.flags);
      const count = stale ? STALE_NAN : int64ToNumber(dp.count);
      const attrs = dp.attributes;
      const sets = cache.sets(source, attrs);
      if (has(dp, 'sum'))
        out.add(
          seriesLabels(cache, sets, ctx, attrs, sumName),
          t,
          stale ? STALE_NAN : (dp.sum as number),
          p,
        );
      out.add(seriesLabels(cache, sets, ctx, attrs, countName), t, count, p);
      const bounds = dp.explicitBounds ?? [];
      const counts = dp.bucketCounts ?? [];
      let cumulative = 0;
      for (let i = 0; i < bounds.length && i < counts.length; i++) {
        cumulative += int64ToNumber(counts[i]);
        const le = formatFloat(bounds[i] as number, 'f', -1);
        const labels = seriesLabels(cache, sets, ctx, attrs, bucketName, 'le', le);
        out.add(labels, t, stale ? STALE_NAN : cumulative, p);
      }
      out.add(seriesLabels(cache, sets, ctx, attrs, bucketName, 'le', '+Inf'), t, count, p);
    }
    return newest;
  }
  if (metric.summary && has(metric, 'summary')) {
    const dps = metric.summary.dataPoints ?? [];
    const name = nameFor('other', dps.length);
    if (name === undefined) return undefined;
    const [sumName, countName] = [`${name}_sum`, `${name}_count`];
    for (const dp of dps) {
      const p = nextPoint();
      const t = at(nanosToMs(dp.timeUnixNano));
      const stale = isNoValue(dp.flags);
      const attrs = dp.attributes;
      const sets = cache.sets(source, attrs);
      out.add(
        seriesLabels(cache, sets, ctx, attrs, sumName),
        t,
        stale ? STALE_NAN : (dp.sum ?? 0),
        p,
      );
      out.add(
        seriesLabels(cache, sets, ctx, attrs, countName),
        t,
        stale ? STALE_NAN : int64ToNumber(dp.count),
        p,
      );
      for (const q of dp.quantileValues ?? []) {
        const quantile = formatFloat(q.quantile ?? 0, 'f', -1);
        const labels = seriesLabels(cache, sets, ctx, attrs, name, 'quantile', quantile);
        out.add(labels, t, stale ? STALE_NAN : (q.value ?? 0), p);
      }
    }
    return newest;
  }
  if (metric.exponentialHistogram && has(metric, 'exponentialHistogram')) {
    const n = metric.exponentialHistogram.dataPoints?.length ?? 0;
    for (let i = 0; i < n; i++) nextPoint();
    refuse(
      n,
      `metric "${otelName}" is an exponential histogram: native histograms are not stored (configure the SDK to aggregate it as an explicit-bucket histogram)`,
    );
    return undefined;
  }
  return undefined;
};

const temporalityReason = (name: string, temporality: number): string =>
  temporality === Temporality.Delta
    ? deltaReason(name)
    : `metric "${name}" has no aggregation temporality (AGGREGATION_TEMPORALITY_UNSPECIFIED)`;

const numberValue = (dp: NumberDataPoint): number => {
  if (isNoValue(dp.flags)) return STALE_NAN;
  if (has(dp, 'asInt')) return int64ToNumber(dp.asInt);
  return dp.asDouble ?? 0;
};

export { translateMetrics };
