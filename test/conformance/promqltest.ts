/**
 * A runner for Prometheus's promqltest script format (`load`, `clear`, `eval instant|range`,
 * `expect fail|ordered|warn|no_warn|info|no_info|range vector|string`, `eval_fail` & co.) against
 * Vigil's engine and the in-memory store. Used by `npm run conformance` over Prometheus's own
 * test files and by the jest driver over test/fixtures/promql/*.test.
 * @see https://github.com/prometheus/prometheus/blob/main/promql/promqltest/test.go
 */
import { evaluateInstant, evaluateRange, parseExpr } from '../../lambdas/domain/promql';
import {
  PromqlExecutionError,
  PromqlParseError,
  PromqlTimeoutError,
} from '../../lambdas/domain/promql/errors';
import {
  parseDurationMs,
  parseNumberLiteral,
  unquoteString,
} from '../../lambdas/domain/promql/lexical';
import {
  parseSeriesDescription as parseSeriesLine,
  parseSeriesValues as parseValues,
} from '../../lambdas/domain/promql/series-notation';
import type { QueryResult } from '../../lambdas/domain/promql/values';
import type { QueryEngine } from '../../lambdas/domain/query/query-engine';
import type { Labels } from '../../lambdas/domain/series/labels';
import { seriesKey } from '../../lambdas/domain/series/labels';
import { loadRegexEngine } from '../../lambdas/domain/regex/re2';
import { type LabelMatcher, matchesAll } from '../../lambdas/domain/series/matchers';
import { isStaleNaN } from '../../lambdas/domain/series/sample';
import { InMemorySeriesStore } from '../helpers/in-memory-series-store';
import type { PrometheusTarget } from './prometheus-target';

/** Outcome of one `eval` command. */
export interface CaseResult {
  readonly line: number;
  readonly expr: string;
  readonly status: 'passed' | 'failed' | 'skipped';
  readonly reason?: string;
}

type Val = number | null | 'histogram';

interface ExpectedSeries {
  readonly labels: Labels;
  readonly values: readonly Val[];
  readonly pos: number;
}

interface Expect {
  readonly kind: string;
  readonly msg?: string;
  readonly regex?: RegExp;
}

interface EvalCmd {
  readonly kind: 'eval';
  readonly line: number;
  readonly expr: string;
  readonly range: boolean;
  startMs: number;
  endMs: number;
  stepMs: number;
  readonly mod: string;
  readonly expects: Expect[];
  readonly series: ExpectedSeries[];
  scalar?: number;
  expectString?: string;
  excludeFromRange: boolean;
  native: boolean;
  failMessage?: string;
  failRegex?: RegExp;
  rangeVector: boolean;
}

type Cmd =
  | { readonly kind: 'clear' }
  | {
      readonly kind: 'load';
      readonly series: { labels: Labels; values: Val[] }[];
      readonly stepMs: number;
      /** `load_with_nhcb`: classic histograms are also loaded as native (custom-bucket) ones. */
      readonly nhcb: boolean;
    }
  | EvalCmd;

const dur = (s: string): number => {
  const neg = s.startsWith('-');
  const d = parseDurationMs(s.replace(/^-/, ''));
  if (d === undefined) throw new Error(`bad duration ${s}`);
  return neg ? -d : d;
};

const EVAL_INSTANT = /^eval(?:_(fail|warn|ordered|info))?\s+instant\s+(?:at\s+(.+?))?\s+(.+)$/;
const EVAL_RANGE =
  /^eval(?:_(fail|warn|info))?\s+range\s+from\s+(.+)\s+to\s+(.+)\s+step\s+(.+?)\s+(.+)$/;
const EXPECT = /^expect\s+(ordered|fail|warn|no_warn|info|no_info)(?:\s+(regex|msg):(.+))?$/;

