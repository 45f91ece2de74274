/**
 * Vigil's own CloudWatch metrics (self-monitoring): the names the functions emit through
 * Powertools Metrics (EMF, see `powertools.ts`) and that the `SelfMonitoring` construct alarms on
 * and the "Vigil health" dashboard shows. One list, so an emitter and its alarm cannot drift.
 *
 * Powertools Metrics adds the default dimension `service` (= its `serviceName`) to every metric:
 * https://docs.powertools.aws.dev/lambda/typescript/latest/features/metrics/#adding-default-dimensions
 * All of these metrics are unit Count, emitted only when non-zero (`countMetric`), so alarms treat
 * missing data as "not breaching".
 */

/** Namespace of Vigil's own metrics (Powertools `namespace`). */
const VIGIL_METRICS_NAMESPACE = 'Vigil';

/** Powertools `serviceName` of every function; CloudWatch shows it as dimension `service`. */
const VIGIL_SERVICE_NAME = 'vigil';

/** The dimensions every self-monitoring metric carries. */
const VIGIL_METRIC_DIMENSIONS: Readonly<Record<string, string>> = { service: VIGIL_SERVICE_NAME };

/** Vigil's own metric names, by what emits them. */
const VigilMetric = {
  /** Ingest: samples stored (responses.ts). */
  SamplesAccepted: 'SamplesAccepted',
  /** Ingest: samples refused, for any reason (validation, cardinality, Timestream). */
  SamplesRejected: 'SamplesRejected',
  /** Rule evaluator: rule group ticks evaluated. */
  RuleEvaluations: 'RuleEvaluations',
  /** Rule evaluator: rules whose evaluation failed (health `err`). */
  RuleEvaluationFailures: 'RuleEvaluationFailures',
  /** Rule evaluator: a whole run failed (store, state or notifier error). */
  RuleEvaluationRunFailures: 'RuleEvaluationRunFailures',
  /** Rule evaluator: notifications sent to the alert topics. */
  AlertNotificationsSent: 'AlertNotificationsSent',
  /** Rule evaluator: alerts an Alertmanager of `alerting.alertmanagers` acknowledged (× Alertmanagers). */
  AlertmanagerAlertsSent: 'AlertmanagerAlertsSent',
  /** Rule evaluator: alerts an Alertmanager did not get after every retry (× Alertmanagers). */
  AlertmanagerAlertsFailed: 'AlertmanagerAlertsFailed',
  /** Timestream adapter: records Timestream rejected (`RejectedRecords` of WriteRecords). */
  TimestreamRejectedRecords: 'TimestreamRejectedRecords',
  /** Timestream adapter: requests answered with a throttling error (each attempt counts). */
  TimestreamThrottled: 'TimestreamThrottled',
  /** AMP writer: samples the workspace refused (400 answers, `onRejectedSamples`). */
  AmpRejectedSamples: 'AmpRejectedSamples',
  /** AMP writer: remote-write requests answered 429 (ingestion rate or series limits). */
  AmpRemoteWriteThrottled: 'AmpRemoteWriteThrottled',
  /** AMP writer: remote-write requests failed for good (5xx, network, timeout after retries; 401/403/404). */
  AmpRemoteWriteFailures: 'AmpRemoteWriteFailures',
  /** Pushgateway re-emission (`store: amp`): samples written for pushed groups, per tick. */
  PushRescrapeSamples: 'PushRescrapeSamples',
  /** Scrape function: targets whose scrape failed (`up` 0), per run. */
  ScrapeFailures: 'ScrapeFailures',
  /** Scrape function: targets scraped, per run. */
  ScrapeTargets: 'ScrapeTargets',
} as const;
type VigilMetric = (typeof VigilMetric)[keyof typeof VigilMetric];

export type { VigilMetric as VigilMetricName };
export { VIGIL_METRIC_DIMENSIONS, VIGIL_METRICS_NAMESPACE, VIGIL_SERVICE_NAME, VigilMetric };
