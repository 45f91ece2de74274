/**
 * The names of the log groups under a prefix (`DescribeLogGroups` with `logGroupNamePrefix`,
 * every page). `vigil doctor` looks for the `/vigil/<project>/` groups an earlier stack kept.
 * https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_DescribeLogGroups.html
 */
import {
  CloudWatchLogsClient,
  type CloudWatchLogsClientConfig,
  DescribeLogGroupsCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import { errorParts } from './aws-errors';

type LogGroupNames =
  | { readonly status: 'ok'; readonly names: readonly string[] }
  | { readonly status: 'failed'; readonly message: string };

interface LogGroupNamesOptions {
  /** @default a new `CloudWatchLogsClient(clientConfig)` */
  readonly client?: CloudWatchLogsClient;
  /** @default {} */
  readonly clientConfig?: CloudWatchLogsClientConfig;
  readonly prefix: string;
}

/** Every log group name starting with the prefix. Never throws: a failure is a result. */
const listLogGroupNames = async (options: LogGroupNamesOptions): Promise<LogGroupNames> => {
  const client = options.client ?? new CloudWatchLogsClient(options.clientConfig ?? {});
  const names: string[] = [];
  try {
    let nextToken: string | undefined;
    do {
      const out = await client.send(
        new DescribeLogGroupsCommand({ logGroupNamePrefix: options.prefix, nextToken }),
      );
      for (const g of out.logGroups ?? []) if (g.logGroupName) names.push(g.logGroupName);
      nextToken = out.nextToken;
    } while (nextToken);
  } catch (error) {
    const { name, message } = errorParts(error);
    return { status: 'failed', message: `${name}: ${message}` };
  }
  return { status: 'ok', names };
};

export type { LogGroupNames, LogGroupNamesOptions };
export { listLogGroupNames };
