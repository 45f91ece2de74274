import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_ALERTING_CONFIG } from '../../../lambdas/domain/alerting/config';
import { loadRulesDocumentFromEnv, parseAlertTopics } from '../../../lambdas/wiring/alerting-deps';

describe('Function: parseAlertTopics', () => {
  it('splits the default topic from the per-severity topics', () => {
    // Act
    const topics = parseAlertTopics(
      JSON.stringify({
        critical: 'arn:aws:sns:eu-west-1:123456789012:vigil-critical',
        default: 'arn:aws:sns:eu-west-1:123456789012:vigil-warning',
      }),
    );

    // Assess
    expect(topics).toEqual({
      topicArnBySeverity: { critical: 'arn:aws:sns:eu-west-1:123456789012:vigil-critical' },
      defaultTopicArn: 'arn:aws:sns:eu-west-1:123456789012:vigil-warning',
    });
  });

  it('refuses JSON without a default topic, non-JSON and non-string ARNs', () => {
    // Assess
    expect(() => parseAlertTopics('{"critical":"arn"}')).toThrow(/default/);
    expect(() => parseAlertTopics('nope')).toThrow(/not JSON/);
    expect(() => parseAlertTopics('{"default":1}')).toThrow(/string/);
  });
});

describe('Function: loadRulesDocumentFromEnv', () => {
  it('reads the document at VIGIL_RULES_DOCUMENT relative to the bundle directory', () => {
    // Prepare
    const dir = mkdtempSync(join(tmpdir(), 'vigil-doc-'));
    const doc = {
      groups: [{ file: 'r.yml', name: 'g', rules: [{ record: 'a:b', expr: 'up' }] }],
      evaluation: { intervalMs: 60_000, externalLabels: {}, externalUrl: '' },
      alerting: DEFAULT_ALERTING_CONFIG,
    };
    writeFileSync(join(dir, 'rules.json'), JSON.stringify(doc));
    process.env.VIGIL_RULES_DOCUMENT = 'rules.json';

    // Act
    const loaded = loadRulesDocumentFromEnv(dir);

    // Assess
    expect(loaded).toEqual(doc);
    delete process.env.VIGIL_RULES_DOCUMENT;
    rmSync(dir, { recursive: true, force: true });
  });
});
