/**
 * PromQL regex matchers (RE2 syntax, fully anchored) as Timestream `regexp_like` patterns.
 *
 * Timestream's regular expression functions use the Java pattern syntax and `regexp_like` is a
 * *contains* match ("anchor the pattern with ^ and $ to match the whole string",
 * https://docs.aws.amazon.com/timestream/latest/developerguide/regex-functions.html).
 * Prometheus anchors every matcher as `^(?s:re)$` in RE2
 * (https://github.com/prometheus/prometheus/blob/main/model/labels/regexp.go). Where the two
 * dialects differ for patterns Prometheus accepts, this module rewrites:
 *
 * - End anchor: Java's `$` also matches before a final line terminator, RE2's (without `m`) only
 *   at the very end; the pattern is closed with `\z`, which means "end of input" in both.
 * - `.` matches `\n` in PromQL; the group is opened with `(?s:` in Java too.
 * - Named groups: RE2 `(?P<name>re)` is Java `(?<name>re)`.
 * - Inside a character class, Java treats `[` as the start of a nested class and `&&` as
 *   intersection, RE2 takes both literally: they are escaped (`\[`, `&\&`). RE2's POSIX classes
 *   `[:alpha:]` / `[:^alpha:]` become Java's `\p{Alpha}` / `\P{Alpha}`.
 * - A `{` that does not open a repetition (`a{`, `{x}`) is a literal in RE2 and an error in
 *   Java: it is escaped.
 *
 * Everything else (classes like `\d`, `\pL`, `\Q…\E`, `(?i)`, lazy quantifiers) reads the same.
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
  word: 'Alnum',
  xdigit: 'XDigit',
};

const REPETITION = /^\{\d+(,\d*)?\}/;

/** Rewrites the body of an RE2 pattern into Java syntax (see the module comment). */
const re2ToJava = (re: string): string => {
  let out = '';
  let inClass = false;
  let i = 0;
  while (i < re.length) {
    const c = re[i] as string;
    if (c === '\\') {
      if (re[i + 1] === 'Q') {
        const end = re.indexOf('\\E', i + 2);
        const stop = end === -1 ? re.length : end + 2;
        out += re.slice(i, stop);
        i = stop;
        continue;
      }
      out += re.slice(i, i + 2);
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
        const java = POSIX_CLASSES[negated ? spec.slice(1) : spec];
        if (java) {
          out += `\\${negated ? 'P' : 'p'}{${java}}`;
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
    if (c === '(' && re.startsWith('(?P<', i)) {
      out += '(?<';
      i += 4;
      continue;
    }
    if (c === '{' && !REPETITION.test(re.slice(i))) out += '\\{';
    else out += c;
    i++;
  }
  return out;
};

/** The Java pattern `regexp_like` needs to match exactly what the PromQL matcher `re` matches. */
const anchoredJavaPattern = (re: string): string => `^(?s:${re2ToJava(re)})\\z`;

export { anchoredJavaPattern, re2ToJava };
