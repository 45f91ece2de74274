/**
 * Starts a drift monitor run on AWS: invokes the drift function asynchronously
 * (`InvocationType: Event`), so the caller answers at once while the run may take minutes.
 * @see https://docs.aws.amazon.com/lambda/latest/api/API_Invoke.html
 */
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import type { DriftFunctionEvent } from '../../domain/drift/monitor-job';

interface LambdaDriftRunStarterOptions {
  /** Name or ARN of the drift monitor function. */
  readonly functionName: string;
  /** @default a new `LambdaClient({})` */
  readonly client?: LambdaClient;
}

class LambdaDriftRunStarter {
  private readonly client: LambdaClient;

  constructor(private readonly options: LambdaDriftRunStarterOptions) {
    this.client = options.client ?? new LambdaClient({});
  }

  /** Queues one run of the drift function with `event`; resolves once Lambda accepted it. */
  async start(event: DriftFunctionEvent): Promise<void> {
    await this.client.send(
      new InvokeCommand({
        FunctionName: this.options.functionName,
        InvocationType: 'Event',
        Payload: new TextEncoder().encode(JSON.stringify(event)),
      }),
    );
  }
}

export { LambdaDriftRunStarter };
export type { LambdaDriftRunStarterOptions };
