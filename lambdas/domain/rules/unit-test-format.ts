/**
 * Go's text forms of the values `promtool test rules` prints in its failure reports, so Vigil's
 * diffs read the same: `labels.Labels.String()`, `strconv.Quote`, `strconv.FormatFloat(v, 'E',
 * -1, 64)`, `model.Duration.String()` and `time.Duration.String()`.
 * @see https://github.com/prometheus/prometheus/blob/main/cmd/promtool/unittest.go
 */
import { goQuote, labelSetString } from '../series/go-quote';

const MS_PER_SECOND = 1000;
const MS_PER_MINUTE = 60 * MS_PER_SECOND;
const MS_PER_HOUR = 60 * MS_PER_MINUTE;
const MS_PER_DAY = 24 * MS_PER_HOUR;

/** `labels.Labels.String()`: `{a="1", b="2"}`, names sorted. */
const formatLabels = labelSetString;

/** `strconv.FormatFloat(v, 'E', -1, 64)`: shortest round-trip digits, `1E+00`, `+Inf`, `NaN`. */
const formatFloatE = (v: number): string => {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Number.POSITIVE_INFINITY) return '+Inf';
  if (v === Number.NEGATIVE_INFINITY) return '-Inf';
  const [mantissa, exp] = v.toExponential().split('e') as [string, string];
  const sign = exp.startsWith('-') ? '-' : '+';
  const digits = exp.replace(/^[+-]/, '').padStart(2, '0');
  return `${Object.is(v, -0) ? '-' : ''}${mantissa}E${sign}${digits}`;
};

/** `model.Duration.String()` (prometheus/common): `0s`, `5m`, `1h30m`, `1d`, `2w`. */
const formatModelDuration = (ms: number): string => {
  if (ms === 0) return '0s';
  let rest = ms;
  let out = '';
  const unit = (name: string, mult: number, exact: boolean): void => {
    if (exact && rest % mult !== 0) return;
    const v = Math.floor(rest / mult);
    if (v > 0) {
      out += `${v}${name}`;
      rest -= v * mult;
    }
  };
  unit('y', 365 * MS_PER_DAY, true);
  unit('w', 7 * MS_PER_DAY, true);
  unit('d', MS_PER_DAY, false);
  unit('h', MS_PER_HOUR, false);
  unit('m', MS_PER_MINUTE, false);
  unit('s', MS_PER_SECOND, false);
  unit('ms', 1, false);
  return out;
};

/** Go's `time.Duration.String()` for non-negative ms: `0s`, `500ms`, `5m0s`, `1h0m0s`, `1.5s`. */
const formatGoDuration = (ms: number): string => {
  if (ms === 0) return '0s';
  if (ms < MS_PER_SECOND) return `${ms}ms`;
  const h = Math.floor(ms / MS_PER_HOUR);
  const m = Math.floor((ms % MS_PER_HOUR) / MS_PER_MINUTE);
  const s = (ms % MS_PER_MINUTE) / MS_PER_SECOND;
  const sec = `${Number.isInteger(s) ? s : String(s)}s`;
  if (h > 0) return `${h}h${m}m${sec}`;
  if (m > 0) return `${m}m${sec}`;
  return sec;
};

export { formatFloatE, formatGoDuration, formatLabels, formatModelDuration, goQuote };
