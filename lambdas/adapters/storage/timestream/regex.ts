/**
 * PromQL regex matchers (RE2 syntax, fully anchored) as Timestream `regexp_like` patterns.
 *
 * Timestream's regular expression functions use the Java pattern syntax and `regexp_like` is a
 * *contains* match ("anchor the pattern with ^ and $ to match the whole string",
 * https://docs.aws.amazon.com/timestream/latest/developerguide/regex-functions.html).
 * Prometheus anchors every matcher as `^(?s:re)$` in RE2
 * (https://github.com/prometheus/prometheus/blob/main/model/labels/regexp.go). A pattern is
 * pushed down only when its Java reading is the RE2 one; the reader filters every row again with
 * the domain's RE2 matcher, and answers from series when a matcher was not pushed down. Where
 * the dialects differ for patterns RE2 accepts, this module rewrites:
 *
 * - End anchor: Java's `$` also matches before a final line terminator, RE2's (without `m`) only
 *   at the very end; `$` and the closing anchor are `\z`, which means "end of input" in both.
 * - `.` matches `\n` in PromQL; the group is opened with `(?s:` in Java too.
 * - Groups: `(?P<name>re)` / `(?<name>re)` become `(?:re)` (captures do not change whether a value
 *   matches, and Java's group names allow no `_`).
 * - `(?i)` folds case over Unicode in RE2 and over ASCII only in Java: it becomes `(?iu)`.
 * - `\s` is `[\t\n\f\r ]` in RE2 and also matches `\x0B` in Java; `\v` is `\x0B` in RE2 and a class
 *   in Java: both are spelt out.
 * - Inside a character class, Java treats `[` as the start of a nested class and `&&` as
 *   intersection, RE2 takes both literally: they are escaped (`\[`, `&\&`). RE2's POSIX classes
 *   `[:alpha:]` / `[:^alpha:]` become Java's `\p{Alpha}` / `\P{Alpha}` (`[:word:]` is `\w`).
 * - A `{` that does not open a repetition (`a{`, `{x}`) is a literal in RE2 and an error in
 *   Java: it is escaped.
 *
 * Not pushed down (`undefined`): the `m`, `U` and `-s` flags (Java's line terminators and `U`
 * differ), `\b` / `\B` (Unicode-aware in some Java versions), octal escapes (`\12` is a
 * backreference in Java), `\S` inside a class, and `\p{…}` names other than general categories.
 * Everything else (`\d`, `\w`, `\pL`, `\Q…\E`, lazy quantifiers) reads the same.
 */

const POSIX_CLASSES: Readonly<Record<string, string>> = {
  alnum: 'Alnum',
  alpha: 'Alpha',
  ascii: 'ASCII',
  blank: 'Blank',
  cntrl: 'Cntrl',
  digit: 'Digit',
  graph: 'Graph',
  lower: 'Lower',
  print: 'Print',
  punct: 'Punct',
  space: 'Space',
  upper: 'Upper',
  xdigit: 'XDigit',
};

const REPETITION = /^\{\d+(,\d*)?\}/;

const FLAGS = /^\(\?([a-zA-Z-]*)([:)])/;
const RE2_SPACE = '\\t\\n\\f\\r ';

/**
 * Rewrites the body of an RE2 pattern into Java syntax (see the module comment), or `undefined`
 * when Java would not read it the same way.
 */
const re2ToJava = (re: string): string | undefined => {
  let out = '';
  let inClass = false;
  let i = 0;
  while (i < re.length) {
    const c = re[i] as string;
    if (c === '\\') {
      const e = re[i + 1] ?? '';
      if (e === 'Q') {
        const end = re.indexOf('\\E', i + 2);
        const stop = end === -1 ? re.length : end + 2;
        out += re.slice(i, stop);
        i = stop;
        continue;
      }
      if (e === 'b' || e === 'B' || /[0-7]/.test(e)) return undefined;
      if (e === 's') out += inClass ? RE2_SPACE : `[${RE2_SPACE}]`;
      else if (e === 'S') {
        if (inClass) return undefined;
        out += `[^${RE2_SPACE}]`;
      } else if (e === 'v') out += '\\x0B';
      else if (e === 'p' || e === 'P') {
        const m = /^\\[pP](?:[A-Z]|\{[A-Z][a-z]?\})/.exec(re.slice(i));
        if (!m) return undefined;
        out += m[0];
        i += m[0].length;
        continue;
      } else out += re.slice(i, i + 2);
      i += 2;
      continue;
    }
    if (inClass) {
      if (c === ']') {
        inClass = false;
        out += c;
      } else if (c === '[' && re[i + 1] === ':') {
        const end = re.indexOf(':]', i + 2);
        const spec = end === -1 ? '' : re.slice(i + 2, end);
        const negated = spec.startsWith('^');
        const name = negated ? spec.slice(1) : spec;
        const java = name === 'word' ? (negated ? '\\W' : '\\w') : POSIX_CLASSES[name];
        if (java) {
          out += java.startsWith('\\') ? java : `\\${negated ? 'P' : 'p'}{${java}}`;
          i = end + 2;
          continue;
        }
        out += '\\[';
      } else if (c === '[') out += '\\[';
      else if (c === '&' && re[i + 1] === '&') {
        out += '&\\&';
        i += 2;
        continue;
      } else out += c;
      i++;
      continue;
    }
    if (c === '[') {
      inClass = true;
      out += c;
      if (re[i + 1] === '^') {
        out += '^';
        i++;
      }
      if (re[i + 1] === ']') {
        out += '\\]';
        i++;
      }
      i++;
      continue;
    }
    if (c === '(' && (re.startsWith('(?P<', i) || re.startsWith('(?<', i))) {
      const close = re.indexOf('>', i);
      if (close === -1) return undefined;
      out += '(?:';
      i = close + 1;
      continue;
    }
    if (c === '(' && re[i + 1] === '?') {
      const m = FLAGS.exec(re.slice(i));
      if (!m) return undefined;
      const flags = m[1] as string;
      const [on = '', off = ''] = flags.split('-');
      if (/[mU]/.test(flags) || off.includes('s')) return undefined;
      out += `(?${on.includes('i') ? `${on}u` : on}${off === '' && !flags.includes('-') ? '' : `-${off}`}${m[2]}`;
      i += m[0].length;
      continue;
    }
    if (c === '$') out += '\\z';
    else if (c === '{' && !REPETITION.test(re.slice(i))) out += '\\{';
    else out += c;
    i++;
  }
  return out;
};

/**
 * The Java pattern `regexp_like` needs to match exactly what the PromQL matcher `re` matches,
 * or `undefined` when the pattern is not pushed down (see the module comment).
 */
const anchoredJavaPattern = (re: string): string | undefined => {
  const java = re2ToJava(re);
  return java === undefined ? undefined : `^(?s:${java})\\z`;
};

export { anchoredJavaPattern, re2ToJava };
