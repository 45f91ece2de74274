/**
 * Go's number parsing/printing rules that the text format inherits from `expfmt`.
 * Everything here scans by hand: no regular expression can backtrack on a long token.
 */

const isDigit = (c: number): boolean => c >= 48 && c <= 57;

/** Length of the case-insensitive common prefix of `s` (from `from`) and lower-case `word`. */
const commonPrefixLenIgnoreCase = (s: string, from: number, word: string): number => {
  let n = 0;
  while (n < word.length && from + n < s.length) {
    const c = s.charCodeAt(from + n) | 0x20;
    if (c !== word.charCodeAt(n)) break;
    n++;
  }
  return n;
};

/**
 * Go's `strconv.ParseFloat(s, 64)` as `expfmt` calls it: `p`, `P` and `_` are refused first,
 * so hex floats and digit separators never parse. Accepts decimal forms (`1`, `-.5`, `5.`,
 * `1e-3`, `1E+05`), `Inf`/`Infinity` with optional sign and `NaN` (case-insensitive, no sign).
 * Overflow (`1e400`) is an error, as Go's `ErrRange` is; underflow rounds to 0 as in Go.
 * @returns the value, or `undefined` when Go would return an error.
 * @see https://github.com/prometheus/common/blob/main/expfmt/text_parse.go (parseFloat)
 * @see https://pkg.go.dev/strconv#ParseFloat
 */
const parseGoFloat = (s: string): number | undefined => {
  const n = s.length;
  if (n === 0) return undefined;
  let i = 0;
  const c0 = s.charCodeAt(0);
  const signed = c0 === 43 || c0 === 45; // + -
  if (signed) i = 1;
  const c = s.charCodeAt(i) | 0x20;
  if (c === 0x69) {
    // 'i': "inf" or "infinity", nothing else.
    const p = commonPrefixLenIgnoreCase(s, i, 'infinity');
    if ((p === 3 && n - i === 3) || (p === 8 && n - i === 8)) {
      return c0 === 45 ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
    }
    return undefined;
  }
  if (c === 0x6e && !signed) {
    return n === 3 && commonPrefixLenIgnoreCase(s, 0, 'nan') === 3 ? Number.NaN : undefined;
  }
  let digits = 0;
  while (i < n && isDigit(s.charCodeAt(i))) {
    i++;
    digits++;
  }
  if (i < n && s.charCodeAt(i) === 46) {
    i++;
    while (i < n && isDigit(s.charCodeAt(i))) {
      i++;
      digits++;
    }
  }
  if (digits === 0) return undefined;
  if (i < n && (s.charCodeAt(i) | 0x20) === 0x65) {
    i++;
    if (i < n && (s.charCodeAt(i) === 43 || s.charCodeAt(i) === 45)) i++;
    const expStart = i;
    while (i < n && isDigit(s.charCodeAt(i))) i++;
    if (i === expStart) return undefined;
  }
  if (i !== n) return undefined;
  // The scan above admits only what JavaScript's Number() reads the same way, correctly rounded.
  const v = Number(s);
  return Number.isFinite(v) ? v : undefined;
};

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/**
 * Go's `strconv.ParseInt(s, 10, 64)`: optional sign, decimal digits, int64 range.
 * The result is a JavaScript number, exact up to 2^53 ms (year 287396).
 * @returns the value, or `undefined` when Go would return an error.
 */
const parseGoInt64 = (s: string): number | undefined => {
  const n = s.length;
  let i = 0;
  if (n > 0 && (s.charCodeAt(0) === 43 || s.charCodeAt(0) === 45)) i = 1;
  if (i === n || n - i > 40) return undefined;
  for (let j = i; j < n; j++) if (!isDigit(s.charCodeAt(j))) return undefined;
  const b = BigInt(s.charCodeAt(0) === 43 ? s.slice(1) : s);
  if (b < INT64_MIN || b > INT64_MAX) return undefined;
  return Number(b);
};

/**
 * Go's `strconv.FormatFloat(v, 'g', -1, 64)`: shortest round-trip digits, exponent form when the
 * decimal exponent is < -4 or >= 6 (`1e+06`, `1.234567e+06`, `1e-05`), at least two exponent
 * digits; `NaN`, `+Inf`, `-Inf`; `-0` stays `-0`.
 * @see https://github.com/golang/go/blob/master/src/strconv/ftoa.go (formatDigits: eprec = 6)
 */
