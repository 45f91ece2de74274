/**
 * The PromQL evaluator: instant and range queries over the `SeriesStore` port. It walks the AST
 * once to fetch, per distinct selector and time range, the raw samples it needs (one `select`
 * each), then evaluates from memory step by step like Prometheus's engine: left-open windows,
 * lookback delta, staleness markers, `offset`/`@`, subqueries and delayed `__name__` removal.
 * @see https://github.com/prometheus/prometheus/blob/main/promql/engine.go
 */
import type { Labels } from '../series/labels';
import { METRIC_NAME_LABEL } from '../series/labels';
import { checkedWithRegexEngine, parseWithRegexEngine } from './regex-engine';
import {
  compileRegex,
  expandReplacement,
  PROMETHEUS_SYNTAX,
  type Re2Regex,
  RegexEngineNotLoadedError,
} from '../regex/re2';
import type { SelectHints, SeriesStore } from '../ports';
import type { ColumnSeries } from '../series/columns';
import { selectColumns } from '../series/select-columns';
import { isStaleNaN } from '../series/sample';
import type {
  AggregateExpr,
  AtModifier,
  BinaryExpr,
  Call,
  Expr,
  MatrixSelector,
  SubqueryExpr,
  VectorSelector,
} from './ast';
import { aggregate, groupOf, reduce } from './aggregations';
import {
  scalarBinop,
  vectorAnd,
  vectorBinop,
  vectorOr,
  vectorScalarBinop,
  vectorUnless,
} from './binary';
import { PromqlExecutionError, PromqlTimeoutError, PromqlTooManySamplesError } from './errors';
import {
  FUNCTIONS,
  type FunctionContext,
  metricNameOf,
  type RangeFunction,
  type RangeWindow,
} from './functions';
import { checkQueryKind } from './query-kind';
import type { ParsedExprLookup } from './expr-json';
import { typeOf } from './type-of';
import type {
  EvalSample,
  EvalSeries,
  Matrix,
  Point,
  QueryResult,
  QueryValue,
  Vector,
} from './values';
import {
  Annotations,
  columnRangeSeries,
  compareLabels,
  labelsKey,
  withoutLabels,
  withoutMetricName,
} from './values';

/** Default lookback delta: 5 minutes (`--query.lookback-delta`). */
const DEFAULT_LOOKBACK_DELTA_MS = 5 * 60 * 1000;
/** Default sample limit (`--query.max-samples`). */
const DEFAULT_MAX_SAMPLES = 50_000_000;
/** Default subquery step when `[range:]` omits it: Prometheus uses the global evaluation interval (1m). */
const DEFAULT_SUBQUERY_STEP_MS = 60 * 1000;
/**
 * Units of loop work (steps, points, vector elements) between two reads of the clock: often
 * enough to stop within a few milliseconds of the deadline, rarely enough to cost nothing.
 */
const WORK_PER_CLOCK_READ = 4096;

/** Evaluation options. */
export interface EvaluateOptions {
  /** @default 300000 (5m) */
  readonly lookbackDeltaMs?: number;
  /** @default 50000000 */
  readonly maxSamples?: number;
  /**
   * No timeout when omitted. Needs `now`. Every loop that can run long (steps, subquery steps,
   * range-function windows, aggregation and matching inputs) reads the clock and stops with
   * {@link PromqlTimeoutError}, as Prometheus's engine checks its context (`--query.timeout`).
   */
  readonly timeoutMs?: number;
  /** Clock for the timeout (domain code never reads the wall clock itself). */
  readonly now?: () => number;
  /** @default 60000 */
  readonly defaultSubqueryStepMs?: number;
  /**
   * Queries parsed ahead (a rules or drift document's, parsed at synth): such a query is
   * evaluated without loading the parser. Any other is parsed. @default none
   */
  readonly parsed?: ParsedExprLookup;
}

interface Shared {
  readonly store: SeriesStore;
  readonly query: string;
  readonly annotations: Annotations;
  readonly lookbackMs: number;
  readonly maxSamples: number;
  readonly subqueryStepMs: number;
  readonly queryStartMs: number;
  readonly queryEndMs: number;
  readonly queryStepMs: number;
  readonly isRangeQuery: boolean;
  readonly deadline?: { now: () => number; at: number };
  readonly data: Map<VectorSelector, ColumnSeries[]>;
  /** Samples held: the selected raw samples plus the points of live intermediate results. */
  currentSamples: number;
  /** Loop work done since the clock was last read. */
  work: number;
}

const unwrapParens = (e: Expr): Expr => (e.type === 'ParenExpr' ? unwrapParens(e.expr) : e);

const atTime = (at: AtModifier | undefined, sh: Shared): number | undefined => {
  if (!at) return undefined;
  if (at.kind === 'time') return at.ms;
  return at.kind === 'start' ? sh.queryStartMs : sh.queryEndMs;
};

/** Index of the first timestamp `> after` (binary search). */
const firstAfter = (t: Float64Array, after: number): number => {
  let lo = 0;
  let hi = t.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((t[mid] as number) > after) hi = mid;
    else lo = mid + 1;
  }
  return lo;
};

/** The series without its stale markers (itself when it has none). */
const withoutStale = (s: ColumnSeries): ColumnSeries => {
  const vs = s.v;
  const n = vs.length;
  let stale = 0;
  for (let i = 0; i < n; i++) {
    const v = vs[i] as number;
    if (Number.isNaN(v) && isStaleNaN(v)) stale++;
  }
  if (stale === 0) return s;
  const t = new Float64Array(s.t.length - stale);
  const v = new Float64Array(s.t.length - stale);
  let at = 0;
  for (let i = 0; i < s.v.length; i++) {
    if (isStaleNaN(s.v[i] as number)) continue;
    t[at] = s.t[i] as number;
    v[at] = s.v[i] as number;
    at++;
  }
  return { labels: s.labels, t, v };
};

