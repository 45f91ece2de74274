/**
 * The AWS adapters of the rule evaluator and the alerts API, built from the environment the CDK
 * construct sets (`ENV.ALERT_STATE_TABLE`, `ENV.ALERT_TOPICS`, `ENV.RULES_DOCUMENT`).
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AlertsApiDeps } from '../api/alerts';
import { MirroringSeriesStore } from '../domain/dashboards/mirroring-series-store';
import { NameBudgetSeriesStore } from '../domain/ingest/name-budget-series-store';
import type { EvaluationRunDeps } from '../domain/rules/evaluation-run';
import { type RulesDocument, rulesDocumentFromJSON } from '../domain/rules/rules-document';
import { alertmanagerSender } from './alertmanager-deps';
import { awsCredentialReaders } from './aws-credentials';
import { getStringFromEnv } from '@aws-lambda-powertools/commons/utils/env';
import { loadRuntimeConfig, requireEnv } from '../shared/config';
import { ENV } from '../shared/env';
import {
  awsAlertStateStore,
  awsCardinality,
  awsMirror,
  awsPushGroups,
  awsSamples,
  systemClock,
} from './aws-deps';
import { pushAware } from './push-aware';
import { deferred } from './deferred';

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
  awsAlertStateStore(requireEnv(ENV.ALERT_STATE_TABLE, 'alert state table'));

/**
 * Everything the scheduled evaluator needs, on Timestream (or an AMP workspace), DynamoDB and
 * SNS. The samples are read as the query API reads them (pushed groups added on Timestream, the
 * workspace's engine with `store: amp`) but without the query API's read ceiling: the rules'
 * queries are the configuration's own, and each select is one Timestream query. Alerts also go to
 * the Alertmanagers of `alerting.alertmanagers` over HTTPS.
 */
const awsEvaluatorDeps = (): EvaluationRunDeps => {
  const config = loadRuntimeConfig();
  const samples = awsSamples({ readCeiling: false });
  const pushTable = getStringFromEnv({ key: ENV.PUSH_GROUPS_TABLE, defaultValue: '' });
  const topics = parseAlertTopics(requireEnv(ENV.ALERT_TOPICS, 'alert topics'));
  return {
    // Recorded series reach CloudWatch like ingested ones (the dashboards' rates and quantiles).
    store: new MirroringSeriesStore({
      // ALERTS and recorded series keep within the samples table's label and metric name budgets.
      inner: new NameBudgetSeriesStore({
        inner: pushAware(samples, pushTable ? awsPushGroups(pushTable) : undefined, config),
        tracker: awsCardinality(requireEnv(ENV.SERIES_INDEX_TABLE, 'series index table')),
        limits: config.limits,
      }),
      mirror: awsMirror(config.cloudwatch),
    }),
    state: alertStateStore(),
    notifier: deferred(
      async () => new (await import('../adapters/notifiers/sns-notifier')).SnsNotifier(topics),
      ['send'],
    ),
    document: loadRulesDocumentFromEnv(),
    clock: systemClock,
    alertmanagers: alertmanagerSender({ readers: awsCredentialReaders() }),
    ...(samples.queryEngine ? { queryEngine: samples.queryEngine } : {}),
  };
};

/** What the alerts API function needs: the state table and the rules document. */
const awsAlertsApiDeps = (): AlertsApiDeps => ({
  state: alertStateStore(),
  document: loadRulesDocumentFromEnv(),
  clock: systemClock,
});

export { awsAlertsApiDeps, awsEvaluatorDeps, loadRulesDocumentFromEnv, parseAlertTopics };
