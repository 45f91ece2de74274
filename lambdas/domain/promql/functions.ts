/**
 * The PromQL function registry. Range functions receive one series' samples inside the window
 * `(start, end]` and return one value or nothing; instant functions map vectors to a vector.
 * @see https://github.com/prometheus/prometheus/blob/main/promql/functions.go
 */
import type { Labels } from '../series/labels';
import { METRIC_NAME_LABEL } from '../series/labels';
import type { Expr, PositionRange, StringLiteral } from './ast';
import { PromqlExecutionError } from './errors';
import { type Bucket, bucketFraction, bucketQuantile, compareNaNFirst, quantile } from './quantile';
import type { Annotations, EvalSample, Point, Vector } from './values';
import { compareLabels, labelsKey, withoutLabels } from './values';

/** What a function call sees besides its arguments. */
export interface FunctionContext {
  /** Evaluation time of this step, ms. */
  readonly ts: number;
  readonly args: readonly Expr[];
  readonly pos: PositionRange;
  readonly annotations: Annotations;
  /** The range window `(startMs, endMs]` of the matrix argument (range functions only). */
  readonly windowStartMs: number;
  readonly windowEndMs: number;
  readonly windowRangeMs: number;
  /** Query-level values for `step()` and `range()`. */
  readonly queryStepMs: number;
  readonly queryRangeMs: number;
  readonly queryStartMs: number;
  readonly queryEndMs: number;
}

/**
 * One series' samples in a range window, stale markers left out: `t[i]` (ms) and `v[i]` for
 * `from <= i < to`. Valid only during the call: the evaluator reuses it for the next window.
 */
export interface RangeWindow {
  readonly t: Float64Array;
  readonly v: Float64Array;
  readonly from: number;
  readonly to: number;
}

/** A function over one series' samples in a range window. */
export interface RangeFunction {
  readonly kind: 'range';
  /** Keeps `__name__` in the output (`last_over_time`, `first_over_time`). */
  readonly keepName?: boolean;
  call(
    w: RangeWindow,
    scalars: readonly number[],
    ctx: FunctionContext,
    labels: Labels,
  ): number | undefined;
}

/** A function over instant vectors (scalars arrive as one-element vectors, strings as undefined). */
export interface InstantFunction {
  readonly kind: 'instant';
  call(args: readonly (Vector | undefined)[], ctx: FunctionContext): Vector;
}

/** A registered PromQL function implementation. */
export type PromqlFunction = RangeFunction | InstantFunction;

/** Kahan–Neumaier compensated increment, as in Prometheus's `kahansum.Inc`. */
const kahanInc = (inc: number, sum: number, c: number): [number, number] => {
  const t = sum + inc;
  if (!Number.isFinite(t) && !Number.isNaN(t)) return [t, 0];
  if (Math.abs(sum) >= Math.abs(inc)) return [t, c + (sum - t + inc)];
  return [t, c + (inc - t + sum)];
};

/** Kahan–Neumaier sum of `values[from…to)` (what folding {@link kahanInc} gives, without its pairs). */
const kahanSum = (values: ArrayLike<number>, from = 0, to = values.length): number => {
  let sum = 0;
  let c = 0;
  for (let i = from; i < to; i++) {
    const inc = values[i] as number;
    const t = sum + inc;
    if (!Number.isFinite(t) && !Number.isNaN(t)) c = 0;
    else if (Math.abs(sum) >= Math.abs(inc)) c += sum - t + inc;
    else c += inc - t + sum;
    sum = t;
  }
  return Number.isFinite(sum) || Number.isNaN(sum) ? sum + c : sum;
};

const scalarOut = (v: number): Vector => [{ labels: {}, v, dropName: false }];

const simple = (f: (v: number) => number): InstantFunction => ({
  kind: 'instant',
  call: (args) => (args[0] ?? []).map((s) => ({ labels: s.labels, v: f(s.v), dropName: true })),
});

type WindowCall = RangeFunction['call'];
type PointsCall = (
  points: readonly Point[],
  scalars: readonly number[],
  ctx: FunctionContext,
  labels: Labels,
) => number | undefined;

