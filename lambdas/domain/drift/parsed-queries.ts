/**
 * The histogram monitors' queries parsed at synth, for the drift document (`parsedExprs`): the
 * drift function evaluates them without loading the PromQL parser.
 */
import { exprToJSON, type ParsedExprsJSON } from '../promql/expr-json';
import { parseExpr } from '../promql/parser';
import type { DriftConfig } from './drift-config';
import { monitorQueries } from './histogram-query';

/** Every histogram monitor's queries, parsed, by their text. */
const driftParsedExprs = (drift: DriftConfig): ParsedExprsJSON =>
  Object.fromEntries(
    drift.monitors.flatMap(monitorQueries).map((q) => [q, exprToJSON(parseExpr(q))]),
  );

export { driftParsedExprs };
