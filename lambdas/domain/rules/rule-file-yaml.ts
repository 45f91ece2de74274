/**
 * Typed reading of a YAML document with positions, the way Prometheus's rule loader decodes rule
 * files with go-yaml v3 (`decoder.KnownFields(true)`): unknown fields, wrong node kinds and bad
 * durations are reported with the line and column of the offending node, in go-yaml's words.
 * @see https://github.com/prometheus/prometheus/blob/main/model/rulefmt/rulefmt.go (Parse)
 * @see https://github.com/go-yaml/yaml/blob/v3/decode.go (unmarshal errors)
 */
import {
  isAlias,
  isMap,
  isScalar,
  isSeq,
  type LineCounter,
  type Document as YamlDocument,
  type Node as YamlNode,
  Scalar as YamlScalar,
} from 'yaml';
import { durationInRange, parseDurationMs } from '../promql/lexical';

/** A 1-based line and column in the rule file. */
interface RuleFilePosition {
  readonly line: number;
  readonly column: number;
}

/** A problem found while decoding, before it gets its file and rule context. */
interface DecodeIssue {
  readonly position: RuleFilePosition;
  readonly reason: string;
}

/** What the readers need: the document (for aliases), its line counter, and where issues go. */
interface DecodeContext {
  readonly doc: YamlDocument;
  readonly lineCounter: LineCounter;
  readonly issues: DecodeIssue[];
}

/** One `key: value` of a mapping; `value` is `null` when the YAML value is empty. */
interface MapEntry {
  readonly key: string;
  readonly keyNode: YamlNode;
  readonly value: YamlNode | null;
}

/** A string-to-string mapping entry (labels, annotations) with the positions of key and value. */
interface StringEntry {
  readonly key: string;
  readonly value: string;
  readonly keyPosition: RuleFilePosition;
  readonly valuePosition: RuleFilePosition;
}

/** Position of the first character of a node (for a mapping: of its first key, as go-yaml). */
const positionOf = (ctx: DecodeContext, node: YamlNode | null | undefined): RuleFilePosition => {
  const offset = node?.range?.[0] ?? 0;
  const { line, col } = ctx.lineCounter.linePos(offset);
  return { line, column: col };
};

const report = (ctx: DecodeContext, node: YamlNode | null | undefined, reason: string): void => {
  ctx.issues.push({ position: positionOf(ctx, node), reason });
};

/** Follows `*alias` references to the anchored node, as go-yaml does. */
const deref = (ctx: DecodeContext, node: unknown): YamlNode | null => {
  let current = node;
  // A bounded loop: an alias resolves to an anchored node, never to itself.
  for (let i = 0; i < 16 && isAlias(current); i++) current = current.resolve(ctx.doc);
  if (isMap(current) || isSeq(current) || isScalar(current)) return current;
  return null;
};

const isNull = (node: YamlNode | null): boolean =>
  node === null || (isScalar(node) && node.value === null);

/** go-yaml's short tag of a node, used in its `cannot unmarshal !!x` messages. */
const shortTag = (node: YamlNode): string => {
  if (isMap(node)) return '!!map';
  if (isSeq(node)) return '!!seq';
  const v = (node as YamlScalar).value;
  if (v === null) return '!!null';
  if (typeof v === 'boolean') return '!!bool';
  if (typeof v === 'number' || typeof v === 'bigint') {
    return Number.isInteger(v) || typeof v === 'bigint' ? '!!int' : '!!float';
  }
  return '!!str';
};

/** The literal text of a scalar: go-yaml decodes any scalar (`5`, `true`) into a string field. */
const scalarText = (node: YamlScalar): string => {
  if (node.value === null) return '';
  if (typeof node.value === 'string') return node.value;
  return typeof node.source === 'string' ? node.source : String(node.value);
};

const cannotUnmarshal = (ctx: DecodeContext, node: YamlNode, into: string): void => {
  const tag = shortTag(node);
  const text = isScalar(node) ? ` \`${scalarText(node)}\`` : '';
  report(ctx, node, `cannot unmarshal ${tag}${text} into ${into}`);
};

/**
 * Reports a key already present in the same mapping, in go-yaml's words:
 * `mapping key "name" already defined at line 2`.
 */
const isDuplicateKey = (
  ctx: DecodeContext,
  seen: Map<string, YamlNode>,
  key: string,
  keyNode: YamlNode,
): boolean => {
  const first = seen.get(key);
  if (first === undefined) {
    seen.set(key, keyNode);
    return false;
  }
  const line = positionOf(ctx, first).line;
  report(ctx, keyNode, `mapping key ${JSON.stringify(key)} already defined at line ${line}`);
  return true;
};

/**
 * Reads a mapping with a fixed set of fields. Unknown fields are reported like go-yaml's
 * `KnownFields(true)`: `field bogus not found in type rulefmt.RuleNode`. Duplicate keys are
 * already reported by the YAML parser. Returns `undefined` when the node is not a mapping.
 */