/** The window's samples as points (for the functions not written against the columns). */
const pointsOf = (w: RangeWindow): Point[] => {
  const out: Point[] = new Array(w.to - w.from);
  for (let i = w.from; i < w.to; i++)
    out[i - w.from] = { t: w.t[i] as number, v: w.v[i] as number };
  return out;
};

/** The window's values. */
const valuesOf = (w: RangeWindow): number[] => Array.from(w.v.subarray(w.from, w.to));

/** A range function written against the window's columns. */
const rangeW = (call: WindowCall, keepName = false): RangeFunction => ({
  kind: 'range',
  call,
  keepName,
});

/** A range function over the window's samples as points. */
const range = (call: PointsCall, keepName = false): RangeFunction => ({
  kind: 'range',
  call: (w, scalars, ctx, labels) => call(pointsOf(w), scalars, ctx, labels),
  keepName,
});

const metricNameOf = (labels: Labels): string => labels[METRIC_NAME_LABEL] ?? '';

/** rate/increase/delta with Prometheus's extrapolation to the window boundaries. */
const extrapolatedRate =
  (isCounter: boolean, isRate: boolean): WindowCall =>
  ({ t, v, from, to }, _s, ctx) => {
    const n = to - from;
    if (n < 2) return undefined;
    const firstT = t[from] as number;
    const firstV = v[from] as number;
    const lastT = t[to - 1] as number;
    let result = (v[to - 1] as number) - firstV;
    if (isCounter) {
      for (let i = from + 1; i < to; i++) {
        const prev = v[i - 1] as number;
        if ((v[i] as number) < prev) result += prev;
      }
    }
    let durationToStart = (firstT - ctx.windowStartMs) / 1000;
    let durationToEnd = (ctx.windowEndMs - lastT) / 1000;
    const sampledInterval = (lastT - firstT) / 1000;
    const avgBetween = sampledInterval / (n - 1);
    const threshold = avgBetween * 1.1;
    if (durationToStart >= threshold) durationToStart = avgBetween / 2;
    if (isCounter) {
      let durationToZero = durationToStart;
      if (result > 0 && firstV >= 0) durationToZero = sampledInterval * (firstV / result);
      if (durationToZero < durationToStart) durationToStart = durationToZero;
    }
    if (durationToEnd >= threshold) durationToEnd = avgBetween / 2;
    let factor = (sampledInterval + durationToStart + durationToEnd) / sampledInterval;
    if (isRate) factor /= ctx.windowRangeMs / 1000;
    return result * factor;
  };

/** irate/idelta: from the last two samples. */
const instantValue =
  (isRate: boolean): WindowCall =>
  ({ t, v, from, to }) => {
    if (to - from < 2) return undefined;
    const interval = (t[to - 1] as number) - (t[to - 2] as number);
    if (interval === 0) return undefined;
    const a = v[to - 2] as number;
    const b = v[to - 1] as number;
    let out = b;
    if (!isRate || !(b < a)) out = b - a;
    return isRate ? out / (interval / 1000) : out;
  };

const avgOf = (values: readonly number[]): number => {
  let sum = values[0] as number;
  let c = 0;
  let mean = 0;
  let incremental = false;
  let count = 1;
  for (let i = 1; i < values.length; i++) {
    const f = values[i] as number;
    count = i + 1;
    if (!incremental) {
      const [ns, nc] = kahanInc(f, sum, c);
      if (Number.isFinite(ns) || Number.isNaN(ns)) {
        sum = ns;
        c = nc;
        continue;
      }
      incremental = true;
      mean = sum / (count - 1);
      c /= count - 1;
    }
    const q = (count - 1) / count;
    [mean, c] = kahanInc(f / count, q * mean, q * c);
  }
  if (incremental) return mean + c;
  return sum / count + c / count;
};

const varianceOf = (values: readonly number[]): number => {
  let count = 0;
  let mean = 0;
  let cMean = 0;
  let aux = 0;
  let cAux = 0;
  for (const f of values) {
    count++;
    const delta = f - (mean + cMean);
    [mean, cMean] = kahanInc(delta / count, mean, cMean);
    [aux, cAux] = kahanInc(delta * (f - (mean + cMean)), aux, cAux);
  }
  return (aux + cAux) / count;
};

