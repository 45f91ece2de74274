import { requestCorrelationId } from '../../../lambdas/shared/powertools';

describe("Vigil's own log correlation id", () => {
  it('prefers X-Correlation-Id, then the traceparent trace-id, then the API Gateway request id', () => {
    // Prepare
    const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    const requestContext = { requestId: 'apigw-7' };

    // Act / Assess
    expect(
      requestCorrelationId({
        headers: { 'X-Correlation-Id': ' c-1 ', traceparent },
        requestContext,
      }),
    ).toBe('c-1');
    expect(requestCorrelationId({ headers: { Traceparent: traceparent }, requestContext })).toBe(
      '4bf92f3577b34da6a3ce929d0e0e4736',
    );
    expect(requestCorrelationId({ headers: { traceparent: '00-bad' }, requestContext })).toBe(
      'apigw-7',
    );
    expect(requestCorrelationId({ headers: null, requestContext: null })).toBeUndefined();
  });
});

describe('the middleware chain of every HTTP function', () => {
  it("sets the request's correlation id on Vigil's logger for that invocation only", async () => {
    // Prepare
    const { logger } = await import('../../../lambdas/shared/powertools');
    const { withMiddlewares } = await import('../../../lambdas/shared/with-middlewares');
    const seen: unknown[] = [];
    const handler = withMiddlewares(async () => {
      seen.push(logger.getCorrelationId());
      return { statusCode: 204, body: '' };
    });
    const context = { functionName: 'f', awsRequestId: 'r' } as never;
    const event = (headers: Record<string, string>, requestId: string) =>
      ({ headers, requestContext: { requestId } }) as never;

    // Act
    await handler(event({ 'X-Correlation-Id': 'c-1' }, 'gw-1'), context);
    await handler(event({}, 'gw-2'), context);

    // Assess
    expect(seen).toEqual(['c-1', 'gw-2']);
  });
});

describe('scheduled and SNS functions (withLogContext)', () => {
  it('adds the Lambda context and the event id as correlation id, then resets them', async () => {
    // Prepare
    const { logger, withLogContext } = await import('../../../lambdas/shared/powertools');
    const seen: unknown[] = [];
    const handler = withLogContext(
      async (event: { id: string }) => {
        seen.push(logger.getCorrelationId());
        return event.id.length;
      },
      (event) => event.id,
    );

    // Act
    const result = await handler({ id: 'evt-1' }, {
      functionName: 'vigil-evaluate-rules',
      awsRequestId: 'r-1',
    } as never);

    // Assess
    expect(result).toBe(5);
    expect(seen).toEqual(['evt-1']);
    expect(logger.getCorrelationId()).toBeUndefined();
  });
});
