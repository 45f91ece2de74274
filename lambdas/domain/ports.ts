/**
 * Ports: what the domain needs from the outside world. Adapters in `lambdas/adapters/` implement
 * them for AWS (Timestream, DynamoDB, CloudWatch) and for local mode (embedded, on disk).
 */
import type { ColumnSeries } from './series/columns';
import type { Labels } from './series/labels';
import type { LabelMatcher } from './series/matchers';
import type { Sample, Series } from './series/sample';

/** A closed time interval in milliseconds since the epoch: `startMs <= t <= endMs`. */
export interface TimeRange {
  readonly startMs: number;
  readonly endMs: number;
}

/**
 * What the PromQL engine will do with a selection, so a store may read less (Prometheus's
 * `SelectHints`). A store may ignore hints: it then returns every sample, which gives the same
 * answers.
 */
export interface SelectHints {
  /**
   * The samples feed an instant-vector selector evaluated at `count` steps from `startMs`, every
   * `stepMs` (offset already applied): a step sees only the last sample at or before it within
   * `lookbackMs`, so those samples are all the selection needs.
   */
  readonly instantSteps?: {
    readonly startMs: number;
    readonly stepMs: number;
    readonly count: number;
    readonly lookbackMs: number;
  };
}

/** A sample the store refused, with the reason in words a client can act on. */
export interface RejectedSample {
  readonly labels: Labels;
  readonly sample: Sample;
  readonly reason: string;
}

/** Outcome of a write: every sample is either accepted (durably stored) or listed in `rejected`. */
export interface WriteResult {
  readonly accepted: number;
  readonly rejected: readonly RejectedSample[];
}

/**
 * Raw sample storage. Labels are normalized (sorted, no empty values) and include `__name__`.
 * Writing a sample whose series and timestamp already exist replaces the value (last write wins).
 */
export interface SeriesStore {
  /**
   * Stores samples. Throws `StorageThrottledError` / `StorageUnavailableError` on retryable faults.
   * `keys`, when given, holds `seriesKey` of each series (the ingest pipeline has them already).
   */
  write(series: readonly Series[], keys?: readonly string[]): Promise<WriteResult>;
  /**
   * Every series matching all matchers, with its samples in `range`, sorted by time; with
   * `hints`, the samples may be cut to those the hints say are needed.
   */
  select(
    matchers: readonly LabelMatcher[],
    range: TimeRange,
    hints?: SelectHints,
  ): Promise<Series[]>;
  /**
   * `select` with the samples as columns (no object per sample): what the PromQL engine reads.
   * Stores that cannot do better leave it out; the engine then converts `select`'s answer.
   */
  selectColumns?(
    matchers: readonly LabelMatcher[],
    range: TimeRange,
    hints?: SelectHints,
  ): Promise<ColumnSeries[]>;
  /** Label sets of series matching any of the matcher sets that have samples in `range`. */
  series(matcherSets: readonly (readonly LabelMatcher[])[], range: TimeRange): Promise<Labels[]>;
  /** Sorted label names of series matching any matcher set (all series when empty) in `range`. */
  labelNames(
    matcherSets: readonly (readonly LabelMatcher[])[],
    range: TimeRange,
  ): Promise<string[]>;
  /** Sorted values of one label over series matching any matcher set (all when empty) in `range`. */
  labelValues(
    name: string,
    matcherSets: readonly (readonly LabelMatcher[])[],
    range: TimeRange,
  ): Promise<string[]>;
}

/** A Pushgateway group: what one push stored under one grouping key. */
export interface PushGroup {
  /** The grouping key labels, `job` included. */
  readonly key: Labels;
  /**
   * Current metrics of the group: full label sets (grouping labels applied), their last value,
   * and the metric family they were pushed in (`x` for `x_bucket`; POST replaces by family).
   */
  readonly metrics: readonly {
    readonly labels: Labels;
    readonly value: number;
    readonly family: string;
  }[];
  /** Time of the last successful push, ms. */
  readonly pushTimeMs: number;
  /** Time of the last failed push, ms, or 0 when none failed. */
  readonly pushFailureTimeMs: number;
}

/** Durable Pushgateway state, keyed by the canonical grouping key. */
export interface PushGroupStore {
  get(key: Labels): Promise<PushGroup | undefined>;
  put(group: PushGroup): Promise<void>;
  delete(key: Labels): Promise<void>;
  list(): Promise<PushGroup[]>;
}

/** A sample mirrored to CloudWatch (only allow-listed metrics reach it). */
export interface MirroredSeries {
  readonly labels: Labels;
  readonly samples: readonly Sample[];
}

/** Copies selected series to CloudWatch metrics (EMF on AWS, nothing locally). */
export interface MetricsMirror {
  mirror(series: readonly MirroredSeries[]): Promise<void>;
}