/** Evaluated points as columns, stale markers left out. */
const pointColumns = (labels: Labels, s: EvalSeries): ColumnSeries => {
  const n = s.ts.length;
  const t = new Float64Array(n);
  const v = new Float64Array(n);
  let at = 0;
  for (let i = 0; i < n; i++) {
    const x = s.vs[i] as number;
    if (isStaleNaN(x)) continue;
    t[at] = s.ts[i] as number;
    v[at] = x;
    at++;
  }
  return { labels, t: t.subarray(0, at), v: v.subarray(0, at) };
};

/** An evaluated series while its points are appended. */
type GrowingSeries = EvalSeries & { ts: number[]; vs: number[] };

/** Points held by a matrix. */
const pointCount = (m: Matrix): number => {
  let n = 0;
  for (const s of m) n += s.ts.length;
  return n;
};

/** Where a range function's windows lie: one per step, `rangeMs` long, ending at the step's reference time. */
interface WindowPlacement {
  readonly steps: number;
  readonly start: number;
  readonly interval: number;
  /** The reference time of every step when `@` pins it, else NaN. */
  readonly fixedRef: number;
  readonly offsetMs: number;
  readonly rangeMs: number;
}

const NO_SCALARS: readonly number[] = [];

/**
 * Calls a range function on one series' window at every step and writes its outputs to
 * `outT`/`outV` (room for one per step); returns how many. The window and context objects are
 * reused: the function reads them and returns a number, it never keeps them. `tick` counts the
 * loop work for the deadline.
 * Kept apart from the evaluator's methods, small, so V8 optimizes it early and keeps it so.
 */
const overWindows = (
  fn: RangeFunction,
  series: ColumnSeries,
  p: WindowPlacement,
  scalarsAt: ((i: number) => readonly number[]) | undefined,
  ctx: { -readonly [K in keyof FunctionContext]: FunctionContext[K] },
  win: { -readonly [K in keyof RangeWindow]: RangeWindow[K] },
  outT: Float64Array,
  outV: Float64Array,
  tick: (n: number) => void,
): number => {
  const all = series.t;
  const n = all.length;
  const { steps, start, interval, fixedRef, offsetMs, rangeMs } = p;
  const pinned = !Number.isNaN(fixedRef);
  win.t = all;
  win.v = series.v;
  // Window bounds only move forward with the step (ref grows with ts): advance them instead of
  // searching the whole series at every step.
  let from = 0;
  let to = 0;
  let work = 0;
  let k = 0;
  for (let i = 0; i < steps; i++) {
    const ts = start + i * interval;
    const ref = pinned ? fixedRef : ts - offsetMs;
    const after = ref - rangeMs;
    if (from > 0 && (all[from - 1] as number) > after) from = firstAfter(all, after);
    while (from < n && (all[from] as number) <= after) from++;
    if (to > 0 && (all[to - 1] as number) > ref) to = firstAfter(all, ref);
    while (to < n && (all[to] as number) <= ref) to++;
    work += to - from + 1;
    if (work >= WORK_PER_CLOCK_READ) {
      tick(work);
      work = 0;
    }
    if (to <= from) continue;
    win.from = from;
    win.to = to;
    ctx.ts = ts;
    ctx.windowStartMs = after;
    ctx.windowEndMs = ref;
    const v = fn.call(win, scalarsAt === undefined ? NO_SCALARS : scalarsAt(i), ctx, series.labels);
    if (v !== undefined) {
      outT[k] = ts;
      outV[k] = v;
      k++;
    }
  }
  tick(work);
  return k;
};

/** Aggregations without a parameter whose value depends only on the group's values. */
const SIMPLE_AGGREGATIONS: ReadonlySet<AggregateExpr['op']> = new Set([
  'sum',
  'avg',
  'count',
  'group',
  'min',
  'max',
  'stddev',
  'stdvar',
]);

/** Go's integer division (truncates toward zero). */
const goDiv = (a: number, b: number): number => Math.trunc(a / b);

/** First step of a subquery: the first multiple of `step` after `refStart - rangeMs`. */
const subqueryStart = (refStart: number, rangeMs: number, step: number): number => {
  const start = step * goDiv(refStart - rangeMs, step);
  return start <= refStart - rangeMs ? start + step : start;
};

/**
 * Refuses an evaluation of more steps than the sample limit before it starts: each step is a
 * loop iteration, and a point for every series the expression returns there. Prometheus's API
 * refuses a range query of more than 11,000 points per series; its engine fails a subquery with
 * too many steps once their points pass `--query.max-samples`. Here both are refused up front
 * (an absurd `[10000y:5m]` or `[1d:1ms]` costs nothing).
 */
const checkSteps = (rangeMs: number, stepMs: number, maxSamples: number): void => {
  if (Math.floor(rangeMs / stepMs) + 1 > maxSamples) throw new PromqlTooManySamplesError();
};

class Evaluator {
  constructor(
    private readonly sh: Shared,
    private readonly start: number,
    private readonly end: number,
    private readonly interval: number,
  ) {}

  private get steps(): number {
    return Math.floor((this.end - this.start) / this.interval) + 1;
  }

  private checkDeadline(): void {
    this.sh.work = 0;
    const d = this.sh.deadline;
    if (d && d.now() > d.at) throw new PromqlTimeoutError('expression evaluation');
  }

  /** Counts `n` units of loop work; reads the clock every {@link WORK_PER_CLOCK_READ} units. */
  private tick(n: number): void {
    this.sh.work += n;
    if (this.sh.work >= WORK_PER_CLOCK_READ) this.checkDeadline();
  }

  /** Refuses, before anything is allocated, a result of `n` more samples over the limit. */
  private reserve(n: number): void {
    if (this.sh.currentSamples + n > this.sh.maxSamples) throw new PromqlTooManySamplesError();
  }

  private addSamples(n: number): void {
    this.sh.currentSamples += n;
    if (this.sh.currentSamples > this.sh.maxSamples) throw new PromqlTooManySamplesError();
  }

