/**
 * `drift:` in vigil.config.yaml: the scheduled drift monitors. Each monitor names a
 * source (prediction-event fields, or a Prometheus histogram), a reference (rolling window, fixed
 * range, or a baseline CSV shipped with the deployment), a method and a schedule.
 */
import type { ConfigIssue } from '../config/validate';
import { parseDurationMs } from '../promql/lexical';
import { parseExpr } from '../promql/parser';
import { METRIC_NAME_RE } from '../series/labels';
import type { LabelMatcher } from '../series/matchers';
import {
  BINNED_METHODS,
  type BinnedMethod,
  DEFAULT_DRIFT_SHARE,
  DEFAULT_MIN_SAMPLE_SIZE,
  DRIFT_METHODS,
  type MethodChoice,
} from './types';

/** Methods a monitor may name (`auto` = Evidently's choice per column). */
const MONITOR_METHODS: readonly MethodChoice[] = ['auto', ...DRIFT_METHODS];

/** Fields of prediction events (the EventStore), per model and optionally version/service. */
interface EventsSource {
  readonly kind: 'events';
  readonly service?: string;
  readonly model: string;
  readonly modelVersion?: string;
  /** Measure names compared, each a feature of the report. */
  readonly fields: readonly string[];
}

/** A Prometheus classic histogram: bucket increases over each window, as binned distributions. */
interface HistogramSource {
  readonly kind: 'histogram';
  /** Base name: `<metric>_bucket` is read. */
  readonly metric: string;
  /** The selector's matchers, as written (`{job="inference"}`), or '' for none. */
  readonly selector: string;
  /** Parsed matchers of `selector` (the `__name__` matcher excluded). */
  readonly matchers: readonly LabelMatcher[];
}

type DriftSource = EventsSource | HistogramSource;

/**
 * What the current window is compared with:
 * - `window`: a rolling window `(t − offset − window, t − offset]` before each run time `t`;
 * - `range`: a fixed time range `(start, end]`;
 * - `baseline`: a CSV file (header row, one column per field) relative to the config file.
 */
type DriftReference =
  | { readonly kind: 'window'; readonly windowMs: number; readonly offsetMs: number }
  | { readonly kind: 'range'; readonly startMs: number; readonly endMs: number }
  | { readonly kind: 'baseline'; readonly path: string };

/** One monitor of `drift.monitors`. */
interface DriftMonitor {
  /** `[a-zA-Z0-9_-]{1,64}`: a label value, part of report ids and S3 keys. */
  readonly name: string;
  readonly source: DriftSource;
  /** @default 'auto' (events), 'psi' (histograms) */
  readonly method: MethodChoice;
  /** The method's threshold. @default the method's own (0.05 for tests, 0.1 for distances) */
  readonly threshold?: number;
  readonly reference: DriftReference;
  /** Runs at whole multiples of `everyMs`; the current window is `(t − windowMs, t]`. */
  readonly schedule: { readonly everyMs: number; readonly windowMs: number };
}

/** `drift:` */
interface DriftConfig {
  /** Below this many values in a window a column gets `insufficient_data`. @default 30 */
  readonly minSampleSize: number;
  /** Dataset drift when the share of drifted columns is at least this. @default 0.5 */
  readonly driftShare: number;
  readonly monitors: readonly DriftMonitor[];
}

const DEFAULT_DRIFT_CONFIG: DriftConfig = {
  minSampleSize: DEFAULT_MIN_SAMPLE_SIZE,
  driftShare: DEFAULT_DRIFT_SHARE,
  monitors: [],
};

/** EventBridge `rate()` schedules count whole minutes, at least one. */
const MIN_EVERY_MS = 60_000;
const MONITOR_NAME_RE = /^[a-zA-Z0-9_-]{1,64}$/;
/** RFC 3339 date-time with a zone (`Z` or `±hh:mm`). */
const RFC3339_RE = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