/** Parses a promqltest file into commands. */
const parseScript = (text: string): Cmd[] => {
  const lines = text.split('\n').map((l) => {
    const t = l.trim();
    return t.startsWith('#') ? '' : t;
  });
  const cmds: Cmd[] = [];
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i] as string;
    if (l === '') continue;
    const word = (l.split(/\s+/)[0] as string).toLowerCase();
    if (word === 'clear') {
      cmds.push({ kind: 'clear' });
    } else if (word.startsWith('load')) {
      const m = /^load(?:_(with_nhcb))?\s+(.+?)$/.exec(l);
      if (!m) throw new Error(`line ${i + 1}: invalid load command`);
      const series: { labels: Labels; values: Val[] }[] = [];
      while (i + 1 < lines.length && lines[i + 1] !== '') {
        i++;
        const def = lines[i] as string;
        const { labels, rest } = parseSeriesLine(def);
        series.push({ labels, values: parseValues(rest) });
      }
      cmds.push({
        kind: 'load',
        series,
        stepMs: dur(m[2] as string),
        nhcb: m[1] === 'with_nhcb',
      });
    } else if (word.startsWith('eval')) {
      const inst = EVAL_INSTANT.exec(l);
      const rng = EVAL_RANGE.exec(l);
      if (!inst && !rng) throw new Error(`line ${i + 1}: invalid eval command`);
      const cmd: EvalCmd = {
        kind: 'eval',
        line: i + 1,
        expr: (inst ? inst[3] : rng?.[5]) as string,
        range: !inst,
        startMs: inst ? dur(inst[2] ?? '0s') : dur(rng?.[2] as string),
        endMs: inst ? dur(inst[2] ?? '0s') : dur(rng?.[3] as string),
        stepMs: inst ? 0 : dur(rng?.[4] as string),
        mod: (inst ? inst[1] : rng?.[1]) ?? '',
        expects: [],
        series: [],
        excludeFromRange: false,
        native: false,
        rangeVector: false,
      };
      let pos = 0;
      while (i + 1 < lines.length && lines[i + 1] !== '') {
        i++;
        const def = lines[i] as string;
        if (cmd.mod === 'fail' && def.startsWith('expected_fail_message')) {
          cmd.failMessage = def.slice('expected_fail_message'.length).trim();
          break;
        }
        if (cmd.mod === 'fail' && def.startsWith('expected_fail_regexp')) {
          cmd.failRegex = new RegExp(def.slice('expected_fail_regexp'.length).trim());
          break;
        }
        if (def.startsWith('expect range vector')) {
          const m = /^expect range vector\s+from\s+(.+)\s+to\s+(.+)\s+step\s+(.+)$/.exec(def);
          if (!m) throw new Error(`line ${i + 1}: bad expect range vector`);
          cmd.startMs = dur(m[1] as string);
          cmd.endMs = dur(m[2] as string);
          cmd.stepMs = dur(m[3] as string);
          cmd.rangeVector = true;
          cmd.excludeFromRange = true;
          continue;
        }
        if (def.startsWith('expect string')) {
          cmd.expectString = unquoteString(def.slice('expect string'.length).trim()).value;
          cmd.excludeFromRange = true;
          continue;
        }
        if (def.split(' ')[0] === 'expect') {
          const m = EXPECT.exec(def);
          if (!m) throw new Error(`line ${i + 1}: invalid expect statement`);
          if (m[2] === 'msg')
            cmd.expects.push({ kind: m[1] as string, msg: (m[3] as string).trim() });
          else
            cmd.expects.push({
              kind: m[1] as string,
              regex: new RegExp(m[2] ? (m[3] as string).trim() : '^.*$'),
            });
          continue;
        }
        if (/^[+-]?[0-9.]/.test(def) || /^[+-]?(Inf|NaN)$/i.test(def)) {
          const v = parseNumberLiteral(def.replace(/^[+-]/, ''));
          if (v !== undefined && !def.includes(' ')) {
            cmd.scalar = def.startsWith('-') ? -v : v;
            break;
          }
        }
        pos++;
        const { labels, rest } = parseSeriesLine(def);
        const values = parseValues(rest);
        if (values.includes('histogram')) cmd.native = true;
        cmd.series.push({ labels, values, pos });
      }
      cmds.push(cmd);
    } else {
      throw new Error(`line ${i + 1}: invalid command ${JSON.stringify(l)}`);
    }
  }
  return cmds;
};

const MIN_NORMAL = 2.2250738585072014e-308;

/** Prometheus's `almost.Equal` with the test epsilon 1e-6. */
const almostEqual = (a: number, b: number, eps = 1e-6): boolean => {
  if (isStaleNaN(a) || isStaleNaN(b)) return isStaleNaN(a) && isStaleNaN(b);
  if (Number.isNaN(a) && Number.isNaN(b)) return true;
  if (a === b) return true;
  const absSum = Math.abs(a) + Math.abs(b);
  const diff = Math.abs(a - b);
  if (a === 0 || b === 0 || absSum < MIN_NORMAL) return diff < eps * MIN_NORMAL;
  return diff / Math.min(absSum, Number.MAX_VALUE) < eps;
};