  eval(e: Expr): Matrix | string {
    switch (e.type) {
      case 'AggregateExpr':
        return this.aggregateExpr(e);
      case 'BinaryExpr':
        return this.binary(e);
      case 'Call':
        return this.call(e);
      case 'MatrixSelector':
        return this.matrixSelectorValue(e);
      case 'NumberLiteral':
        return this.rangeEval([], () => [{ labels: {}, v: e.value, dropName: false }]);
      case 'ParenExpr':
        return this.eval(e.expr);
      case 'StringLiteral':
        return e.value;
      case 'SubqueryExpr':
        return this.subquery(e).matrix;
      case 'UnaryExpr': {
        const m = this.matrix(e.expr);
        if (e.op === '+') return m;
        return m.map((s) => {
          this.tick(s.ts.length);
          return {
            labels: s.labels,
            dropName: true,
            ts: s.ts,
            vs: Float64Array.from(s.vs, (v) => -v),
          };
        });
      }
      case 'VectorSelector':
        return this.vectorSelector(e, false);
      default: {
        const never: never = e;
        throw new PromqlExecutionError(`unknown expression ${JSON.stringify(never)}`);
      }
    }
  }

  matrix(e: Expr): Matrix {
    const v = this.eval(e);
    if (typeof v === 'string') throw new PromqlExecutionError('unexpected string value');
    return v;
  }

  /**
   * Evaluates `args` over all steps, then calls `fn` per step with one vector per argument
   * (strings are `undefined`) and collects the outputs into series.
   */
  rangeEval(
    args: readonly Expr[],
    fn: (vectors: (Vector | undefined)[], ts: number) => Vector,
  ): Matrix {
    const mats = args.map((a) => (typeOf(a) === 'string' ? undefined : this.matrix(a)));
    this.checkDeadline();
    const steps = this.steps;
    const perArg = mats.map((m) => (m ? this.byStep(m, steps) : undefined));
    const out = new Map<string, GrowingSeries>();
    for (let i = 0; i < steps; i++) {
      this.tick(1);
      const ts = this.start + i * this.interval;
      const vectors = perArg.map((a) => a?.(i));
      // Scalar arguments are always present; a missing scalar means an empty input.
      const result = fn(vectors, ts);
      for (const v of vectors) this.tick(v?.length ?? 0);
      this.tick(result.length);
      for (const s of result) {
        const key = labelsKey(s.labels);
        let series = out.get(key);
        if (!series) {
          series = { labels: s.labels, ts: [], vs: [], dropName: s.dropName };
          out.set(key, series);
        } else if (series.ts[series.ts.length - 1] === ts) {
          throw new PromqlExecutionError('vector cannot contain metrics with the same labelset');
        }
        this.addSamples(1);
        series.ts.push(ts);
        series.vs.push(s.v);
      }
    }
    for (const m of mats) if (m) this.sh.currentSamples -= pointCount(m);
    return [...out.values()];
  }

  /**
   * Indexes a matrix by step, like Prometheus's `gatherVector`: per step, the series with a point
   * there, in series order. The index is three typed arrays (16 bytes a point, 4 a step), and each
   * step's vector is built only when the step is evaluated, so the whole input is never copied
   * into per-step objects.
   */
  private byStep(m: Matrix, steps: number): (i: number) => Vector {
    const { first, seriesOf, values } = this.stepIndex(m, steps);
    return (i) => {
      const vec: Vector = [];
      for (let j = first[i] as number; j < (first[i + 1] as number); j++) {
        const s = m[seriesOf[j] as number] as EvalSeries;
        vec.push({ labels: s.labels, v: values[j] as number, dropName: s.dropName });
      }
      return vec;
    };
  }

  /**
   * The points of a matrix by step: step `i`'s are `first[i] <= j < first[i + 1]`, of series
   * `seriesOf[j]` with value `values[j]`, in series order.
   */
  private stepIndex(
    m: Matrix,
    steps: number,
  ): { first: Int32Array; seriesOf: Int32Array; values: Float64Array } {
    const first = new Int32Array(steps + 1);
    let n = 0;
    for (const s of m) {
      const ts = s.ts;
      this.tick(ts.length);
      for (let k = 0; k < ts.length; k++) {
        const i = Math.round(((ts[k] as number) - this.start) / this.interval);
        if (i >= 0 && i < steps) {
          first[i + 1] = (first[i + 1] as number) + 1;
          n++;
        }
      }
    }
    for (let i = 0; i < steps; i++) first[i + 1] = (first[i + 1] as number) + (first[i] as number);
    const next = first.slice(0, steps);
    const seriesOf = new Int32Array(n);
    const values = new Float64Array(n);
    m.forEach((s, si) => {
      const { ts, vs } = s;
      for (let k = 0; k < ts.length; k++) {
        const i = Math.round(((ts[k] as number) - this.start) / this.interval);
        if (i < 0 || i >= steps) continue;
        const at = next[i] as number;
        next[i] = at + 1;
        seriesOf[at] = si;
        values[at] = vs[k] as number;
      }
    });
    return { first, seriesOf, values };
  }

  /**
   * `sum`, `avg`, `count`, `group`, `min`, `max`, `stddev` and `stdvar` over all steps, with the
   * answers of {@link rangeEval} over {@link aggregate}: each input series' group is found once,
   * not at every step, and a step's values go to per-group buffers instead of per-step vectors.
   */
  private simpleAggregation(e: AggregateExpr): Matrix {
    const m = this.matrix(e.expr);
    this.checkDeadline();
    const steps = this.steps;
    const { first, seriesOf, values } = this.stepIndex(m, steps);
    const groups: { labels: Labels; key: string; out?: GrowingSeries }[] = [];
    const byKey = new Map<string, number>();
    const groupOfSeries = new Int32Array(m.length);
    m.forEach((s, si) => {
      const g = groupOf(e, s.labels);
      let gi = byKey.get(g.key);
      if (gi === undefined) {
        gi = groups.length;
        byKey.set(g.key, gi);
        groups.push({ labels: g.labels, key: g.key });
      }
      groupOfSeries[si] = gi;
    });
    const buffers: number[][] = groups.map(() => []);
    const dropNames = new Uint8Array(groups.length);
    const touched: number[] = [];
    const out: EvalSeries[] = [];
    for (let i = 0; i < steps; i++) {
      const from = first[i] as number;
      const to = first[i + 1] as number;
      this.tick(1 + (to - from));
      for (let j = from; j < to; j++) {
        const si = seriesOf[j] as number;
        const gi = groupOfSeries[si] as number;
        const buf = buffers[gi] as number[];
        if (buf.length === 0) {
          touched.push(gi);
          dropNames[gi] = 0;
        }
        buf.push(values[j] as number);
        if ((m[si] as EvalSeries).dropName) dropNames[gi] = 1;
      }
      if (touched.length === 0) continue;
      const ts = this.start + i * this.interval;
      this.tick(touched.length);
      for (const gi of touched) {
        const g = groups[gi] as (typeof groups)[number];
        const buf = buffers[gi] as number[];
        const v = reduce(e.op, buf, Number.NaN);
        buf.length = 0;
        if (!g.out) {
          g.out = { labels: g.labels, ts: [], vs: [], dropName: dropNames[gi] === 1 };
          out.push(g.out);
        }
        this.addSamples(1);
        g.out.ts.push(ts);
        g.out.vs.push(v);
      }
      touched.length = 0;
    }
    this.sh.currentSamples -= pointCount(m);
    return out;
  }

