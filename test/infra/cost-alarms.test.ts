import { dirname } from 'node:path';
import { validateConfig } from '../../lambdas/domain/config/validate';
import { countAlarms } from '../../lambdas/domain/costs/model';
import { deploymentFacts, presetWorkload } from '../../lambdas/domain/costs/workload';
import { loadConfigFile } from '../../lambdas/shared/config-file';
import { loadRulesDocument } from '../../lambdas/shared/rules-loader';
import { buildTestStack, type CfnJson, resourcesOf } from './helpers';

/** The stack's alarms: standard ones, and Metrics Insights ones (a `SELECT` query). */
const alarmsOf = (template: ReturnType<typeof buildTestStack>['template']) => {
  const alarms = Object.values(resourcesOf(template, 'AWS::CloudWatch::Alarm'));
  const insights = alarms.filter((a) =>
    ((a.Properties.Metrics ?? []) as CfnJson[]).some((m) => /\bSELECT\b/i.test(m.Expression ?? '')),
  );
  return { standard: alarms.length - insights.length, insights: insights.length };
};

describe('Feature: vigil cost counts the alarms the stack creates', () => {
  it('for the shipped vigil.config.yaml (rules, dashboards, drift, GPU)', () => {
    // Prepare
    const { config, source } = loadConfigFile('vigil.config.yaml');
    const configDir = dirname(source);
    const facts = deploymentFacts(config, loadRulesDocument(config, configDir).groups);

    // Act
    const { template } = buildTestStack({ config, configDir });
    const model = countAlarms(facts, { ...presetWorkload(undefined, facts), gpus: 1 });

    // Assess: the GPU alarms analyse one metric per GPU
    expect(alarmsOf(template)).toEqual({
      standard: model.standard,
      insights: model.metricsInsights,
    });
  });

  it('for notifiers and a scrape job, without rules or dashboards', () => {
    // Prepare
    const { config, issues } = validateConfig({
      channels: { critical: { email: ['oncall@example.com'], slack: true, pagerduty: true } },
      scrape_configs: [
        { job_name: 'node', scrape_interval: '1m', static_configs: [{ targets: ['a:9100'] }] },
      ],
      dashboards: { enabled: false },
    });
    const facts = deploymentFacts(config, []);

    // Act
    const { template } = buildTestStack({ config });
    const model = countAlarms(facts, { ...presetWorkload(undefined, facts), rules: 0 });

    // Assess
    expect(issues).toEqual([]);
    expect(alarmsOf(template)).toEqual({ standard: model.standard, insights: 0 });
  });
});
