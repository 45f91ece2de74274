/**
 * The parts of Go's fmt package templates reach: `%v` printing of values, `fmt.Sprint`,
 * `fmt.Sprintln` and `fmt.Sprintf` with the common verbs, flags, width and precision, and
 * Go's error forms for bad verbs (`%!d(string=x)`), missing (`%!d(MISSING)`) and extra arguments.
 * @see https://pkg.go.dev/fmt
 */
import { formatFloat } from './go-float';
import { formatTime } from './go-time';
import { GoMap, GoSlice, GoTime, type GoValue, goTypeName } from './values';

/** Go's `strconv.Quote`: double-quoted with Go escapes, non-printable runes escaped. */
const quoteGo = (s: string): string => {
  let out = '"';
  for (const ch of s) {
    const cp = ch.codePointAt(0) as number;
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (cp === 7) out += '\\a';
    else if (cp === 8) out += '\\b';
    else if (cp === 12) out += '\\f';
    else if (cp === 10) out += '\\n';
    else if (cp === 13) out += '\\r';
    else if (cp === 9) out += '\\t';
    else if (cp === 11) out += '\\v';
    else if (cp < 0x20 || cp === 0x7f) out += `\\x${cp.toString(16).padStart(2, '0')}`;
    else if (cp >= 0x80 && cp < 0xa0) out += `\\u${cp.toString(16).padStart(4, '0')}`;
    else if (cp === 0xfffd && ch !== '\ufffd') out += '\\ufffd';
    else out += ch;
  }
  return `${out}"`;
};

