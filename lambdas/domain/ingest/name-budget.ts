import type { IngestLimits } from '../config/types';
import type {
  CardinalityTracker,
  NameBudget,
  NameRefusal,
  RejectedSample,
  SeriesNames,
} from '../ports';
import { internedFacts } from '../series/interned-labels';
import { METRIC_NAME_LABEL, metricName } from '../series/labels';
import type { Series } from '../series/sample';
import { describeSeries } from './validate-series';

/**
 * Who writes a request's series. Clients (ingest endpoints, scrape targets) may take the name
 * budgets minus the reserve; Vigil's own series (drift, log counters, GPU import, alerts and
 * recording rules) may also use the reserve, so a client can never leave Vigil unable to write
 * them.
 */
export type IngestOrigin = 'client' | 'vigil';

/**
 * The distinct label and metric names a writer may bring into the samples table: Timestream for
 * LiveAnalytics allows "Dimensions per table" 128 and "Measure names per table" 8192, for good
 * (a name stays in the table's schema after its data expires).
 * @see https://docs.aws.amazon.com/timestream/latest/developerguide/ts-limits.html
 */
const nameBudgetOf = (limits: IngestLimits, origin: IngestOrigin): NameBudget =>
  origin === 'vigil'
    ? { dimensions: limits.maxDimensionNames, measures: limits.maxMeasureNames }
    : {
        dimensions: limits.maxDimensionNames - limits.reservedDimensionNames,
        measures: limits.maxMeasureNames - limits.reservedMeasureNames,
      };

/** The names a series brings: its metric name and label names. */
const seriesNamesOf = (s: Series): SeriesNames => ({
  measure: metricName(s.labels),
  dimensions:
    internedFacts(s.labels)?.dimensions ??
    Object.keys(s.labels).filter((n) => n !== METRIC_NAME_LABEL),
});

/**
 * `CardinalityTracker.admitNames` over in-memory sets of registered names (the embedded store's,
 * and test doubles'): series by series, all of a series' new names or none.
 */
const admitNamesInMemory = (
  known: { readonly dimensions: Set<string>; readonly measures: Set<string> },
  series: readonly SeriesNames[],
  budget: NameBudget,
): Map<number, NameRefusal> => {
  const refused = new Map<number, NameRefusal>();
  series.forEach((s, i) => {
    const dims = s.dimensions.filter((d) => !known.dimensions.has(d));
    const newMeasure = !known.measures.has(s.measure);
    if (dims.length === 0 && !newMeasure) return;
    const dimsFit = known.dimensions.size + dims.length <= budget.dimensions;
    const measureFits = !newMeasure || known.measures.size < budget.measures;
    if (dimsFit && measureFits) {
      for (const d of dims) known.dimensions.add(d);
      known.measures.add(s.measure);
      return;
    }
    refused.set(i, {
      ...(measureFits ? {} : { measure: s.measure }),
      dimensions: dimsFit ? [] : dims,
    });
  });
  return refused;
};

/** Words for a budget in a rejection: the number and the limits it comes from. */
const budgetWords = (
  budget: number,
  max: 'maxDimensionNames' | 'maxMeasureNames',
  reserved: 'reservedDimensionNames' | 'reservedMeasureNames',
  limits: IngestLimits,
  origin: IngestOrigin,
): string =>
  origin === 'vigil'
    ? `${budget} (limits.${max})`
    : `${budget} (limits.${max} ${limits[max]} minus limits.${reserved} ${limits[reserved]} kept for Vigil's own series)`;

/** The rejection reason of a refused series, naming its new names and the limit. */
const refusalReason = (
  s: Series,
  refusal: NameRefusal,
  budget: NameBudget,
  limits: IngestLimits,
  origin: IngestOrigin,
): string => {
  const where = `in series ${describeSeries(s.labels)}`;
  if (refusal.measure !== undefined) {
    const most = budgetWords(
      budget.measures,
      'maxMeasureNames',
      'reservedMeasureNames',
      limits,
      origin,
    );
    return `metric name ${JSON.stringify(refusal.measure)} is new and the samples table has no room for another metric name (Timestream measure name): at most ${most}; drop metrics with write_relabel_configs (action: drop) ${where}`;
  }
  const most = budgetWords(
    budget.dimensions,
    'maxDimensionNames',
    'reservedDimensionNames',
    limits,
    origin,
  );
  const names = refusal.dimensions.map((n) => JSON.stringify(n)).join(', ');
  const these =
    refusal.dimensions.length > 1 ? `label names ${names} are` : `label name ${names} is`;
  return `${these} new and the samples table has no room for ${refusal.dimensions.length > 1 ? 'them' : 'it'} (Timestream dimension names): at most ${most}; remove labels with write_relabel_configs (action: labeldrop) ${where}`;
};

/**
 * Registers the metric and label names of valid series with the tracker, within the caller's
 * budget, and splits the series: those whose names are all registered go on; every sample of a
 * refused series is rejected with a reason naming its new names and the limit. A series'
 * new names are registered all together or not at all, so a refused series spends no budget.
 */
const admitSeriesNames = async (
  series: readonly Series[],
  tracker: CardinalityTracker,
  limits: IngestLimits,
  origin: IngestOrigin,
): Promise<{ admitted: Series[]; rejected: RejectedSample[] }> => {
  if (series.length === 0) return { admitted: [], rejected: [] };
  const budget = nameBudgetOf(limits, origin);
  const refused = await tracker.admitNames(series.map(seriesNamesOf), budget);
  if (refused.size === 0) return { admitted: [...series], rejected: [] };
  const admitted: Series[] = [];
  const rejected: RejectedSample[] = [];
  series.forEach((s, i) => {
    const refusal = refused.get(i);
    if (refusal === undefined) {
      admitted.push(s);
      return;
    }
    const reason = refusalReason(s, refusal, budget, limits, origin);
    for (const sample of s.samples) rejected.push({ labels: s.labels, sample, reason });
  });
  return { admitted, rejected };
};

/**
 * `tracker` with its series-per-metric guard and without name budgets: for a store that has no
 * per-table name quotas (Amazon Managed Service for Prometheus; its label quotas are the writer's).
 */
const withoutNameBudgets = (tracker: CardinalityTracker): CardinalityTracker => ({
  admit: (series, limitPerMetric) => tracker.admit(series, limitPerMetric),
  admitNames: async () => new Map(),
});

export { admitNamesInMemory, admitSeriesNames, nameBudgetOf, seriesNamesOf, withoutNameBudgets };