const fmtLabels = (l: Labels): string => seriesKey(l);

class Failure extends Error {}

const isEngineError = (e: unknown): e is Error =>
  e instanceof PromqlParseError ||
  e instanceof PromqlExecutionError ||
  e instanceof PromqlTimeoutError;

const checkAnnotations = (cmd: EvalCmd, res: QueryResult): void => {
  if (cmd.mod === 'warn' && res.warnings.length === 0)
    throw new Failure('expected warnings but got none');
  if (cmd.mod === 'info' && res.infos.length === 0)
    throw new Failure('expected info annotations but got none');
  const match = (e: Expect, s: string): boolean =>
    e.msg !== undefined ? e.msg === s : (e.regex as RegExp).test(s);
  for (const [kind, actual] of [
    ['warn', res.warnings],
    ['info', res.infos],
  ] as const) {
    const exp = cmd.expects.filter((e) => e.kind === kind);
    if (exp.length > 0) {
      if (actual.length === 0)
        throw new Failure(`expected ${kind} annotations but none were found`);
      for (const e of exp) {
        if (!actual.some((a) => match(e, a))) {
          throw new Failure(
            `expected ${kind} annotation ${e.msg ?? e.regex} not found, got ${JSON.stringify(actual)}`,
          );
        }
      }
      for (const a of actual) {
        if (!exp.some((e) => match(e, a)))
          throw new Failure(`unexpected ${kind} annotation ${JSON.stringify(a)}`);
      }
    }
    if (cmd.expects.some((e) => e.kind === `no_${kind}`) && actual.length > 0) {
      throw new Failure(`unexpected ${kind} annotations: ${JSON.stringify(actual)}`);
    }
  }
};

const ordered = (cmd: EvalCmd): boolean =>
  cmd.mod === 'ordered' || cmd.expects.some((e) => e.kind === 'ordered');

const compare = (
  cmd: EvalCmd,
  res: QueryResult,
  startMs: number,
  endMs: number,
  stepMs: number,
): void => {
  const v = res.value;
  if (v.type === 'string') {
    if (cmd.expectString !== v.v)
      throw new Failure(
        `expected string ${JSON.stringify(cmd.expectString)} but got ${JSON.stringify(v.v)}`,
      );
    return;
  }
  if (v.type === 'scalar') {
    if (cmd.scalar === undefined)
      throw new Failure(`expected vector or matrix result, but got scalar ${v.v}`);
    if (!almostEqual(cmd.scalar, v.v))
      throw new Failure(`expected scalar ${cmd.scalar} but got ${v.v}`);
    return;
  }
  if (cmd.scalar !== undefined) throw new Failure(`expected scalar result, but got ${v.type}`);
  const expected = new Map(cmd.series.map((s) => [fmtLabels(s.labels), s]));
  const seen = new Set<string>();
  if (v.type === 'vector') {
    v.samples.forEach((s, i) => {
      const key = fmtLabels(s.labels);
      const e = expected.get(key);
      if (!e) throw new Failure(`unexpected metric ${key} in result, has value ${s.v}`);
      if (ordered(cmd) && e.pos !== i + 1)
        throw new Failure(`expected metric ${key} at position ${e.pos} but was at ${i + 1}`);
      const ev = e.values[0];
      if (typeof ev !== 'number' || !almostEqual(ev, s.v))
        throw new Failure(`expected ${ev} for ${key} but got ${s.v}`);
      seen.add(key);
    });
  } else {
    if (ordered(cmd)) throw new Failure('expected ordered result, but query returned a matrix');
    for (const s of v.series) {
      const key = fmtLabels(s.labels);
      const e = expected.get(key);
      if (!e)
        throw new Failure(`unexpected metric ${key} in result, has ${JSON.stringify(s.points)}`);
      const exp: { t: number; v: number }[] = [];
      e.values.forEach((x, i) => {
        const t = startMs + i * stepMs;
        if (t > endMs)
          throw new Failure(
            `expected ${e.values.length} points for ${key}, but query time range cannot return this many points`,
          );
        if (typeof x === 'number') exp.push({ t, v: x });
      });
      if (exp.length !== s.points.length) {
        throw new Failure(
          `expected ${exp.length} points for ${key}, got ${JSON.stringify(s.points)}`,
        );
      }
      exp.forEach((p, i) => {
        const a = s.points[i] as { t: number; v: number };
        if (a.t !== p.t || !almostEqual(p.v, a.v)) {
          throw new Failure(
            `expected ${p.v}@${p.t} for ${key} at index ${i} but got ${a.v}@${a.t}`,
          );
        }
      });
      seen.add(key);
    }
  }
  for (const [key, e] of expected) {
    if (!seen.has(key))
      throw new Failure(`expected metric ${key} with ${JSON.stringify(e.values)} not found`);
  }
};

