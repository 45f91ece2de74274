/**
 * Timestream SQL for label matchers.
 *
 * Prometheus semantics: an absent label has the value `""`. In the table an absent label is a
 * NULL dimension, so `l="" ` is `l IS NULL`, `l!="x"` also matches rows without `l`, and a regex
 * that matches the empty string also matches NULL. A matcher on a label the table has no column
 * for (never written) is decided here against `""` and becomes the constant TRUE or FALSE, so
 * such a query neither fails ("column does not exist") nor needs the column.
 */
import { METRIC_NAME_LABEL } from '../../../domain/series/labels';
import { type LabelMatcher, MatchOp, matchesValue } from '../../../domain/series/matchers';
import { dimensionNameOf } from './encoding';
import { anchoredJavaPattern } from './regex';

/** A SQL string literal: single quotes doubled (backslashes are not escapes in Timestream SQL). */
const sqlString = (s: string): string => `'${s.replaceAll("'", "''")}'`;

/** A quoted SQL identifier: double quotes doubled. */
const sqlIdentifier = (s: string): string => `"${s.replaceAll('"', '""')}"`;

/** The `FROM` target `"db"."table"`. */
const sqlTable = (database: string, table: string): string =>
  `${sqlIdentifier(database)}.${sqlIdentifier(table)}`;

/** `time BETWEEN from_milliseconds(a) AND from_milliseconds(b)` for a closed range. */
const timePredicate = (startMs: number, endMs: number): string =>
  `time BETWEEN from_milliseconds(${Math.floor(startMs)}) AND from_milliseconds(${Math.ceil(endMs)})`;

/**
 * `regexp_like(col, …)` for an RE2 matcher, or `TRUE` when the pattern is not pushed down (the
 * reader filters the rows with RE2 anyway, see `timestream/regex.ts`).
 */
const regexLike = (col: string, re: string): string => {
  const java = anchoredJavaPattern(re);
  return java === undefined ? 'TRUE' : `regexp_like(${col}, ${sqlString(java)})`;
};

/** True when every regex matcher of `sets` is pushed down as it is (no `TRUE` stands in for one). */
const pushedDownExactly = (sets: readonly (readonly LabelMatcher[])[]): boolean =>
  sets.every((set) =>
    set.every(
      (m) =>
        (m.op !== MatchOp.RegexMatch && m.op !== MatchOp.RegexNoMatch) ||
        anchoredJavaPattern(m.value) !== undefined,
    ),
  );

/** SQL for one matcher on a column that may be NULL (a dimension). */
const dimensionPredicate = (col: string, m: LabelMatcher): string => {
  switch (m.op) {
    case MatchOp.Equal:
      return m.value === '' ? `${col} IS NULL` : `${col} = ${sqlString(m.value)}`;
    case MatchOp.NotEqual:
      return m.value === ''
        ? `${col} IS NOT NULL`
        : `(${col} IS NULL OR ${col} <> ${sqlString(m.value)})`;
    case MatchOp.RegexMatch:
    case MatchOp.RegexNoMatch: {
      const like = regexLike(col, m.value);
      if (like === 'TRUE') return 'TRUE';
      const cond = m.op === MatchOp.RegexNoMatch ? `NOT ${like}` : like;
      // regexp_like(NULL, …) is NULL, so `cond` alone already excludes rows without the label.
      return matchesValue(m, '') ? `(${col} IS NULL OR ${cond})` : cond;
    }
    default: {
      const never: never = m.op;
      throw new Error(`unknown match operator ${String(never)}`);
    }
  }
};

/** SQL for one matcher on `measure_name`, which is never NULL nor empty. */
const measureNamePredicate = (m: LabelMatcher): string => {
  switch (m.op) {
    case MatchOp.Equal:
      return m.value === '' ? 'FALSE' : `measure_name = ${sqlString(m.value)}`;
    case MatchOp.NotEqual:
      return m.value === '' ? 'TRUE' : `measure_name <> ${sqlString(m.value)}`;
    case MatchOp.RegexMatch:
    case MatchOp.RegexNoMatch: {
      const like = regexLike('measure_name', m.value);
      return like === 'TRUE' || m.op === MatchOp.RegexMatch ? like : `NOT ${like}`;
    }
    default: {
      const never: never = m.op;
      throw new Error(`unknown match operator ${String(never)}`);
    }
  }
};

