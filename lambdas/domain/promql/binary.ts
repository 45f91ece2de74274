/**
 * Binary operators between scalars and vectors, with Prometheus's vector matching
 * (`on`/`ignoring`, `group_left`/`group_right`) and set operators.
 * @see https://github.com/prometheus/prometheus/blob/main/promql/engine.go (VectorBinop, VectorAnd, VectorOr, VectorUnless, resultMetric)
 */
import type { Labels } from '../series/labels';
import { METRIC_NAME_LABEL } from '../series/labels';
import type { BinaryOp, VectorMatching } from './ast';
import { PromqlExecutionError } from './errors';
import { goPow } from './functions';
import type { EvalSample, Vector } from './values';
import { formatLabels, labelsKey, onlyLabels, withoutLabels } from './values';

const ARITHMETIC: ReadonlySet<BinaryOp> = new Set(['+', '-', '*', '/', '%', '^', 'atan2']);

/** True for operators whose result drops the metric name. */
const dropsName = (op: BinaryOp): boolean => ARITHMETIC.has(op);

/** Applies an arithmetic or comparison operator; comparisons return `keep` and the lhs value. */
const applyOp = (op: BinaryOp, l: number, r: number): { v: number; keep: boolean } => {
  switch (op) {
    case '+':
      return { v: l + r, keep: true };
    case '-':
      return { v: l - r, keep: true };
    case '*':
      return { v: l * r, keep: true };
    case '/':
      return { v: l / r, keep: true };
    case '%':
      return { v: l % r, keep: true };
    case '^':
      return { v: goPow(l, r), keep: true };
    case 'atan2':
      return { v: Math.atan2(l, r), keep: true };
    case '==':
      return { v: l, keep: l === r };
    case '!=':
      return { v: l, keep: l !== r };
    case '>':
      return { v: l, keep: l > r };
    case '<':
      return { v: l, keep: l < r };
    case '>=':
      return { v: l, keep: l >= r };
    case '<=':
      return { v: l, keep: l <= r };
    default:
      throw new PromqlExecutionError(`operator "${op}" not allowed for scalar operations`);
  }
};

/** scalar op scalar; comparisons (always `bool`) give 0 or 1. */
const scalarBinop = (op: BinaryOp, l: number, r: number): number => {
  const { v, keep } = applyOp(op, l, r);
  return ARITHMETIC.has(op) ? v : keep ? 1 : 0;
};

/** vector op scalar (or scalar op vector when `swap`). */
const vectorScalarBinop = (
  op: BinaryOp,
  vec: Vector,
  scalar: number,
  swap: boolean,
  returnBool: boolean,
): Vector => {
  const out: Vector = [];
  for (const s of vec) {
    const [l, r] = swap ? [scalar, s.v] : [s.v, scalar];
    let { v, keep } = applyOp(op, l, r);
    if (!ARITHMETIC.has(op) && swap) v = r;
    if (returnBool) {
      v = keep ? 1 : 0;
      keep = true;
    }
    if (keep)
      out.push({ labels: s.labels, v, dropName: s.dropName || dropsName(op) || returnBool });
  }
  return out;
};

/** The matching signature of a series: `on` labels only, or all but `ignoring` labels and the name. */
const signature = (labels: Labels, m: VectorMatching): string =>
  m.on
    ? labelsKey(onlyLabels(labels, m.labels))
    : labelsKey(withoutLabels(labels, [...m.labels, METRIC_NAME_LABEL]));

const resultLabels = (lhs: Labels, rhs: Labels, m: VectorMatching): Labels => {
  let out: Record<string, string> = { ...lhs };
  if (m.card === 'one-to-one') {
    out = m.on ? { ...onlyLabels(out, m.labels) } : { ...withoutLabels(out, m.labels) };
  }
  for (const n of m.include) {
    const v = rhs[n];
    if (v !== undefined && v !== '') out[n] = v;
    else delete out[n];
  }
  return out;
};

