/**
 * The building blocks of the config schemas (zod): mappings that name unknown keys and suggest
 * the likely intended one, integers with their bounds in the message, Prometheus durations, and
 * `runSchema`, which turns zod's issues into {@link ConfigIssue}s with dotted paths.
 */
import { z } from 'zod';
import { parseDurationMs } from '../promql/lexical';
import type { ConfigIssue } from './issues';

// Each schema parses one file per process: compiling it to a function (zod's JIT) costs more than it saves.
z.config({ jitless: true });

export { z };

/** A validated value as callers see it: read-only all the way down. */
export type DeepReadonly<T> = T extends (infer U)[]
  ? readonly DeepReadonly<U>[]
  : T extends Date | RegExp
    ? T
    : T extends object
      ? { readonly [K in keyof T]: DeepReadonly<T[K]> }
      : T;

/** The read-only output type of a schema. */
export type Infer<S extends z.ZodType> = DeepReadonly<z.output<S>>;

/** A value as the messages show it. */
export const show = (v: unknown): string =>
  v instanceof Date ? v.toISOString() : (JSON.stringify(v) ?? String(v));

/** A YAML mapping (a plain object, not a list, a Date or null). */
export const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' &&
  v !== null &&
  (Object.getPrototypeOf(v) === Object.prototype || Object.getPrototypeOf(v) === null);

/**
 * A key with an empty YAML value (`quotaPerDay:`, parsed as null) is read as absent, at every
 * level; a null list item stays (and is refused where the list wants something else).
 */
export const withoutNulls = (v: unknown): unknown => {
  if (Array.isArray(v)) return v.map(withoutNulls);
  if (!isPlainObject(v)) return v;
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) if (x !== null) out[k] = withoutNulls(x);
  return out;
};

/** Levenshtein distance, for suggesting the key a typo meant. */
const editDistance = (a: string, b: string): number => {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      row.push(
        Math.min(
          (prev[j] as number) + 1,
          (row[j - 1] as number) + 1,
          (prev[j - 1] as number) + cost,
        ),
      );
    }
    prev = row;
  }
  return prev[b.length] as number;
};

/** The known key nearest to `key`, when it is near enough to be a typo of it. */
export const nearestKey = (key: string, known: readonly string[]): string | undefined => {
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const k of known) {
    const d = editDistance(key.toLowerCase(), k.toLowerCase());
    if (d < bestDistance) {
      best = k;
      bestDistance = d;
    }
  }
  const allowed = Math.max(1, Math.floor(Math.max(key.length, 3) / 3));
  return bestDistance <= allowed ? best : undefined;
};

/** The keys each strict mapping knows, by the message of its unknown-key issue. */
const KNOWN_KEYS = new Map<string, readonly string[]>();

const unknownKeyMessage = (known: readonly string[]): string => {
  const message = `unknown key (expected one of: ${known.join(', ')})`;
  KNOWN_KEYS.set(message, known);
  return message;
};

/**
 * A mapping with exactly these keys: any other key is an issue of its own, naming the expected
 * keys (and the likely intended one). `what` is the message when the value is not a mapping.
 */
export const mapping = <S extends z.core.$ZodLooseShape>(
  shape: S,
  what = 'must be a mapping',
  known: readonly string[] = Object.keys(shape),
) => {
  const unknown = unknownKeyMessage(known);
  return z.strictObject(shape, {
    error: (iss) => (iss.code === 'unrecognized_keys' ? unknown : what),
  });
};

/** A mapping that may be left out: its keys' defaults apply then. */
export const section = <S extends z.core.$ZodLooseShape>(shape: S, what?: string) =>
  mapping(shape, what).prefault({} as never);

/** Adds an issue at `path` (relative to the value checked) from a refinement. */
export const fail = (
  ctx: { addIssue: (issue: z.core.$ZodRawIssue | string) => void },
  message: string,
  path: PropertyKey[] = [],
): void => {
  ctx.addIssue({ code: 'custom', message, path, input: undefined } as never);
};