  private refTime(ts: number, at: AtModifier | undefined, offsetMs: number): number {
    return (atTime(at, this.sh) ?? ts) - offsetMs;
  }

  /**
   * Instant-vector selector: the last sample in `(t - lookback, t]` per step, unless stale. Each
   * sample is the value of a run of consecutive steps, so the points are counted from the
   * samples alone (work proportional to the samples, not to the steps: a sparse series under a
   * fine subquery step costs what it holds) and refused before any is allocated.
   */
  vectorSelector(e: VectorSelector, sampleTimestamps: boolean): Matrix {
    this.checkDeadline();
    const selected = this.sh.data.get(e) ?? [];
    const counts = selected.map((series) => this.selectorPoints(series, e));
    this.reserve(counts.reduce((a, b) => a + b, 0));
    const out: Matrix = [];
    selected.forEach((series, k) => {
      const n = counts[k] as number;
      if (n === 0) return;
      const point: GrowingSeries = {
        labels: series.labels,
        ts: [],
        vs: [],
        dropName: sampleTimestamps,
      };
      this.selectorPoints(series, e, point, sampleTimestamps);
      this.addSamples(n);
      out.push(point);
    });
    return out;
  }

  /**
   * Counts (and with `out`, appends the points of) the steps at which an instant-vector selector yields a
   * sample of this series. Sample `j` is the value at every step whose reference time `r` (step
   * time minus offset) lies in `[t_j, t_j+1)` and is within the lookback (`r < t_j + lookback`).
   */
  private selectorPoints(
    series: ColumnSeries,
    e: VectorSelector,
    out?: GrowingSeries,
    sampleTimestamps = false,
  ): number {
    const steps = this.steps;
    const fixed = atTime(e.at, this.sh);
    const { t: ts, v: vs } = series;
    if (fixed !== undefined) {
      // `@` pins every step to the same reference time.
      const ref = fixed - e.offsetMs;
      const j = firstAfter(ts, ref) - 1;
      if (j < 0) return 0;
      const st = ts[j] as number;
      const sv = vs[j] as number;
      if (st <= ref - this.sh.lookbackMs || isStaleNaN(sv)) return 0;
      const v = sampleTimestamps ? st / 1000 : sv;
      if (out)
        for (let i = 0; i < steps; i++) {
          out.ts.push(this.start + i * this.interval);
          out.vs.push(v);
        }
      this.tick(steps);
      return steps;
    }
    const lastTs = this.start + (steps - 1) * this.interval;
    let n = 0;
    for (let j = firstAfter(ts, this.start - e.offsetMs - this.sh.lookbackMs); j < ts.length; j++) {
      const st = ts[j] as number;
      const sv = vs[j] as number;
      const from = st + e.offsetMs;
      if (from > lastTs) break;
      if (isStaleNaN(sv)) continue;
      const nextT = j + 1 < ts.length ? (ts[j + 1] as number) : Number.POSITIVE_INFINITY;
      const until = Math.min(nextT, st + this.sh.lookbackMs) + e.offsetMs;
      const lo = Math.max(0, Math.ceil((from - this.start) / this.interval));
      const hi = Math.min(steps - 1, Math.ceil((until - this.start) / this.interval) - 1);
      if (hi < lo) continue;
      n += hi - lo + 1;
      this.tick(out ? hi - lo + 2 : 1);
      if (!out) continue;
      const v = sampleTimestamps ? st / 1000 : sv;
      for (let i = lo; i <= hi; i++) {
        out.ts.push(this.start + i * this.interval);
        out.vs.push(v);
      }
    }
    return n;
  }

  /** Raw, non-stale samples of one series in `(start, end]`. */
  private window(series: ColumnSeries, startMs: number, endMs: number): EvalSeries {
    const from = firstAfter(series.t, startMs);
    const to = firstAfter(series.t, endMs);
    const out: GrowingSeries = { labels: series.labels, ts: [], vs: [], dropName: false };
    for (let i = from; i < to; i++) {
      const v = series.v[i] as number;
      if (isStaleNaN(v)) continue;
      out.ts.push(series.t[i] as number);
      out.vs.push(v);
    }
    return out;
  }

  /** A range selector evaluated on its own (instant queries only). */
  matrixSelectorValue(e: MatrixSelector): Matrix {
    if (this.start !== this.end)
      throw new PromqlExecutionError('cannot do range evaluation of matrix selector');
    const vs = e.vectorSelector;
    const ref = this.refTime(this.start, vs.at, vs.offsetMs);
    const out: Matrix = [];
    for (const series of this.sh.data.get(vs) ?? []) {
      this.reserve(firstAfter(series.t, ref) - firstAfter(series.t, ref - e.rangeMs));
      const w = this.window(series, ref - e.rangeMs, ref);
      this.tick(w.ts.length + 1);
      if (w.ts.length === 0) continue;
      this.addSamples(w.ts.length);
      out.push(w);
    }
    return out;
  }