/** `%v` formatting of one value at a nesting depth (pointers print `&{…}` at depth 0). */
const formatValue = (v: GoValue, depth = 0): string => {
  if (v === undefined) return '<nil>';
  if (typeof v === 'number') return formatFloat(v, 'g', -1);
  if (typeof v === 'string') return v;
  if (typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  if (v instanceof GoTime) return formatTime(v.epochMs, '2006-01-02 15:04:05.999999999 -0700 MST');
  if (v instanceof GoMap) {
    const parts = v.sortedKeys().map((k) => `${k}:${formatValue(v.entries.get(k), depth + 1)}`);
    return `map[${parts.join(' ')}]`;
  }
  if (v instanceof GoSlice) {
    return `[${v.items.map((i) => formatValue(i, depth + 1)).join(' ')}]`;
  }
  const body = `{${[...v.fields.values()].map((f) => formatValue(f, depth + 1)).join(' ')}}`;
  // Go prints nested pointers as addresses, which are meaningless here: keep the contents.
  return v.pointer ? `&${body}` : body;
};

/** `fmt.Sprint`: operands joined, with a space between two operands when neither is a string. */
const sprint = (args: readonly GoValue[]): string => {
  let out = '';
  let prevString = false;
  args.forEach((a, i) => {
    const isString = typeof a === 'string';
    if (i > 0 && !isString && !prevString) out += ' ';
    out += formatValue(a);
    prevString = isString;
  });
  return out;
};

/** `fmt.Sprintln`: operands separated by spaces, newline appended. */
const sprintln = (args: readonly GoValue[]): string =>
  `${args.map((a) => formatValue(a)).join(' ')}\n`;

interface Spec {
  minus: boolean;
  plus: boolean;
  sharp: boolean;
  space: boolean;
  zero: boolean;
  width?: number;
  prec?: number;
}

const runeLength = (s: string): number => [...s].length;

const pad = (s: string, spec: Spec, numeric: boolean): string => {
  const width = spec.width ?? 0;
  const n = runeLength(s);
  if (n >= width) return s;
  const fill = width - n;
  if (spec.minus) return s + ' '.repeat(fill);
  if (spec.zero && numeric) {
    const signed = s[0] === '-' || s[0] === '+' || s[0] === ' ';
    return signed ? s[0] + '0'.repeat(fill) + s.slice(1) : '0'.repeat(fill) + s;
  }
  return ' '.repeat(fill) + s;
};

const badVerb = (verb: string, arg: GoValue): string =>
  arg === undefined ? `%!${verb}(<nil>)` : `%!${verb}(${goTypeName(arg)}=${formatValue(arg)})`;

const signed = (s: string, negative: boolean, spec: Spec): string => {
  if (negative) return `-${s}`;
  if (spec.plus) return `+${s}`;
  if (spec.space) return ` ${s}`;
  return s;
};

const fmtInteger = (n: bigint, verb: string, spec: Spec): string | undefined => {
  const neg = n < 0n;
  const abs = neg ? -n : n;
  let body: string;
  switch (verb) {
    case 'd':
    case 'v':
      body = abs.toString();
      break;
    case 'b':
      body = abs.toString(2);
      break;
    case 'o':
      body = (spec.sharp ? '0' : '') + abs.toString(8);
      break;
    case 'O':
      body = `0o${abs.toString(8)}`;
      break;
    case 'x':
      body = (spec.sharp ? '0x' : '') + abs.toString(16);
      break;
    case 'X':
      body = (spec.sharp ? '0X' : '') + abs.toString(16).toUpperCase();
      break;
    case 'c':
      return pad(String.fromCodePoint(Number(n)), spec, false);
    case 'q':
      return pad(`'${String.fromCodePoint(Number(n))}'`, spec, false);
    case 'U':
      return pad(`U+${abs.toString(16).toUpperCase().padStart(4, '0')}`, spec, false);
    default:
      return undefined;
  }
  if (spec.prec !== undefined) body = body.padStart(spec.prec, '0');
  return pad(signed(body, neg, spec), spec, spec.prec === undefined);
};

const fmtFloatVerb = (x: number, verb: string, spec: Spec): string | undefined => {
  let s: string;
  switch (verb) {
    case 'v':
    case 'g':
    case 'G':
      s = formatFloat(x, verb === 'G' ? 'G' : 'g', spec.prec ?? -1);
      break;
    case 'e':
    case 'E':
      s = formatFloat(x, verb, spec.prec ?? 6);
      break;
    case 'f':
    case 'F':
      s = formatFloat(x, 'f', spec.prec ?? 6);
      break;
    default:
      return undefined;
  }
  if (s === 'NaN') {
    return pad(spec.plus ? '+NaN' : spec.space ? ' NaN' : 'NaN', { ...spec, zero: false }, false);
  }
  if (s.endsWith('Inf')) {
    const inf = s[0] === '-' || spec.plus ? s : spec.space ? ` ${s.slice(1)}` : s;
    return pad(inf, { ...spec, zero: false }, false);
  }
  const neg = s[0] === '-';
  return pad(signed(neg ? s.slice(1) : s, neg, spec), spec, true);
};

const fmtString = (s: string, verb: string, spec: Spec): string | undefined => {
  const str = spec.prec === undefined ? s : [...s].slice(0, spec.prec).join('');
  switch (verb) {
    case 's':
    case 'v':
      return pad(str, spec, false);
    case 'q':
      return pad(quoteGo(str), spec, false);
    case 'x':
    case 'X': {
      const hex = [...new TextEncoder().encode(str)]
        .map((b) => b.toString(16).padStart(2, '0'))
        .join(spec.space ? ' ' : '');
      return pad(verb === 'X' ? hex.toUpperCase() : hex, spec, false);
    }
    default:
      return undefined;
  }
};

const formatArg = (arg: GoValue, verb: string, spec: Spec): string => {
  let out: string | undefined;
  if (typeof arg === 'boolean') {
    out = verb === 't' || verb === 'v' ? pad(String(arg), spec, false) : undefined;
  } else if (typeof arg === 'bigint') out = fmtInteger(arg, verb, spec);
  else if (typeof arg === 'number') out = fmtFloatVerb(arg, verb, spec);
  else if (typeof arg === 'string') out = fmtString(arg, verb, spec);
  else if (arg instanceof GoTime && (verb === 's' || verb === 'v' || verb === 'q')) {
    out = fmtString(formatValue(arg), verb, spec);
  } else if (arg !== undefined && (verb === 'v' || verb === 's')) {
    out = pad(formatValue(arg), spec, false);
  } else if (arg === undefined && verb === 'v') out = pad('<nil>', spec, false);
  return out ?? badVerb(verb, arg);
};

/**
 * `fmt.Sprintf` for the verbs templates use: `%v %s %q %d %b %o %x %X %c %U %e %E %f %F %g %G %t %%`,
 * flags `+ - # 0 space`, width and precision (digits or `*`).
 * @example sprintf('%.2f%%', [12.345]) // '12.35%' (half-to-even on the exact binary value)
 */
const sprintf = (format: string, args: readonly GoValue[]): string => {
  let out = '';
  let argNum = 0;
  let i = 0;
  const takeInt = (): number | undefined => {
    if (format[i] === '*') {
      i++;
      const a = args[argNum++];
      return typeof a === 'bigint' ? Number(a) : undefined;
    }
    const m = /^\d+/.exec(format.slice(i));
    if (!m) return undefined;
    i += m[0].length;
    return Number(m[0]);
  };
  while (i < format.length) {
    const pct = format.indexOf('%', i);
    if (pct < 0) {
      out += format.slice(i);
      break;
    }
    out += format.slice(i, pct);
    i = pct + 1;
    const spec: Spec = { minus: false, plus: false, sharp: false, space: false, zero: false };
    for (; i < format.length; i++) {
      const c = format[i];
      if (c === '-') spec.minus = true;
      else if (c === '+') spec.plus = true;
      else if (c === '#') spec.sharp = true;
      else if (c === ' ') spec.space = true;
      else if (c === '0') spec.zero = !spec.minus;
      else break;
    }
    const width = takeInt();
    if (width !== undefined) spec.width = width;
    if (format[i] === '.') {
      i++;
      spec.prec = takeInt() ?? 0;
    }
    if (i >= format.length) {
      out += '%!(NOVERB)';
      break;
    }
    const verb = String.fromCodePoint(format.codePointAt(i) as number);
    i += verb.length;
    if (verb === '%') {
      out += '%';
      continue;
    }
    if (argNum >= args.length) {
      out += `%!${verb}(MISSING)`;
      continue;
    }
    out += formatArg(args[argNum++], verb, spec);
  }
  if (argNum < args.length) {
    const extra = args
      .slice(argNum)
      .map((a) => (a === undefined ? '<nil>' : `${goTypeName(a)}=${formatValue(a)}`));
    out += `%!(EXTRA ${extra.join(', ')})`;
  }
  return out;
};

export { formatValue, quoteGo, sprint, sprintf, sprintln };
