import { readFileSync } from 'node:fs';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { Code } from 'aws-cdk-lib/aws-lambda';
import type { VigilConfig } from '../../lambdas/domain/config/types';
import { VigilStack } from '../../lib/vigil-stack';
import { TEST_CONFIG } from './test-config';

/** The feature flags of cdk.json, so tests synthesize what `cdk synth` does. */
const CDK_CONTEXT: Record<string, unknown> = JSON.parse(
  readFileSync(new URL('../../cdk.json', import.meta.url), 'utf8'),
).context;

/** Stand-in code for every function: synthesis without esbuild, for the fast tests. */
const INLINE_CODE = Code.fromInline('export const handler = async () => ({ statusCode: 200 });');

export interface TestStackOptions {
  readonly config?: VigilConfig;
  /** Bundle the real handlers with esbuild. @default false */
  readonly bundle?: boolean;
  /** Directory the config's `rules:` and drift baselines are relative to. @default - Vigil's default */
  readonly configDir?: string;
}

/**
 * A synthesized `VigilStack` in a fixed environment. CDK's built-in CloudFormation validation
 * (a WASM engine, slow to start) is off; the cdk-nag test runs its pack on the tree itself.
 */
const buildTestStack = (
  options: TestStackOptions = {},
): { stack: VigilStack; template: Template } => {
  const app = new App({ context: CDK_CONTEXT, builtinCloudFormationValidation: false });
  const stack = new VigilStack(app, 'VigilTest', {
    config: options.config ?? TEST_CONFIG,
    env: { account: '123456789012', region: 'eu-west-1' },
    vigil: {
      ...(options.bundle ? {} : { functionCode: INLINE_CODE }),
      ...(options.configDir ? { configDir: options.configDir } : {}),
    },
  });
  return { stack, template: Template.fromStack(stack) };
};

/** A user's own stack, for constructs tested on their own. */
const bareStack = (): Stack =>
  new Stack(new App({ context: CDK_CONTEXT, builtinCloudFormationValidation: false }), 'Bare', {
    env: { account: '123456789012', region: 'eu-west-1' },
  });

/** Logical id → resource, for a type. */
const resourcesOf = (template: Template, type: string): Record<string, CfnResourceJson> =>
  template.findResources(type) as Record<string, CfnResourceJson>;

/**
 * Vigil's own functions (their descriptions start with "Vigil"), without CDK's deploy-time
 * AwsCustomResource provider that the Timestream availability check brings.
 */
const vigilFunctionsOf = (template: Template): Record<string, CfnResourceJson> =>
  Object.fromEntries(
    Object.entries(resourcesOf(template, 'AWS::Lambda::Function')).filter(([, f]) =>
      String(f.Properties?.Description ?? '').startsWith('Vigil'),
    ),
  );

/** Synthesized CloudFormation is untyped JSON; tests index into it freely. */
// biome-ignore lint/suspicious/noExplicitAny: template JSON has no static type
export type CfnJson = Record<string, any>;

export interface CfnResourceJson {
  readonly Type: string;
  readonly Properties: CfnJson;
}

export { bareStack, buildTestStack, CDK_CONTEXT, INLINE_CODE, resourcesOf, vigilFunctionsOf };
