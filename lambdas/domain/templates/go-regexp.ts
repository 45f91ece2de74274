/**
 * Go regexp (RE2 syntax) on JavaScript's engine, for `match` and `reReplaceAll`: leading flag
 * groups (`(?i)`, `(?s)`, `(?m)`), `(?P<name>…)`, `\A`, `\z` and POSIX classes are translated;
 * `ReplaceAllString` expands `$1`, `${1}`, `$name`, `${name}` and `$$` as Go's `Regexp.Expand`
 * does (so `$1x` names the group `1x`, which is empty).
 * @see https://pkg.go.dev/regexp#Regexp.Expand
 * @see https://github.com/google/re2/wiki/Syntax
 */

const POSIX_CLASSES: Readonly<Record<string, string>> = {
  alnum: '0-9A-Za-z',
  alpha: 'A-Za-z',
  ascii: '\\x00-\\x7F',
  blank: '\\t ',
  cntrl: '\\x00-\\x1F\\x7F',
  digit: '0-9',
  graph: '!-~',
  lower: 'a-z',
  print: ' -~',
  punct: '!-\\/:-@\\[-`{-~',
  space: '\\t\\n\\v\\f\\r ',
  upper: 'A-Z',
  word: '0-9A-Za-z_',
  xdigit: '0-9A-Fa-f',
};

const cache = new Map<string, RegExp>();

/**
 * Compiles an RE2 pattern (unanchored). Throws `Error` with Go's wording
 * (`error parsing regexp: …`) when JavaScript rejects it.
 */
const compileGoRegexp = (pattern: string): RegExp => {
  const hit = cache.get(pattern);
  if (hit) return new RegExp(hit.source, hit.flags);
  let src = pattern;
  let flags = 'g';
  const lead = /^\(\?([imsU]+)\)/.exec(src);
  if (lead) {
    src = src.slice(lead[0].length);
    for (const f of lead[1] as string) if (f !== 'U' && !flags.includes(f)) flags += f;
  }
  src = src
    .replace(/\(\?P</g, '(?<')
    .replace(/\\A/g, '^')
    .replace(/\\z/g, '$(?![\\s\\S])')
    .replace(/\[:(\^?)([a-z]+):\]/g, (m, neg: string, name: string) => {
      const cls = POSIX_CLASSES[name];
      return cls === undefined || neg ? m : cls;
    });
  let re: RegExp;
  try {
    re = new RegExp(src, flags);
  } catch (e) {
    const reason =
      e instanceof Error
        ? e.message.replace(/^Invalid regular expression: \/.*\/[a-z]*: /, '')
        : '';
    throw new Error(`error parsing regexp: ${reason.toLowerCase()}: \`${pattern}\``);
  }
  if (cache.size > 1000) cache.clear();
  cache.set(pattern, re);
  return new RegExp(re.source, re.flags);
};

/** Go's `Regexp.Expand` of a replacement template for one match. */
const expand = (template: string, m: RegExpExecArray): string => {
  let out = '';
  for (let i = 0; i < template.length; i++) {
    const c = template[i];
    if (c !== '$') {
      out += c;
      continue;
    }
    if (template[i + 1] === '$') {
      out += '$';
      i++;
      continue;
    }
    let name: string | undefined;
    let end = i + 1;
    if (template[i + 1] === '{') {
      const close = template.indexOf('}', i + 2);
      const inner = close < 0 ? '' : template.slice(i + 2, close);
      if (/^[A-Za-z0-9_]+$/.test(inner)) {
        name = inner;
        end = close + 1;
      }
    } else {
      const w = /^[A-Za-z0-9_]+/.exec(template.slice(i + 1));
      if (w) {
        name = w[0];
        end = i + 1 + w[0].length;
      }
    }
    if (name === undefined) {
      out += '$';
      continue;
    }
    const group = /^\d+$/.test(name) ? m[Number(name)] : m.groups?.[name];
    out += group ?? '';
    i = end - 1;
  }
  return out;
};

/** Go's `regexp.MustCompile(pattern).ReplaceAllString(text, repl)`. */
const replaceAllGo = (pattern: string, repl: string, text: string): string => {
  const re = compileGoRegexp(pattern);
  let out = '';
  let last = 0;
  let prevEnd = -1;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    const start = m.index;
    const end = start + m[0].length;
    if (m[0] === '') re.lastIndex++;
    // Go skips an empty match immediately after the previous match.
    if (m[0] === '' && start === prevEnd) continue;
    out += text.slice(last, start) + expand(repl, m);
    last = end;
    prevEnd = end;
  }
  return out + text.slice(last);
};

/** Go's `regexp.MatchString(pattern, s)`: unanchored search. */
const matchGo = (pattern: string, s: string): boolean => compileGoRegexp(pattern).test(s);

export { compileGoRegexp, matchGo, replaceAllGo };
