/**
 * Label-set helpers with Prometheus/Alertmanager semantics: the alert fingerprint, the
 * `LabelSet.String()` rendering used in group keys, and Go's time rendering used in payloads.
 */
import type { Labels } from '../series/labels';

const FNV_OFFSET_64 = 0xcbf29ce484222325n;
const FNV_PRIME_64 = 0x100000001b3n;
const MASK_64 = 0xffffffffffffffffn;
/** `model.SeparatorByte`: never valid UTF-8, so `a=bc` and `ab=c` hash differently. */
const SEPARATOR_BYTE = 0xff;
const utf8 = new TextEncoder();

/**
 * The fingerprint of a label set, as Prometheus's `model.LabelSet.Fingerprint()`: FNV-1a 64 over
 * `name 0xff value 0xff` for every label, names sorted; printed as 16 lower-case hex digits
 * (`model.Fingerprint.String()`, `%016x`). Labels with an empty value are absent and skipped.
 * @see https://github.com/prometheus/common/blob/main/model/signature.go (LabelsToSignature)
 * @example labelsFingerprint({}) // 'cbf29ce484222325'
 */
const labelsFingerprint = (labels: Labels): string => {
  let h = FNV_OFFSET_64;
  const add = (b: number): void => {
    h ^= BigInt(b);
    h = (h * FNV_PRIME_64) & MASK_64;
  };
  for (const name of Object.keys(labels).sort()) {
    const value = labels[name];
    if (value === undefined || value === '') continue;
    for (const b of utf8.encode(name)) add(b);
    add(SEPARATOR_BYTE);
    for (const b of utf8.encode(value)) add(b);
    add(SEPARATOR_BYTE);
  }
  return h.toString(16).padStart(16, '0');
};

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
