/**
 * Literal decoding shared by the parser and the test-file loader: durations, numbers and
 * Go-style quoted strings, as Prometheus reads them.
 * @see https://github.com/prometheus/common/blob/main/model/time.go (ParseDuration)
 * @see https://github.com/prometheus/prometheus/blob/main/promql/parser/lex.go
 */

const UNIT_MS: Readonly<Record<string, number>> = {
  y: 365 * 24 * 3600 * 1000,
  w: 7 * 24 * 3600 * 1000,
  d: 24 * 3600 * 1000,
  h: 3600 * 1000,
  m: 60 * 1000,
  s: 1000,
  ms: 1,
};

const DURATION_RE =
  /^(?:(\d+)y)?(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?(?:(\d+)ms)?$/;
const DURATION_UNITS = ['y', 'w', 'd', 'h', 'm', 's', 'ms'] as const;

/** Parses a Prometheus duration (`1h30m`, `5m`, `100ms`) to milliseconds, or `undefined`. */
const parseDurationMs = (text: string): number | undefined => {
  if (text === '' || text === '0') return text === '0' ? 0 : undefined;
  const m = DURATION_RE.exec(text);
  if (!m) return undefined;
  let ms = 0;
  DURATION_UNITS.forEach((u, i) => {
    const part = m[i + 1];
    if (part !== undefined) ms += Number(part) * (UNIT_MS[u] ?? 0);
  });
  return ms;
};

/** Nanoseconds per duration unit, as Go's `time.Duration` counts them. */
const UNIT_NS: Readonly<Record<string, bigint>> = {
  y: 365n * 24n * 3_600_000_000_000n,
  w: 7n * 24n * 3_600_000_000_000n,
  d: 24n * 3_600_000_000_000n,
  h: 3_600_000_000_000n,
  m: 60_000_000_000n,
  s: 1_000_000_000n,
  ms: 1_000_000n,
};
const MAX_DURATION_NS = (1n << 63n) - 1n;

/**
 * Whether a valid duration string fits a Go `time.Duration` (int64 nanoseconds, about 292
 * years), which `model.ParseDuration` requires: `106751d` does, `106752d` is "duration out of range".
 * @see https://github.com/prometheus/common/blob/main/model/time.go
 */
const durationInRange = (text: string): boolean => {
  let ns = 0n;
  for (const [, digits, unit] of text.matchAll(/(\d+)(ms|y|w|d|h|m|s)/g))
    ns += BigInt(digits as string) * (UNIT_NS[unit as string] ?? 0n);
  return ns <= MAX_DURATION_NS;
};

/**
 * Parses a PromQL number literal: decimal (with `_` separators), hex `0x..`, `Inf`, `NaN`, or a
 * duration (its value in seconds). Returns `undefined` when the text is none of these.
 */
const parseNumberLiteral = (text: string): number | undefined => {
  const t = text.toLowerCase();
  if (t === 'inf' || t === '+inf') return Number.POSITIVE_INFINITY;
  if (t === '-inf') return Number.NEGATIVE_INFINITY;
  if (t === 'nan') return Number.NaN;
  if (/^0x[0-9a-f]+$/.test(t)) return Number.parseInt(t.slice(2), 16);
  const clean = t.replace(/_/g, '');
  if (/^(\d+(\.\d*)?|\.\d+)(e[+-]?\d+)?$/.test(clean)) return Number(clean);
  const d = parseDurationMs(text);
  return d === undefined ? undefined : d / 1000;
};

const SIMPLE_ESCAPES: Readonly<Record<string, number>> = {
  a: 7,
  b: 8,
  f: 12,
  n: 10,
  r: 13,
  t: 9,
  v: 11,
  '\\': 92,
  '"': 34,
  "'": 39,
};

/** The result of decoding a quoted string. */
export interface UnquotedString {
  readonly value: string;
  /** Go `%q` rendering when the bytes are not valid UTF-8. */
  readonly invalidUtf8Quoted?: string;
}

const goQuote = (bytes: readonly number[]): string => {
  let out = '"';
  for (const b of bytes) {
    if (b === 34) out += '\\"';
    else if (b === 92) out += '\\\\';
    else if (b >= 0x20 && b < 0x7f) out += String.fromCharCode(b);
    else out += `\\x${b.toString(16).padStart(2, '0')}`;
  }
  return `${out}"`;
};

const pushUtf8 = (bytes: number[], cp: number): void => {
  for (const b of new TextEncoder().encode(String.fromCodePoint(cp))) bytes.push(b);
};

/**
 * Decodes a PromQL string literal with its quotes (`"..."`, `'...'` with Go escapes, or raw
 * `` `...` ``). Throws `Error` with a reason on a bad escape or missing quote.
 */
const unquoteString = (text: string): UnquotedString => {
  const q = text[0];
  if (text.length < 2 || text[text.length - 1] !== q) throw new Error('unterminated quoted string');
  const body = text.slice(1, -1);
  if (q === '`') return { value: body };
  const bytes: number[] = [];
  for (let i = 0; i < body.length; i++) {
    const c = body[i] as string;
    if (c !== '\\') {
      pushUtf8(bytes, body.codePointAt(i) as number);
      if ((body.codePointAt(i) as number) > 0xffff) i++;
      continue;
    }
    const e = body[++i];
    if (e === undefined) throw new Error('escape sequence not terminated');
    const simple = SIMPLE_ESCAPES[e];
    if (simple !== undefined) {
      if ((e === '"' || e === "'") && e !== q) throw new Error('unknown escape sequence');
      bytes.push(simple);
    } else if (e === 'x') {
      const h = body.slice(i + 1, i + 3);
      if (!/^[0-9a-fA-F]{2}$/.test(h)) throw new Error('illegal character in escape sequence');
      bytes.push(Number.parseInt(h, 16));
      i += 2;
    } else if (e === 'u' || e === 'U') {
      const n = e === 'u' ? 4 : 8;
      const h = body.slice(i + 1, i + 1 + n);
      if (!new RegExp(`^[0-9a-fA-F]{${n}}$`).test(h)) {
        throw new Error('illegal character in escape sequence');
      }
      const cp = Number.parseInt(h, 16);
      if (cp > 0x10ffff || (cp >= 0xd800 && cp < 0xe000)) {
        throw new Error('escape sequence is invalid Unicode code point');
      }
      pushUtf8(bytes, cp);
      i += n;
    } else if (/[0-7]/.test(e)) {
      const o = body.slice(i, i + 3);
      if (!/^[0-7]{3}$/.test(o)) throw new Error('illegal character in escape sequence');
      const v = Number.parseInt(o, 8);
      if (v > 255) throw new Error('escape sequence is invalid Unicode code point');
      bytes.push(v);
      i += 2;
    } else {
      throw new Error('unknown escape sequence');
    }
  }
  try {
    return { value: new TextDecoder('utf-8', { fatal: true }).decode(new Uint8Array(bytes)) };
  } catch {
    return {
      value: new TextDecoder('utf-8').decode(new Uint8Array(bytes)),
      invalidUtf8Quoted: goQuote(bytes),
    };
  }
};

export { durationInRange, parseDurationMs, parseNumberLiteral, unquoteString };