const compareOverTime =
  (better: (cur: number, best: number) => boolean, returnTs: boolean): WindowCall =>
  ({ t, v, from, to }) => {
    if (to === from) return undefined;
    let best = v[from] as number;
    let bestT = t[from] as number;
    for (let i = from; i < to; i++) {
      if (better(v[i] as number, best)) {
        best = v[i] as number;
        bestT = t[i] as number;
      }
    }
    return returnTs ? bestT / 1000 : best;
  };

const linearRegression = (points: readonly Point[], interceptTime: number): [number, number] => {
  let n = 0;
  let sumX = 0;
  let cX = 0;
  let sumY = 0;
  let cY = 0;
  let sumXY = 0;
  let cXY = 0;
  let sumX2 = 0;
  let cX2 = 0;
  const initY = (points[0] as Point).v;
  let constY = true;
  points.forEach((p, i) => {
    if (constY && i > 0 && p.v !== initY) constY = false;
    n += 1;
    const x = (p.t - interceptTime) / 1e3;
    [sumX, cX] = kahanInc(x, sumX, cX);
    [sumY, cY] = kahanInc(p.v, sumY, cY);
    [sumXY, cXY] = kahanInc(x * p.v, sumXY, cXY);
    [sumX2, cX2] = kahanInc(x * x, sumX2, cX2);
  });
  if (constY) {
    if (!Number.isFinite(initY) && !Number.isNaN(initY)) return [Number.NaN, Number.NaN];
    return [0, initY];
  }
  sumX += cX;
  sumY += cY;
  sumXY += cXY;
  sumX2 += cX2;
  const covXY = sumXY - (sumX * sumY) / n;
  const varX = sumX2 - (sumX * sumX) / n;
  const slope = covXY / varX;
  return [slope, sumY / n - (slope * sumX) / n];
};

const doubleExponentialSmoothing: PointsCall = (points, scalars) => {
  const sf = scalars[0] as number;
  const tf = scalars[1] as number;
  if (!(sf > 0 && sf < 1)) {
    throw new PromqlExecutionError(
      `invalid smoothing factor. Expected: 0 < sf < 1, got: ${goFloatF6(sf)}`,
    );
  }
  if (!(tf > 0 && tf < 1)) {
    throw new PromqlExecutionError(
      `invalid trend factor. Expected: 0 < tf < 1, got: ${goFloatF6(tf)}`,
    );
  }
  if (points.length < 2) return undefined;
  let s0 = 0;
  let s1 = (points[0] as Point).v;
  let b = (points[1] as Point).v - s1;
  for (let i = 1; i < points.length; i++) {
    const x = sf * (points[i] as Point).v;
    if (i - 1 !== 0) b = tf * (s1 - s0) + (1 - tf) * b;
    const y = (1 - sf) * (s1 + b);
    s0 = s1;
    s1 = x + y;
  }
  return s1;
};

const goFloatF6 = (v: number): string =>
  Number.isNaN(v) ? 'NaN' : Number.isFinite(v) ? v.toFixed(6) : v > 0 ? '+Inf' : '-Inf';

const counterLike =
  (counting: (prev: number, cur: number) => boolean): WindowCall =>
  ({ v, from, to }) => {
    if (to === from) return undefined;
    let n = 0;
    for (let i = from + 1; i < to; i++) {
      if (counting(v[i - 1] as number, v[i] as number)) n++;
    }
    return n;
  };

const clampTo = (min: number, max: number, vec: Vector): Vector =>
  max < min
    ? []
    : vec.map((s) => ({ labels: s.labels, v: Math.max(min, Math.min(max, s.v)), dropName: true }));

const first = (args: readonly (Vector | undefined)[], i: number): number =>
  (args[i]?.[0] as EvalSample | undefined)?.v ?? Number.NaN;

