import type { Labels } from '../series/labels';
import { ExpositionParseError } from './errors';
import { goQuote, goQuoteChar, parseGoFloat, parseGoInt64 } from './go-format';
import type { ExpositionSample, MetricFamily, MetricType } from './types';

/**
 * Text exposition format 0.0.4 parser, a port of `expfmt.TextParser.TextToMetricFamilies` (the
 * parser the Pushgateway runs on pushed bodies), with the legacy name charset (no quoted UTF-8
 * names). It reads the input one character at a time, in linear time, and throws
 * {@link ExpositionParseError} with expfmt's message at the first error.
 *
 * Deliberate additions to expfmt, which would silently drop these samples (see the report in
 * `index.ts`): a histogram sample that is neither `_sum`/`_count` nor carries an `le` label, a
 * summary sample that is neither `_sum`/`_count` nor carries a `quantile` label, a `NaN` `le` or
 * `quantile`, samples of a `gauge_histogram` family, and label values that are not valid UTF-16.
 * @see https://github.com/prometheus/common/blob/main/expfmt/text_parse.go
 */

/** expfmt accepts every `dto.MetricType` name (case-insensitively); only these five are ours. */
type DtoType = MetricType | 'gauge_histogram';

/** OpenMetrics 1.0 family types (lower case only). */
type OmType =
  | 'counter'
  | 'gauge'
  | 'histogram'
  | 'gaugehistogram'
  | 'summary'
  | 'info'
  | 'stateset'
  | 'unknown';

const DTO_TYPES: Readonly<Record<string, DtoType>> = {
  COUNTER: 'counter',
  GAUGE: 'gauge',
  SUMMARY: 'summary',
  UNTYPED: 'untyped',
  HISTOGRAM: 'histogram',
  GAUGE_HISTOGRAM: 'gauge_histogram',
};

interface FamilyBuilder {
  name: string;
  type?: DtoType;
  /** The OpenMetrics type, in OpenMetrics mode. */
  omType?: OmType;
  help?: string;
  samples: ExpositionSample[];
}

interface FamilyRef {
  mf: FamilyBuilder;
  isCount: boolean;
  isSum: boolean;
  /** An OpenMetrics `_created` sample of a counter, summary or histogram. */
  isCreated?: boolean;
}

const OM_TYPES: Readonly<Record<string, OmType>> = {
  counter: 'counter',
  gauge: 'gauge',
  histogram: 'histogram',
  gaugehistogram: 'gaugehistogram',
  summary: 'summary',
  info: 'info',
  stateset: 'stateset',
  unknown: 'unknown',
};

/** How an OpenMetrics type is stored, as Prometheus ingests it (classic series, no metadata kept). */
const OM_TO_DTO: Readonly<Record<OmType, MetricType>> = {
  counter: 'counter',
  gauge: 'gauge',
  histogram: 'histogram',
  gaugehistogram: 'histogram',
  summary: 'summary',
  info: 'gauge',
  stateset: 'gauge',
  unknown: 'untyped',
};

/** The sample-name suffixes each OpenMetrics type's samples may carry, besides the family name. */
const OM_SUFFIXES: Readonly<Record<OmType, readonly string[]>> = {
  counter: ['_total', '_created'],
  gauge: [],
  histogram: ['_bucket', '_count', '_sum', '_created'],
  gaugehistogram: ['_bucket', '_gcount', '_gsum'],
  summary: ['_count', '_sum', '_created'],
  info: ['_info'],
  stateset: [],
  unknown: [],
};

/** The OpenMetrics terminator line. */
const OM_EOF = '# EOF';

const EOF = -1;
const NL = 10;
const SPACE = 32;
const TAB = 9;
const HASH = 35;
const QUOTE = 34;
const BACKSLASH = 92;
const LBRACE = 123;
const RBRACE = 125;
const EQUALS = 61;
const COMMA = 44;

