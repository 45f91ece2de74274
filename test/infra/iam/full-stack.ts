import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { DEFAULT_ALERTING_CONFIG } from '../../../lambdas/domain/alerting/config';
import type { VigilConfig } from '../../../lambdas/domain/config/types';
import { DEFAULT_DASHBOARDS_CONFIG } from '../../../lambdas/domain/dashboards/dashboards-config';
import { withDashboardRules } from '../../../lambdas/domain/dashboards/dashboard-series';
import { severityRoutingOf } from '../../../lambdas/domain/dashboards/mirror-rules';
import { validateDriftConfig } from '../../../lambdas/domain/drift/drift-config';
import { DEFAULT_GPU_CONFIG } from '../../../lambdas/domain/gpu/gpu-config';
import {
  type ChannelsConfig,
  DEFAULT_CHANNELS_CONFIG,
} from '../../../lambdas/domain/notifications/channels-config';
import { validateScrapeConfig } from '../../../lambdas/domain/scrape/scrape-config';
import { loadRulesDocument } from '../../../lambdas/shared/rules-loader';
import { writeDriftDocument } from '../../../lib/constructs/drift-monitors';
import { writeRulesDocument } from '../../../lib/constructs/rule-evaluator';
import { VigilStack } from '../../../lib/vigil-stack';
import { CDK_CONTEXT, type CfnJson, INLINE_CODE } from '../helpers';
import { TEST_CONFIG } from '../test-config';
import { ACCOUNT, REGION } from './authorize';

/** A rule that fires at once (so the evaluator publishes) and a recording rule that reads `up`. */
const RULES = `groups:
  - name: iam-coverage
    rules:
      - record: job:up:sum
        expr: sum by (job) (up)
      - alert: AlwaysFiring
        expr: vector(1)
        labels:
          severity: critical
        annotations:
          summary: "always firing"
`;

const BASELINE = `confidence\n${Array.from({ length: 40 }, (_, i) => `${i / 40}`).join('\n')}\n`;

/** Every channel: email, Slack and PagerDuty on critical; Slack on warning and info. */
const channelsWith = (pagerdutyUrl: string): ChannelsConfig => ({
  ...DEFAULT_CHANNELS_CONFIG,
  severities: {
    critical: { email: ['oncall@example.com'], slack: true, pagerduty: true },
    warning: { email: ['team@example.com'], slack: true, pagerduty: false },
    info: { email: [], slack: true, pagerduty: false },
  },
  slack: { ...DEFAULT_CHANNELS_CONFIG.slack, dashboardUrl: 'https://grafana.example.com/d/vigil' },
  pagerduty: { ...DEFAULT_CHANNELS_CONFIG.pagerduty, eventsUrl: pagerdutyUrl },
});

export interface FullStack {
  readonly config: VigilConfig;
  readonly stack: VigilStack;
  readonly template: CfnJson;
  /** Handler name → files its bundle carries (name in the bundle → local path). */
  readonly bundleFiles: Readonly<Record<string, Readonly<Record<string, string>>>>;
}

/**
 * The stack with every feature on, so every function Vigil can deploy exists: rules, channels
 * (email, Slack, PagerDuty), scrape jobs with a Secrets Manager credential, drift monitors
 * (events, histogram, baseline), dashboards, GPU alarms and import, structured logs.
 *
 * @param httpBase - base URL of a local HTTP server standing in for scrape targets and
 *   PagerDuty's events endpoint (e.g. `http://127.0.0.1:41234`)
 */
const buildFullStack = (
  httpBase: string,
  store: VigilConfig['store'] = 'timestream',
): FullStack => {
  const configDir = mkdtempSync(join(tmpdir(), 'vigil-iam-'));
  mkdirSync(join(configDir, 'rules'));
  mkdirSync(join(configDir, 'baselines'));
  writeFileSync(join(configDir, 'rules', 'iam.yml'), RULES);
  writeFileSync(join(configDir, 'baselines', 'faces.csv'), BASELINE);

  const target = new URL(httpBase).host;
  const scrape = validateScrapeConfig(
    [
      {
        job_name: 'api',
        scrape_interval: '1m',
        static_configs: [{ targets: [target] }],
        basic_auth: { username: 'prometheus', password_secret: 'rxvision/api-scrape' },
      },
    ],
    undefined,
  );
  const drift = validateDriftConfig({
    monitors: [
      {
        name: 'faces',
        source: { events: { model: 'faces', fields: ['confidence'] } },
        reference: { baseline: 'baselines/faces.csv' },
        schedule: { every: '1h' },
      },
      {
        name: 'latency',
        source: {
          histogram: { metric: 'inference_latency_seconds', matchers: '{job="inference"}' },
        },
        reference: { window: '1d', offset: '1d' },
        schedule: { every: '1h' },
      },
    ],
  });
  if (scrape.issues.length > 0 || drift.issues.length > 0)
    throw new Error(JSON.stringify([...scrape.issues, ...drift.issues]));

  const config: VigilConfig = {
    ...TEST_CONFIG,
    store,
    rules: ['rules/*.yml'],
    alerting: { ...DEFAULT_ALERTING_CONFIG, groupWaitMs: 0 },
    channels: channelsWith(`${httpBase}/v2/enqueue`),
    scrape: scrape.config,
    drift: drift.config,
    gpu: { ...DEFAULT_GPU_CONFIG, enabled: true, instanceTag: { key: 'team', value: 'ml-gpu' } },
    dashboards: DEFAULT_DASHBOARDS_CONFIG,
  };
  const app = new App({ context: CDK_CONTEXT, builtinCloudFormationValidation: false });
  const stack = new VigilStack(app, 'VigilTest', {
    config,
    env: { account: ACCOUNT, region: REGION },
    vigil: { functionCode: INLINE_CODE, configDir },
  });
  const template = Template.fromStack(stack).toJSON() as CfnJson;

  // The files the bundles carry, made by the same functions the constructs use.
  const rules = writeRulesDocument(
    withDashboardRules(
      loadRulesDocument(config, configDir),
      config.dashboards,
      severityRoutingOf(config.channels),
      config,
    ) ?? { groups: [], evaluation: config.evaluation, alerting: config.alerting },
  );
  const driftDocument = writeDriftDocument(config.drift, configDir);
  const jobs = stack.vigil.scrapeTargets?.jobsFile ?? '';
  const bundleFiles = {
    'evaluate-rules': { 'rules.json': rules },
    alerts: { 'rules.json': rules },
    'run-drift-monitors': { 'drift.json': driftDocument },
    'drift-reports': { 'drift.json': driftDocument },
    'scrape-targets': { 'scrape-jobs.json': jobs },
  };
  return { config, stack, template, bundleFiles };
};

export { buildFullStack };
