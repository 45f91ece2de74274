import type { ScheduledEvent } from 'aws-lambda';
import { type EvaluationRunSummary, runEvaluation } from '../domain/rules/evaluation-run';
import { awsEvaluatorDeps } from '../wiring/alerting-deps';
import { countMetric, IN_LAMBDA, logger, metrics, withLogContext } from '../shared/powertools';

const deps = awsEvaluatorDeps();

/**
 * Lambda entry point of the scheduled rule evaluator (EventBridge rule, reserved concurrency 1):
 * evaluates every due group tick and sends the due notifications. A failed send throws, so
 * EventBridge's retry runs it again with nothing marked as notified.
 */
const evaluate = async (event: ScheduledEvent): Promise<EvaluationRunSummary> => {
  try {
    const summary = await runEvaluation(deps, Date.now());
    countMetric('RuleEvaluations', summary.evaluations);
    countMetric('RuleEvaluationFailures', summary.rulesErr);
    countMetric('RuleGroupStateConflicts', summary.conflicts);
    countMetric('AlertNotificationsSent', summary.notificationsSent);
    countMetric('AlertmanagerAlertsSent', summary.alertmanagerAlertsSent);
    countMetric('AlertmanagerAlertsFailed', summary.alertmanagerAlertsFailed);
    logger.info('rules evaluated', { scheduledAt: event.time, ...summary });
    return summary;
  } catch (err) {
    countMetric('RuleEvaluationRunFailures', 1);
    logger.error('rule evaluation run failed', err as Error);
    throw err;
  } finally {
    // No middy `logMetrics` on a scheduled function: flush this invocation's EMF metrics here.
    if (IN_LAMBDA) metrics.publishStoredMetrics();
  }
};

/** With the Lambda context, `cold_start` and the EventBridge event id as `correlation_id` in its logs. */
export const handler = withLogContext(evaluate, (event: ScheduledEvent) => event.id);