class Issues {
  readonly list: ConfigIssue[] = [];
  fail(path: string, message: string): void {
    this.list.push({ path, message });
  }
  keys(o: Obj, allowed: readonly string[], path: string): void {
    for (const k of Object.keys(o)) {
      if (!allowed.includes(k))
        this.fail(`${path}.${k}`, `unknown key (expected one of: ${allowed.join(', ')})`);
    }
  }
  duration(v: unknown, path: string): number | undefined {
    const ms = typeof v === 'string' ? parseDurationMs(v) : undefined;
    if (ms === undefined || !(ms > 0)) {
      this.fail(
        path,
        `must be a positive Prometheus duration like 1h or 7d, got ${JSON.stringify(v)}`,
      );
      return undefined;
    }
    return ms;
  }
  optionalString(o: Obj, key: string, path: string): string | undefined {
    const v = o[key];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'string' || v === '') {
      this.fail(`${path}.${key}`, 'must be a non-empty string');
      return undefined;
    }
    return v;
  }
}

const readEvents = (is: Issues, o: Obj, path: string): EventsSource | undefined => {
  is.keys(o, ['service', 'model', 'model_version', 'fields'], path);
  const model = is.optionalString(o, 'model', path);
  if (model === undefined && o.model === undefined) is.fail(`${path}.model`, 'is required');
  const fields = o.fields;
  if (
    !Array.isArray(fields) ||
    fields.length === 0 ||
    fields.some((f) => typeof f !== 'string' || f === '')
  ) {
    is.fail(`${path}.fields`, 'must be a non-empty list of prediction-event measure names');
    return undefined;
  }
  const dup = fields.find((f, i) => fields.indexOf(f) !== i);
  if (dup !== undefined) is.fail(`${path}.fields`, `duplicate field ${JSON.stringify(dup)}`);
  const service = is.optionalString(o, 'service', path);
  const modelVersion = is.optionalString(o, 'model_version', path);
  if (model === undefined) return undefined;
  return {
    kind: 'events',
    model,
    fields: fields as string[],
    ...(service === undefined ? {} : { service }),
    ...(modelVersion === undefined ? {} : { modelVersion }),
  };
};

const readHistogram = (is: Issues, o: Obj, path: string): HistogramSource | undefined => {
  is.keys(o, ['metric', 'matchers'], path);
  const metric = o.metric;
  if (typeof metric !== 'string' || !METRIC_NAME_RE.test(metric)) {
    is.fail(`${path}.metric`, 'must be the base name of a Prometheus histogram (without _bucket)');
    return undefined;
  }
  if (metric.endsWith('_bucket')) {
    is.fail(`${path}.metric`, `give the base name: ${metric.slice(0, -'_bucket'.length)}`);
    return undefined;
  }
  const selector = o.matchers ?? '';
  if (typeof selector !== 'string') {
    is.fail(`${path}.matchers`, 'must be a selector string like {job="inference"}');
    return undefined;
  }
  const trimmed = selector.trim();
  if (trimmed !== '' && !/^\{.*\}$/s.test(trimmed)) {
    is.fail(
      `${path}.matchers`,
      `must be a selector in braces like {job="inference"}, got ${JSON.stringify(selector)}`,
    );
    return undefined;
  }
  try {
    const expr = parseExpr(`${metric}_bucket${trimmed}`);
    if (expr.type !== 'VectorSelector') throw new Error('not a series selector');
    const matchers = expr.matchers.filter((m) => m.name !== '__name__');
    if (matchers.length !== expr.matchers.length - 1) throw new Error('may not match __name__');
    if (matchers.some((m) => m.name === 'le')) throw new Error('may not match le');
    return { kind: 'histogram', metric, selector: trimmed, matchers };
  } catch (e) {
    is.fail(
      `${path}.matchers`,
      `invalid selector ${JSON.stringify(selector)}: ${(e as Error).message}`,
    );
    return undefined;
  }
};

const readSource = (is: Issues, raw: unknown, path: string): DriftSource | undefined => {
  if (!isObj(raw) || Object.keys(raw).length !== 1 || !('events' in raw || 'histogram' in raw)) {
    is.fail(path, 'must be a mapping with exactly one of: events, histogram');
    return undefined;
  }
  const [kind, body] = Object.entries(raw)[0] as [string, unknown];
  if (!isObj(body)) {
    is.fail(`${path}.${kind}`, 'must be a mapping');
    return undefined;
  }
  return kind === 'events'
    ? readEvents(is, body, `${path}.events`)
    : readHistogram(is, body, `${path}.histogram`);
};

