/**
 * Label-set helpers with Prometheus/Alertmanager semantics: the alert fingerprint, the
 * `LabelSet.String()` rendering used in group keys, and Go's time rendering used in payloads.
 */
import { labelsFingerprint } from '../series/fingerprint';
import { goQuote, labelSetString } from '../series/go-quote';

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