const formatGoFloat = (v: number): string => {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Number.POSITIVE_INFINITY) return '+Inf';
  if (v === Number.NEGATIVE_INFINITY) return '-Inf';
  if (v === 0) return Object.is(v, -0) ? '-0' : '0';
  const e = v.toExponential(); // shortest round-trip digits: "-1.2345e+8"
  const at = e.indexOf('e');
  const exp = Number(e.slice(at + 1));
  if (exp >= -4 && exp < 6) return String(v); // JavaScript prints these fixed with the same digits.
  const abs = Math.abs(exp);
  return `${e.slice(0, at)}e${exp < 0 ? '-' : '+'}${abs < 10 ? '0' : ''}${abs}`;
};

/**
 * How `expfmt`'s text writer prints a sample value (`writeFloat`): `1`, `0`, `-1` hard-coded
 * (so `-0` prints `0`), otherwise {@link formatGoFloat}.
 * @see https://github.com/prometheus/common/blob/main/expfmt/text_create.go
 */
const formatSampleValue = (v: number): string => (v === 0 ? '0' : formatGoFloat(v));

/**
 * Prometheus's `labels.FormatOpenMetricsFloat`: Go formatting plus `.0` when the result has neither
 * `.` nor `e`. Prometheus 3.x normalizes `le` and `quantile` label values to this form on ingestion.
 * @see https://github.com/prometheus/prometheus/blob/main/model/labels/float.go
 * @see https://prometheus.io/docs/prometheus/latest/migration/#le-and-quantile-label-values
 */
const formatOpenMetricsFloat = (v: number): string => {
  if (v === 0) return '0.0';
  const s = formatGoFloat(v);
  if (!Number.isFinite(v) || s.includes('.') || s.includes('e')) return s;
  return `${s}.0`;
};

const hex = (c: number, width: number): string => c.toString(16).padStart(width, '0');

const GO_ESCAPES: Readonly<Record<number, string>> = {
  7: '\\a',
  8: '\\b',
  9: '\\t',
  10: '\\n',
  11: '\\v',
  12: '\\f',
  13: '\\r',
  34: '\\"',
  92: '\\\\',
};

/** Escapes one UTF-16 code unit the way Go's `%q` escapes a non-printable rune. */
const goEscapeCodeUnit = (c: number, quote: number): string => {
  if (c === quote || c === 92 || (c < 0x20 && GO_ESCAPES[c] !== undefined)) {
    return c === 39 ? "\\'" : (GO_ESCAPES[c] ?? String.fromCharCode(c));
  }
  if (c < 0x20 || c === 0x7f) return `\\x${hex(c, 2)}`;
  if ((c >= 0x80 && c < 0xa0) || (c >= 0xd800 && c <= 0xdfff)) return `\\u${hex(c, 4)}`;
  return String.fromCharCode(c);
};

/** Longest token quoted in an error message; longer ones are cut and followed by `...`. */
const QUOTE_MAX_CHARS = 128;

/**
 * Go's `%q` for a string (`strconv.Quote`), close enough for error messages: ASCII control
 * characters and C1 controls are escaped, other characters kept. Surrogate pairs are kept whole.
 */
const goQuote = (text: string): string => {
  // Error messages quote tokens; a 10 MiB token must not become a 10 MiB message.
  const s = text.length > QUOTE_MAX_CHARS ? text.slice(0, QUOTE_MAX_CHARS) : text;
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        out += s[i] + s[i + 1];
        i++;
        continue;
      }
    }
    out += goEscapeCodeUnit(c, 34);
  }
  return s === text ? `${out}"` : `${out}"...`;
};

/** Go's `%q` for a single byte/rune, e.g. `'x'`, `'\n'`, `'"'`. */
const goQuoteChar = (c: number): string => (c === 34 ? `'"'` : `'${goEscapeCodeUnit(c, 39)}'`);

export {
  formatGoFloat,
  formatOpenMetricsFloat,
  formatSampleValue,
  goQuote,
  goQuoteChar,
  parseGoFloat,
  parseGoInt64,
};
