/**
 * Aggregation operators over one step's instant vector.
 * @see https://github.com/prometheus/prometheus/blob/main/promql/engine.go (aggregation, aggregationK, aggregationCountValues)
 */
import type { Labels } from '../series/labels';
import { METRIC_NAME_LABEL } from '../series/labels';
import type { AggregateExpr, Expr } from './ast';
import { PromqlExecutionError } from './errors';
import { avgOf, goG, kahanSum } from './functions';
import { quantile } from './quantile';
import type { Annotations, EvalSample, Vector } from './values';
import { labelsKey, onlyLabels, withoutLabels } from './values';
import { xxhash64 } from './xxhash64';

interface Group {
  labels: Labels;
  members: EvalSample[];
}

const groupLabels = (e: AggregateExpr, labels: Labels): Labels =>
  e.without
    ? withoutLabels(labels, [...e.grouping, METRIC_NAME_LABEL])
    : onlyLabels(labels, e.grouping);

/**
 * Group labels and key per (aggregation, input label set). A range query aggregates the same
 * series at every step, so this saves recomputing the key per sample per step.
 */
const groupKeyCache = new WeakMap<
  AggregateExpr,
  WeakMap<Labels, { labels: Labels; key: string }>
>();

const groupOf = (e: AggregateExpr, series: Labels): { labels: Labels; key: string } => {
  let byLabels = groupKeyCache.get(e);
  if (!byLabels) {
    byLabels = new WeakMap();
    groupKeyCache.set(e, byLabels);
  }
  let hit = byLabels.get(series);
  if (!hit) {
    const labels = groupLabels(e, series);
    hit = { labels, key: labelsKey(labels) };
    byLabels.set(series, hit);
  }
  return hit;
};

const groupsOf = (e: AggregateExpr, vec: Vector): Group[] => {
  const groups = new Map<string, Group>();
  for (const s of vec) {
    const { labels, key } = groupOf(e, s.labels);
    let g = groups.get(key);
    if (!g) {
      g = { labels, members: [] };
      groups.set(key, g);
    }
    g.members.push(s);
  }
  return [...groups.values()];
};

const varianceOf = (values: readonly number[]): number => {
  let count = 0;
  let mean = 0;
  let value = 0;
  for (const f of values) {
    count++;
    const delta = f - mean;
    mean += delta / count;
    value += delta * (f - mean);
  }
  return value / count;
};

const reduce = (op: AggregateExpr['op'], values: number[], param: number): number => {
  switch (op) {
    case 'sum': {
      return kahanSum(values);
    }
    case 'avg':
      return avgOf(values);
    case 'count':
      return values.length;
    case 'group':
      return 1;
    case 'max':
      return values.reduce((m, v) => (m < v || Number.isNaN(m) ? v : m));
    case 'min':
      return values.reduce((m, v) => (m > v || Number.isNaN(m) ? v : m));
    case 'stddev':
      return Math.sqrt(varianceOf(values));
    case 'stdvar':
      return varianceOf(values);
    case 'quantile':
      return quantile(param, values);
    default:
      throw new PromqlExecutionError(`unexpected aggregation ${op}`);
  }
};

/** Go's `strconv.FormatFloat(v, 'f', -1, 64)`: shortest digits, never an exponent. */
const formatFloatPlain = (v: number): string => {
  if (Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return v > 0 ? '+Inf' : '-Inf';
  const s = String(v);
  const m = /^(-?)(\d)(?:\.(\d+))?e([+-]\d+)$/.exec(s);
  if (!m) return s;
  const [, sign, d0, frac = '', expStr] = m;
  const exp = Number(expStr);
  const digits = `${d0}${frac}`;
  if (exp >= 0) {
    return `${sign}${digits.length - 1 <= exp ? digits + '0'.repeat(exp - (digits.length - 1)) : `${digits.slice(0, exp + 1)}.${digits.slice(exp + 1)}`}`;
  }
  return `${sign}0.${'0'.repeat(-exp - 1)}${digits}`;
};

/** The `limit_ratio` sampling offset of a series: `labels.Hash() / MaxUint64`. */
const sampleOffset = (labels: Labels): number => {
  const names = Object.keys(labels).sort();
  let s = '';
  for (const n of names) s += `${n}\xff${labels[n]}\xff`;
  const bytes: number[] = [];
  for (const ch of s) {
    if (ch === '\xff') bytes.push(0xff);
    else for (const b of new TextEncoder().encode(ch)) bytes.push(b);
  }
  return Number(xxhash64(new Uint8Array(bytes))) / 2 ** 64;
};

const selectK = (op: AggregateExpr['op'], members: EvalSample[], k: number): EvalSample[] => {
  if (op === 'limitk') return members.slice(0, k);
  const sorted = [...members];
  const top = op === 'topk';
  sorted.sort((a, b) => {
    if (Number.isNaN(a.v)) return Number.isNaN(b.v) ? 0 : 1;
    if (Number.isNaN(b.v)) return -1;
    return top ? b.v - a.v : a.v - b.v;
  });
  return sorted.slice(0, k);
};

/** The step's values of the aggregation parameter, checked as Prometheus does. */
interface AggregationStep {
  readonly vec: Vector;
  readonly param: number;
  readonly stringParam: string;
  readonly paramExpr?: Expr;
  readonly annotations: Annotations;
}

/** Evaluates one aggregation for one step. */
const aggregate = (e: AggregateExpr, step: AggregationStep): Vector => {
  const { vec, param } = step;
  switch (e.op) {
    case 'topk':
    case 'bottomk':
    case 'limitk': {
      if (Number.isNaN(param)) throw new PromqlExecutionError('Parameter value is NaN');
      const k = Math.min(Math.trunc(param), vec.length);
      if (k < 1) return [];
      return groupsOf(e, vec).flatMap((g) => selectK(e.op, g.members, k));
    }
    case 'limit_ratio': {
      if (Number.isNaN(param)) throw new PromqlExecutionError('Ratio value is NaN');
      let ratio = param;
      if (ratio < -1 || ratio > 1) {
        const capped = ratio < -1 ? -1 : 1;
        step.annotations.warn(
          `ratio value should be between -1 and 1, got ${goG(ratio)}, capping to ${goG(capped)}`,
          (step.paramExpr ?? e).pos,
        );
        ratio = capped;
      }
      if (ratio === 0) return [];
      return vec.filter((s) => {
        const off = sampleOffset(s.labels);
        return ratio > 0 ? off < ratio : off >= 1 + ratio;
      });
    }
    case 'count_values': {
      const label = step.stringParam;
      if (!/^[\s\S]+$/u.test(label) || label.includes('\uFFFD')) {
        throw new PromqlExecutionError(`invalid label name ${JSON.stringify(label)}`);
      }
      const counts = new Map<string, { labels: Labels; n: number }>();
      for (const s of vec) {
        const labels = { ...groupLabels(e, s.labels), [label]: formatFloatPlain(s.v) };
        const key = labelsKey(labels);
        const c = counts.get(key);
        if (c) c.n++;
        else counts.set(key, { labels, n: 1 });
      }
      return [...counts.values()].map((c) => ({ labels: c.labels, v: c.n, dropName: false }));
    }
    default:
      return groupsOf(e, vec).map((g) => ({
        labels: g.labels,
        v: reduce(
          e.op,
          g.members.map((m) => m.v),
          param,
        ),
        dropName: g.members.some((m) => m.dropName),
      }));
  }
};

export { aggregate, formatFloatPlain, groupOf, reduce };
