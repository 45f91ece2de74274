/**
 * Go text/template's predefined global functions: and, or, not, len, index, slice, print,
 * printf, println, html, js, urlquery, eq, ne, lt, le, gt, ge (`call` is not provided: templates
 * here receive no function values). `and`/`or` short-circuit in the executor, as in Go 1.18+.
 * @see https://pkg.go.dev/text/template#hdr-Functions
 * @see https://github.com/golang/go/blob/master/src/text/template/funcs.go
 */
import { TemplateFunctionError } from './errors';
import type { TemplateFunction } from './functions';
import { ParamKind } from './functions';
import { sprint, sprintf, sprintln } from './go-fmt';
import { GoMap, GoSlice, type GoValue, goTypeName, isTrue } from './values';

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);

type BasicKind = 'bool' | 'float' | 'int' | 'string';

const basicKind = (v: GoValue): BasicKind | undefined => {
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'number') return 'float';
  if (typeof v === 'bigint') return 'int';
  if (typeof v === 'string') return 'string';
  return undefined;
};

const BAD_COMPARISON = 'incompatible types for comparison';
const BAD_COMPARISON_TYPE = 'invalid type for comparison';

const eq = (args: GoValue[]): boolean => {
  const [a, ...rest] = args;
  if (rest.length === 0) throw new TemplateFunctionError('missing argument for comparison');
  const k1 = basicKind(a);
  for (const b of rest) {
    const k2 = basicKind(b);
    if (k1 !== k2) {
      if (a !== undefined && b !== undefined) throw new TemplateFunctionError(BAD_COMPARISON);
    } else if (k1 !== undefined ? a === b : a === b) return true;
  }
  return false;
};

const lt = (a: GoValue, b: GoValue): boolean => {
  const k1 = basicKind(a);
  const k2 = basicKind(b);
  if (k1 === undefined || k2 === undefined) throw new TemplateFunctionError(BAD_COMPARISON_TYPE);
  if (k1 !== k2) throw new TemplateFunctionError(BAD_COMPARISON);
  if (k1 === 'bool') throw new TemplateFunctionError(BAD_COMPARISON_TYPE);
  return (a as number | bigint | string) < (b as number | bigint | string);
};

const toIndex = (v: GoValue, len: number): number => {
  if (v === undefined) throw new TemplateFunctionError('cannot index slice/array with nil');
  if (typeof v !== 'bigint') {
    throw new TemplateFunctionError(`cannot index slice/array with type ${goTypeName(v)}`);
  }
  if (v < 0n || v > BigInt(len)) throw new TemplateFunctionError(`index out of range: ${v}`);
  return Number(v);
};

const index = (args: GoValue[]): GoValue => {
  let [item] = args;
  if (item === undefined) throw new TemplateFunctionError('index of untyped nil');
  for (const ix of args.slice(1)) {
    if (item instanceof GoSlice || typeof item === 'string') {
      const bytes: Uint8Array | undefined = typeof item === 'string' ? utf8(item) : undefined;
      const len: number = bytes ? bytes.length : (item as GoSlice).items.length;
      const x = toIndex(ix, len);
      if (x === len) throw new TemplateFunctionError('reflect: slice index out of range');
      item = bytes ? BigInt(bytes[x] as number) : (item as GoSlice).items[x];
    } else if (item instanceof GoMap) {
      if (typeof ix !== 'string') {
        throw new TemplateFunctionError(`value has type ${goTypeName(ix)}; should be string`);
      }
      item = item.entries.has(ix) ? item.entries.get(ix) : item.zero;
    } else if (item === undefined) {
      throw new TemplateFunctionError('index of nil pointer');
    } else {
      throw new TemplateFunctionError(`can't index item of type ${goTypeName(item)}`);
    }
  }
  return item;
};

const slice = (args: GoValue[]): GoValue => {
  const [item, ...ixs] = args;
  if (item === undefined) throw new TemplateFunctionError('slice of untyped nil');
  if (ixs.length > 3) throw new TemplateFunctionError(`too many slice indexes: ${ixs.length}`);
  let len: number;
  if (typeof item === 'string') {
    if (ixs.length === 3) throw new TemplateFunctionError('cannot 3-index slice a string');
    len = utf8(item).length;
  } else if (item instanceof GoSlice) len = item.items.length;
  else throw new TemplateFunctionError(`can't slice item of type ${goTypeName(item)}`);
  const bounds = [0, len];
  ixs.slice(0, 2).forEach((ix, i) => {
    bounds[i] = toIndex(ix, len);
  });
  const [from = 0, to = len] = bounds;
  if (from > to) throw new TemplateFunctionError(`invalid slice index: ${from} > ${to}`);
  if (typeof item === 'string') return new TextDecoder().decode(utf8(item).slice(from, to));
  return new GoSlice(item.typeName, item.items.slice(from, to));
};