const isBlankOrTab = (c: number): boolean => c === SPACE || c === TAB;
const isWhitespace = (c: number): boolean => c === SPACE || c === TAB || c === NL;
const isLabelValueStop = (c: number): boolean => c === QUOTE || c === BACKSLASH || c === NL;
const isLabelNameStart = (c: number): boolean =>
  (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95;
const isLabelNameContinuation = (c: number): boolean => isLabelNameStart(c) || (c >= 48 && c <= 57);
const isMetricNameStart = (c: number): boolean => isLabelNameStart(c) || c === 58;
const isMetricNameContinuation = (c: number): boolean => isLabelNameContinuation(c) || c === 58;

const endsWith = (name: string, suffix: string): boolean =>
  name.length > suffix.length && name.endsWith(suffix);

/** `model.LabelValue.IsValid` is `utf8.ValidString`; for UTF-16 that means no lone surrogate. */
const isWellFormed = (s: string): boolean => {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0xd800 || c > 0xdfff) continue;
    if (c >= 0xdc00) return false;
    const d = s.charCodeAt(i + 1);
    if (!(d >= 0xdc00 && d <= 0xdfff)) return false;
    i++;
  }
  return true;
};

/** Thrown internally when the input ends anywhere but at the start of a line. */
class UnexpectedEof {}

class TextParser {
  private readonly s: string;
  /** OpenMetrics 1.0 mode: types, suffixes, float-second timestamps, exemplars. */
  private readonly om: boolean;
  /** Index of the next character to read. */
  private i = 0;
  /** The most recently read character, or {@link EOF}. */
  private cur = EOF;
  private line = 0;
  private lineStart = 0;
  private token = '';
  private readonly families = new Map<string, FamilyBuilder>();

  constructor(s: string, om = false) {
    this.s = om ? this.withoutEof(s) : s;
    this.om = om;
  }

  /** The OpenMetrics body before its mandatory `# EOF` line, which must be the last line. */
  private withoutEof(s: string): string {
    const body = s.endsWith('\n') ? s.slice(0, -1) : s;
    const at = body.lastIndexOf('\n') + 1;
    if (body.slice(at) === OM_EOF) return body.slice(0, at);
    const lines = s.split('\n');
    const eof = lines.indexOf(OM_EOF);
    if (eof === -1) {
      throw new ExpositionParseError('data does not end with # EOF', {
        line: lines.length,
        column: 1,
        snippet: lines.at(-1) ?? '',
      });
    }
    throw new ExpositionParseError('unexpected data after # EOF', {
      line: eof + 2,
      column: 1,
      snippet: lines[eof + 1] ?? '',
    });
  }

  parse(): MetricFamily[] {
    try {
      while (this.startOfLine()) {
        // One line per iteration.
      }
    } catch (e) {
      if (e instanceof UnexpectedEof) this.fail('unexpected end of input stream');
      throw e;
    }
    const out: MetricFamily[] = [];
    for (const f of this.families.values()) {
      if (f.samples.length === 0) continue; // expfmt drops families without samples.
      const type =
        f.omType !== undefined
          ? OM_TO_DTO[f.omType]
          : f.type === undefined || f.type === 'gauge_histogram'
            ? 'untyped'
            : f.type;
      out.push({
        name: f.name,
        type,
        ...(f.help === undefined ? {} : { help: f.help }),
        samples: f.samples,
      });
    }
    return out;
  }

  // ---- reading -------------------------------------------------------------------------------

  /** Compares the current character (a method, so TypeScript does not keep a stale narrowing). */
  private at(c: number): boolean {
    return this.cur === c;
  }

  private skipBlankTab(): void {
    const s = this.s;
    let i = this.i;
    while (i < s.length) {
      const c = s.charCodeAt(i++);
      if (c !== SPACE && c !== TAB) {
        this.i = i;
        this.cur = c;
        return;
      }
    }
    this.eof();
  }

  /** Go's readers treat `io.EOF` anywhere but at the start of a line as an error. */
  private eof(): never {
    this.i = this.s.length;
    this.cur = EOF;
    throw new UnexpectedEof();
  }

  private skipBlankTabIfCurrentBlankTab(): void {
    if (isBlankOrTab(this.cur)) this.skipBlankTab();
  }

  /** Index of the first character at or after `from` for which `stop` holds, or -1. */
  private scan(from: number, stop: (c: number) => boolean): number {
    const s = this.s;
    for (let i = from; i < s.length; i++) if (stop(s.charCodeAt(i))) return i;
    return -1;
  }

  /** Consumes from the current character to `stopAt` (which becomes current), or throws at EOF. */
  private takeUntil(stopAt: number): string {
    if (stopAt === -1) this.eof();
    const token = this.s.slice(this.i - 1, stopAt);
    this.i = stopAt + 1;
    this.cur = this.s.charCodeAt(stopAt);
    return token;
  }

