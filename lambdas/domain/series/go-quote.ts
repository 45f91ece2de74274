/**
 * Go's text forms of strings and label sets, shared by everything that must print what Prometheus,
 * Alertmanager or promtool print (group keys, matchers, promtool's failure diffs).
 */
import type { Labels } from './labels';

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

/** Go's `strconv.Quote` for valid UTF-8: printable runes stay, others are escaped. */
const goQuote = (s: string): string => {
  let out = '"';
  for (const ch of s) {
    const cp = ch.codePointAt(0) as number;
    const simple = GO_ESCAPES[ch];
    if (simple !== undefined) out += simple;
    else if (cp < 0x20 || cp === 0x7f) out += `\\x${cp.toString(16).padStart(2, '0')}`;
    else if (/[\p{Cc}\p{Cf}\p{Co}\p{Cs}\p{Zl}\p{Zp}]/u.test(ch) || (cp >= 0x80 && cp < 0xa0)) {
      out +=
        cp > 0xffff
          ? `\\U${cp.toString(16).padStart(8, '0')}`
          : `\\u${cp.toString(16).padStart(4, '0')}`;
    } else out += ch;
  }
  return `${out}"`;
};

/**
 * `labels.Labels.String()` / `model.LabelSet.String()`: `{a="1", b="2"}`, names sorted, values
 * Go-quoted, empty values (absent labels) left out.
 * @see https://github.com/prometheus/common/blob/main/model/labelset.go
 */
const labelSetString = (labels: Labels): string =>
  `{${Object.keys(labels)
    .filter((n) => labels[n] !== '')
    .sort()
    .map((n) => `${n}=${goQuote(labels[n] ?? '')}`)
    .join(', ')}}`;

export { goQuote, labelSetString };
