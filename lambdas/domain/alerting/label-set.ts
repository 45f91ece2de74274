/**
 * Label-set helpers with Prometheus/Alertmanager semantics: the alert fingerprint, the
 * `LabelSet.String()` rendering used in group keys, and Go's time rendering used in payloads.
 */
import type { Labels } from '../series/labels';
import { labelsFingerprint } from '../series/fingerprint';

const GO_ESCAPES: Readonly<Record<string, string>> = {
  '\x07': '\\a',
  '\b': '\\b',
  '\f': '\\f',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
  '\v': '\\v',
  '\\': '\\\\',
  '"': '\\"',
};

/** Go's `strconv.Quote` for the characters label values contain (control bytes as `\xNN`). */
const goQuote = (s: string): string => {
  let out = '"';
  for (const ch of s) {
    const esc = GO_ESCAPES[ch];
    if (esc !== undefined) out += esc;
    else {
      const c = ch.codePointAt(0) ?? 0;
      out += c < 0x20 || c === 0x7f ? `\\x${c.toString(16).padStart(2, '0')}` : ch;
    }
  }
  return `${out}"`;
};

/**
 * `model.LabelSet.String()`: `{a="1", b="2"}`, names sorted, values Go-quoted.
 * @see https://github.com/prometheus/common/blob/main/model/labelset.go
 */
const labelSetString = (labels: Labels): string =>
  `{${Object.keys(labels)
    .filter((n) => labels[n] !== '')
    .sort()
    .map((n) => `${n}=${goQuote(labels[n] ?? '')}`)
    .join(', ')}}`;

/** Go's zero `time.Time` in JSON, which Alertmanager sends as `endsAt` of a firing alert. */
const GO_ZERO_TIME = '0001-01-01T00:00:00Z';

/**
 * A millisecond timestamp as Go's `time.Time` JSON (RFC 3339 with nanoseconds, trailing zeros
 * of the fraction dropped): `2024-01-01T00:00:00Z`, `2024-01-01T00:00:00.5Z`. `0` is the zero time.
 * @see https://pkg.go.dev/time#Time.MarshalJSON
 */
const goTimeJSON = (ms: number): string => {
  if (ms === 0) return GO_ZERO_TIME;
  const iso = new Date(ms).toISOString();
  return iso.replace(/\.(\d+)Z$/, (_m, frac: string) => {
    const trimmed = frac.replace(/0+$/, '');
    return trimmed === '' ? 'Z' : `.${trimmed}Z`;
  });
};

/** Parses an RFC 3339 timestamp to ms; `undefined` when it is not one. */
const parseRfc3339Ms = (text: string): number | undefined => {
  if (!/^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/.test(text)) {
    return undefined;
  }
  const ms = Date.parse(text.toUpperCase());
  return Number.isFinite(ms) ? ms : undefined;
};

export { GO_ZERO_TIME, goQuote, goTimeJSON, labelSetString, labelsFingerprint, parseRfc3339Ms };