  /** Token from the current character up to (excluding) the next blank, tab or newline. */
  private readTokenUntilWhitespace(): void {
    if (isBlankOrTab(this.cur) || this.cur === NL) {
      this.token = '';
      return;
    }
    this.token = this.takeUntil(this.scan(this.i, isWhitespace));
  }

  /** Rest of the line from the current character; with escapes `\\`, `\n`, `\"` (HELP). */
  private readTokenUntilNewline(recognizeEscapes: boolean): void {
    if (this.cur === NL) {
      this.token = '';
      return;
    }
    const end = this.s.indexOf('\n', this.i - 1);
    if (!recognizeEscapes || this.s.lastIndexOf('\\', end === -1 ? undefined : end) < this.i - 1) {
      this.token = this.takeUntil(end);
      return;
    }
    this.token = this.unescape(this.i - 1, end);
  }

  /**
   * Unescapes `s[from, end)` (`\\`, `\n`, `\"`; anything else is an error), leaving the
   * character at `end` current. Parts are joined once, so long escaped runs stay linear.
   */
  private unescape(from: number, end: number): string {
    const s = this.s;
    const parts: string[] = [];
    let chunk = from;
    let i = s.indexOf('\\', from);
    while (i !== -1 && (end === -1 || i < end)) {
      parts.push(s.slice(chunk, i));
      const e = i + 1 < s.length ? s.charCodeAt(i + 1) : EOF;
      if (e === EOF) {
        this.eof();
      }
      if (e === QUOTE || e === BACKSLASH) parts.push(String.fromCharCode(e));
      else if (e === 110) parts.push('\n');
      else {
        this.i = i + 2;
        this.cur = e;
        this.fail(`invalid escape sequence '\\${String.fromCharCode(e)}'`);
      }
      chunk = i + 2;
      i = s.indexOf('\\', chunk);
    }
    if (end === -1) this.eof();
    parts.push(s.slice(chunk, end));
    this.i = end + 1;
    this.cur = s.charCodeAt(end);
    return parts.join('');
  }

  /** Index of the first `"`, `\\` or newline at or after `from`, or -1. */
  private labelValueEnd(from: number): number {
    return this.scan(from, isLabelValueStop);
  }

  private readTokenAsMetricName(): void {
    if (!isMetricNameStart(this.cur)) {
      this.token = '';
      return;
    }
    this.token = this.takeUntil(this.scan(this.i, (c) => !isMetricNameContinuation(c)));
  }

  private readTokenAsLabelName(): void {
    if (!isLabelNameStart(this.cur)) {
      this.token = '';
      return;
    }
    this.token = this.takeUntil(this.scan(this.i, (c) => !isLabelNameContinuation(c)));
  }

  /** Starts after the opening quote; leaves the closing quote in `cur`. */
  private readTokenAsLabelValue(): void {
    const s = this.s;
    const from = this.i;
    let stop = this.labelValueEnd(from);
    if (stop !== -1 && s.charCodeAt(stop) === BACKSLASH) {
      stop = this.closingQuote(from);
      this.token = this.unescape(from, stop);
    } else {
      if (stop === -1) this.eof();
      this.token = s.slice(from, stop);
      this.i = stop + 1;
      this.cur = s.charCodeAt(stop);
    }
    if (this.cur === NL)
      this.fail(`label value ${goQuote(this.token)} contains unescaped new-line`);
  }

