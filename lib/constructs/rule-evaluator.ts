import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { Policy, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import {
  deployedAlertmanagerIssues,
  referencedAlertmanagerCredentials,
} from '../../lambdas/domain/alerting/alertmanagers-config';
import { ConfigError } from '../../lambdas/domain/config/validate';
import type { RulesDocument } from '../../lambdas/domain/rules/rules-document';
import { ENV } from '../../lambdas/shared/env';
import type { AlertTopics } from './alert-topics';
import { Access, type Storage } from './storage';
import { type VigilFunctionProps, VigilFunction } from './vigil-function';
import { scheduledLambdaTarget, scheduleDeadLetterQueue } from './schedule-dead-letter-queue';
import { secretArnOf } from './scrape-targets';

/**
 * The ARN granting one `*_parameter` reference: an ARN as given, a name (with or without its
 * leading `/`) as `parameter/<name>`.
 * @see https://docs.aws.amazon.com/systems-manager/latest/userguide/sysman-paramstore-access.html
 */
const parameterArnOf = (scope: Construct, name: string): string =>
  name.startsWith('arn:')
    ? name
    : Stack.of(scope).formatArn({
        service: 'ssm',
        resource: 'parameter',
        resourceName: name.replace(/^\//, ''),
      });

/**
 * `GetSecretValue` / `GetParameter` on exactly the credentials `alerting.alertmanagers` names, in a
 * policy of its own so the acknowledgment covers only the secrets' `-??????` suffix wildcard.
 */
const grantAlertmanagerCredentials = (
  scope: Construct,
  fn: VigilFunction,
  document: RulesDocument,
) => {
  const { secrets, parameters } = referencedAlertmanagerCredentials(
    document.alerting.alertmanagers ?? [],
  );
  if (secrets.length === 0 && parameters.length === 0) return;
  const policy = new Policy(scope, 'AlertmanagerCredentials', {
    statements: [
      ...(secrets.length > 0
        ? [
            new PolicyStatement({
              actions: ['secretsmanager:GetSecretValue'],
              resources: secrets.map((s) => secretArnOf(scope, s)),
            }),
          ]
        : []),
      ...(parameters.length > 0
        ? [
            new PolicyStatement({
              actions: ['ssm:GetParameter'],
              resources: parameters.map((p) => parameterArnOf(scope, p)),
            }),
          ]
        : []),
    ],
  });
  if (fn.role) policy.attachToRole(fn.role);
  if (secrets.length > 0)
    Validations.of(policy).acknowledge({
      id: 'AwsSolutions-IAM5',
      reason:
        'A secret referenced by name or partial ARN is granted as <arn>-?????? : Secrets Manager appends a random 6-character suffix to every secret ARN, so the wildcard matches exactly that one secret.',
    });
};

/** Name of the rules document inside the evaluator's bundle (`VIGIL_RULES_DOCUMENT`). */
export const RULES_DOCUMENT_FILE = 'rules.json';

/**
 * Writes a rules document to a fresh temporary directory, for `bundleFiles`: the bundle copies it
 * after esbuild. Outside `cdk.out`, so the synthesized assembly holds only the bundle itself.
 *
 * @param document - the loaded rules (see `loadRulesDocument`)
 * @returns the absolute path of the written `rules.json`
 */
const writeRulesDocument = (document: RulesDocument): string => {
  const file = join(mkdtempSync(join(tmpdir(), 'vigil-rules-')), RULES_DOCUMENT_FILE);
  writeFileSync(file, JSON.stringify(document));
  return file;
};

/**
 * Function props shipping a rules document in the bundle: `rules.json` copied after esbuild and
 * `VIGIL_RULES_DOCUMENT` pointing at it, on top of the given environment. Used by the evaluator
 * and by the alerts API (`GET /api/v1/rules` lists every rule, evaluated or not).
 *
 * @param document - the loaded rules
 * @param environment - the function's other environment variables
 */
const rulesBundleProps = (
  document: RulesDocument,
  environment: Readonly<Record<string, string>> = {},
): Pick<VigilFunctionProps, 'bundleFiles' | 'environment'> => ({
  bundleFiles: { [RULES_DOCUMENT_FILE]: writeRulesDocument(document) },
  environment: { ...environment, [ENV.RULES_DOCUMENT]: RULES_DOCUMENT_FILE },
});

export interface RuleEvaluatorProps {
  /** The checked rule groups with the `evaluation:` and `alerting:` config. */
  readonly rulesDocument: RulesDocument;
  /** Samples (read and written back: recording rules, `ALERTS`), push groups, alert state. */
  readonly storage: Storage;
  /** Where notifications are published, by severity. */
  readonly alertTopics: AlertTopics;
  /** House defaults shared by every Vigil function (logs, code seam, runtime config). @default {} */
  readonly functionProps?: Partial<VigilFunctionProps>;
  /**
   * How often the evaluator runs. Groups with a shorter `interval` are evaluated at each of
   * their timestamps within a run; longer ones only on the runs where they are due.
   * @default Duration.minutes(1) (Prometheus' default `evaluation_interval`)
   */
  readonly schedule?: Duration;
  /** What happens to the dead-letter queue when the stack is deleted. @default RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * The scheduled rule evaluator: an EventBridge rule runs the `evaluate-rules` function
 * every minute; each run loads the alert state, evaluates the groups that are due, writes
 * recording-rule results and `ALERTS`/`ALERTS_FOR_STATE` back to the samples table, saves the
 * state and publishes notifications to the alert topics.
 *
 * - Reserved concurrency 1: two runs never execute at the same time (the state store's
 *   conditional writes still make an overlap safe). A tick arriving while a run is in progress is
 *   throttled and queued by Lambda's asynchronous invocation.
 * - No retries, stale ticks dropped (`maxEventAge` 60 s on the EventBridge target and on the
 *   function's async invoke config): the next minute's run evaluates from the saved state and
 *   catches up, and a retried or queued old tick would only duplicate its work. Ticks EventBridge
 *   could not deliver at all land in an SQS dead-letter queue, so a missed run leaves a trace.
 * - `alerting.alertmanagers`: the alerts also go to these Alertmanagers over the internet (the
 *   function runs outside any VPC); their `*_secret` / `*_parameter` credentials are granted
 *   here, and synth refuses inline or `*_file` ones.
 * - The rules document is checked at synth (`cdk synth` fails on an invalid rule) and shipped
 *   inside the bundle as `rules.json` (`VIGIL_RULES_DOCUMENT`), so the function never reads S3 or
 *   the rule files at run time and a deployment pins code and rules together.
 *
 * `Vigil` creates this construct only when `rules:` lists at least one file; the alert topics and
 * the alert-state table exist either way.
 */
class RuleEvaluator extends Construct {
  readonly function: VigilFunction;
  readonly schedule: Rule;
  /** Ticks EventBridge could not deliver to the function. */
  readonly deadLetterQueue: Queue;

  constructor(scope: Construct, id: string, props: RuleEvaluatorProps) {
    super(scope, id);
    const issues = deployedAlertmanagerIssues(props.rulesDocument.alerting.alertmanagers ?? []);
    if (issues.length > 0) throw new ConfigError('alerting', issues);
    const groups = props.rulesDocument.groups.length;

    this.function = new VigilFunction(this, 'Function', {
      ...props.functionProps,
      handlerName: 'evaluate-rules',
      description: `Vigil: rule evaluator (${groups} group${groups === 1 ? '' : 's'}), every minute`,
      // A group's queries over 1 m-5 m ranges hold their samples in memory; more memory also
      // means more CPU for PromQL.
      memorySize: 1024,
      timeout: Duration.seconds(60),
      // Never two evaluations at once.
      reservedConcurrentExecutions: 1,
      ...rulesBundleProps(props.rulesDocument, props.functionProps?.environment),
    });
    this.function.configureAsyncInvoke({ retryAttempts: 0, maxEventAge: Duration.seconds(60) });

    props.storage.bindSamples(this.function, { access: Access.ReadWrite });
    props.storage.bindPushGroupsTable(this.function, { access: Access.ReadOnly });
    props.storage.bindAlertStateTable(this.function, { access: Access.ReadWrite });
    // The label and metric names of ALERTS and recording rules count against the samples
    // table's name budgets (NameBudgetSeriesStore).
    props.storage.bindSeriesIndexTable(this.function);
    props.alertTopics.bindAlertTopics(this.function);
    grantAlertmanagerCredentials(this, this.function, props.rulesDocument);

    this.deadLetterQueue = scheduleDeadLetterQueue(this, {
      of: 'the evaluator schedule (EventBridge target)',
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE,
    });

    this.schedule = new Rule(this, 'Schedule', {
      description: 'Vigil: runs the rule evaluator',
      schedule: Schedule.rate(props.schedule ?? Duration.minutes(1)),
      targets: [scheduledLambdaTarget(this.function, this.deadLetterQueue)],
    });
  }
}

export { RuleEvaluator, rulesBundleProps, writeRulesDocument };
