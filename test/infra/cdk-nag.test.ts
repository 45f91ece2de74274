import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { buildTestStack, vigilFunctionsOf } from './helpers';
import { TEST_CONFIG } from './test-config';

// The one synthesis in the suite that bundles the real handlers with esbuild (no Docker).
const { stack, template } = buildTestStack({ bundle: true });

/** Every acknowledgment recorded in the tree, as rule id → reason, with the construct path. */
const acknowledgments = (root: IConstruct): { path: string; id: string; reason: string }[] =>
  root.node.findAll().flatMap((c) =>
    c.node.metadata
      .filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((m) =>
        Object.entries(m.data as Record<string, unknown>).map(([id, value]) => ({
          path: c.node.path,
          id,
          reason: typeof value === 'string' ? value : String((value as { reason?: string }).reason),
        })),
      ),
  );

describe('Feature: cdk-nag AwsSolutions checks', () => {
  it('finds no unacknowledged error or warning', () => {
    // Act
    const report = new AwsSolutionsChecks().validateScope(stack);

    // Assess
    const findings = report.violations.map(
      (v) =>
        `${v.severity} ${v.ruleName}: ${v.violatingResources.map((r) => r.constructPath).join(', ')}`,
    );
    expect(findings).toEqual([]);
    expect(report.success).toBe(true);
  });

  it('gives every acknowledgment a specific reason', () => {
    // Act
    const acks = acknowledgments(stack);

    // Assess
    expect(acks.length).toBeGreaterThan(0);
    for (const ack of acks) {
      expect(ack.reason.length).toBeGreaterThan(60);
      expect(ack.reason).not.toMatch(/^(n\/a|todo|not needed|ok)\b/i);
    }
  });

  it('acknowledges only the rules we expect', () => {
    // Act
    const ids = new Set(acknowledgments(stack).map((a) => a.id.replace(/^annotation::/i, '')));

    // Assess
    expect([...ids].sort()).toEqual(
      [
        'AwsSolutions-APIG3',
        'AwsSolutions-APIG4',
        'AwsSolutions-COG4',
        'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
        'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
        'AwsSolutions-IAM5[Resource::*]',
        'AwsSolutions-S1',
        'CloudFormation-Validate::W3697',
      ].sort(),
    );
  });
});

describe('Feature: cdk-nag AwsSolutions checks with store: amp', () => {
  it('finds no unacknowledged error or warning', () => {
    // Prepare
    const amp = buildTestStack({
      config: { ...TEST_CONFIG, store: 'amp', amp: { retentionDays: 150 } },
    }).stack;

    // Act
    const report = new AwsSolutionsChecks().validateScope(amp);

    // Assess
    const findings = report.violations.map(
      (v) =>
        `${v.severity} ${v.ruleName}: ${v.violatingResources.map((r) => r.constructPath).join(', ')}`,
    );
    expect(findings).toEqual([]);
  });
});

describe('Feature: local esbuild bundles', () => {
  it('bundles each handler as one ESM index.mjs read at init, with its chunks, a require shim and a source map', () => {
    // Prepare
    const assembly = (stack.node.root as App).synth();
    const fns = Object.values(vigilFunctionsOf(template));

    // Assess
    expect(fns).toHaveLength(12);
    for (const fn of fns) {
      const assetHash = String(fn.Properties.Code.S3Key).replace(/\.zip$/, '');
      const dir = join(assembly.directory, `asset.${assetHash}`);
      const bundle = readFileSync(join(dir, 'index.mjs'), 'utf8');
      expect(fn.Properties.Handler).toBe('index.handler');
      expect(bundle).toContain('createRequire');
      expect(bundle).toMatch(/export\s*\{[^}]*handler/);
      expect(existsSync(join(dir, 'index.mjs.map'))).toBe(true);
      // Init reads index.mjs alone; the chunks it imports on first use ship beside it.
      expect(bundle).not.toMatch(/(?:import|export)\s*(?:[^"'()]*from\s*)?["']\.\/chunk-/);
      const chunks = [...bundle.matchAll(/["'](\.\/chunk-[\w-]+\.mjs)["']/g)].map((m) => m[1]);
      for (const chunk of chunks) expect(existsSync(join(dir, String(chunk)))).toBe(true);
    }
  });
});