  /** Index of the `"` or newline ending a label value that contains escapes, or -1. */
  private closingQuote(from: number): number {
    const s = this.s;
    for (let i = from; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c === BACKSLASH) i++;
      else if (c === QUOTE || c === NL) return i;
    }
    return -1;
  }

  // ---- families ------------------------------------------------------------------------------

  /** expfmt's setOrCreateCurrentMF: `x_sum`/`x_count`/`x_bucket` join an existing summary/histogram `x`. */
  private familyFor(name: string): FamilyRef {
    const own = this.families.get(name);
    if (own !== undefined) return { mf: own, isCount: false, isSum: false };
    if (this.om) return this.omFamilyFor(name);
    const isCount = endsWith(name, '_count');
    const isSum = endsWith(name, '_sum');
    if (isCount || isSum) {
      const base = name.slice(0, name.length - (isCount ? 6 : 4));
      const mf = this.families.get(base);
      if (mf !== undefined && (mf.type === 'summary' || mf.type === 'histogram')) {
        return { mf, isCount, isSum };
      }
    } else if (endsWith(name, '_bucket')) {
      const mf = this.families.get(name.slice(0, -7));
      if (mf !== undefined && mf.type === 'histogram') return { mf, isCount: false, isSum: false };
    }
    const mf: FamilyBuilder = { name, samples: [] };
    this.families.set(name, mf);
    return { mf, isCount: false, isSum: false };
  }

  /** OpenMetrics: `x_total`, `x_bucket`, `x_gcount`, `x_info`… join the family `x` of a type that has them. */
  private omFamilyFor(name: string): FamilyRef {
    const cut = name.lastIndexOf('_');
    if (cut > 0) {
      const suffix = name.slice(cut);
      const mf = this.families.get(name.slice(0, cut));
      if (mf?.omType !== undefined && OM_SUFFIXES[mf.omType].includes(suffix)) {
        return {
          mf,
          isCount: suffix === '_count' || suffix === '_gcount',
          isSum: suffix === '_sum' || suffix === '_gsum',
          isCreated: suffix === '_created',
        };
      }
    }
    const mf: FamilyBuilder = { name, samples: [] };
    this.families.set(name, mf);
    return { mf, isCount: false, isSum: false };
  }

  // ---- states --------------------------------------------------------------------------------

  /** Returns false at the end of input. */
  private startOfLine(): boolean {
    this.line++;
    this.lineStart = this.i;
    do {
      if (this.i >= this.s.length) return false; // The only place where EOF is fine.
      this.cur = this.s.charCodeAt(this.i++);
    } while (isBlankOrTab(this.cur));
    if (this.cur === HASH) this.startComment();
    else if (this.cur !== NL) this.readingMetricName();
    return true;
  }

  private startComment(): void {
    this.skipBlankTab();
    if (this.cur === NL) return;
    this.readTokenUntilWhitespace();
    if (this.cur === NL) return;
    const keyword = this.token;
    if (this.om && keyword === 'UNIT') {
      // Metadata only: Prometheus keeps no unit with the samples.
      this.skipBlankTab();
      this.readTokenAsMetricName();
      if (this.cur !== NL && !isBlankOrTab(this.cur)) this.fail('invalid metric name in comment');
      if (this.cur !== NL) this.takeUntil(this.s.indexOf('\n', this.i));
      return;
    }
    if (keyword !== 'HELP' && keyword !== 'TYPE') {
      if (this.cur !== NL) this.takeUntil(this.s.indexOf('\n', this.i)); // Generic comment.
      return;
    }
    this.skipBlankTab();
    this.readTokenAsMetricName();
    if (this.cur === NL) return;
    if (!isBlankOrTab(this.cur)) this.fail('invalid metric name in comment');
    const { mf } = this.familyFor(this.token);
    this.skipBlankTab();
    if (this.cur === NL) return;
    if (keyword === 'HELP') {
      if (mf.help !== undefined) this.fail(`second HELP line for metric name ${goQuote(mf.name)}`);
      this.readTokenUntilNewline(true);
      mf.help = this.token;
      return;
    }
    if (mf.type !== undefined) {
      this.fail(
        `second TYPE line for metric name ${goQuote(mf.name)}, or TYPE reported after samples`,
      );
    }
    this.readTokenUntilNewline(false);
    if (this.om) {
      const omType = OM_TYPES[this.token];
      if (omType === undefined) this.fail(`invalid metric type ${goQuote(this.token)}`);
      mf.omType = omType;
      mf.type = OM_TO_DTO[omType as OmType];
      return;
    }
    const type = DTO_TYPES[this.token.toUpperCase()];
    if (type === undefined) this.fail(`unknown metric type ${goQuote(this.token)}`);
    mf.type = type;
  }

  private readingMetricName(): void {
    this.readTokenAsMetricName();
    if (this.token.length === 0) this.fail('invalid metric name');
    const name = this.token;
    const ref = this.familyFor(name);
    const { mf } = ref;
    if (mf.type === undefined) mf.type = 'untyped';
    if (this.om && mf.omType === undefined) mf.omType = 'unknown';
    this.skipBlankTabIfCurrentBlankTab();
    const isSummary = mf.type === 'summary';
    const isHistogram = mf.type === 'histogram';
    /** The label that summaries/histograms keep out of the label set (`quantile`/`le`). */
    const special = isSummary ? 'quantile' : isHistogram ? 'le' : undefined;
    const labels: [string, string][] = [];
    let specialValue: number | undefined;
    let specialText: string | undefined;
    if (this.cur === LBRACE) {
      const seen = new Set<string>();
      for (;;) {
        this.skipBlankTab();
        if (this.at(RBRACE)) break;
        this.readTokenAsLabelName();
        if (this.token.length === 0) {
          this.fail(`invalid label name for metric ${goQuote(mf.name)}`);
        }
        const labelName = this.token;
        this.skipBlankTabIfCurrentBlankTab();
        if (!this.at(EQUALS)) {
          this.fail(`expected '=' after label name, found ${goQuoteChar(this.cur)}`);
        }
        if (labelName === '__name__') this.fail('label name "__name__" is reserved');
        if (labelName !== special) {
          if (seen.has(labelName)) {
            this.fail(`duplicate label names for metric ${goQuote(mf.name)}`);
          }
          seen.add(labelName);
        }
        this.skipBlankTab();
        if (!this.at(QUOTE)) {
          this.fail(`expected '"' at start of label value, found ${goQuoteChar(this.cur)}`);
        }
        this.readTokenAsLabelValue();
        const labelValue = this.token;
        if (!isWellFormed(labelValue)) this.fail(`invalid label value ${goQuote(labelValue)}`);
        if (labelName === special) {
          specialValue = parseGoFloat(labelValue);
          specialText = labelValue;
          if (specialValue === undefined) {
            this.fail(`expected float as value for '${special}' label, got ${goQuote(labelValue)}`);
          }
        }
        labels.push([labelName, labelValue]);
        this.skipBlankTab();
        if (this.at(RBRACE)) break;
        if (!this.at(COMMA)) {
          this.fail(`unexpected end of label value ${goQuote(labelValue)}`);
        }
      }
      this.skipBlankTab();
    }
    this.readingValue(name, ref, labels, special, specialValue, specialText);
  }

  private readingValue(
    name: string,
    ref: FamilyRef,
    labels: [string, string][],
    special: string | undefined,
    specialValue: number | undefined,
    specialText: string | undefined,
  ): void {
    const { mf } = ref;
    this.readTokenUntilWhitespace();
    if (this.om) {
      this.readingOmValue(name, ref, labels, special, specialValue, specialText);
      return;
    }
    const value = parseGoFloat(this.token);
    if (value === undefined) this.fail(`expected float as value, got ${goQuote(this.token)}`);
    if (mf.type === 'gauge_histogram') {
      this.fail(`unexpected type for metric name ${goQuote(mf.name)}`);
    }
    const kept = this.seriesLabels(
      ref,
      labels,
      special,
      specialValue,
      specialText,
      ref.isCount || ref.isSum,
    );
    let timestampMs: number | undefined;
    if (this.cur !== NL) {
      this.skipBlankTab();
      this.readTokenUntilWhitespace();
      timestampMs = parseGoInt64(this.token);
      if (timestampMs === undefined) {
        this.fail(`expected integer as timestamp, got ${goQuote(this.token)}`);
      }
      this.readTokenUntilNewline(false);
      if (this.token.length > 0) {
        this.fail(`spurious string after timestamp: ${goQuote(this.token)}`);
      }
    }
    mf.samples.push({
      name,
      labels: Object.fromEntries(kept) as Labels,
      value: value as number,
      ...(timestampMs === undefined ? {} : { timestampMs }),
    });
  }

  /**
   * A sample's labels once its family's `le`/`quantile` label is checked: a bucket or quantile
   * sample must carry a number other than NaN in it; on the samples that are not
   * (`stripSpecial`: `_sum`, `_count`, OpenMetrics' `_created`) a stray one is dropped, as expfmt
   * keeps it out of the series.
   */
  private seriesLabels(
    ref: FamilyRef,
    labels: [string, string][],
    special: string | undefined,
    specialValue: number | undefined,
    specialText: string | undefined,
    stripSpecial: boolean,
  ): [string, string][] {
    if (special === undefined) return labels;
    if (stripSpecial) return labels.filter(([n]) => n !== special);
    if (specialText === undefined) {
      const kind = special === 'le' ? 'histogram bucket' : 'summary quantile';
      this.fail(`${kind} without '${special}' label for metric ${goQuote(ref.mf.name)}`);
    } else if (Number.isNaN(specialValue)) {
      this.fail(
        `expected float other than NaN for '${special}' label, got ${goQuote(specialText)}`,
      );
    }
    return labels;
  }

  /**
   * The value, optional timestamp (float seconds, truncated to milliseconds as Prometheus does)
   * and ignored exemplar of an OpenMetrics sample line.
   */
  private readingOmValue(
    name: string,
    ref: FamilyRef,
    labels: [string, string][],
    special: string | undefined,
    specialValue: number | undefined,
    specialText: string | undefined,
  ): void {
    const { mf } = ref;
    const value = parseGoFloat(this.token);
    if (value === undefined) this.fail(`expected float as value, got ${goQuote(this.token)}`);
    const kept = this.seriesLabels(
      ref,
      labels,
      special,
      specialValue,
      specialText,
      ref.isCount || ref.isSum || ref.isCreated === true,
    );
    let timestampMs: number | undefined;
    if (this.cur !== NL) {
      this.skipBlankTab();
      this.readTokenUntilWhitespace();
      if (this.token !== '#') {
        const seconds = parseGoFloat(this.token);
        if (seconds === undefined || !Number.isFinite(seconds)) {
          this.fail(`invalid timestamp ${goQuote(this.token)}`);
        }
        timestampMs = Math.trunc((seconds as number) * 1000);
        if (this.cur !== NL) {
          this.skipBlankTab();
          this.readTokenUntilWhitespace();
          if (this.token !== '#' && this.token !== '') {
            this.fail(`spurious string after timestamp: ${goQuote(this.token)}`);
          }
        }
      }
      // An exemplar (` # {labels} value [timestamp]`): not stored, as Prometheus by default.
      if (this.cur !== NL) this.takeUntil(this.s.indexOf('\n', this.i - 1));
    }
    mf.samples.push({
      name,
      labels: Object.fromEntries(kept) as Labels,
      value: value as number,
      ...(timestampMs === undefined ? {} : { timestampMs }),
    });
  }

  private fail(reason: string): never {
    const end = this.s.indexOf('\n', this.lineStart);
    const snippet = this.s.slice(this.lineStart, end === -1 ? this.s.length : end);
    const column = Math.max(1, this.i - this.lineStart + (this.cur === EOF ? 1 : 0));
    throw new ExpositionParseError(reason, { line: this.line, column, snippet });
  }
}