  /** Evaluates a subquery's inner expression over the aligned steps it needs. */
  subquery(e: SubqueryExpr): { matrix: Matrix } {
    const step = e.stepMs > 0 ? e.stepMs : this.sh.subqueryStepMs;
    const refStart = this.refTime(this.start, e.at, e.offsetMs);
    const refEnd = this.refTime(this.end, e.at, e.offsetMs);
    const innerStart = subqueryStart(refStart, e.rangeMs, step);
    if (innerStart > refEnd) return { matrix: [] };
    const inner = new Evaluator(this.sh, innerStart, refEnd, step);
    return { matrix: inner.matrix(e.expr) };
  }

  aggregateExpr(e: AggregateExpr): Matrix {
    const paramIsString = e.op === 'count_values';
    let stringParam = '';
    const args: Expr[] = [e.expr];
    if (e.param && !paramIsString) args.push(e.param);
    if (e.param && paramIsString) {
      const p = unwrapParens(e.param);
      if (p.type === 'StringLiteral') {
        if (p.invalidUtf8Quoted)
          throw new PromqlExecutionError(`invalid label name ${p.invalidUtf8Quoted}`);
        stringParam = p.value;
      }
      if (stringParam === '') throw new PromqlExecutionError('invalid label name ""');
    }
    if (
      e.param &&
      (e.op === 'topk' || e.op === 'bottomk' || e.op === 'limitk' || e.op === 'limit_ratio')
    ) {
      // The parameter is checked on every step, even when the input is empty.
      const pm = this.matrix(e.param);
      for (const v of pm[0]?.vs ?? []) {
        if (Number.isNaN(v)) {
          throw new PromqlExecutionError(
            e.op === 'limit_ratio' ? 'Ratio value is NaN' : 'Parameter value is NaN',
          );
        }
      }
    }
    if (e.op === 'quantile' && e.param) {
      const pm = this.matrix(e.param);
      for (const v of pm[0]?.vs ?? []) {
        if (Number.isNaN(v) || v < 0 || v > 1) {
          this.sh.annotations.warn(
            `quantile value should be between 0 and 1, got ${goGString(v)}`,
            e.param.pos,
          );
        }
      }
    }
    if (!e.param && SIMPLE_AGGREGATIONS.has(e.op)) return this.simpleAggregation(e);
    return this.rangeEval(args, (v) =>
      aggregate(e, {
        vec: v[0] ?? [],
        param: (v[1]?.[0] as EvalSample | undefined)?.v ?? Number.NaN,
        stringParam,
        paramExpr: e.param,
        annotations: this.sh.annotations,
      }),
    );
  }

  binary(e: BinaryExpr): Matrix {
    const lt = typeOf(e.lhs);
    const rt = typeOf(e.rhs);
    const m = e.matching;
    if (lt === 'scalar' && rt === 'scalar') {
      return this.rangeEval([e.lhs, e.rhs], (v) => [
        { labels: {}, v: scalarBinop(e.op, scalarOf(v[0]), scalarOf(v[1])), dropName: false },
      ]);
    }
    if (lt === 'vector' && rt === 'vector' && m) {
      return this.rangeEval([e.lhs, e.rhs], (v) => {
        const l = v[0] ?? [];
        const r = v[1] ?? [];
        switch (e.op) {
          case 'and':
            return vectorAnd(l, r, m);
          case 'or':
            return vectorOr(l, r, m);
          case 'unless':
            return vectorUnless(l, r, m);
          default:
            return vectorBinop(e.op, l, r, m, e.returnBool);
        }
      });
    }
    if (lt === 'vector') {
      return this.rangeEval([e.lhs, e.rhs], (v) =>
        vectorScalarBinop(e.op, v[0] ?? [], scalarOf(v[1]), false, e.returnBool),
      );
    }
    return this.rangeEval([e.lhs, e.rhs], (v) =>
      vectorScalarBinop(e.op, v[1] ?? [], scalarOf(v[0]), true, e.returnBool),
    );
  }

