import type { IngestLimits } from '../config/types';
import type { CardinalityTracker, NameBudget, RejectedSample } from '../ports';
import { METRIC_NAME_LABEL, metricName } from '../series/labels';
import type { Series } from '../series/sample';
import { describeSeries } from './validate-series';

/**
 * Who writes a request's series. Clients (ingest endpoints, scrape targets) may take the name
 * budgets minus the reserve; Vigil's own series (alerts and recording rules, drift, log
 * counters, GPU import) may also use the reserve, so a client can never leave Vigil unable to
 * write them.
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

/** Words for a budget in a rejection: the number and the limits it comes from. */
const budgetWords = (
  budget: number,
  max: keyof IngestLimits,
  reserved: keyof IngestLimits,
  limits: IngestLimits,
  origin: IngestOrigin,
): string =>
  origin === 'vigil'
    ? `${budget} (limits.${max})`
    : `${budget} (limits.${max} ${limits[max]} minus limits.${reserved} ${limits[reserved]} kept for Vigil's own series)`;

const quoted = (names: readonly string[]): string => names.map((n) => JSON.stringify(n)).join(', ');

/**
 * Registers the label and metric names of valid series with the tracker, within the caller's
 * budget, and splits the series: those whose names are all registered go on; every sample of a
 * series with a refused name is rejected with a reason naming the names and the limit.
 */
const admitSeriesNames = async (
  series: readonly Series[],
  tracker: CardinalityTracker,
  limits: IngestLimits,
  origin: IngestOrigin,
): Promise<{ admitted: Series[]; rejected: RejectedSample[] }> => {
  if (series.length === 0) return { admitted: [], rejected: [] };
  const dimensions = new Set<string>();
  const measures = new Set<string>();
  for (const s of series) {
    for (const name of Object.keys(s.labels)) {
      if (name !== METRIC_NAME_LABEL) dimensions.add(name);
    }
    measures.add(metricName(s.labels));
  }
  const budget = nameBudgetOf(limits, origin);
  const refused = await tracker.admitNames(
    { dimensions: [...dimensions], measures: [...measures] },
    budget,
  );
  if (refused.dimensions.size === 0 && refused.measures.size === 0) {
    return { admitted: [...series], rejected: [] };
  }
  const admitted: Series[] = [];
  const rejected: RejectedSample[] = [];
  for (const s of series) {
    const reason = refusal(s, refused, budget, limits, origin);
    if (reason === undefined) {
      admitted.push(s);
      continue;
    }
    for (const sample of s.samples) rejected.push({ labels: s.labels, sample, reason });
  }
  return { admitted, rejected };
};

/** Why a series is refused, or undefined when all its names are registered. */
const refusal = (
  s: Series,
  refused: { dimensions: ReadonlySet<string>; measures: ReadonlySet<string> },
  budget: NameBudget,
  limits: IngestLimits,
  origin: IngestOrigin,
): string | undefined => {
  const metric = metricName(s.labels);
  const where = `in series ${describeSeries(s.labels)}`;
  if (refused.measures.has(metric)) {
    const of = budgetWords(budget.measures, 'maxMeasureNames', 'reservedMeasureNames', limits, origin);
    return `metric name ${JSON.stringify(metric)} is new and the samples table's metric names (Timestream measure names) are all taken: at most ${of}; drop metrics with write_relabel_configs (action: drop) ${where}`;
  }
  const labels = Object.keys(s.labels).filter((n) => refused.dimensions.has(n));
  if (labels.length === 0) return undefined;
  const of = budgetWords(
    budget.dimensions,
    'maxDimensionNames',
    'reservedDimensionNames',
    limits,
    origin,
  );
  const names = `label name${labels.length > 1 ? 's' : ''} ${quoted(labels)} ${labels.length > 1 ? 'are' : 'is'}`;
  return `${names} new and the samples table's label names (Timestream dimension names) are all taken: at most ${of}; remove labels with write_relabel_configs (action: labeldrop) ${where}`;
};

export { admitSeriesNames, nameBudgetOf };
