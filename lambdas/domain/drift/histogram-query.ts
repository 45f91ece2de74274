/**
 * The PromQL a histogram-sourced monitor runs: `sum by (le) (increase(<metric>_bucket{…}[<window>]))`
 * at each window's end, one query per window length. Every text is known from the monitor alone,
 * so `cdk synth` parses them into the drift document and the function never loads the parser.
 */
import type { DriftMonitor, HistogramSource } from './drift-config';

/** The bucket increases of `source` over the `windowMs` before the query's time. */
const bucketIncreaseQuery = (source: HistogramSource, windowMs: number): string =>
  `sum by (le) (increase(${source.metric}_bucket${source.selector}[${windowMs}ms]))`;

/**
 * Every query a run of `monitor` sends: the reference window's and the current one's (none for a
 * monitor over prediction events).
 */
const monitorQueries = (monitor: DriftMonitor): string[] => {
  const { source, reference } = monitor;
  if (source.kind !== 'histogram') return [];
  const referenceMs =
    reference.kind === 'window'
      ? reference.windowMs
      : reference.kind === 'range'
        ? reference.endMs - reference.startMs
        : undefined;
  return [
    ...(referenceMs === undefined ? [] : [bucketIncreaseQuery(source, referenceMs)]),
    bucketIncreaseQuery(source, monitor.schedule.windowMs),
  ];
};

export { bucketIncreaseQuery, monitorQueries };
