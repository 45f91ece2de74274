/**
 * Does a CloudFormation stack exist? `DescribeStacks` by name answers a `ValidationError`
 * ("Stack with id … does not exist") for a stack that never existed or was deleted.
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_DescribeStacks.html
 */
import {
  CloudFormationClient,
  type CloudFormationClientConfig,
  DescribeStacksCommand,
} from '@aws-sdk/client-cloudformation';
import { errorParts } from './aws-errors';

type StackStatus =
  | { readonly status: 'exists'; readonly stackStatus: string }
  | { readonly status: 'missing' }
  | { readonly status: 'failed'; readonly message: string };

interface StackStatusOptions {
  /** @default a new `CloudFormationClient(clientConfig)` */
  readonly client?: CloudFormationClient;
  /** @default {} */
  readonly clientConfig?: CloudFormationClientConfig;
  readonly stackName: string;
}

const MISSING_RE = /does not exist/i;

/** The stack's status, or `missing`. Never throws: every failure is a result. */
const getStackStatus = async (options: StackStatusOptions): Promise<StackStatus> => {
  const client = options.client ?? new CloudFormationClient(options.clientConfig ?? {});
  try {
    const out = await client.send(new DescribeStacksCommand({ StackName: options.stackName }));
    const stack = out.Stacks?.[0];
    return stack
      ? { status: 'exists', stackStatus: stack.StackStatus ?? 'UNKNOWN' }
      : { status: 'missing' };
  } catch (error) {
    const { name, message } = errorParts(error);
    if (name === 'ValidationError' && MISSING_RE.test(message)) return { status: 'missing' };
    return { status: 'failed', message: `${name}: ${message}` };
  }
};

export type { StackStatus, StackStatusOptions };
export { getStackStatus };
