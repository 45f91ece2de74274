import { BadRequestError } from '../domain/errors';
import { RegexEngineNotLoadedError, withRegexEngine } from '../domain/regex/re2';
import { anchoredRegex, type LabelMatcher, MatchOp } from '../domain/series/matchers';
import {
  type ScannedSelector,
  SelectorTextError,
  scanSelector,
} from '../domain/series/selector-text';

/** Words a bare name cannot be in PromQL: the full parser reports them. */
const KEYWORDS = new Set([
  'and',
  'or',
  'unless',
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'offset',
  'bool',
  'atan2',
  'sum',
  'avg',
  'count',
  'min',
  'max',
  'group',
  'stddev',
  'stdvar',
  'topk',
  'bottomk',
  'count_values',
  'quantile',
  'limitk',
  'limit_ratio',
  'start',
  'end',
]);

/**
 * The matchers of the plain shapes a `match[]` takes (`name`, `name{l="v", ...}`,
 * `{l=~"v", ...}`) when they are a valid series selector, read without the PromQL parser;
 * `undefined` for anything else (the parser then decides, with its messages).
 */
const plainSelector = (raw: string): LabelMatcher[] | undefined => {
  let scanned: ScannedSelector;
  try {
    scanned = scanSelector(raw);
  } catch (e) {
    if (e instanceof SelectorTextError) return undefined;
    throw e;
  }
  const { name } = scanned;
  const matchers: LabelMatcher[] = [];
  if (name !== undefined) {
    if (KEYWORDS.has(name) || /^(?:inf|nan)$/i.test(name)) return undefined;
    matchers.push({ name: '__name__', op: MatchOp.Equal, value: name });
  }
  for (const m of scanned.matchers) {
    if (m.invalidUtf8 || (name !== undefined && m.name === '__name__')) return undefined;
    const op = m.op as MatchOp;
    if (op === MatchOp.RegexMatch || op === MatchOp.RegexNoMatch) {
      try {
        anchoredRegex(m.value);
      } catch (e) {
        if (e instanceof RegexEngineNotLoadedError) throw e;
        return undefined;
      }
    }
    matchers.push({ name: m.name, op, value: m.value });
  }
  // Prometheus's "at least one non-empty matcher", where it is plain to see.
  const plainlyNonEmpty = matchers.some((m) => m.op === MatchOp.Equal && m.value !== '');
  return plainlyNonEmpty ? matchers : undefined;
};

/**
 * Parses a series selector (`match[]`), as Prometheus's `parser.ParseMetricSelector`:
 * a vector selector with at least one non-empty matcher, nothing else. The plain shapes are read
 * directly; any other text goes through the PromQL parser, loaded for it.
 */
const parseSeriesSelector = async (raw: string): Promise<LabelMatcher[]> => {
  const plain = await withRegexEngine(() => plainSelector(raw));
  if (plain !== undefined) return plain;
  const { parseExpr } = await import('../domain/promql/parser');
  let expr: ReturnType<typeof parseExpr>;
  try {
    expr = await withRegexEngine(() => parseExpr(raw));
  } catch (e) {
    throw new BadRequestError(`invalid parameter "match[]": ${(e as Error).message}`);
  }
  if (expr.type !== 'VectorSelector' || expr.offsetMs !== 0 || expr.at !== undefined) {
    throw new BadRequestError(
      `invalid parameter "match[]": ${JSON.stringify(raw)} is not a series selector`,
    );
  }
  return [...expr.matchers];
};

export { parseSeriesSelector, plainSelector };