const readTime = (is: Issues, v: unknown, path: string): number | undefined => {
  // YAML turns an unquoted timestamp into a Date; accept it as the instant it names.
  if (v instanceof Date && !Number.isNaN(v.getTime())) return v.getTime();
  if (typeof v === 'string' && RFC3339_RE.test(v)) {
    const ms = Date.parse(v);
    if (!Number.isNaN(ms)) return ms;
  }
  is.fail(path, `must be an RFC 3339 time like 2026-11-01T00:00:00Z, got ${JSON.stringify(v)}`);
  return undefined;
};

const readReference = (is: Issues, raw: unknown, path: string): DriftReference | undefined => {
  if (!isObj(raw)) {
    is.fail(path, 'must be {window, offset}, {start, end} or {baseline}');
    return undefined;
  }
  if ('baseline' in raw) {
    is.keys(raw, ['baseline'], path);
    const p = raw.baseline;
    if (typeof p !== 'string' || p === '' || !/\.csv$/i.test(p)) {
      is.fail(`${path}.baseline`, 'must be the path of a CSV file, relative to the config file');
      return undefined;
    }
    return { kind: 'baseline', path: p };
  }
  if ('start' in raw || 'end' in raw) {
    is.keys(raw, ['start', 'end'], path);
    const startMs = readTime(is, raw.start, `${path}.start`);
    const endMs = readTime(is, raw.end, `${path}.end`);
    if (startMs === undefined || endMs === undefined) return undefined;
    if (endMs <= startMs) {
      is.fail(`${path}.end`, 'must be after start');
      return undefined;
    }
    return { kind: 'range', startMs, endMs };
  }
  is.keys(raw, ['window', 'offset'], path);
  if (raw.window === undefined) {
    is.fail(path, 'must be {window, offset}, {start, end} or {baseline}');
    return undefined;
  }
  const windowMs = is.duration(raw.window, `${path}.window`);
  const offsetMs = raw.offset === undefined ? 0 : is.duration(raw.offset, `${path}.offset`);
  if (windowMs === undefined || offsetMs === undefined) return undefined;
  return { kind: 'window', windowMs, offsetMs };
};

const readSchedule = (
  is: Issues,
  raw: unknown,
  path: string,
): DriftMonitor['schedule'] | undefined => {
  if (!isObj(raw)) {
    is.fail(path, 'must be a mapping with every (and window)');
    return undefined;
  }
  is.keys(raw, ['every', 'window'], path);
  const everyMs = is.duration(raw.every, `${path}.every`);
  if (everyMs === undefined) return undefined;
  if (everyMs < MIN_EVERY_MS || everyMs % MIN_EVERY_MS !== 0) {
    // https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-scheduled-rule-pattern.html#eb-rate-expressions
    is.fail(`${path}.every`, 'must be a whole number of minutes, at least 1m (EventBridge rate)');
    return undefined;
  }
  const windowMs = raw.window === undefined ? everyMs : is.duration(raw.window, `${path}.window`);
  if (windowMs === undefined) return undefined;
  return { everyMs, windowMs };
};

const readThreshold = (is: Issues, v: unknown, path: string): number | undefined => {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) {
    is.fail(path, `must be a positive number, got ${JSON.stringify(v)}`);
    return undefined;
  }
  return v;
};

