/**
 * The embedded store's read side for the PromQL engine: matching series' samples in a time range,
 * as views of the stored columns (`SampleColumns`): a select copies no sample and allocates
 * nothing per sample. A query worker gets them copied into buffers of its own
 * (`lambdas/local/query-worker-messages.ts`).
 */
import type { TimeRange } from '../../domain/ports';
import type { ColumnSeries } from '../../domain/series/columns';
import type { Labels } from '../../domain/series/labels';
import { type LabelMatcher, matchesAll } from '../../domain/series/matchers';
import type { SampleColumns } from './sample-columns';

/** A stored series as the read side sees it. */
export interface ReadableSeries {
  readonly labels: Labels;
  readonly samples: Pick<SampleColumns, 'lowerBound' | 'view'>;
}

/** The samples in `range` of the `candidates` matching every matcher, as columns. */
const selectColumnsOf = (
  candidates: Iterable<ReadableSeries>,
  matchers: readonly LabelMatcher[],
  range: TimeRange,
): ColumnSeries[] => {
  const out: ColumnSeries[] = [];
  for (const s of candidates) {
    if (!matchesAll(matchers, s.labels)) continue;
    const from = s.samples.lowerBound(range.startMs);
    const to = s.samples.lowerBound(range.endMs + 1);
    if (from >= to) continue;
    const { t, v } = s.samples.view(from, to);
    out.push({ labels: s.labels, t, v });
  }
  return out;
};

export { selectColumnsOf };