/**
 * Parses a text exposition format 0.0.4 body exactly as the Pushgateway's `expfmt.TextParser`
 * does: every line must end in `\n` (a last line without one is "unexpected end of input
 * stream", a `\r` ends up in the value), families without samples are dropped, and samples of a
 * family need not be contiguous. Families come back in order of first mention.
 * @param text the decoded body.
 * @throws ExpositionParseError at the first malformed line.
 * @example
 * parseExposition('# TYPE up gauge\nup{job="a"} 1 1700000000000\n');
 * // [{ name: 'up', type: 'gauge', samples: [{ name: 'up', labels: { job: 'a' }, value: 1, timestampMs: 1700000000000 }] }]
 * @see https://github.com/prometheus/common/blob/main/expfmt/text_parse.go
 * @see https://github.com/prometheus/pushgateway#command-line
 */
const parseExposition = (text: string): MetricFamily[] => new TextParser(text).parse();

/**
 * Parses an OpenMetrics 1.0 text body into what Prometheus stores from it: the body must end with
 * `# EOF`; `# TYPE` names the family without suffixes (`x` for `x_total`, `x_bucket`, `x_gcount`,
 * `x_info`), `# UNIT` is read past, exemplars are ignored, timestamps are float seconds (truncated
 * to milliseconds). `_created` samples are series like any other: Prometheus drops them only with
 * its `created-timestamp-zero-ingestion` feature flag, off by default. Info and stateset families come back as gauges, gauge histograms as
 * histograms, `unknown` as untyped: the series are the ones Prometheus appends.
 * Lenient where Prometheus's OpenMetrics parser is strict about syntax (blank lines, spaces).
 * @throws ExpositionParseError at the first malformed line, or without `# EOF`.
 * @see https://prometheus.io/docs/specs/om/open_metrics_spec/
 * @see https://github.com/prometheus/prometheus/blob/main/model/textparse/openmetricsparse.go
 */
const parseOpenMetrics = (text: string): MetricFamily[] => new TextParser(text, true).parse();

export { parseExposition, parseOpenMetrics };
