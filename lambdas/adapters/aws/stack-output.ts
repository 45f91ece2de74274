/**
 * One output of a CloudFormation stack (`vigil grafana --remote` reads `ApiUrl`), through
 * `DescribeStacks`, which answers a `ValidationError` ("Stack with id … does not exist") for a
 * stack that does not exist.
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_DescribeStacks.html
 */
import {
  CloudFormationClient,
  type CloudFormationClientConfig,
  DescribeStacksCommand,
} from '@aws-sdk/client-cloudformation';
import { errorParts } from './aws-errors';

type StackOutput =
  | { readonly status: 'found'; readonly value: string }
  | { readonly status: 'missing-stack' }
  | { readonly status: 'missing-output' }
  | { readonly status: 'failed'; readonly message: string };

interface StackOutputOptions {
  /** @default a new `CloudFormationClient(clientConfig)` */
  readonly client?: CloudFormationClient;
  /** @default {} */
  readonly clientConfig?: CloudFormationClientConfig;
  readonly stackName: string;
  readonly outputKey: string;
}

const MISSING_RE = /does not exist/i;

/** The output's value, or why there is none. Never throws: every failure is a result. */
const getStackOutput = async (options: StackOutputOptions): Promise<StackOutput> => {
  const client = options.client ?? new CloudFormationClient(options.clientConfig ?? {});
  try {
    const out = await client.send(new DescribeStacksCommand({ StackName: options.stackName }));
    const stack = out.Stacks?.[0];
    if (!stack) return { status: 'missing-stack' };
    const value = stack.Outputs?.find((o) => o.OutputKey === options.outputKey)?.OutputValue;
    return value === undefined ? { status: 'missing-output' } : { status: 'found', value };
  } catch (error) {
    const { name, message } = errorParts(error);
    if (name === 'ValidationError' && MISSING_RE.test(message)) return { status: 'missing-stack' };
    return { status: 'failed', message: `${name}: ${message}` };
  }
};

export type { StackOutput, StackOutputOptions };
export { getStackOutput };