/** vector op vector for arithmetic and comparison operators. */
const vectorBinop = (
  op: BinaryOp,
  lhsIn: Vector,
  rhsIn: Vector,
  m: VectorMatching,
  returnBool: boolean,
): Vector => {
  if (lhsIn.length === 0 || rhsIn.length === 0) return [];
  const swapped = m.card === 'one-to-many';
  const [lhs, rhs] = swapped ? [rhsIn, lhsIn] : [lhsIn, rhsIn];
  const right = new Map<string, EvalSample>();
  for (const rs of rhs) {
    const sig = signature(rs.labels, m);
    const dup = right.get(sig);
    if (dup) {
      const matched = m.on
        ? onlyLabels(rs.labels, m.labels)
        : withoutLabels(rs.labels, [...m.labels, METRIC_NAME_LABEL]);
      throw new PromqlExecutionError(
        `found duplicate series for the match group ${formatLabels(matched)} on the ${swapped ? 'left' : 'right'} hand-side of the operation: [${formatLabels(dup.labels)}, ${formatLabels(rs.labels)}];many-to-many matching not allowed: matching labels must be unique on one side`,
      );
    }
    right.set(sig, rs);
  }
  const matched = new Map<string, Set<string> | null>();
  const out: Vector = [];
  for (const ls of lhs) {
    const sig = signature(ls.labels, m);
    const rs = right.get(sig);
    if (!rs) continue;
    const [fl, fr] = swapped ? [rs.v, ls.v] : [ls.v, rs.v];
    let { v, keep } = applyOp(op, fl, fr);
    if (returnBool) {
      v = keep ? 1 : 0;
      keep = true;
    }
    const seen = matched.get(sig);
    if (m.card === 'one-to-one') {
      // Checked before filtering: a comparison that happens to drop duplicates still fails.
      if (seen !== undefined) {
        throw new PromqlExecutionError(
          'multiple matches for labels: many-to-one matching must be explicit (group_left/group_right)',
        );
      }
      matched.set(sig, null);
    }
    if (!keep) continue;
    const labels = resultLabels(ls.labels, rs.labels, m);
    if (m.card !== 'one-to-one') {
      const key = labelsKey(labels);
      const set = seen ?? new Set<string>();
      if (set.has(key)) {
        throw new PromqlExecutionError(
          'multiple matches for labels: grouping labels must ensure unique matches',
        );
      }
      set.add(key);
      matched.set(sig, set);
    }
    out.push({ labels, v, dropName: ls.dropName || dropsName(op) || returnBool });
  }
  return out;
};

/** `and`: lhs elements with a match on the rhs. */
const vectorAnd = (lhs: Vector, rhs: Vector, m: VectorMatching): Vector => {
  if (lhs.length === 0 || rhs.length === 0) return [];
  const sigs = new Set(rhs.map((s) => signature(s.labels, m)));
  return lhs.filter((s) => sigs.has(signature(s.labels, m)));
};

/** `or`: all lhs elements, plus rhs elements without a match on the lhs. */
const vectorOr = (lhs: Vector, rhs: Vector, m: VectorMatching): Vector => {
  if (lhs.length === 0) return [...rhs];
  if (rhs.length === 0) return [...lhs];
  const sigs = new Set(lhs.map((s) => signature(s.labels, m)));
  return [...lhs, ...rhs.filter((s) => !sigs.has(signature(s.labels, m)))];
};

/** `unless`: lhs elements without a match on the rhs. */
const vectorUnless = (lhs: Vector, rhs: Vector, m: VectorMatching): Vector => {
  if (lhs.length === 0 || rhs.length === 0) return [...lhs];
  const sigs = new Set(rhs.map((s) => signature(s.labels, m)));
  return lhs.filter((s) => !sigs.has(signature(s.labels, m)));
};

export { scalarBinop, vectorAnd, vectorBinop, vectorOr, vectorScalarBinop, vectorUnless };
