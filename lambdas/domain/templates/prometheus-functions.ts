/**
 * Prometheus' template functions, as `template/template.go` (NewTemplateExpander) and
 * prometheus/common `helpers/templates` define them: query, first, label, value, strvalue,
 * sortByLabel, args, humanize, humanize1024, humanizeDuration, humanizePercentage,
 * humanizeTimestamp, toTime, title, toUpper, toLower, match, reReplaceAll, graphLink, tableLink,
 * safeHtml, stripPort, stripDomain, parseDuration, externalURL, pathPrefix.
 * `tmpl` is only defined by Prometheus for HTML (console) templates, so alert templates lack it.
 * @see https://github.com/prometheus/prometheus/blob/main/template/template.go
 * @see https://prometheus.io/docs/prometheus/latest/configuration/template_reference/
 */
import { parseDurationMs } from '../promql/lexical';
import { TemplateFunctionError } from './errors';
import { ParamKind, type TemplateFunction } from './functions';
import { formatFloat } from './go-float';
import { formatValue } from './go-fmt';
import {
  compileRegex,
  GO_SYNTAX,
  loadRegexEngine,
  type Re2Regex,
  RegexSyntaxError,
} from '../regex/re2';
import { queryEscape } from './builtins';
import { GoMap, GoSlice, GoStruct, GoTime, type GoValue, goTypeName, stringMap } from './values';

