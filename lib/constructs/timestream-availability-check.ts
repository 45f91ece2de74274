import { Stack, Validations } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import {
  AwsCustomResource,
  AwsCustomResourcePolicy,
  PhysicalResourceId,
} from 'aws-cdk-lib/custom-resources';
import { Construct, type IConstruct } from 'constructs';

/**
 * Fails the deployment at its first step, with AWS's own message, when the account cannot use
 * Amazon Timestream for LiveAnalytics (closed to new accounts since 2025-06-20): it calls
 * `ListDatabases` (after the SDK's `DescribeEndpoints`) before the database is created, so
 * nothing is left half-built; CloudFormation shows the error on this resource and rolls back.
 * `npx vigil doctor` runs the same check offline of a deploy.
 */
class TimestreamAvailabilityCheck extends Construct {
  readonly resource: AwsCustomResource;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    const call = {
      service: '@aws-sdk/client-timestream-write',
      action: 'ListDatabases',
      parameters: { MaxResults: 1 },
      physicalResourceId: PhysicalResourceId.of('vigil-timestream-availability'),
    };
    this.resource = new AwsCustomResource(this, 'Check', {
      onCreate: call,
      onUpdate: call,
      installLatestAwsSdk: false,
      // Both actions explicitly: `fromSdkCalls` grants only the called action, but the SDK's
      // Timestream client first calls DescribeEndpoints (endpoint discovery), so ListDatabases
      // alone fails with AccessDenied and the deploy rolls back. Neither action supports a
      // resource-level permission.
      // https://docs.aws.amazon.com/timestream/latest/developerguide/Using-API.endpoint-discovery.describe-endpoints.implementation.html
      // https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazontimestream.html
      policy: AwsCustomResourcePolicy.fromStatements([
        new PolicyStatement({
          actions: ['timestream:DescribeEndpoints', 'timestream:ListDatabases'],
          resources: ['*'],
        }),
      ]),
    });
    Validations.of(this.resource).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'The check calls timestream:DescribeEndpoints (the SDK\'s endpoint discovery) and timestream:ListDatabases (at most one database); neither supports a resource-level permission, so Resource must be "*".',
    });
    // The provider is a stack-level singleton that AwsCustomResource creates.
    const provider = Stack.of(this).node.tryFindChild(PROVIDER_ID);
    if (provider) acknowledgeProvider(provider);
  }
}

/** Construct id aws-cdk-lib gives AwsCustomResource's singleton provider function. */
const PROVIDER_ID = 'AWS679f53fac002430cb0da5b7982bd2287';

/** Acknowledges the cdk-nag findings of CDK's own AwsCustomResource provider, with reasons. */
const acknowledgeProvider = (provider: IConstruct): void => {
  const v = Validations.of(provider);
  v.acknowledge({
    id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
    reason:
      "CDK's AwsCustomResource provider function (runs only during deployment) logs with the AWS managed basic execution role.",
  });
};

export { TimestreamAvailabilityCheck };