/** Go's `time.Unix(sec, 0).UTC()` fields for date functions. */
const dateFn = (f: (d: Date) => number): InstantFunction => ({
  kind: 'instant',
  call: (args, ctx) => {
    if (args.length === 0)
      return scalarOut(f(new Date(Math.trunc(ctx.ts / 1000) * 1000))).map((s) => s);
    return (args[0] ?? []).map((s) => ({
      labels: s.labels,
      v: f(new Date(Math.trunc(s.v) * 1000)),
      dropName: true,
    }));
  },
});

const dayOfYear = (d: Date): number =>
  Math.floor((d.getTime() - Date.UTC(d.getUTCFullYear(), 0, 1)) / 86_400_000) + 1;

const stringArg = (ctx: FunctionContext, i: number): string => {
  const a = ctx.args[i];
  let e: Expr | undefined = a;
  while (e?.type === 'ParenExpr') e = e.expr;
  return (e as StringLiteral).value;
};

/** Natural-order string comparison (`github.com/facette/natsort`): digit runs compare numerically. */
const natCompare = (a: string, b: string): number => {
  const chunk = /(\d+|\D+)/g;
  const ca = a.match(chunk) ?? [];
  const cb = b.match(chunk) ?? [];
  for (let i = 0; i < Math.min(ca.length, cb.length); i++) {
    const x = ca[i] as string;
    const y = cb[i] as string;
    if (x === y) continue;
    const dx = /^\d/.test(x);
    const dy = /^\d/.test(y);
    if (dx && dy) {
      const nx = Number(x);
      const ny = Number(y);
      if (nx !== ny) return nx < ny ? -1 : 1;
      return x < y ? -1 : 1;
    }
    return x < y ? -1 : 1;
  }
  return ca.length - cb.length;
};

const sortByLabel = (desc: boolean): InstantFunction => ({
  kind: 'instant',
  call: (args, ctx) => {
    const names = ctx.args.slice(1).map((_, i) => stringArg(ctx, i + 1));
    const out = [...(args[0] ?? [])];
    out.sort((a, b) => {
      for (const n of names) {
        const x = a.labels[n] ?? '';
        const y = b.labels[n] ?? '';
        if (x === y) continue;
        const c = natCompare(x, y);
        return desc ? -c : c;
      }
      const c = compareLabels(a.labels, b.labels);
      return desc ? -c : c;
    });
    return out;
  },
});

/** Go's `strconv.ParseFloat` for `le` values. */
const parseGoFloat = (s: string): number | undefined => {
  const t = s.trim() === s ? s : '';
  if (/^[+-]?(inf|infinity)$/i.test(t)) return t.startsWith('-') ? -Infinity : Infinity;
  if (/^nan$/i.test(t)) return Number.NaN;
  if (/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(t)) return Number(t);
  if (/^[+-]?0x[0-9a-f]+$/i.test(t)) return Number.parseInt(t, 16);
  return undefined;
};

interface BucketGroup {
  labels: Labels;
  buckets: Bucket[];
}

/** Groups classic-histogram bucket samples by their labels without `le` (name included). */
const groupBuckets = (vec: Vector, ctx: FunctionContext, argIndex: number): BucketGroup[] => {
  const groups = new Map<string, BucketGroup>();
  const pos = (ctx.args[argIndex] as Expr).pos;
  for (const s of vec) {
    const le = s.labels.le ?? '';
    const upper = parseGoFloat(le);
    if (upper === undefined) {
      const name = metricNameOf(s.labels);
      ctx.annotations.warn(
        `bucket label "le" is missing or has a malformed value of ${JSON.stringify(le)}${name ? ` for metric name ${JSON.stringify(name)}` : ''}`,
        pos,
      );
      continue;
    }
    const key = labelsKey(withoutLabels(s.labels, ['le']));
    let g = groups.get(key);
    if (!g) {
      g = { labels: withoutLabels(s.labels, ['le']), buckets: [] };
      groups.set(key, g);
    }
    g.buckets.push({ upperBound: upper, count: s.v });
  }
  return [...groups.values()];
};

const checkQuantile = (q: number, ctx: FunctionContext, argIndex: number): void => {
  if (Number.isNaN(q) || q < 0 || q > 1) {
    ctx.annotations.warn(
      `quantile value should be between 0 and 1, got ${goG(q)}`,
      (ctx.args[argIndex] as Expr).pos,
    );
  }
};