const readMonitor = (is: Issues, raw: unknown, path: string): DriftMonitor | undefined => {
  if (!isObj(raw)) {
    is.fail(path, 'must be a mapping with name, source, reference, schedule');
    return undefined;
  }
  is.keys(raw, ['name', 'source', 'method', 'threshold', 'reference', 'schedule'], path);
  const name = raw.name;
  if (typeof name !== 'string' || !MONITOR_NAME_RE.test(name)) {
    is.fail(`${path}.name`, 'must be 1-64 letters, digits, - or _');
  }
  const source = readSource(is, raw.source, `${path}.source`);
  const reference = readReference(is, raw.reference, `${path}.reference`);
  const schedule = readSchedule(is, raw.schedule, `${path}.schedule`);
  const threshold = readThreshold(is, raw.threshold, `${path}.threshold`);
  const methodRaw = raw.method ?? (source?.kind === 'histogram' ? 'psi' : 'auto');
  let method: MethodChoice | undefined;
  if (!MONITOR_METHODS.includes(methodRaw as MethodChoice)) {
    is.fail(`${path}.method`, `must be one of ${MONITOR_METHODS.join(', ')}`);
  } else if (source?.kind === 'histogram' && !BINNED_METHODS.includes(methodRaw as BinnedMethod)) {
    is.fail(
      `${path}.method`,
      `a histogram source compares bucket counts: use one of ${BINNED_METHODS.join(', ')}`,
    );
  } else method = methodRaw as MethodChoice;
  if (source?.kind === 'histogram' && reference?.kind === 'baseline') {
    is.fail(`${path}.reference.baseline`, 'baseline files are for events sources only');
  }
  if (
    typeof name !== 'string' ||
    !MONITOR_NAME_RE.test(name) ||
    !source ||
    !reference ||
    !schedule ||
    !method
  )
    return undefined;
  return {
    name,
    source,
    method,
    reference,
    schedule,
    ...(threshold === undefined ? {} : { threshold }),
  };
};

/**
 * Validates `drift:`; every problem is returned with its path. Baseline paths are kept as
 * written (relative to the config file): loaders check that the files exist.
 * @example validateDriftConfig({ monitors: [{ name: 'faces', source: { events: { model: 'faces', fields: ['confidence'] } }, reference: { window: '7d', offset: '7d' }, schedule: { every: '1h' } }] })
 */
const validateDriftConfig = (
  raw: unknown,
  path = 'drift',
): { config: DriftConfig; issues: ConfigIssue[] } => {
  const is = new Issues();
  if (raw === undefined || raw === null) return { config: DEFAULT_DRIFT_CONFIG, issues: is.list };
  if (!isObj(raw)) {
    is.fail(path, 'must be a mapping');
    return { config: DEFAULT_DRIFT_CONFIG, issues: is.list };
  }
  is.keys(raw, ['minSampleSize', 'driftShare', 'monitors'], path);
  let minSampleSize = DEFAULT_DRIFT_CONFIG.minSampleSize;
  if (raw.minSampleSize !== undefined) {
    const v = raw.minSampleSize;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 1)
      is.fail(`${path}.minSampleSize`, `must be a positive integer, got ${JSON.stringify(v)}`);
    else minSampleSize = v;
  }
  let driftShare = DEFAULT_DRIFT_CONFIG.driftShare;
  if (raw.driftShare !== undefined) {
    const v = raw.driftShare;
    if (typeof v !== 'number' || !(v > 0 && v <= 1))
      is.fail(`${path}.driftShare`, `must be a number in (0, 1], got ${JSON.stringify(v)}`);
    else driftShare = v;
  }
  const monitors: DriftMonitor[] = [];
  const list = raw.monitors ?? [];
  if (!Array.isArray(list)) is.fail(`${path}.monitors`, 'must be a list');
  else {
    const seen = new Set<string>();
    list.forEach((m, i) => {
      const monitor = readMonitor(is, m, `${path}.monitors[${i}]`);
      if (!monitor) return;
      if (seen.has(monitor.name))
        is.fail(
          `${path}.monitors[${i}].name`,
          `duplicate monitor name ${JSON.stringify(monitor.name)}`,
        );
      seen.add(monitor.name);
      monitors.push(monitor);
    });
  }
  return { config: { minSampleSize, driftShare, monitors }, issues: is.list };
};

export type {
  DriftConfig,
  DriftMonitor,
  DriftReference,
  DriftSource,
  EventsSource,
  HistogramSource,
};
export { DEFAULT_DRIFT_CONFIG, MONITOR_METHODS, validateDriftConfig };