const readMap = (
  ctx: DecodeContext,
  raw: unknown,
  typeName: string,
  known: readonly string[],
): ReadonlyMap<string, MapEntry> | undefined => {
  const node = deref(ctx, raw);
  if (node === null || isNull(node)) return new Map();
  if (!isMap(node)) {
    cannotUnmarshal(ctx, node, typeName);
    return undefined;
  }
  const entries = new Map<string, MapEntry>();
  const seen = new Map<string, YamlNode>();
  for (const pair of node.items) {
    const keyNode = deref(ctx, pair.key);
    if (keyNode === null || !isScalar(keyNode)) {
      report(ctx, keyNode, `invalid map key in type ${typeName}`);
      continue;
    }
    const key = scalarText(keyNode);
    if (isDuplicateKey(ctx, seen, key, keyNode)) continue;
    if (!known.includes(key)) {
      report(ctx, keyNode, `field ${key} not found in type ${typeName}`);
      continue;
    }
    entries.set(key, { key, keyNode, value: deref(ctx, pair.value) });
  }
  return entries;
};

/** Reads a sequence; `null` (empty value) is an empty sequence. */
const readSeq = (ctx: DecodeContext, raw: YamlNode | null, typeName: string): YamlNode[] => {
  if (raw === null || isNull(raw)) return [];
  if (!isSeq(raw)) {
    cannotUnmarshal(ctx, raw, typeName);
    return [];
  }
  // go-yaml skips a null item of a sequence of structs or strings (it cannot set one to null), so
  // `groups: [null]` and `rules: [null]` hold nothing rather than an empty group or rule.
  return raw.items
    .map((item) => deref(ctx, item))
    .filter((n): n is YamlNode => n !== null && !isNull(n));
};

/** Reads a string field; an empty YAML value is `''`, like go-yaml's zero value. */
const readString = (ctx: DecodeContext, raw: YamlNode | null): string | undefined => {
  if (raw === null) return '';
  if (!isScalar(raw)) {
    cannotUnmarshal(ctx, raw, 'string');
    return undefined;
  }
  return scalarText(raw);
};

/**
 * Reads a field rulefmt keeps as a `yaml.Node` (`record`, `alert`, `expr`): its scalar text as
 * written, so a YAML null spelled `null` is the text "null" (a valid metric name and selector, as
 * promtool finds), and only an empty value is `''`.
 */
const readNodeText = (ctx: DecodeContext, raw: YamlNode | null): string | undefined => {
  if (raw !== null && isScalar(raw) && raw.value === null)
    return typeof raw.source === 'string' ? raw.source : '';
  return readString(ctx, raw);
};

/**
 * Reads a Prometheus duration (`model.Duration`: `1m`, `1h30m`, `0`) to milliseconds. An empty
 * YAML value is 0, as go-yaml does not call the unmarshaler for null.
 * @see https://github.com/prometheus/common/blob/main/model/time.go (ParseDuration)
 */
const readDurationMs = (ctx: DecodeContext, raw: YamlNode | null): number | undefined => {
  if (raw === null || isNull(raw)) return 0;
  if (!isScalar(raw)) {
    cannotUnmarshal(ctx, raw, 'string');
    return undefined;
  }
  const text = scalarText(raw);
  if (text === '') {
    report(ctx, raw, 'empty duration string');
    return undefined;
  }
  const ms = parseDurationMs(text);
  if (ms === undefined) {
    report(ctx, raw, `not a valid duration string: ${JSON.stringify(text)}`);
    return undefined;
  }
  if (!durationInRange(text)) {
    report(ctx, raw, 'duration out of range');
    return undefined;
  }
  return ms;
};

/** Reads a Go `int`: a plain YAML integer; quoted strings and floats are rejected like go-yaml. */
const readInt = (ctx: DecodeContext, raw: YamlNode | null): number | undefined => {
  if (raw === null || isNull(raw)) return 0;
  if (isScalar(raw) && raw.type === YamlScalar.PLAIN && typeof raw.value === 'number') {
    if (Number.isSafeInteger(raw.value)) return raw.value;
    // go-yaml v3 stores a float that fits an int64 into an int field, truncated (1.5 → 1).
    if (Number.isFinite(raw.value) && Math.abs(raw.value) < 2 ** 63) return Math.trunc(raw.value);
  }
  cannotUnmarshal(ctx, raw, 'int');
  return undefined;
};

/** Reads a `map[string]string` (labels, annotations) keeping the positions of keys and values. */
const readStringMap = (ctx: DecodeContext, raw: YamlNode | null): StringEntry[] => {
  if (raw === null || isNull(raw)) return [];
  if (!isMap(raw)) {
    cannotUnmarshal(ctx, raw, 'map[string]string');
    return [];
  }
  const entries: StringEntry[] = [];
  const seen = new Map<string, YamlNode>();
  for (const pair of raw.items) {
    const keyNode = deref(ctx, pair.key);
    const valueNode = deref(ctx, pair.value);
    if (keyNode === null || !isScalar(keyNode)) {
      if (keyNode !== null) cannotUnmarshal(ctx, keyNode, 'string');
      continue;
    }
    if (isDuplicateKey(ctx, seen, scalarText(keyNode), keyNode)) continue;
    const value = readString(ctx, valueNode);
    if (value === undefined) continue;
    entries.push({
      key: scalarText(keyNode),
      value,
      keyPosition: positionOf(ctx, keyNode),
      valuePosition: positionOf(ctx, valueNode ?? keyNode),
    });
  }
  return entries;
};

export type { DecodeContext, DecodeIssue, MapEntry, RuleFilePosition, StringEntry };
export {
  deref,
  positionOf,
  readDurationMs,
  readInt,
  readMap,
  readNodeText,
  readSeq,
  readString,
  readStringMap,
  report,
};