/** A matcher on a label with no column: decided against `""` with RE2. */
const absentLabelPredicate = (m: LabelMatcher): string => (matchesValue(m, '') ? 'TRUE' : 'FALSE');

/**
 * The conjunction of `matchers` as SQL: exactly `TRUE` when every matcher is constant-true (or
 * there are none), exactly `FALSE` when one of them is constant-false.
 * @param hasColumn whether the table has a dimension column of that name
 */
const matchersPredicate = (
  matchers: readonly LabelMatcher[],
  hasColumn: (dimensionName: string) => boolean,
): string => {
  const parts: string[] = [];
  for (const m of matchers) {
    let part: string;
    if (m.name === METRIC_NAME_LABEL) part = measureNamePredicate(m);
    else {
      const dim = dimensionNameOf(m.name);
      part = hasColumn(dim) ? dimensionPredicate(sqlIdentifier(dim), m) : absentLabelPredicate(m);
    }
    if (part === 'FALSE') return 'FALSE';
    if (part !== 'TRUE') parts.push(part);
  }
  return parts.length === 0 ? 'TRUE' : parts.join(' AND ');
};

/**
 * The disjunction of matcher sets: `TRUE` when there are none (every series) or one is
 * constant-true, exactly `FALSE` when all are constant-false.
 */
const matcherSetsPredicate = (
  sets: readonly (readonly LabelMatcher[])[],
  hasColumn: (dimensionName: string) => boolean,
): string => {
  if (sets.length === 0) return 'TRUE';
  const parts: string[] = [];
  for (const set of sets) {
    const p = matchersPredicate(set, hasColumn);
    if (p === 'TRUE') return 'TRUE';
    if (p !== 'FALSE') parts.push(p);
  }
  if (parts.length === 0) return 'FALSE';
  return parts.length === 1 ? (parts[0] as string) : `(${parts.map((p) => `(${p})`).join(' OR ')})`;
};

/** The instant-vector steps a select is evaluated at (`SelectHints.instantSteps`). */
export interface StepGrid {
  readonly startMs: number;
  readonly stepMs: number;
  readonly count: number;
  readonly lookbackMs: number;
}

/**
 * `SELECT outputs FROM from WHERE where` cut to the newest row of each series at or before each
 * step of `grid`: rows are ranked within (series, step bucket) by time, newest first, and only
 * the first is kept. Step `k`'s bucket holds the rows in `(step k-1, step k]`, so the newest row
 * at or before any step is the first of its bucket; the rows before the first step fall in
 * buckets 0 and below. A single step (instant query) has one bucket as wide as the lookback.
 * At equal times a special-value row ranks first, as `select` decides too.
 * @param outputs `expression AS name` items; the outer query returns their names
 * @see https://docs.aws.amazon.com/timestream/latest/developerguide/window-functions.html
 */
const lastRowPerStepSql = (
  outputs: readonly { readonly expr: string; readonly name: string }[],
  from: string,
  where: string,
  series: readonly string[],
  specialColumn: string | undefined,
  grid: StepGrid,
): string => {
  const width = Math.max(
    1,
    Math.floor(grid.count > 1 ? grid.stepMs : Math.max(grid.stepMs, grid.lookbackMs)),
  );
  const bucket = `ceil(CAST(to_milliseconds(time) - ${Math.floor(grid.startMs)} AS DOUBLE) / ${width})`;
  const order = specialColumn
    ? `time DESC, CASE WHEN ${specialColumn} IS NULL THEN 1 ELSE 0 END`
    : 'time DESC';
  const inner = [
    ...outputs.map((o) => (o.expr === o.name ? o.expr : `${o.expr} AS ${o.name}`)),
    `row_number() OVER (PARTITION BY ${[...series, bucket].join(', ')} ORDER BY ${order}) AS vigil_rank`,
  ];
  return `SELECT ${outputs.map((o) => o.name).join(', ')} FROM (SELECT ${inner.join(', ')} FROM ${from} WHERE ${where}) WHERE vigil_rank = 1`;
};

export {
  lastRowPerStepSql,
  matcherSetsPredicate,
  pushedDownExactly,
  matchersPredicate,
  sqlIdentifier,
  sqlString,
  sqlTable,
  timePredicate,
};