/** One sample of a `query` result. */
export interface TemplateQuerySample {
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

/**
 * Runs an instant PromQL query for the `query` template function, at the template's evaluation
 * time (`atMs`). Rejections surface as `error calling query: <message>`.
 */
export type TemplateQueryFn = (
  expr: string,
  atMs: number,
) => Promise<readonly TemplateQuerySample[]>;

/** What the Prometheus functions need from their caller. */
export interface PrometheusFunctionOptions {
  readonly query?: TemplateQueryFn;
  /** Evaluation time in epoch ms (passed to `query`). @default 0 */
  readonly nowMs?: number;
  /** The server's external URL (`externalURL`, `pathPrefix`). @default '' */
  readonly externalURL?: string;
}

const SAMPLE_TYPE = '*template.sample';
const QUERY_RESULT_TYPE = 'template.queryResult';

/** A query sample as templates see it: `*template.sample{Labels, Value}`. */
const toSample = (s: TemplateQuerySample): GoStruct =>
  new GoStruct(
    SAMPLE_TYPE,
    new Map<string, GoValue>([
      ['Labels', stringMap(s.labels)],
      ['Value', s.value],
    ]),
    true,
  );

const NIL_DEREF = 'runtime error: invalid memory address or nil pointer dereference';

const sampleField = (s: GoValue, field: 'Labels' | 'Value'): GoValue => {
  if (!(s instanceof GoStruct)) throw new TemplateFunctionError(NIL_DEREF);
  return s.fields.get(field);
};

const sampleLabel = (s: GoValue, name: string): string => {
  const labels = sampleField(s, 'Labels');
  return labels instanceof GoMap ? ((labels.entries.get(name) as string | undefined) ?? '') : '';
};

/** Go's `strconv.ParseFloat(s, 64)` including its error text. */
const parseFloatGo = (s: string): number => {
  const t = s.replace(/_/g, '');
  const lower = t.toLowerCase();
  if (/^[+-]?(inf|infinity)$/.test(lower)) return lower.startsWith('-') ? -Infinity : Infinity;
  if (/^[+-]?nan$/.test(lower)) return Number.NaN;
  if (
    /^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$/.test(t) &&
    (t === s || /^[+-]?0x/i.test(s))
  ) {
    const v = Number(t);
    if (!Number.isFinite(v)) {
      throw new TemplateFunctionError(
        `strconv.ParseFloat: parsing ${JSON.stringify(s)}: value out of range`,
      );
    }
    return v;
  }
  throw new TemplateFunctionError(
    `strconv.ParseFloat: parsing ${JSON.stringify(s)}: invalid syntax`,
  );
};

/** prometheus/common `ConvertToFloat`: float64, numeric strings and ints. */
const convertToFloat = (v: GoValue): number => {
  if (typeof v === 'number') return v;
  if (typeof v === 'string') return parseFloatGo(v);
  if (typeof v === 'bigint') return Number(v);
  throw new TemplateFunctionError(`can't convert ${goTypeName(v)} to float`);
};

const g4 = (v: number): string => formatFloat(v, 'g', 4);

const humanize = (input: GoValue): string => {
  let v = convertToFloat(input);
  if (v === 0 || !Number.isFinite(v)) return g4(v);
  let prefix = '';
  if (Math.abs(v) >= 1) {
    for (const p of ['k', 'M', 'G', 'T', 'P', 'E', 'Z', 'Y']) {
      if (Math.abs(v) < 1000) break;
      prefix = p;
      v /= 1000;
    }
    return g4(v) + prefix;
  }
  for (const p of ['m', 'u', 'n', 'p', 'f', 'a', 'z', 'y']) {
    if (Math.abs(v) >= 1) break;
    prefix = p;
    v *= 1000;
  }
  return g4(v) + prefix;
};

const humanize1024 = (input: GoValue): string => {
  let v = convertToFloat(input);
  if (Math.abs(v) <= 1 || !Number.isFinite(v)) return g4(v);
  let prefix = '';
  for (const p of ['ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei', 'Zi', 'Yi']) {
    if (Math.abs(v) < 1024) break;
    prefix = p;
    v /= 1024;
  }
  return g4(v) + prefix;
};

/** prometheus/common `HumanizeDuration`. */
const humanizeDuration = (input: GoValue): string => {
  let v = convertToFloat(input);
  if (!Number.isFinite(v)) return g4(v);
  if (v === 0) return `${g4(v)}s`;
  if (Math.abs(v) >= 1) {
    let sign = '';
    if (v < 0) {
      sign = '-';
      v = -v;
    }
    const duration = BigInt(Math.trunc(v));
    const seconds = duration % 60n;
    const minutes = (duration / 60n) % 60n;
    const hours = (duration / 3600n) % 24n;
    const days = duration / 86400n;
    if (days !== 0n) return `${sign}${days}d ${hours}h ${minutes}m ${seconds}s`;
    if (hours !== 0n) return `${sign}${hours}h ${minutes}m ${seconds}s`;
    if (minutes !== 0n) return `${sign}${minutes}m ${seconds}s`;
    return `${sign}${g4(v)}s`;
  }
  let prefix = '';
  for (const p of ['m', 'u', 'n', 'p', 'f', 'a', 'z', 'y']) {
    if (Math.abs(v) >= 1) break;
    prefix = p;
    v *= 1000;
  }
  return `${g4(v)}${prefix}s`;
};

const MAX_INT64_AS_FLOAT = 2 ** 63;

/** prometheus/common `FloatToTime`: seconds to a millisecond `time.Time` (model.Time). */
const floatToTime = (v: number): GoTime => {
  const ns = v * 1e9;
  if (ns > MAX_INT64_AS_FLOAT || ns < -MAX_INT64_AS_FLOAT) {
    throw new TemplateFunctionError(
      `${formatFloat(v, 'g', -1)} cannot be represented as a nanoseconds timestamp since it overflows int64`,
    );
  }
  return new GoTime(Number(BigInt(Math.trunc(ns)) / 1_000_000n));
};

const humanizeTimestamp = (input: GoValue): string => {
  const v = convertToFloat(input);
  if (!Number.isFinite(v)) return g4(v);
  return formatValue(floatToTime(v));
};

/** `cases.Title(language.AmericanEnglish, cases.NoLower)`: upper-case each word's first letter. */
const title = (s: string): string =>
  s.replace(
    /(^|[^\p{L}\p{N}_'’])(\p{L})/gu,
    (_m, pre: string, ch: string) => pre + ch.toUpperCase(),
  );

/** Go's `net.SplitHostPort`; `undefined` where Go returns an error. */
const splitHostPort = (hostport: string): { host: string; port: string } | undefined => {
  const i = hostport.lastIndexOf(':');
  if (i < 0) return undefined;
  let host: string;
  let j = 0;
  let k = 0;
  if (hostport[0] === '[') {
    const end = hostport.indexOf(']');
    if (end < 0 || end + 1 === hostport.length || end + 1 !== i) return undefined;
    host = hostport.slice(1, end);
    j = 1;
    k = end + 1;
  } else {
    host = hostport.slice(0, i);
    if (host.includes(':')) return undefined;
  }
  if (hostport.slice(j).includes('[') || hostport.slice(k).includes(']')) return undefined;
  return { host, port: hostport.slice(i + 1) };
};

const IPV4_RE = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

/** Go's `net.ParseIP(s) != nil`. */
const isIP = (s: string): boolean => {
  if (IPV4_RE.test(s)) return true;
  if (!s.includes(':')) return false;
  let body = s;
  let groups = 0;
  const lastColon = body.lastIndexOf(':');
  if (IPV4_RE.test(body.slice(lastColon + 1))) {
    body = `${body.slice(0, lastColon + 1)}0:0`;
  }
  const halves = body.split('::');
  if (halves.length > 2) return false;
  for (const half of halves) {
    if (half === '') continue;
    for (const g of half.split(':')) {
      if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return false;
      groups++;
    }
  }
  return halves.length === 2 ? groups < 8 : groups === 8;
};

const joinHostPort = (host: string, port: string): string =>
  host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;

const stripDomain = (hostPort: string): string => {
  const split = splitHostPort(hostPort);
  const host = split ? split.host : hostPort;
  if (isIP(host)) return hostPort;
  const short = host.split('.')[0] as string;
  return split && split.port !== '' ? joinHostPort(short, split.port) : short;
};

/** Go's `regexp.MustCompile` panic text. */
const mustCompileMessage = (pattern: string, reason: string): string => {
  const canBackquote = [...pattern].every((c) => c !== '`' && c >= ' ' && c !== '\x7f');
  const quoted = canBackquote ? `\`${pattern}\`` : JSON.stringify(pattern);
  return `regexp: Compile(${quoted}): ${reason}`;
};

/** Go's `regexp.MustCompile`: RE2, unanchored, `.` stopping at newlines; panics as Go does. */
const mustCompile = (pattern: string): Re2Regex => {
  try {
    return compileRegex(pattern, GO_SYNTAX);
  } catch (e) {
    if (!(e instanceof RegexSyntaxError)) throw e;
    throw new TemplateFunctionError(mustCompileMessage(pattern, e.message));
  }
};

/** Go's `regexp.MatchString`: the compile error is the function's error. */
const goCompile = (pattern: string): Re2Regex => {
  try {
    return compileRegex(pattern, GO_SYNTAX);
  } catch (e) {
    if (!(e instanceof RegexSyntaxError)) throw e;
    throw new TemplateFunctionError(e.message);
  }
};

/** The URL path of the external URL (Go's `url.URL.Path`, decoded). */
const urlPath = (url: string): string => {
  const m = /^[a-zA-Z][a-zA-Z0-9+.-]*:\/\/[^/?#]*([^?#]*)/.exec(url);
  const raw = m ? (m[1] as string) : (url.split(/[?#]/)[0] as string);
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
};

const S = ParamKind.String;
const A = ParamKind.Any;
const fn = (params: readonly ParamKind[], call: TemplateFunction['call']): TemplateFunction => ({
  params,
  call,
});

/**
 * Builds Prometheus' function map for one expansion.
 * @example prometheusFunctions({ nowMs: 0 }).get('humanize')
 */
const prometheusFunctions = (
  options: PrometheusFunctionOptions = {},
): Map<string, TemplateFunction> => {
  const { query, nowMs = 0, externalURL = '' } = options;
  return new Map<string, TemplateFunction>([
    [
      'query',
      fn([S], async ([q]) => {
        if (!query) throw new TemplateFunctionError('no query function configured');
        const rows = await query(q as string, nowMs);
        return new GoSlice(QUERY_RESULT_TYPE, rows.map(toSample));
      }),
    ],
    [
      'first',
      fn([ParamKind.QueryResult], ([v]) => {
        const first = v instanceof GoSlice ? v.items[0] : undefined;
        if (first === undefined)
          throw new TemplateFunctionError('first() called on vector with no elements');
        return first;
      }),
    ],
    ['label', fn([S, ParamKind.Sample], ([l, s]) => sampleLabel(s, l as string))],
    ['value', fn([ParamKind.Sample], ([s]) => sampleField(s, 'Value'))],
    ['strvalue', fn([ParamKind.Sample], ([s]) => sampleLabel(s, '__value__'))],
    [
      'args',
      {
        params: [],
        variadic: A,
        call: (args) =>
          new GoMap(
            'map[string]interface {}',
            new Map(args.map((a, i) => [`arg${i}`, a] as [string, GoValue])),
            undefined,
          ),
      },
    ],
    [
      'reReplaceAll',
      fn([S, S, S], async ([pattern, repl, text]) => {
        await loadRegexEngine();
        return mustCompile(pattern as string).replaceAll(text as string, repl as string);
      }),
    ],
    ['safeHtml', fn([S], ([s]) => s)],
    [
      'match',
      fn([S, S], async ([pattern, s]) => {
        await loadRegexEngine();
        return goCompile(pattern as string).test(s as string);
      }),
    ],
    ['title', fn([S], ([s]) => title(s as string))],
    ['toUpper', fn([S], ([s]) => (s as string).toUpperCase())],
    ['toLower', fn([S], ([s]) => (s as string).toLowerCase())],
    ['graphLink', fn([S], ([e]) => `/graph?g0.expr=${queryEscape(e as string)}&g0.tab=0`)],
    ['tableLink', fn([S], ([e]) => `/graph?g0.expr=${queryEscape(e as string)}&g0.tab=1`)],
    [
      'sortByLabel',
      fn([S, ParamKind.QueryResult], ([label, v]) => {
        if (!(v instanceof GoSlice)) return v;
        const key = (s: GoValue): string => sampleLabel(s, label as string);
        // Go sorts the slice in place (stable) and returns it.
        v.items.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
        return v;
      }),
    ],
    ['stripPort', fn([S], ([hp]) => splitHostPort(hp as string)?.host ?? (hp as string))],
    ['stripDomain', fn([S], ([hp]) => stripDomain(hp as string))],
    ['humanize', fn([A], ([v]) => humanize(v))],
    ['humanize1024', fn([A], ([v]) => humanize1024(v))],
    ['humanizeDuration', fn([A], ([v]) => humanizeDuration(v))],
    ['humanizePercentage', fn([A], ([v]) => `${g4(convertToFloat(v) * 100)}%`)],
    ['humanizeTimestamp', fn([A], ([v]) => humanizeTimestamp(v))],
    [
      'toTime',
      fn([A], ([v]) => {
        const f = convertToFloat(v);
        if (!Number.isFinite(f)) throw new TemplateFunctionError('value is NaN or Inf');
        return floatToTime(f);
      }),
    ],
    ['pathPrefix', fn([], () => urlPath(externalURL))],
    ['externalURL', fn([], () => externalURL)],
    [
      'parseDuration',
      fn([S], ([d]) => {
        const s = d as string;
        if (s === '') throw new TemplateFunctionError('empty duration string');
        const ms = parseDurationMs(s);
        if (ms === undefined)
          throw new TemplateFunctionError(`not a valid duration string: ${JSON.stringify(s)}`);
        return ms / 1000;
      }),
    ],
  ]);
};

/** Names of Prometheus' template functions (for parse-time checks). */
const PROMETHEUS_FUNCTION_NAMES: readonly string[] = [...prometheusFunctions().keys()];

export { convertToFloat, PROMETHEUS_FUNCTION_NAMES, prometheusFunctions };
