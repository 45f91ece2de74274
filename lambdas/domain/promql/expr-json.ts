/**
 * Parsed expressions as JSON, for the documents written at synth (rules, drift monitors) that
 * carry their queries already parsed: the functions that evaluate them then never load the
 * parser. JSON has no NaN, infinities or negative zero, so such numbers are written as
 * `{"$number": "NaN" | "+Inf" | "-Inf" | "-0"}`.
 */
import type { Expr } from './ast';

const SPECIAL = '$number';

const encode = (n: number): unknown => {
  if (Number.isNaN(n)) return { [SPECIAL]: 'NaN' };
  if (n === Number.POSITIVE_INFINITY) return { [SPECIAL]: '+Inf' };
  if (n === Number.NEGATIVE_INFINITY) return { [SPECIAL]: '-Inf' };
  if (Object.is(n, -0)) return { [SPECIAL]: '-0' };
  return n;
};

const DECODED: Readonly<Record<string, number>> = {
  NaN: Number.NaN,
  '+Inf': Number.POSITIVE_INFINITY,
  '-Inf': Number.NEGATIVE_INFINITY,
  '-0': -0,
};

/** `expr` as plain JSON values (every number JSON can hold kept as is). */
const exprToJSON = (expr: Expr): unknown =>
  JSON.parse(JSON.stringify(expr, (_k, v: unknown) => (typeof v === 'number' ? encode(v) : v)));

const revive = (v: unknown): unknown => {
  if (Array.isArray(v)) return v.map(revive);
  if (typeof v !== 'object' || v === null) return v;
  if (SPECIAL in v) {
    const n = DECODED[String((v as Record<string, unknown>)[SPECIAL])];
    if (n !== undefined) return n;
  }
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, revive(x)]));
};

/** The expression {@link exprToJSON} wrote (not checked: the writer is Vigil's own synth). */
const exprFromJSON = (json: unknown): Expr => revive(json) as Expr;

/** Parsed expressions by their text, as a document carries them. */
type ParsedExprsJSON = Readonly<Record<string, unknown>>;

/** Looks up a query's parsed expression, if it was parsed ahead. */
type ParsedExprLookup = (query: string) => Expr | undefined;

/** A document's parsed expressions, each read back on its first lookup. */
const parsedExprLookup = (json: ParsedExprsJSON | undefined): ParsedExprLookup => {
  const read = new Map<string, Expr>();
  return (query) => {
    const hit = read.get(query);
    if (hit !== undefined || json === undefined || !Object.hasOwn(json, query)) return hit;
    const expr = exprFromJSON(json[query]);
    read.set(query, expr);
    return expr;
  };
};

export type { ParsedExprLookup, ParsedExprsJSON };
export { exprFromJSON, exprToJSON, parsedExprLookup };
