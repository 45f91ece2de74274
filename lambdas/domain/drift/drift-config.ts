/**
 * `drift:` in vigil.config.yaml: the scheduled drift monitors. Each monitor names a
 * source (prediction-event fields, or a Prometheus histogram), a reference (rolling window, fixed
 * range, or a baseline CSV shipped with the deployment), a method and a schedule.
 */
import type { ConfigIssue } from '../config/issues';
import {
  duration,
  fail,
  failedItems,
  type Infer,
  isPlainObject,
  list,
  mapping,
  matching,
  onList,
  onMapping,
  parseInto,
  runSchema,
  section,
  show,
  z,
} from '../config/schema-kit';
import { parseExpr } from '../promql/parser';
import { RegexEngineNotLoadedError } from '../regex/re2';
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

/** EventBridge `rate()` schedules count whole minutes, at least one. */
const MIN_EVERY_MS = 60_000;
const MONITOR_NAME_RE = /^[a-zA-Z0-9_-]{1,64}$/;
/** RFC 3339 date-time with a zone (`Z` or `±hh:mm`). */
const RFC3339_RE = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

const positiveDuration = duration(
  (v) => `must be a positive Prometheus duration like 1h or 7d, got ${show(v)}`,
);
const nonEmpty = z
  .string({ error: (i) => (i.input === undefined ? 'is required' : 'must be a non-empty string') })
  .min(1, { error: 'must be a non-empty string' });

/** Fields of prediction events (the EventStore), per model and optionally version/service. */
const eventsSource = mapping({
  service: nonEmpty.optional(),
  model: nonEmpty,
  model_version: nonEmpty.optional(),
  /** Measure names compared, each a feature of the report. */
  fields: z
    .array(z.string().min(1), {
      error: 'must be a non-empty list of prediction-event measure names',
    })
    .min(1, { error: 'must be a non-empty list of prediction-event measure names' })
    .superRefine((fields, ctx) => {
      const dup = fields.find((f, i) => fields.indexOf(f) !== i);
      if (dup !== undefined) fail(ctx, `duplicate field ${show(dup)}`);
    }),
}).transform(({ model_version, service, model, fields }) => ({
  kind: 'events' as const,
  model,
  fields,
  ...(service === undefined ? {} : { service }),
  ...(model_version === undefined ? {} : { modelVersion: model_version }),
}));

const HISTOGRAM_METRIC = 'must be the base name of a Prometheus histogram (without _bucket)';

/** A Prometheus classic histogram: bucket increases over each window, as binned distributions. */
const histogramSource = mapping({
  /** Base name: `<metric>_bucket` is read. */
  metric: matching(METRIC_NAME_RE, () => HISTOGRAM_METRIC).superRefine((m, ctx) => {
    if (m.endsWith('_bucket')) fail(ctx, `give the base name: ${m.slice(0, -'_bucket'.length)}`);
  }),
  /** The selector's matchers, as written (`{job="inference"}`). */
  matchers: z.string({ error: 'must be a selector string like {job="inference"}' }).default(''),
}).transform(({ metric, matchers: selector }, ctx) => {
  const trimmed = selector.trim();
  if (trimmed !== '' && !/^\{.*\}$/s.test(trimmed)) {
    fail(ctx, `must be a selector in braces like {job="inference"}, got ${show(selector)}`, [
      'matchers',
    ]);
    return z.NEVER;
  }
  try {
    const expr = parseExpr(`${metric}_bucket${trimmed}`);
    if (expr.type !== 'VectorSelector') throw new Error('not a series selector');
    const matchers: readonly LabelMatcher[] = expr.matchers.filter((m) => m.name !== '__name__');
    if (matchers.length !== expr.matchers.length - 1) throw new Error('may not match __name__');
    if (matchers.some((m) => m.name === 'le')) throw new Error('may not match le');
    return { kind: 'histogram' as const, metric, selector: trimmed, matchers };
  } catch (e) {
    if (e instanceof RegexEngineNotLoadedError) throw e;
    fail(ctx, `invalid selector ${show(selector)}: ${(e as Error).message}`, ['matchers']);
    return z.NEVER;
  }
});

