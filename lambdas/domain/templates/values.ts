/**
 * The Go values a template manipulates, modelled in TypeScript. Go's text/template is typed by
 * reflection; the few types Prometheus alert templates meet are represented here:
 * `string`, `float64` (number), `int` (bigint), `bool`, maps, structs, slices, `*time.Time`, and
 * nil (`undefined`, also Go's "no value").
 * @see https://pkg.go.dev/text/template#hdr-Arguments
 */

/** A map with string keys; `zero` is what a missing key yields (`missingkey=zero`). */
class GoMap {
  constructor(
    readonly typeName: string,
    readonly entries: ReadonlyMap<string, GoValue>,
    readonly zero: GoValue,
  ) {}

  /** Keys in Go's `fmtsort` order (byte order for strings), as `range` and `fmt` visit them. */
  sortedKeys(): string[] {
    return [...this.entries.keys()].sort(compareStrings);
  }
}

/** A struct, or a pointer to one (`pointer`), with exported fields in declaration order. */
class GoStruct {
  constructor(
    readonly typeName: string,
    readonly fields: ReadonlyMap<string, GoValue>,
    readonly pointer: boolean,
  ) {}
}

/** A slice. */
class GoSlice {
  constructor(
    readonly typeName: string,
    readonly items: GoValue[],
  ) {}
}

/** A `*time.Time` in UTC with millisecond precision (Prometheus' `model.Time`). */
class GoTime {
  constructor(readonly epochMs: number) {}
}

/** Any value a template can hold. `undefined` is Go's nil / invalid value. */
type GoValue = undefined | boolean | number | bigint | string | GoMap | GoStruct | GoSlice | GoTime;

const compareStrings = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Go's `%T` of a value. */
const goTypeName = (v: GoValue): string => {
  if (v === undefined) return '<nil>';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'number') return 'float64';
  if (typeof v === 'bigint') return 'int';
  if (typeof v === 'string') return 'string';
  if (v instanceof GoTime) return '*time.Time';
  return v.typeName;
};

/** A `map[string]string` (labels). Missing keys read as `""`. */
const stringMap = (record: Readonly<Record<string, string>>): GoMap =>
  new GoMap('map[string]string', new Map(Object.entries(record)), '');

/**
 * Go's truth (text/template `isTrue`): false, 0, nil, and empty strings, maps and slices are false;
 * structs, pointers and NaN are true.
 */
const isTrue = (v: GoValue): boolean => {
  if (v === undefined) return false;
  if (typeof v === 'boolean') return v;
  if (typeof v === 'number') return v !== 0;
  if (typeof v === 'bigint') return v !== 0n;
  if (typeof v === 'string') return v.length > 0;
  if (v instanceof GoMap) return v.entries.size > 0;
  if (v instanceof GoSlice) return v.items.length > 0;
  return true;
};

export { compareStrings, GoMap, GoSlice, GoStruct, GoTime, goTypeName, isTrue, stringMap };
export type { GoValue };