const checkFail = (cmd: EvalCmd, err: Error): void => {
  const fail = cmd.expects.find((e) => e.kind === 'fail');
  const msg = err.message;
  if (cmd.failMessage && cmd.failMessage !== msg)
    throw new Failure(
      `expected error ${JSON.stringify(cmd.failMessage)} but got ${JSON.stringify(msg)}`,
    );
  if (cmd.failRegex && !cmd.failRegex.test(msg))
    throw new Failure(`expected error matching ${cmd.failRegex} but got ${JSON.stringify(msg)}`);
  if (fail && (fail.msg !== undefined ? fail.msg !== msg : !(fail.regex as RegExp).test(msg))) {
    throw new Failure(
      `expected error matching ${fail.msg ?? fail.regex} but got ${JSON.stringify(msg)}`,
    );
  }
};

/**
 * An error of a remote engine as the engine itself would have thrown it: a Prometheus API wraps
 * parse errors as `invalid parameter "query": <message>` (bad_data).
 */
const remoteError = (err: unknown): unknown => {
  if (!(err instanceof Error) || err.name !== 'BadRequestError') return err;
  const m = /^invalid parameter "query": (.*)$/s.exec(err.message);
  const parseError = new PromqlParseError('', { line: 0, column: 0, query: '' });
  parseError.message = m ? (m[1] as string) : err.message;
  return parseError;
};

/** Evaluates through the query port (the remote mode), with the in-process engine's signature. */
const viaEngine = (engine: QueryEngine) => ({
  instant: (expr: string, atMs: number) =>
    engine.instantQuery({ query: expr, timeMs: atMs }).catch((e: unknown) => {
      throw remoteError(e);
    }),
  range: (expr: string, startMs: number, endMs: number, stepMs: number) =>
    engine.rangeQuery({ query: expr, startMs, endMs, stepMs }).catch((e: unknown) => {
      throw remoteError(e);
    }),
});

const execEval = async (
  store: InMemorySeriesStore,
  cmd: EvalCmd,
  engine?: QueryEngine,
): Promise<void> => {
  const isFail = cmd.mod === 'fail' || cmd.expects.some((e) => e.kind === 'fail');
  const opts = { maxSamples: 50_000_000 };
  const remote = engine ? viaEngine(engine) : undefined;
  const instant = (expr: string, atMs: number): Promise<QueryResult> =>
    remote ? remote.instant(expr, atMs) : evaluateInstant(store, expr, atMs, opts);
  const range = (expr: string, a: number, b: number, step: number): Promise<QueryResult> =>
    remote ? remote.range(expr, a, b, step) : evaluateRange(store, expr, a, b, step, opts);
  const exec = (): Promise<QueryResult> =>
    cmd.range || cmd.rangeVector
      ? cmd.rangeVector
        ? instant(cmd.expr, cmd.endMs)
        : range(cmd.expr, cmd.startMs, cmd.endMs, cmd.stepMs)
      : instant(cmd.expr, cmd.startMs);
  let res: QueryResult;
  try {
    res = await exec();
  } catch (err) {
    if (!isEngineError(err)) throw new Failure(`engine crashed: ${(err as Error).stack ?? err}`);
    if (isFail) return checkFail(cmd, err);
    throw new Failure(`error evaluating query: ${err.message}`);
  }
  if (isFail) throw new Failure('expected error evaluating query but got none');
  checkAnnotations(cmd, res);
  if (cmd.range || cmd.rangeVector) {
    compare(cmd, res, cmd.startMs, cmd.endMs, cmd.stepMs);
    return;
  }
  compare(cmd, res, cmd.startMs, cmd.endMs, cmd.stepMs);
  if (cmd.excludeFromRange || /(start|end|range|step)\(\)/.test(cmd.expr) || ordered(cmd)) return;
  // Like Prometheus's runner: the instant result must also come out of a range query at the same time.
  const t = cmd.startMs;
  let rr: QueryResult;
  try {
    rr = await range(cmd.expr, t - 60_000, t + 60_000, 60_000);
  } catch (err) {
    throw new Failure(`error evaluating query in range mode: ${(err as Error).message}`);
  }
  if (rr.value.type !== 'matrix') throw new Failure('range mode did not return a matrix');
  const samples = rr.value.series.flatMap((s) =>
    s.points.filter((p) => p.t === t).map((p) => ({ labels: s.labels, t, v: p.v })),
  );
  const asInstant: QueryResult =
    res.value.type === 'scalar'
      ? { ...rr, value: { type: 'scalar', t, v: samples[0]?.v ?? Number.NaN } }
      : { ...rr, value: { type: 'vector', samples } };
  try {
    compare(cmd, asInstant, t, t, 0);
  } catch (err) {
    throw new Failure(`range mode: ${(err as Error).message}`);
  }
};