/** Exactly one of `events:` and `histogram:`. */
const driftSource = z.unknown().transform((raw, ctx) => {
  if (
    !isPlainObject(raw) ||
    Object.keys(raw).length !== 1 ||
    !('events' in raw || 'histogram' in raw)
  ) {
    fail(ctx, 'must be a mapping with exactly one of: events, histogram');
    return z.NEVER;
  }
  const source =
    'events' in raw
      ? parseInto(eventsSource, raw.events, ctx, ['events'])
      : parseInto(histogramSource, raw.histogram, ctx, ['histogram']);
  return source ?? z.NEVER;
});

const rfc3339 = z.unknown().transform((v, ctx) => {
  // YAML may turn an unquoted timestamp into a Date; it names the same instant.
  if (v instanceof Date && !Number.isNaN(v.getTime())) return v.getTime();
  const ms = typeof v === 'string' && RFC3339_RE.test(v) ? Date.parse(v) : Number.NaN;
  if (Number.isNaN(ms)) {
    fail(ctx, `must be an RFC 3339 time like 2026-11-01T00:00:00Z, got ${show(v)}`);
    return z.NEVER;
  }
  return ms;
});

const REFERENCE_SHAPES = 'must be {window, offset}, {start, end} or {baseline}';
const baselineReference = mapping({
  baseline: z
    .string({ error: 'must be the path of a CSV file, relative to the config file' })
    .regex(/\.csv$/i, { error: 'must be the path of a CSV file, relative to the config file' }),
}).transform((r) => ({ kind: 'baseline' as const, path: r.baseline }));
const rangeReference = mapping({ start: rfc3339, end: rfc3339 })
  .superRefine((r, ctx) => {
    if (r.end <= r.start) fail(ctx, 'must be after start', ['end']);
  })
  .transform((r) => ({ kind: 'range' as const, startMs: r.start, endMs: r.end }));
const windowReference = mapping({
  window: positiveDuration,
  offset: positiveDuration.default(0),
}).transform((r) => ({ kind: 'window' as const, windowMs: r.window, offsetMs: r.offset }));

/**
 * What the current window is compared with:
 * - `window`: a rolling window `(t − offset − window, t − offset]` before each run time `t`;
 * - `range`: a fixed time range `(start, end]`;
 * - `baseline`: a CSV file (header row, one column per field) relative to the config file.
 */
const driftReference = z.unknown().transform((raw, ctx) => {
  const ref = !isPlainObject(raw)
    ? undefined
    : 'baseline' in raw
      ? parseInto(baselineReference, raw, ctx)
      : 'start' in raw || 'end' in raw
        ? parseInto(rangeReference, raw, ctx)
        : 'window' in raw
          ? parseInto(windowReference, raw, ctx)
          : undefined;
  if (
    !isPlainObject(raw) ||
    !('baseline' in raw || 'start' in raw || 'end' in raw || 'window' in raw)
  )
    fail(ctx, REFERENCE_SHAPES);
  return ref ?? z.NEVER;
});

/** Runs at whole multiples of `every`; the current window is `(t − window, t]`. */
const driftSchedule = mapping(
  {
    every: positiveDuration.superRefine((ms, ctx) => {
      // https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-scheduled-rule-pattern.html#eb-rate-expressions
      if (ms < MIN_EVERY_MS || ms % MIN_EVERY_MS !== 0)
        fail(ctx, 'must be a whole number of minutes, at least 1m (EventBridge rate)');
    }),
    window: positiveDuration.optional(),
  },
  'must be a mapping with every (and window)',
).transform((s) => ({ everyMs: s.every, windowMs: s.window ?? s.every }));

