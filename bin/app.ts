import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { loadConfigFile, orExitOnConfigError } from '../lambdas/shared/config-file';
import { REMOVAL_POLICY_CONTEXT, removalPolicyFromContext, VigilStack } from '../lib/vigil-stack';

// vigil.config.yaml, or the file named by VIGIL_CONFIG (defaults only when neither exists).
// A bad config (or rule file, or drift baseline) is one line per problem, not a stack trace.
const { config, source } = orExitOnConfigError(loadConfigFile);
console.error(`vigil: config from ${source}`);

const app = new App();
orExitOnConfigError(
  () =>
    new VigilStack(app, `Vigil-${config.project}`, {
      config,
      env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
      description: `Vigil monitoring backend (${config.project})`,
      // `-c vigil:removalPolicy=destroy|retain|retain-except-on-create` (docs/deploying.md).
      vigil: {
        removalPolicy: removalPolicyFromContext(app.node.tryGetContext(REMOVAL_POLICY_CONTEXT)),
      },
    }),
);
// cdk-nag 3 runs as a CDK policy-validation plugin: any unacknowledged finding fails synthesis.
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