/** An integer in [min, max]; `style` picks between the two ways the sections phrase it. */
export const int = (min: number, max: number, style: 'split' | 'joined' = 'split') => {
  const joined = `must be an integer between ${min} and ${max}`;
  return z
    .number({
      error: (i) => `${style === 'joined' ? joined : 'must be an integer'}, got ${show(i.input)}`,
    })
    .superRefine((v, ctx) => {
      if (style === 'joined') {
        if (!Number.isInteger(v) || v < min || v > max) fail(ctx, `${joined}, got ${show(v)}`);
      } else if (!Number.isInteger(v)) fail(ctx, `must be an integer, got ${show(v)}`);
      else if (v < min || v > max) fail(ctx, `must be between ${min} and ${max}, got ${v}`);
    });
};

/** true or false. */
export const bool = () => z.boolean({ error: 'must be true or false' });

/** A string (any), with the value found in the message otherwise. */
export const str = (what = 'must be a string') =>
  z.string({
    error: (i) => (i.input === undefined ? 'is required' : `${what}, got ${show(i.input)}`),
  });

/** A string matching `re`; `message` says what it must be. */
export const matching = (re: Pick<RegExp, 'test'>, message: (v: unknown) => string) =>
  z
    .string({ error: (i) => (i.input === undefined ? 'is required' : message(i.input)) })
    .superRefine((v, ctx) => {
      if (!re.test(v)) fail(ctx, message(v));
    });

/** One of `values`. */
export const oneOf = <const T extends readonly [string, ...string[]]>(
  values: T,
  message: (v: unknown) => string = (v) => `must be one of ${values.join(', ')}, got ${show(v)}`,
) => z.enum(values, { error: (i) => message(i.input) });

/**
 * A Prometheus duration (`30s`, `5m`, `1h30m`) in ms. `message` is used when the value is not
 * one; `positive` refuses 0.
 */
export const duration = (message: (v: unknown) => string, positive = true) =>
  z.string({ error: (i) => message(i.input) }).transform((v, ctx) => {
    const ms = parseDurationMs(v);
    if (ms === undefined || (positive && !(ms > 0))) {
      fail(ctx, message(v));
      return z.NEVER;
    }
    return ms;
  });

/** A list; `what` is the message when the value is not one. */
export const list = <T extends z.ZodType>(item: T, what = 'must be a list') =>
  z.array(item, { error: what });

/** Our messages for whatever a schema does not phrase itself. */
const houseMessage = (iss: z.core.$ZodRawIssue): string | undefined => {
  if (iss.code === 'invalid_type') {
    if (iss.input === undefined) return 'is required';
    switch (iss.expected) {
      case 'object':
        return 'must be a mapping';
      case 'array':
        return 'must be a list';
      case 'boolean':
        return 'must be true or false';
      case 'string':
        return `must be a string, got ${show(iss.input)}`;
      case 'number':
      case 'int':
        return `must be a number, got ${show(iss.input)}`;
      default:
        return undefined;
    }
  }
  if (iss.code === 'invalid_value')
    return `must be one of ${iss.values.map((v) => String(v)).join(', ')}, got ${show(iss.input)}`;
  return undefined;
};

/** A dotted path: `alerting.inhibit_rules[0].equal[1]`. */
export const dottedPath = (prefix: string, path: readonly PropertyKey[]): string => {
  let out = prefix;
  for (const p of path) {
    if (typeof p === 'number') out += `[${p}]`;
    else out += out === '' ? String(p) : `.${String(p)}`;
  }
  return out;
};

const startsWith = (path: readonly PropertyKey[], prefix: readonly PropertyKey[]): boolean =>
  prefix.every((p, i) => path[i] === p);

/** Unknown keys of a mapping first, before the other problems inside it (as a reader fixes them). */
const unknownKeysFirst = (issues: readonly z.core.$ZodIssue[]): z.core.$ZodIssue[] => {
  const out: z.core.$ZodIssue[] = issues.filter((i) => i.code !== 'unrecognized_keys');
  for (const iss of issues) {
    if (iss.code !== 'unrecognized_keys') continue;
    const at = out.findIndex((o) => startsWith(o.path, iss.path));
    out.splice(at < 0 ? out.length : at, 0, iss);
  }
  return out;
};