/** Go's `%g` for the values that appear in messages. */
const goG = (v: number): string => {
  if (Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return v > 0 ? '+Inf' : '-Inf';
  const s = String(v);
  return s.replace(/e\+?(-?)(\d)$/, 'e$1' + '0$2').replace(/e(-?)(\d\d+)$/, 'e$1$2');
};

const histogramQuantile: InstantFunction = {
  kind: 'instant',
  call: (args, ctx) => {
    const q = first(args, 0);
    checkQuantile(q, ctx, 0);
    const out: Vector = [];
    for (const g of groupBuckets(args[1] ?? [], ctx, 1)) {
      const r = bucketQuantile(q, g.buckets);
      if (r.forcedMonotonicity) {
        const name = metricNameOf(g.labels);
        ctx.annotations.info(
          `input to histogram_quantile needed to be fixed for monotonicity (see https://prometheus.io/docs/prometheus/latest/querying/functions/#histogram_quantile)${name ? ` for metric name ${JSON.stringify(name)}` : ''}`,
          (ctx.args[1] as Expr).pos,
        );
      }
      out.push({ labels: g.labels, v: r.value, dropName: true });
    }
    return out;
  },
};

const histogramFraction: InstantFunction = {
  kind: 'instant',
  call: (args, ctx) =>
    groupBuckets(args[2] ?? [], ctx, 2).map((g) => ({
      labels: g.labels,
      v: bucketFraction(first(args, 0), first(args, 1), g.buckets),
      dropName: true,
    })),
};

/** Go's `FormatOpenMetricsFloat` for quantile label values. */
const openMetricsFloat = (v: number): string => {
  if (Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return v > 0 ? '+Inf' : '-Inf';
  const s = String(v);
  return Number.isInteger(v) && !s.includes('e') ? `${s}.0` : s;
};

const histogramQuantiles: InstantFunction = {
  kind: 'instant',
  call: (args, ctx) => {
    const label = stringArg(ctx, 1);
    const qs = args.slice(2).map((a, i) => {
      const q = (a?.[0] as EvalSample | undefined)?.v ?? Number.NaN;
      checkQuantile(q, ctx, i + 2);
      return q;
    });
    const groups = groupBuckets(args[0] ?? [], ctx, 0);
    const out: Vector = [];
    for (const q of qs) {
      for (const g of groups) {
        const r = bucketQuantile(q, g.buckets);
        out.push({
          labels: { ...g.labels, [label]: openMetricsFloat(q) },
          v: r.value,
          dropName: true,
        });
      }
    }
    return out;
  },
};

const absentLabels = (arg: Expr | undefined): Labels => {
  let e = arg;
  while (e?.type === 'ParenExpr') e = e.expr;
  const vs =
    e?.type === 'VectorSelector' ? e : e?.type === 'MatrixSelector' ? e.vectorSelector : undefined;
  if (!vs) return {};
  const out: Record<string, string> = {};
  const has = new Set<string>();
  for (const m of vs.matchers) {
    if (m.name === METRIC_NAME_LABEL) continue;
    if (m.op === '=' && !has.has(m.name)) {
      out[m.name] = m.value;
      has.add(m.name);
    } else {
      delete out[m.name];
    }
  }
  return Object.fromEntries(Object.entries(out).filter(([, v]) => v !== ''));
};

const byValue = (desc: boolean): InstantFunction => ({
  kind: 'instant',
  call: (args) => {
    const out = [...(args[0] ?? [])];
    // NaN sorts to the end in both directions.
    out.sort((a, b) => {
      if (Number.isNaN(a.v)) return Number.isNaN(b.v) ? 0 : 1;
      if (Number.isNaN(b.v)) return -1;
      return desc ? b.v - a.v : a.v - b.v;
    });
    return out;
  },
});

const goPow = (x: number, y: number): number => {
  if (y === 0 || x === 1) return 1;
  if (x === -1 && (y === Number.POSITIVE_INFINITY || y === Number.NEGATIVE_INFINITY)) return 1;
  return x ** y;
};

const roundHalfUp = (v: number, toNearest: number): number => {
  const inv = 1 / toNearest;
  return Math.floor(v * inv + 0.5) / inv;
};

const ts = (p: readonly Point[]): readonly number[] => p.map((x) => x.v);

/** Every supported function by name. */
const FUNCTIONS: Readonly<Record<string, PromqlFunction>> = {
  abs: simple(Math.abs),
  absent: {
    kind: 'instant',
    call: (args, ctx) =>
      (args[0] ?? []).length > 0
        ? []
        : [{ labels: absentLabels(ctx.args[0]), v: 1, dropName: false }],
  },
  // Post-processed by the evaluator over all steps (see Prometheus's engine).
  absent_over_time: rangeW(() => 1),
  acos: simple(Math.acos),
  acosh: simple(Math.acosh),
  asin: simple(Math.asin),
  asinh: simple(Math.asinh),
  atan: simple(Math.atan),
  atanh: simple(Math.atanh),
  avg_over_time: rangeW((w) => (w.to === w.from ? undefined : avgOf(valuesOf(w)))),
  ceil: simple(Math.ceil),
  changes: rangeW(counterLike((a, b) => a !== b && !(Number.isNaN(a) && Number.isNaN(b)))),
  clamp: { kind: 'instant', call: (a) => clampTo(first(a, 1), first(a, 2), a[0] ?? []) },
  clamp_max: {
    kind: 'instant',
    call: (a) => clampTo(Number.NEGATIVE_INFINITY, first(a, 1), a[0] ?? []),
  },
  clamp_min: {
    kind: 'instant',
    call: (a) => clampTo(first(a, 1), Number.POSITIVE_INFINITY, a[0] ?? []),
  },
  cos: simple(Math.cos),
  cosh: simple(Math.cosh),
  count_over_time: rangeW((w) => (w.to === w.from ? undefined : w.to - w.from)),
  day_of_month: dateFn((d) => d.getUTCDate()),
  day_of_week: dateFn((d) => d.getUTCDay()),
  day_of_year: dateFn(dayOfYear),
  days_in_month: dateFn((d) =>
    new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0)).getUTCDate(),
  ),
  deg: simple((v) => (v * 180) / Math.PI),
  delta: rangeW(extrapolatedRate(false, false)),
  deriv: range((p) => (p.length < 2 ? undefined : linearRegression(p, (p[0] as Point).t)[0])),
  double_exponential_smoothing: range(doubleExponentialSmoothing),
  end: { kind: 'instant', call: (_a, ctx) => scalarOut(ctx.queryEndMs / 1000) },
  exp: simple(Math.exp),
  first_over_time: rangeW((w) => (w.to === w.from ? undefined : w.v[w.from]), true),
  floor: simple(Math.floor),
  histogram_avg: { kind: 'instant', call: () => [] },
  histogram_count: { kind: 'instant', call: () => [] },
  histogram_fraction: histogramFraction,
  histogram_quantile: histogramQuantile,
  histogram_quantiles: histogramQuantiles,
  histogram_stddev: { kind: 'instant', call: () => [] },
  histogram_stdvar: { kind: 'instant', call: () => [] },
  histogram_sum: { kind: 'instant', call: () => [] },
  hour: dateFn((d) => d.getUTCHours()),
  idelta: rangeW(instantValue(false)),
  increase: rangeW(extrapolatedRate(true, false)),
  irate: rangeW(instantValue(true)),
  last_over_time: rangeW((w) => (w.to === w.from ? undefined : w.v[w.to - 1]), true),
  ln: simple(Math.log),
  log10: simple(Math.log10),
  log2: simple(Math.log2),
  mad_over_time: range((p) => {
    if (p.length === 0) return undefined;
    // Prometheus 3: a NaN sample makes the result NaN instead of being sorted away.
    if (p.some((x) => Number.isNaN(x.v))) return Number.NaN;
    const median = quantile(0.5, [...ts(p)]);
    return quantile(
      0.5,
      p.map((x) => Math.abs(x.v - median)),
    );
  }),
  max_over_time: rangeW(compareOverTime((c, m) => c > m || Number.isNaN(m), false)),
  min_over_time: rangeW(compareOverTime((c, m) => c < m || Number.isNaN(m), false)),
  minute: dateFn((d) => d.getUTCMinutes()),
  month: dateFn((d) => d.getUTCMonth() + 1),
  pi: { kind: 'instant', call: () => scalarOut(Math.PI) },
  predict_linear: range((p, s, ctx) => {
    if (p.length < 2) return undefined;
    const [slope, intercept] = linearRegression(p, ctx.ts);
    return slope * (s[0] as number) + intercept;
  }),
  present_over_time: rangeW((w) => (w.to === w.from ? undefined : 1)),
  quantile_over_time: range((p, s, ctx) => {
    if (p.length === 0) return undefined;
    const q = s[0] as number;
    checkQuantile(q, ctx, 0);
    return quantile(q, [...ts(p)]);
  }),
  rad: simple((v) => (v * Math.PI) / 180),
  range: { kind: 'instant', call: (_a, ctx) => scalarOut(ctx.queryRangeMs / 1000) },
  rate: rangeW(extrapolatedRate(true, true)),
  resets: rangeW(counterLike((a, b) => b < a)),
  round: {
    kind: 'instant',
    call: (a) => {
      const to = a.length > 1 ? first(a, 1) : 1;
      return (a[0] ?? []).map((s) => ({
        labels: s.labels,
        v: roundHalfUp(s.v, to),
        dropName: true,
      }));
    },
  },
  scalar: {
    kind: 'instant',
    call: (a) => {
      const vec = a[0] ?? [];
      return scalarOut(vec.length === 1 ? (vec[0] as EvalSample).v : Number.NaN);
    },
  },
  sgn: simple((v) => (v < 0 ? -1 : v > 0 ? 1 : v)),
  sin: simple(Math.sin),
  sinh: simple(Math.sinh),
  sort: byValue(false),
  sort_by_label: sortByLabel(false),
  sort_by_label_desc: sortByLabel(true),
  sort_desc: byValue(true),
  sqrt: simple(Math.sqrt),
  stddev_over_time: range((p) => (p.length === 0 ? undefined : Math.sqrt(varianceOf(ts(p))))),
  stdvar_over_time: range((p) => (p.length === 0 ? undefined : varianceOf(ts(p)))),
  start: { kind: 'instant', call: (_a, ctx) => scalarOut(ctx.queryStartMs / 1000) },
  step: { kind: 'instant', call: (_a, ctx) => scalarOut(ctx.queryStepMs / 1000) },
  sum_over_time: rangeW(({ v, from, to }) => {
    if (to === from) return undefined;
    return kahanSum(v, from, to);
  }),
  tan: simple(Math.tan),
  tanh: simple(Math.tanh),
  time: { kind: 'instant', call: (_a, ctx) => scalarOut(ctx.ts / 1000) },
  // timestamp() of a plain selector is special-cased by the evaluator (sample timestamps).
  timestamp: {
    kind: 'instant',
    call: (a, ctx) =>
      (a[0] ?? []).map((s) => ({ labels: s.labels, v: ctx.ts / 1000, dropName: true })),
  },
  ts_of_first_over_time: rangeW((w) =>
    w.to === w.from ? undefined : (w.t[w.from] as number) / 1000,
  ),
  ts_of_last_over_time: rangeW((w) =>
    w.to === w.from ? undefined : (w.t[w.to - 1] as number) / 1000,
  ),
  ts_of_max_over_time: rangeW(compareOverTime((c, m) => c >= m || Number.isNaN(m), true)),
  ts_of_min_over_time: rangeW(compareOverTime((c, m) => c <= m || Number.isNaN(m), true)),
  vector: { kind: 'instant', call: (a) => [{ labels: {}, v: first(a, 0), dropName: false }] },
  year: dateFn((d) => d.getUTCFullYear()),
};

export { avgOf, compareNaNFirst, FUNCTIONS, goG, goPow, kahanInc, kahanSum, metricNameOf };
