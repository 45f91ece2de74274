import { BadRequestError } from '../domain/errors';
import { unquoteString } from '../domain/promql/lexical';
import { anchoredRegex, type LabelMatcher, MatchOp } from '../domain/series/matchers';

const METRIC_NAME_AT = /[a-zA-Z_:][a-zA-Z0-9_:]*/y;
const LABEL_NAME_AT = /[a-zA-Z_][a-zA-Z0-9_]*/y;
const OP_AT = /=~|!~|!=|=/y;
const SPACE_AT = /[ \t\r\n]*/y;
const QUOTED_AT = /"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'|`[^`]*`/y;

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
  let i = 0;
  const token = (re: RegExp): string | undefined => {
    re.lastIndex = i;
    const m = re.exec(raw);
    if (m === null) return undefined;
    i = re.lastIndex;
    return m[0];
  };
  token(SPACE_AT);
  const matchers: LabelMatcher[] = [];
  const name = token(METRIC_NAME_AT);
  if (name !== undefined) {
    if (KEYWORDS.has(name) || /^(?:inf|nan)$/i.test(name)) return undefined;
    matchers.push({ name: '__name__', op: MatchOp.Equal, value: name });
    token(SPACE_AT);
  }
  if (raw[i] === '{') {
    i++;
    for (;;) {
      token(SPACE_AT);
      if (raw[i] === '}') break;
      const label = token(LABEL_NAME_AT);
      if (label === undefined || (name !== undefined && label === '__name__')) return undefined;
      token(SPACE_AT);
      const op = token(OP_AT) as MatchOp | undefined;
      token(SPACE_AT);
      const quoted = token(QUOTED_AT);
      if (op === undefined || quoted === undefined) return undefined;
      let value: string;
      try {
        const unquoted = unquoteString(quoted);
        if (unquoted.invalidUtf8Quoted !== undefined) return undefined;
        value = unquoted.value;
        if (op === MatchOp.RegexMatch || op === MatchOp.RegexNoMatch) anchoredRegex(value);
      } catch {
        return undefined;
      }
      matchers.push({ name: label, op, value });
      token(SPACE_AT);
      if (raw[i] === ',') i++;
      else if (raw[i] !== '}') return undefined;
    }
    i++;
    token(SPACE_AT);
  } else if (name === undefined) return undefined;
  if (i !== raw.length) return undefined;
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
  const plain = plainSelector(raw);
  if (plain !== undefined) return plain;
  const { parseExpr } = await import('../domain/promql/parser');
  let expr: ReturnType<typeof parseExpr>;
  try {
    expr = parseExpr(raw);
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