/** zod's issues as config issues: one per unknown key, each with its dotted path. */
export const configIssuesOf = (
  issues: readonly z.core.$ZodIssue[],
  prefix: string,
): ConfigIssue[] =>
  unknownKeysFirst(issues).flatMap((iss): ConfigIssue[] => {
    const path = dottedPath(prefix, iss.path);
    if (iss.code !== 'unrecognized_keys')
      return [{ path: path === '' ? '(root)' : path, message: iss.message }];
    const known = KNOWN_KEYS.get(iss.message) ?? [];
    return iss.keys.map((key) => {
      const near = nearestKey(key, known);
      return {
        path: dottedPath(path, [key]),
        message: near === undefined ? iss.message : `unknown key, did you mean \`${near}\`?`,
      };
    });
  });

/**
 * Validates `raw` (the value at `prefix`, YAML nulls read as absent) against `schema`. When
 * `raw` is absent or fails, `config` is `fallback` (the section's defaults); `issues` lists every
 * problem.
 */
export const runSchema = <S extends z.ZodType>(
  schema: S,
  raw: unknown,
  prefix: string,
  fallback: () => z.output<S>,
): { config: z.output<S>; issues: ConfigIssue[] } => {
  if (raw === undefined || raw === null) return { config: fallback(), issues: [] };
  const result = schema.safeParse(withoutNulls(raw), { error: houseMessage });
  if (result.success) return { config: result.data, issues: [] };
  return { config: fallback(), issues: configIssuesOf(result.error.issues, prefix) };
};

/**
 * Lets a list's or a mapping's refinement run even when parts of it failed (it must then read
 * the parts with care), so cross-field problems are reported beside the others.
 */
export const onList = { when: (p: { value: unknown }): boolean => Array.isArray(p.value) };
export const onMapping = { when: (p: { value: unknown }): boolean => isPlainObject(p.value) };

/** Indexes of a list's items that failed, from a refinement's context. */
export const failedItems = (ctx: { issues: readonly z.core.$ZodRawIssue[] }): Set<PropertyKey> =>
  new Set(ctx.issues.map((i) => i.path?.[0]).filter((p) => p !== undefined));

/**
 * Validates `value` with `schema` from inside a refinement or transform, its issues joining the
 * outer ones under `path`; the parsed value, or undefined when it failed.
 */
export const parseInto = <S extends z.ZodType>(
  schema: S,
  value: unknown,
  ctx: { addIssue: (issue: z.core.$ZodRawIssue | string) => void },
  path: PropertyKey[] = [],
): z.output<S> | undefined => {
  const result = schema.safeParse(value, { error: houseMessage });
  if (result.success) return result.data;
  for (const iss of result.error.issues)
    ctx.addIssue({ ...iss, path: [...path, ...iss.path] } as never);
  return undefined;
};

/**
 * From a list's refinement: an issue about item `path[0]`, placed first among that item's
 * issues (so a duplicate name reads before the item's other problems).
 */
export const failInItem = (
  ctx: { issues: z.core.$ZodRawIssue[] },
  message: string,
  path: [number, ...PropertyKey[]],
): void => {
  const [item] = path;
  let at = ctx.issues.findIndex(
    (i) => typeof i.path?.[0] === 'number' && (i.path[0] as number) >= item,
  );
  if (at < 0) at = ctx.issues.length;
  ctx.issues.splice(at, 0, {
    code: 'custom',
    message,
    path,
    input: undefined,
    continue: true,
  } as never);
};

/** A mapping of label names to string values (`labels:`, `external_labels:`). */
export const labelMap = (
  labelName: Pick<RegExp, 'test'>,
  what = 'must be a mapping of label names to values',
) =>
  z.record(z.string(), z.unknown(), { error: what }).transform((labels, ctx) => {
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(labels)) {
      if (!labelName.test(k)) fail(ctx, 'invalid label name', [k]);
      else if (typeof v !== 'string') fail(ctx, 'must be a string', [k]);
      else out[k] = v;
    }
    return out;
  });