  call(e: Call): Matrix {
    if (
      e.func === 'sort' ||
      e.func === 'sort_desc' ||
      e.func === 'sort_by_label' ||
      e.func === 'sort_by_label_desc'
    ) {
      if (this.sh.isRangeQuery) {
        this.sh.annotations.warn(
          'sort is ineffective for range queries since results are always ordered by labels',
          e.pos,
        );
      }
    }
    if (e.func === 'label_replace') return this.labelReplace(e);
    if (e.func === 'label_join') return this.labelJoin(e);
    const arg0 = e.args[0] ? unwrapParens(e.args[0]) : undefined;
    if (e.func === 'timestamp' && arg0?.type === 'VectorSelector')
      return this.vectorSelector(arg0, true);
    const fn = FUNCTIONS[e.func];
    if (!fn) throw new PromqlExecutionError(`function "${e.func}" is not supported`);
    const ctxBase = {
      args: e.args,
      pos: e.pos,
      annotations: this.sh.annotations,
      queryStepMs: this.sh.queryStepMs,
      queryRangeMs: this.sh.queryEndMs - this.sh.queryStartMs,
      queryStartMs: this.sh.queryStartMs,
      queryEndMs: this.sh.queryEndMs,
    };
    if (fn.kind === 'instant') {
      return this.rangeEval(e.args, (v, ts) =>
        fn.call(v, { ...ctxBase, ts, windowStartMs: ts, windowEndMs: ts, windowRangeMs: 0 }),
      );
    }
    const matrixIndex = e.args.findIndex((a) => typeOf(a) === 'matrix');
    const matrixArg = unwrapParens(e.args[matrixIndex] as Expr);
    const scalars = e.args.map((a, i) => (i === matrixIndex ? undefined : this.matrix(a)));
    let source: ColumnSeries[];
    let rangeMs: number;
    let at: AtModifier | undefined;
    let offsetMs: number;
    let subqueryPoints = 0;
    if (matrixArg.type === 'MatrixSelector') {
      const vs = matrixArg.vectorSelector;
      source = (this.sh.data.get(vs) ?? []).map(withoutStale);
      ({ rangeMs } = matrixArg);
      ({ at, offsetMs } = vs);
    } else if (matrixArg.type === 'SubqueryExpr') {
      const inner = this.subquery(matrixArg).matrix;
      subqueryPoints = pointCount(inner);
      source = inner.map((s) =>
        pointColumns(s.dropName ? withoutLabels(s.labels, [METRIC_NAME_LABEL]) : s.labels, s),
      );
      ({ rangeMs, at, offsetMs } = matrixArg);
    } else {
      throw new PromqlExecutionError(
        `unexpected argument of type ${matrixArg.type} in call to ${e.func}`,
      );
    }
    this.checkDeadline();
    const out: Matrix = [];
    const steps = this.steps;
    const scalarArgs = scalars.filter((_, j) => j !== matrixIndex);
    // One context object, updated per step: spreading a fresh one per step dominated range queries.
    // Its per-step fields start as doubles (NaN, not 0): V8 then updates them in place at every
    // step instead of allocating a number for each write.
    const ctx: { -readonly [K in keyof FunctionContext]: FunctionContext[K] } = {
      args: ctxBase.args,
      pos: ctxBase.pos,
      annotations: ctxBase.annotations,
      queryStepMs: ctxBase.queryStepMs,
      queryRangeMs: ctxBase.queryRangeMs,
      queryStartMs: ctxBase.queryStartMs,
      queryEndMs: ctxBase.queryEndMs,
      ts: Number.NaN,
      windowStartMs: Number.NaN,
      windowEndMs: Number.NaN,
      windowRangeMs: rangeMs,
    };
    // One window, moved per step: range functions read it and return a number, they never keep
    // it. The source has no stale markers, so a window is an index range of its columns.
    const win: { -readonly [K in keyof RangeWindow]: RangeWindow[K] } = {
      t: new Float64Array(0),
      v: new Float64Array(0),
      from: 0,
      to: 0,
    };
    const fixedAt = atTime(at, this.sh);
    const placement: WindowPlacement = {
      steps,
      start: this.start,
      interval: this.interval,
      fixedRef: fixedAt === undefined ? Number.NaN : fixedAt - offsetMs,
      offsetMs,
      rangeMs,
    };
    const scalarsAt =
      scalarArgs.length === 0
        ? undefined
        : (i: number) => scalarArgs.map((m) => m?.[0]?.vs[i] ?? Number.NaN);
    const tick = (n: number): void => this.tick(n);
    // Each series' points are written here, then copied out at their exact length. A sample lies
    // in the windows of at most `perSample` steps, which bounds a sparse series' points.
    const perSample = Math.ceil(rangeMs / this.interval) + 1;
    let most = 0;
    for (const series of source)
      most = Math.max(most, fixedAt === undefined ? series.t.length * perSample : steps);
    const stepT = new Float64Array(Math.min(steps, most));
    const stepV = new Float64Array(Math.min(steps, most));
    for (const series of source) {
      this.tick(1);
      const k = overWindows(fn, series, placement, scalarsAt, ctx, win, stepT, stepV, tick);
      this.addSamples(k);
      if (k > 0) {
        out.push({
          labels: series.labels,
          ts: stepT.slice(0, k),
          vs: stepV.slice(0, k),
          dropName: !fn.keepName,
        });
        const name = metricNameOf(series.labels);
        if (
          (e.func === 'rate' || e.func === 'increase') &&
          name !== '' &&
          !/_(total|sum|count|bucket)$/.test(name)
        ) {
          this.sh.annotations.info(
            `metric might not be a counter, name does not end in _total/_sum/_count/_bucket: ${JSON.stringify(name)}`,
            (e.args[matrixIndex] as Expr).pos,
          );
        }
      }
    }
    // The subquery's points were this call's input only (Prometheus drops them the same way).
    this.sh.currentSamples -= subqueryPoints;
    if (e.func === 'absent_over_time') return this.absentOverTime(out, e);
    return out;
  }

  private absentOverTime(found: Matrix, e: Call): Matrix {
    const steps = this.steps;
    const present = new Set<number>();
    for (const s of found) for (const t of s.ts) present.add(t);
    if (present.size === steps) return [];
    this.reserve(steps - present.size);
    const ts: number[] = [];
    for (let i = 0; i < steps; i++) {
      const t = this.start + i * this.interval;
      if (!present.has(t)) ts.push(t);
    }
    this.addSamples(ts.length);
    const lbls =
      FUNCTIONS.absent?.kind === 'instant'
        ? FUNCTIONS.absent.call([[]], { args: e.args } as FunctionContext)[0]?.labels
        : {};
    return [{ labels: lbls ?? {}, ts, vs: ts.map(() => 1), dropName: true }];
  }

  private relabel(e: Call, dst: string, f: (labels: Labels) => Labels | undefined): Matrix {
    const m = this.matrix(e.args[0] as Expr);
    return mergeSameLabelset(
      m.map((s) => {
        const labels = f(s.labels);
        if (!labels) return s;
        return {
          labels,
          ts: s.ts,
          vs: s.vs,
          dropName: dst === METRIC_NAME_LABEL ? false : s.dropName,
        };
      }),
    );
  }

  labelReplace(e: Call): Matrix {
    const [dst, repl, src, regex] = e.args
      .slice(1)
      .map((a) => (unwrapParens(a) as { value: string }).value) as [string, string, string, string];
    let re: Re2Regex;
    try {
      // promql/functions.go: regexp.Compile("^(?s:" + regex + ")$"), RE2 syntax.
      re = compileRegex(regex, PROMETHEUS_SYNTAX);
    } catch (err) {
      if (err instanceof RegexEngineNotLoadedError) throw err;
      throw new PromqlExecutionError(`invalid regular expression in label_replace(): ${regex}`);
    }
    const dstArg = unwrapParens(e.args[1] as Expr);
    if (dst === '' || (dstArg.type === 'StringLiteral' && dstArg.invalidUtf8Quoted)) {
      throw new PromqlExecutionError(`invalid destination label name in label_replace(): ${dst}`);
    }
    return this.relabel(e, dst, (labels) => {
      const m = re.execFully(labels[src] ?? '');
      if (!m) return undefined;
      const value = expandReplacement(repl, m);
      const out: Record<string, string> = { ...labels };
      if (value === '') delete out[dst];
      else out[dst] = value;
      if (dst === METRIC_NAME_LABEL && value !== '') out[METRIC_NAME_LABEL] = value;
      return out;
    });
  }

