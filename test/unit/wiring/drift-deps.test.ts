import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { validateDriftConfig } from '../../../lambdas/domain/drift/drift-config';
import { awsDriftReportsApiDeps } from '../../../lambdas/wiring/drift-reports-deps';
import { ENV } from '../../../lambdas/shared/env';

const lambda = mockClient(LambdaClient);

describe('Function: awsDriftReportsApiDeps', () => {
  beforeEach(() => {
    process.env[ENV.DRIFT_REPORTS_BUCKET] = 'vigil-drift-reports';
    process.env[ENV.DRIFT_FUNCTION] = 'vigil-run-drift-monitors';
  });
  afterEach(() => {
    delete process.env[ENV.DRIFT_REPORTS_BUCKET];
    delete process.env[ENV.DRIFT_FUNCTION];
    lambda.reset();
  });

  it('runs a monitor now by invoking the drift function asynchronously, answering its report id', async () => {
    // Prepare
    lambda.on(InvokeCommand).resolves({ StatusCode: 202 });
    const { config } = validateDriftConfig({
      monitors: [
        {
          name: 'faces',
          source: { events: { model: 'faces', fields: ['confidence'] } },
          reference: { window: '1h' },
          schedule: { every: '1h' },
        },
      ],
    });
    const deps = awsDriftReportsApiDeps(
      { drift: config, baselines: {} },
      lambda as unknown as LambdaClient,
    );

    // Act
    const started = await deps.runMonitor('faces', Date.parse('2026-11-25T12:30:00Z'));

    // Assess
    expect(deps.monitors).toEqual(['faces']);
    expect(started).toEqual({ status: 'accepted', id: 'faces.20261125T123000.000Z' });
    const input = lambda.commandCalls(InvokeCommand)[0]?.args[0].input;
    expect(input?.FunctionName).toBe('vigil-run-drift-monitors');
    expect(input?.InvocationType).toBe('Event');
    expect(JSON.parse(new TextDecoder().decode(input?.Payload as Uint8Array))).toEqual({
      monitor: 'faces',
      runAtMs: Date.parse('2026-11-25T12:30:00Z'),
    });
  });
});