/** Every vector selector's matchers in a query's AST (any node with `matchers`). */
const selectorsOf = (node: unknown, out: (readonly LabelMatcher[])[] = []) => {
  if (typeof node !== 'object' || node === null) return out;
  const n = node as { type?: string; matchers?: readonly LabelMatcher[] };
  if (n.type === 'VectorSelector' && n.matchers) out.push(n.matchers);
  for (const v of Object.values(node)) if (typeof v === 'object') selectorsOf(v, out);
  return out;
};

/** The base name of a classic histogram series, which `load_with_nhcb` also loads as native. */
const NHCB_SUFFIX = /_(bucket|count|sum)$/;

/**
 * Why an eval needs native histograms, or `undefined` when it does not: its expected output holds
 * a histogram (`{{...}}`), or one of its selectors matches a series loaded as a native histogram.
 * A query that does not parse selects nothing, so it runs (and must fail like Prometheus).
 */
const nativeReason = (cmd: EvalCmd, native: readonly Labels[]): string | undefined => {
  if (cmd.native) return 'native histograms in the expected output';
  if (native.length === 0) return undefined;
  let selectors: (readonly LabelMatcher[])[];
  try {
    selectors = selectorsOf(parseExpr(cmd.expr));
  } catch {
    return undefined;
  }
  const hit = selectors.find((ms) => native.some((l) => matchesAll(ms, l)));
  return hit ? 'selects a series loaded as a native histogram' : undefined;
};

/**
 * Runs one promqltest script and returns the outcome of every `eval`: through Vigil's engine, or
 * with a `target`, through `PrometheusApiQueryEngine` against a Prometheus holding the same data. Series holding native
 * histograms (`{{...}}`) are not loaded — only their label sets are kept — and an eval is skipped
 * only when it needs them (see `nativeReason`); everything else runs.
 */
const runScript = async (text: string, target?: PrometheusTarget): Promise<CaseResult[]> => {
  // The native-histogram check below parses selectors synchronously.
  await loadRegexEngine();
  const cmds = parseScript(text);
  const store = new InMemorySeriesStore();
  let native: Labels[] = [];
  const results: CaseResult[] = [];
  /** The remote engine over the current data state (remote mode), made again after a change. */
  let engine: QueryEngine | undefined;
  for (const cmd of cmds) {
    if (cmd.kind !== 'eval') engine = undefined;
    if (cmd.kind === 'clear') {
      store.clear();
      native = [];
    } else if (cmd.kind === 'load') {
      const floats = cmd.series.filter((s) => !s.values.includes('histogram'));
      for (const s of cmd.series) if (s.values.includes('histogram')) native.push(s.labels);
      if (cmd.nhcb) {
        for (const s of floats) {
          const name = s.labels.__name__ ?? '';
          if (!NHCB_SUFFIX.test(name)) continue;
          const { le: _le, ...rest } = s.labels;
          native.push({ ...rest, __name__: name.replace(NHCB_SUFFIX, '') });
        }
      }
      await store.write(
        floats.map((s) => ({
          labels: s.labels,
          samples: s.values.flatMap((v, i) =>
            typeof v === 'number' ? [{ t: i * cmd.stepMs, v }] : [],
          ),
        })),
      );
    } else {
      const reason = nativeReason(cmd, native);
      if (reason) {
        results.push({ line: cmd.line, expr: cmd.expr, status: 'skipped', reason });
        continue;
      }
      try {
        if (target) engine ??= await target.engineFor(store);
        await execEval(store, cmd, engine);
        results.push({ line: cmd.line, expr: cmd.expr, status: 'passed' });
      } catch (err) {
        results.push({
          line: cmd.line,
          expr: cmd.expr,
          status: 'failed',
          reason: (err as Error).message,
        });
      }
    }
  }
  return results;
};

export { almostEqual, parseScript, parseValues, runScript };