  labelJoin(e: Call): Matrix {
    const strs = e.args.slice(1).map((a) => (unwrapParens(a) as { value: string }).value);
    const [dst, sep, ...srcs] = strs as [string, string, ...string[]];
    if (dst === '')
      throw new PromqlExecutionError(`invalid destination label name in label_join(): ${dst}`);
    return this.relabel(e, dst, (labels) => {
      const value = srcs.map((s) => labels[s] ?? '').join(sep);
      const out: Record<string, string> = { ...labels };
      if (value === '') delete out[dst];
      else out[dst] = value;
      return out;
    });
  }
}

/** An evaluated series' points as `{ t, v }` objects (the shape of query results). */
const pointsOf = (s: EvalSeries): Point[] => {
  const out: Point[] = new Array(s.ts.length);
  for (let i = 0; i < s.ts.length; i++) out[i] = { t: s.ts[i] as number, v: s.vs[i] as number };
  return out;
};

const goGString = (v: number): string =>
  Number.isNaN(v) ? 'NaN' : Number.isFinite(v) ? String(v) : v > 0 ? '+Inf' : '-Inf';

const scalarOf = (v: Vector | undefined): number =>
  (v?.[0] as EvalSample | undefined)?.v ?? Number.NaN;

/** Merges series whose label sets became equal; overlapping timestamps are an error. */
const mergeSameLabelset = (m: Matrix): Matrix => {
  const byKey = new Map<string, EvalSeries>();
  for (const s of m) {
    const key = `${labelsKey(s.labels)}|${s.dropName}`;
    const prev = byKey.get(key);
    if (!prev) {
      byKey.set(key, s);
      continue;
    }
    const times = new Set(prev.ts);
    if (Array.from(s.ts).some((t) => times.has(t))) {
      throw new PromqlExecutionError('vector cannot contain metrics with the same labelset');
    }
    const points = [...pointsOf(prev), ...pointsOf(s)].sort((a, b) => a.t - b.t);
    byKey.set(key, {
      ...prev,
      ts: points.map((p) => p.t),
      vs: points.map((p) => p.v),
    });
  }
  return [...byKey.values()];
};

/** Drops `__name__` where flagged, then merges or rejects series that became identical. */
const cleanupNames = (m: Matrix): Matrix =>
  mergeSameLabelset(
    m.map((s) => ({
      labels: s.dropName ? withoutMetricName(s.labels) : s.labels,
      ts: s.ts,
      vs: s.vs,
      dropName: false,
    })),
  );

/** Computes, for every selector, the time range to fetch, then fetches each distinct one once. */
const prefetch = async (sh: Shared, root: Expr, startMs: number, endMs: number): Promise<void> => {
  const wanted: { vs: VectorSelector; from: number; to: number; hints?: SelectHints }[] = [];
  const ref = (t: number, at: AtModifier | undefined, offsetMs: number): number =>
    (atTime(at, sh) ?? t) - offsetMs;
  const stepMs = sh.isRangeQuery ? sh.queryStepMs : 1;
  const stepCount = Math.floor((endMs - startMs) / stepMs) + 1;
  /** The steps an instant-vector selector outside any subquery is evaluated at. */
  const instantSteps = (e: VectorSelector): SelectHints => {
    const fixed = atTime(e.at, sh);
    return {
      instantSteps: {
        startMs: ref(startMs, e.at, e.offsetMs),
        stepMs: fixed === undefined ? stepMs : 1,
        count: fixed === undefined ? stepCount : 1,
        lookbackMs: sh.lookbackMs,
      },
    };
  };
  const walk = (e: Expr, s: number, t: number, inSubquery = false): void => {
    switch (e.type) {
      case 'VectorSelector':
        wanted.push({
          vs: e,
          from: ref(s, e.at, e.offsetMs) - sh.lookbackMs,
          to: ref(t, e.at, e.offsetMs),
          ...(inSubquery ? {} : { hints: instantSteps(e) }),
        });
        return;
      case 'MatrixSelector': {
        const vs = e.vectorSelector;
        wanted.push({
          vs,
          from: ref(s, vs.at, vs.offsetMs) - e.rangeMs,
          to: ref(t, vs.at, vs.offsetMs),
        });
        return;
      }
      case 'SubqueryExpr': {
        const refStart = ref(s, e.at, e.offsetMs);
        const refEnd = ref(t, e.at, e.offsetMs);
        const step = e.stepMs > 0 ? e.stepMs : sh.subqueryStepMs;
        // Checked here, before anything is selected, and not only when the subquery runs.
        const innerStart = subqueryStart(refStart, e.rangeMs, step);
        if (innerStart <= refEnd) checkSteps(refEnd - innerStart, step, sh.maxSamples);
        walk(e.expr, refStart - e.rangeMs, refEnd, true);
        return;
      }
      case 'AggregateExpr':
        walk(e.expr, s, t, inSubquery);
        if (e.param) walk(e.param, s, t, inSubquery);
        return;
      case 'BinaryExpr':
        walk(e.lhs, s, t, inSubquery);
        walk(e.rhs, s, t, inSubquery);
        return;
      case 'Call':
        for (const a of e.args) walk(a, s, t, inSubquery);
        return;
      case 'ParenExpr':
      case 'UnaryExpr':
        walk(e.expr, s, t, inSubquery);
        return;
      case 'NumberLiteral':
      case 'StringLiteral':
        return;
      default: {
        const never: never = e;
        throw new PromqlExecutionError(`unknown expression ${JSON.stringify(never)}`);
      }
    }
  };
  walk(root, startMs, endMs);
  const fetches = new Map<string, Promise<ColumnSeries[]>>();
  await Promise.all(
    wanted.map(async (w) => {
      const key = `${JSON.stringify(w.vs.matchers)}@${w.from}-${w.to}${JSON.stringify(w.hints ?? null)}`;
      let p = fetches.get(key);
      if (!p) {
        const range = { startMs: w.from + 1, endMs: w.to };
        p = selectColumns(sh.store, w.vs.matchers, range, w.hints).then((ss) => {
          // Selected samples stay in memory for the whole evaluation: they count against the
          // limit beside the points computed from them.
          let n = 0;
          for (const s of ss) n += s.t.length;
          sh.currentSamples += n;
          if (sh.currentSamples > sh.maxSamples) throw new PromqlTooManySamplesError();
          return [...ss].sort((a, b) => compareLabels(a.labels, b.labels));
        });
        fetches.set(key, p);
      }
      sh.data.set(w.vs, await p);
    }),
  );
};

