import { BadRequestError } from '../domain/errors';
import { parseExpr } from '../domain/promql/parser';
import type { LabelMatcher } from '../domain/series/matchers';

/**
 * Parses a series selector (`match[]`), as Prometheus's `parser.ParseMetricSelector`:
 * a vector selector with at least one non-empty matcher, nothing else.
 */
const parseSeriesSelector = (raw: string): LabelMatcher[] => {
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

export { parseSeriesSelector };