/** One monitor of `drift.monitors`. */
const driftMonitor = mapping(
  {
    /** `[a-zA-Z0-9_-]{1,64}`: a label value, part of report ids and S3 keys. */
    name: z.unknown().transform((n, ctx) => {
      if (typeof n === 'string' && MONITOR_NAME_RE.test(n)) return n;
      fail(ctx, 'must be 1-64 letters, digits, - or _');
      return z.NEVER;
    }),
    source: driftSource,
    /** 'auto' for events, 'psi' for histograms when not given. */
    method: z
      .enum(MONITOR_METHODS as [MethodChoice, ...MethodChoice[]], {
        error: `must be one of ${MONITOR_METHODS.join(', ')}`,
      })
      .optional(),
    /** The method's threshold (the method's own when not given: 0.05 for tests, 0.1 for distances). */
    threshold: z
      .number({ error: (i) => `must be a positive number, got ${show(i.input)}` })
      .refine((t) => Number.isFinite(t) && t > 0, {
        error: (i) => `must be a positive number, got ${show(i.input)}`,
      })
      .optional(),
    reference: driftReference,
    schedule: driftSchedule,
  },
  'must be a mapping with name, source, reference, schedule',
)
  .superRefine((m, ctx) => {
    // Run on what parsed: a histogram source limits the methods and refuses baselines.
    const source = m.source as { kind?: string } | undefined;
    if (source?.kind !== 'histogram') return;
    if (
      m.method !== undefined &&
      MONITOR_METHODS.includes(m.method) &&
      !BINNED_METHODS.includes(m.method as BinnedMethod)
    )
      fail(
        ctx,
        `a histogram source compares bucket counts: use one of ${BINNED_METHODS.join(', ')}`,
        ['method'],
      );
    if ((m.reference as { kind?: string } | undefined)?.kind === 'baseline')
      fail(ctx, 'baseline files are for events sources only', ['reference', 'baseline']);
  }, onMapping)
  .transform(({ threshold, method, ...m }) => ({
    ...m,
    method: method ?? (m.source.kind === 'histogram' ? 'psi' : 'auto'),
    ...(threshold === undefined ? {} : { threshold }),
  }));

/** `drift:` */
const driftSchema = section({
  /** Below this many values in a window a column gets `insufficient_data`. */
  minSampleSize: z
    .number({ error: (i) => `must be a positive integer, got ${show(i.input)}` })
    .refine((v) => Number.isInteger(v) && v >= 1, {
      error: (i) => `must be a positive integer, got ${show(i.input)}`,
    })
    .default(DEFAULT_MIN_SAMPLE_SIZE),
  /** Dataset drift when the share of drifted columns is at least this. */
  driftShare: z
    .number({ error: (i) => `must be a number in (0, 1], got ${show(i.input)}` })
    .refine((v) => v > 0 && v <= 1, {
      error: (i) => `must be a number in (0, 1], got ${show(i.input)}`,
    })
    .default(DEFAULT_DRIFT_SHARE),
  monitors: list(driftMonitor)
    .superRefine((monitors, ctx) => {
      const failed = failedItems(ctx);
      const seen = new Set<string>();
      monitors.forEach((m, i) => {
        if (failed.has(i)) return;
        if (seen.has(m.name)) fail(ctx, `duplicate monitor name ${show(m.name)}`, [i, 'name']);
        seen.add(m.name);
      });
    }, onList)
    .default([]),
});

type DriftConfig = Infer<typeof driftSchema>;
/** One monitor of `drift.monitors`. */
type DriftMonitor = DriftConfig['monitors'][number];
type DriftSource = DriftMonitor['source'];
type EventsSource = Extract<DriftSource, { kind: 'events' }>;
type HistogramSource = Extract<DriftSource, { kind: 'histogram' }>;
type DriftReference = DriftMonitor['reference'];

const DEFAULT_DRIFT_CONFIG: DriftConfig = driftSchema.parse(undefined);

/**
 * Validates `drift:`; every problem is returned with its path. Baseline paths are kept as
 * written (relative to the config file): loaders check that the files exist.
 * @example validateDriftConfig({ monitors: [{ name: 'faces', source: { events: { model: 'faces', fields: ['confidence'] } }, reference: { window: '7d', offset: '7d' }, schedule: { every: '1h' } }] })
 */
const validateDriftConfig = (
  raw: unknown,
  path = 'drift',
): { config: DriftConfig; issues: ConfigIssue[] } =>
  runSchema(driftSchema, raw, path, () => DEFAULT_DRIFT_CONFIG as never);

export type {
  DriftConfig,
  DriftMonitor,
  DriftReference,
  DriftSource,
  EventsSource,
  HistogramSource,
};
export { DEFAULT_DRIFT_CONFIG, driftSchema, MONITOR_METHODS, validateDriftConfig };
