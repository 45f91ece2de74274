/**
 * The AWS adapters of the rule evaluator and the alerts API, built from the environment the CDK
 * construct sets (`ENV.ALERT_STATE_TABLE`, `ENV.ALERT_TOPICS`, `ENV.RULES_DOCUMENT`).
 */
import { getStringFromEnv } from '@aws-lambda-powertools/commons/utils/env';
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DynamoDbAlertStateStore } from '../adapters/alert-state/dynamodb-alert-state-store';
import { EmfMetricsMirror } from '../adapters/mirror/emf-metrics-mirror';
import { SnsNotifier } from '../adapters/notifiers/sns-notifier';
import { DynamoDbPushGroupStore } from '../adapters/push-groups/dynamodb-push-group-store';
import type { AlertsApiDeps } from '../api/alerts';
import { MirroringSeriesStore } from '../domain/dashboards/mirroring-series-store';
import { NameBudgetSeriesStore } from '../domain/ingest/name-budget-series-store';
import type { SeriesStore } from '../domain/ports';
import type { QueryEngine } from '../domain/query/query-engine';
import { PushAwareSeriesStore } from '../domain/pushgateway/push-aware-series-store';
import type { EvaluationRunDeps } from '../domain/rules/evaluation-run';
import { type RulesDocument, rulesDocumentFromJSON } from '../domain/rules/rules-document';
import { alertmanagerSender, awsCredentialReaders } from './alertmanager-deps';
import { awsCardinality, awsSamples, systemClock } from './aws-deps';
import { loadRuntimeConfig, requireEnv } from '../shared/config';
import { ENV } from '../shared/env';

/**
 * The rules document the CDK stack copied next to the handler bundle; `ENV.RULES_DOCUMENT` is
 * its path relative to the bundle's directory (or absolute).
 */
const loadRulesDocumentFromEnv = (
  baseDir: string = dirname(fileURLToPath(import.meta.url)),
): RulesDocument => {
  const file = resolve(baseDir, requireEnv(ENV.RULES_DOCUMENT, 'rules document path'));
  return rulesDocumentFromJSON(JSON.parse(readFileSync(file, 'utf8')));
};

/**
 * `ENV.ALERT_TOPICS`: JSON object severity → SNS topic ARN, with a `default` entry for
 * severities without their own topic.
 */
const parseAlertTopics = (
  raw: string,
): { topicArnBySeverity: Record<string, string>; defaultTopicArn: string } => {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch (err) {
    throw new Error(`${ENV.ALERT_TOPICS} is not JSON`, { cause: err });
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new Error(`${ENV.ALERT_TOPICS} must be a JSON object severity → topic ARN`);
  }
  const entries = Object.entries(parsed as Record<string, unknown>);
  if (!entries.every(([, v]) => typeof v === 'string')) {
    throw new Error(`${ENV.ALERT_TOPICS}: every topic ARN must be a string`);
  }
  const { default: defaultTopicArn, ...bySeverity } = parsed as Record<string, string>;
  if (defaultTopicArn === undefined) {
    throw new Error(`${ENV.ALERT_TOPICS} has no "default" topic`);
  }
  return { topicArnBySeverity: bySeverity, defaultTopicArn };
};

const alertStateStore = () =>
  new DynamoDbAlertStateStore({
    tableName: requireEnv(ENV.ALERT_STATE_TABLE, 'alert state table'),
  });

/**
 * The samples the rules read and write: Timestream plus the pushed groups when the function has
 * the Pushgateway table (so rules see pushed metrics as the query API does), or an AMP workspace,
 * whose query API evaluates the rules' PromQL (pushed values are in it, re-emitted).
 */
const evaluatorSamples = (): { store: SeriesStore; queryEngine?: QueryEngine } => {
  const { store: samples, queryEngine } = awsSamples();
  if (queryEngine) return { store: samples, queryEngine };
  const pushTable = getStringFromEnv({ key: ENV.PUSH_GROUPS_TABLE, defaultValue: '' });
  if (pushTable === '') return { store: samples };
  return {
    store: new PushAwareSeriesStore({
      inner: samples,
      groups: new DynamoDbPushGroupStore({ tableName: pushTable }),
      scrapeIntervalMs: loadRuntimeConfig().pushgateway.scrapeIntervalSeconds * 1000,
      clock: systemClock,
    }),
  };
};

/**
 * Everything the scheduled evaluator needs, on Timestream, DynamoDB and SNS, plus the
 * Alertmanagers of `alerting.alertmanagers` over HTTPS.
 */
const awsEvaluatorDeps = (): EvaluationRunDeps => {
  const { store, queryEngine } = evaluatorSamples();
  return {
    // Recorded series reach CloudWatch like ingested ones (the dashboards' rates and quantiles).
    store: new MirroringSeriesStore({
      // ALERTS and recorded series keep within the samples table's label and metric name budgets.
      inner: new NameBudgetSeriesStore({
        inner: store,
        tracker: awsCardinality(requireEnv(ENV.SERIES_INDEX_TABLE, 'series index table')),
        limits: loadRuntimeConfig().limits,
      }),
      mirror: new EmfMetricsMirror({ config: loadRuntimeConfig().cloudwatch }),
    }),
    state: alertStateStore(),
    notifier: new SnsNotifier(parseAlertTopics(requireEnv(ENV.ALERT_TOPICS, 'alert topics'))),
    document: loadRulesDocumentFromEnv(),
    clock: systemClock,
    alertmanagers: alertmanagerSender({ readers: awsCredentialReaders() }),
    ...(queryEngine ? { queryEngine } : {}),
  };
};

/** What the alerts API function needs: the state table and the rules document. */
const awsAlertsApiDeps = (): AlertsApiDeps => ({
  state: alertStateStore(),
  document: loadRulesDocumentFromEnv(),
  clock: systemClock,
});

export { awsAlertsApiDeps, awsEvaluatorDeps, loadRulesDocumentFromEnv, parseAlertTopics };