/** The time source; handlers pass one so the domain never calls `Date.now()`. */
export interface Clock {
  now(): number;
}

/** How many distinct names of each kind the samples table may hold for one caller. */
export interface NameBudget {
  /** Label names (Timestream dimension names, `__name__` excluded). */
  readonly dimensions: number;
  /** Metric names (Timestream measure names). */
  readonly measures: number;
}

/** The names one series brings into the samples table. */
export interface SeriesNames {
  /** Its metric name (Timestream measure name). */
  readonly measure: string;
  /** Its label names, `__name__` excluded (Timestream dimension names). */
  readonly dimensions: readonly string[];
}

/** Why `admitNames` refused a series: its new names of the kind whose budget had no room. */
export interface NameRefusal {
  /** The metric name, when it is new and the metric-name budget has no room for it. */
  readonly measure?: string;
  /** The new label names, when the label-name budget has no room for all of them; else []. */
  readonly dimensions: readonly string[];
}

/**
 * Guards cardinality: distinct series per metric name, and the distinct label and metric names
 * of the samples table (Timestream's per-table dimension and measure name quotas). Shared by
 * every writer, so two concurrent writers can never both take the last place.
 */
export interface CardinalityTracker {
  /**
   * Registers the series about to be written and returns the keys (seriesKey) refused because
   * their metric name already has `limitPerMetric` distinct series. Known series always pass.
   */
  admit(
    series: readonly { readonly metric: string; readonly key: string }[],
    limitPerMetric: number,
  ): Promise<ReadonlySet<string>>;
  /**
   * Registers the names of each series not known yet, series by series and all or nothing for
   * each (so a refused series spends no budget), while fewer than `budget` names of each kind
   * are registered. Returns the refused series by their index in `series`. Known names always
   * pass, even past the budget (it may have been lowered). A registered name stays registered:
   * Timestream keeps a table's dimension and measure names for good.
   */
  admitNames(
    series: readonly SeriesNames[],
    budget: NameBudget,
  ): Promise<ReadonlyMap<number, NameRefusal>>;
}

/**
 * Durable state of rule evaluation and notification dispatch (alert states per group, the
 * dispatcher's groups and notification log, silences), stored as versioned JSON documents so two
 * overlapping evaluator runs cannot both win: `save` succeeds only on the version it loaded.
 */
export interface AlertStateStore {
  /** The document saved under `key` and its version, or undefined when none was saved. */
  load(key: string): Promise<{ readonly state: unknown; readonly version: number } | undefined>;
  /**
   * Saves `state` as version `expectedVersion + 1` when the stored version is still
   * `expectedVersion` (0 = not saved yet). Returns false, saving nothing, on a conflict.
   * `expiresAtMs` lets the store delete the document some time after then (DynamoDB TTL, which
   * deletes within days; the file store keeps it): for records that only matter for a while.
   */
  save(
    key: string,
    state: unknown,
    expectedVersion: number,
    options?: { readonly expiresAtMs?: number },
  ): Promise<boolean>;
}

/** An item of a batch the backend refused: its 0-based index in the batch given, and why. */
export interface RejectedItem {
  readonly index: number;
  readonly reason: string;
}

/** Outcome of storing a batch: every item is either accepted or listed in `rejected`. */
export interface BatchResult {
  readonly accepted: number;
  readonly rejected: readonly RejectedItem[];
}

/**
 * A prediction event as stored for drift: dimensions plus the declared measures (numbers stay
 * numbers, everything else is a string).
 */
export interface PredictionRecord {
  readonly timestampMs: number;
  readonly service: string;
  readonly model: string;
  readonly modelVersion: string;
  readonly measures: Readonly<Record<string, number | string>>;
}

/** Selects prediction records; absent dimension fields do not filter. */
export interface PredictionQuery {
  readonly service?: string;
  readonly model?: string;
  readonly modelVersion?: string;
  /** Measure names wanted; records keep only these. */
  readonly fields: readonly string[];
  readonly range: TimeRange;
}

/** Prediction events for drift: a Timestream `events` table on AWS, NDJSON files locally. */
export interface EventStore {
  /** Stores records; refused ones come back with their index and reason. */
  write(records: readonly PredictionRecord[]): Promise<BatchResult>;
  /** Records matching `query`, sorted by time. */
  query(query: PredictionQuery): Promise<PredictionRecord[]>;
}

/**
 * Monotonic counters shared by every function instance (log-derived metrics such as
 * `vigil_log_events_total`): DynamoDB atomic `ADD` on AWS, a file locally.
 */
export interface CounterStore {
  /** Adds each delta to its counter atomically; returns the new totals in the same order. */
  add(increments: readonly { readonly key: string; readonly delta: number }[]): Promise<number[]>;
}