/** Parses `query`; the parser (and lezer) load with the first query not parsed ahead. */
const parseNow = async (query: string, kind: 'instant' | 'range') => {
  const { parseQuery } = await import('./parse-query');
  return parseWithRegexEngine(
    () => parseQuery(query, kind),
    (parsed) => parsed.expr,
  );
};

const run = async (
  store: SeriesStore,
  query: string,
  startMs: number,
  endMs: number,
  stepMs: number,
  isRange: boolean,
  opts: EvaluateOptions,
): Promise<QueryResult> => {
  const kind = isRange ? 'range' : 'instant';
  const ahead = opts.parsed?.(query);
  const { expr, type: t } = ahead
    ? await checkedWithRegexEngine(checkQueryKind(ahead, kind))
    : await parseNow(query, kind);
  const now = opts.now;
  const sh: Shared = {
    store,
    query,
    annotations: new Annotations(query),
    lookbackMs: opts.lookbackDeltaMs ?? DEFAULT_LOOKBACK_DELTA_MS,
    maxSamples: opts.maxSamples ?? DEFAULT_MAX_SAMPLES,
    subqueryStepMs: opts.defaultSubqueryStepMs ?? DEFAULT_SUBQUERY_STEP_MS,
    queryStartMs: startMs,
    queryEndMs: endMs,
    queryStepMs: isRange ? stepMs : 0,
    isRangeQuery: isRange,
    deadline: now && opts.timeoutMs !== undefined ? { now, at: now() + opts.timeoutMs } : undefined,
    data: new Map(),
    currentSamples: 0,
    work: 0,
  };
  if (isRange) checkSteps(endMs - startMs, stepMs, sh.maxSamples);
  await prefetch(sh, expr, startMs, endMs);
  if (sh.deadline && sh.deadline.now() > sh.deadline.at)
    throw new PromqlTimeoutError('query execution');
  const ev = new Evaluator(sh, startMs, endMs, isRange ? stepMs : 1);
  const raw = ev.eval(expr);
  const { warnings, infos } = sh.annotations.list();
  if (typeof raw === 'string')
    return { value: { type: 'string', t: startMs, v: raw }, warnings, infos };
  const m = cleanupNames(raw);
  let value: QueryValue;
  if (isRange) {
    const series = m
      .filter((s) => s.ts.length > 0)
      .sort((a, b) => compareLabels(a.labels, b.labels));
    value = {
      type: 'matrix',
      series: series.map((s) => columnRangeSeries(s.labels, s.ts, s.vs)),
    };
  } else if (t === 'scalar') {
    value = { type: 'scalar', t: startMs, v: m[0]?.vs[0] ?? Number.NaN };
  } else if (t === 'matrix') {
    value = { type: 'matrix', series: m.map((s) => columnRangeSeries(s.labels, s.ts, s.vs)) };
  } else {
    value = {
      type: 'vector',
      samples: m.map((s) => ({ labels: s.labels, t: startMs, v: s.vs[0] as number })),
    };
  }
  return { value, warnings, infos };
};

/**
 * Evaluates an instant query at `atMs`.
 * @throws PromqlParseError, PromqlExecutionError (incl. PromqlTooManySamplesError), PromqlTimeoutError
 * @example await evaluateInstant(store, 'sum by (job) (rate(http_requests_total[5m]))', Date.UTC(2025, 0, 1))
 */
const evaluateInstant = (
  store: SeriesStore,
  query: string,
  atMs: number,
  opts: EvaluateOptions = {},
): Promise<QueryResult> => run(store, query, atMs, atMs, 0, false, opts);

/**
 * Evaluates a range query from `startMs` to `endMs` every `stepMs`; the result is a matrix
 * sorted by labels.
 * @example await evaluateRange(store, 'rate(x_total[5m])', start, end, 15_000)
 */
const evaluateRange = (
  store: SeriesStore,
  query: string,
  startMs: number,
  endMs: number,
  stepMs: number,
  opts: EvaluateOptions = {},
): Promise<QueryResult> => {
  if (!(stepMs > 0)) {
    throw new PromqlExecutionError(
      'zero or negative query resolution step widths are not accepted. Try a positive integer',
    );
  }
  return run(store, query, startMs, endMs, stepMs, true, opts);
};

/** One query of the HTTP API, with its limits. */
export interface QueryRequest {
  readonly kind: 'instant' | 'range';
  readonly query: string;
  /** Evaluation time of an instant query; first step of a range query. */
  readonly startMs: number;
  /** Last step of a range query; `startMs` for an instant query. */
  readonly endMs: number;
  /** Step of a range query; ignored for an instant query. */
  readonly stepMs: number;
  readonly maxSamples: number;
  readonly timeoutMs: number;
}

/**
 * Evaluates a {@link QueryRequest} with its limits, `now` timing the timeout.
 * @example await evaluateQuery(store, { kind: 'instant', query: 'up', startMs: t, endMs: t, stepMs: 0, maxSamples: 1e6, timeoutMs: 5000 }, Date.now)
 */
const evaluateQuery = (
  store: SeriesStore,
  req: QueryRequest,
  now: () => number,
): Promise<QueryResult> => {
  const opts: EvaluateOptions = { maxSamples: req.maxSamples, timeoutMs: req.timeoutMs, now };
  return req.kind === 'instant'
    ? evaluateInstant(store, req.query, req.startMs, opts)
    : evaluateRange(store, req.query, req.startMs, req.endMs, req.stepMs, opts);
};

export {
  DEFAULT_LOOKBACK_DELTA_MS,
  DEFAULT_MAX_SAMPLES,
  evaluateInstant,
  evaluateQuery,
  evaluateRange,
};