const length = (v: GoValue): bigint => {
  if (v === undefined) throw new TemplateFunctionError('len of nil pointer');
  if (typeof v === 'string') return BigInt(utf8(v).length);
  if (v instanceof GoSlice) return BigInt(v.items.length);
  if (v instanceof GoMap) return BigInt(v.entries.size);
  throw new TemplateFunctionError(`len of type ${goTypeName(v)}`);
};

/** Go's evalArgs: a single string argument as is, otherwise `fmt.Sprint`. */
const evalArgs = (args: GoValue[]): string =>
  args.length === 1 && typeof args[0] === 'string' ? args[0] : sprint(args);

/** Go's `template.HTMLEscapeString`. */
const htmlEscape = (s: string): string =>
  s.replace(/[&'<>"\0]/g, (c) =>
    c === '&'
      ? '&amp;'
      : c === "'"
        ? '&#39;'
        : c === '<'
          ? '&lt;'
          : c === '>'
            ? '&gt;'
            : c === '"'
              ? '&#34;'
              : '\uFFFD',
  );

const JS_ESCAPES: Readonly<Record<string, string>> = {
  '\\': '\\\\',
  "'": "\\'",
  '"': '\\"',
  '<': '\\u003C',
  '>': '\\u003E',
  '&': '\\u0026',
  '=': '\\u003D',
};

/** Go's `template.JSEscapeString`. */
const jsEscape = (s: string): string => {
  let out = '';
  for (const ch of s) {
    const cp = ch.codePointAt(0) as number;
    const esc = JS_ESCAPES[ch];
    if (esc !== undefined) out += esc;
    else if (cp < 0x20) out += `\\u00${cp.toString(16).toUpperCase().padStart(2, '0')}`;
    else if (cp >= 0x80 && !/[\p{L}\p{M}\p{N}\p{P}\p{S}]/u.test(ch)) {
      out += `\\u${cp.toString(16).toUpperCase().padStart(4, '0')}`;
    } else out += ch;
  }
  return out;
};

/** Go's `url.QueryEscape`: unreserved bytes kept, space as `+`, the rest `%XX`. */
const queryEscape = (s: string): string => {
  let out = '';
  for (const b of utf8(s)) {
    const c = String.fromCharCode(b);
    if (/[A-Za-z0-9\-_.~]/.test(c)) out += c;
    else if (c === ' ') out += '+';
    else out += `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
};

const A = ParamKind.Any;
const fixed = (
  params: readonly ParamKind[],
  call: TemplateFunction['call'],
  variadic?: ParamKind,
): TemplateFunction => (variadic ? { params, variadic, call } : { params, call });

/** Go's builtin functions by name. `and`/`or` are evaluated lazily by the executor. */
const BUILTINS: ReadonlyMap<string, TemplateFunction> = new Map<string, TemplateFunction>([
  ['and', fixed([A], (args) => args.find((a) => !isTrue(a)) ?? args[args.length - 1], A)],
  ['or', fixed([A], (args) => args.find((a) => isTrue(a)) ?? args[args.length - 1], A)],
  ['not', fixed([A], ([a]) => !isTrue(a))],
  ['len', fixed([A], ([a]) => length(a))],
  ['index', fixed([A], index, A)],
  ['slice', fixed([A], slice, A)],
  ['print', fixed([], sprint, A)],
  ['printf', fixed([ParamKind.String], ([f, ...rest]) => sprintf(f as string, rest), A)],
  ['println', fixed([], sprintln, A)],
  ['html', fixed([], (args) => htmlEscape(evalArgs(args)), A)],
  ['js', fixed([], (args) => jsEscape(evalArgs(args)), A)],
  ['urlquery', fixed([], (args) => queryEscape(evalArgs(args)), A)],
  ['eq', fixed([A], eq, A)],
  ['ne', fixed([A, A], ([a, b]) => !eq([a, b]))],
  ['lt', fixed([A, A], ([a, b]) => lt(a, b))],
  ['le', fixed([A, A], ([a, b]) => lt(a, b) || eq([a, b]))],
  ['gt', fixed([A, A], ([a, b]) => !(lt(a, b) || eq([a, b])))],
  ['ge', fixed([A, A], ([a, b]) => !lt(a, b))],
]);

export { BUILTINS, htmlEscape, jsEscape, queryEscape };
