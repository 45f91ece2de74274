import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { makeAlertsHandler } from '../../../lambdas/api/alerts';
import { MemorySeriesStore } from '../../../lambdas/adapters/storage/memory-series-store';
import { DEFAULT_ALERTING_CONFIG } from '../../../lambdas/domain/alerting/config';
import { runEvaluation } from '../../../lambdas/domain/rules/evaluation-run';
import type { RulesDocument } from '../../../lambdas/domain/rules/rules-document';
import { MemoryAlertStateStore } from '../../helpers/alert-ports';
import { lambdaContext } from '../../helpers/api-gateway-event';

const NOW = 1_764_086_400_000;

const context = lambdaContext();

const event = (method: string, path: string, body?: unknown): APIGatewayProxyEvent => ({
  resource: path,
  path,
  httpMethod: method,
  headers: {},
  multiValueHeaders: {},
  queryStringParameters: null,
  multiValueQueryStringParameters: null,
  pathParameters: null,
  stageVariables: null,
  body: body === undefined ? null : JSON.stringify(body),
  isBase64Encoded: false,
  requestContext: {} as APIGatewayProxyEvent['requestContext'],
});

const document: RulesDocument = {
  groups: [
    {
      file: 'serving.rules.yml',
      name: 'serving',
      intervalMs: 60_000,
      rules: [
        { record: 'job:errors:rate', expr: 'sum by (job) (errors)' },
        {
          alert: 'ErrorsHigh',
          expr: 'errors > 5',
          forMs: 60_000,
          keepFiringForMs: 120_000,
          labels: { severity: 'warning' },
          annotations: { summary: 'errors at {{ $value }}' },
        },
      ],
    },
  ],
  evaluation: { intervalMs: 60_000, externalLabels: {}, externalUrl: '' },
  alerting: DEFAULT_ALERTING_CONFIG,
};

const setup = async () => {
  const store = new MemorySeriesStore();
  const state = new MemoryAlertStateStore();
  const clock = { ms: NOW, now: () => clock.ms };
  await store.write([
    { labels: { __name__: 'errors', job: 'api' }, samples: [{ t: NOW, v: 7.5 }] },
  ]);
  await runEvaluation(
    { store, state, document, clock, notifier: { send: async () => {} } },
    NOW + 30_000,
  );
  let ids = 0;
  const handler = makeAlertsHandler({
    state,
    document,
    clock,
    newId: () => `silence-${++ids}`,
  });
  const call = async (e: APIGatewayProxyEvent) => {
    const res = (await handler(e, context)) as APIGatewayProxyResult;
    return { status: res.statusCode, body: res.body === '' ? undefined : JSON.parse(res.body) };
  };
  return { call, state, clock };
};

describe('Function: makeAlertsHandler', () => {
  it('lists pending alerts in Prometheus /api/v1/alerts shape', async () => {
    // Prepare
    const { call } = await setup();

    // Act
    const res = await call(event('GET', '/api/v1/alerts'));

    // Assess
    expect(res).toEqual({
      status: 200,
      body: {
        status: 'success',
        data: {
          alerts: [
            {
              labels: { alertname: 'ErrorsHigh', job: 'api', severity: 'warning' },
              annotations: { summary: 'errors at 7.5' },
              state: 'pending',
              activeAt: '2025-11-25T16:00:00Z',
              value: '7.5e+00',
            },
          ],
        },
      },
    });
  });

  it('lists rule groups in Prometheus /api/v1/rules shape, filtered by type', async () => {
    // Prepare
    const { call } = await setup();

    // Act
    const all = await call(event('GET', '/api/v1/rules'));
    const onlyRecording = await call({
      ...event('GET', '/api/v1/rules'),
      queryStringParameters: { type: 'record' },
    });

    // Assess
    const group = all.body.data.groups[0];
    expect(group).toMatchObject({
      name: 'serving',
      file: 'serving.rules.yml',
      interval: 60,
      limit: 0,
      lastEvaluation: '2025-11-25T16:00:00Z',
    });
    expect(group.rules[0]).toMatchObject({
      name: 'job:errors:rate',
      query: 'sum by (job) (errors)',
      labels: {},
      health: 'ok',
      type: 'recording',
    });
    expect(group.rules[1]).toMatchObject({
      state: 'pending',
      name: 'ErrorsHigh',
      query: 'errors > 5',
      duration: 60,
      keepFiringFor: 120,
      labels: { severity: 'warning' },
      annotations: { summary: 'errors at {{ $value }}' },
      health: 'ok',
      type: 'alerting',
    });
    expect(group.rules[1].alerts).toHaveLength(1);
    expect(typeof group.rules[1].evaluationTime).toBe('number');
    expect(onlyRecording.body.data.groups[0].rules.map((r: { type: string }) => r.type)).toEqual([
      'recording',
    ]);
  });

  it('creates, gets, lists and expires silences like Alertmanager API v2', async () => {
    // Prepare
    const { call, clock } = await setup();
    const body = {
      matchers: [{ name: 'alertname', value: 'ErrorsHigh', isRegex: false }],
      startsAt: new Date(NOW).toISOString(),
      endsAt: new Date(NOW + 3_600_000).toISOString(),
      createdBy: 'oncall',
      comment: 'deploying a fix',
    };

    // Act
    const created = await call(event('POST', '/api/v2/silences', body));
    const got = await call(event('GET', '/api/v2/silence/silence-1'));
    const deleted = await call(event('DELETE', '/api/v2/silence/silence-1'));
    clock.ms += 1000;
    const listed = await call(event('GET', '/api/v2/silences'));
    const missing = await call(event('GET', '/api/v2/silence/nope'));

    // Assess
    expect(created).toEqual({ status: 200, body: { silenceID: 'silence-1' } });
    expect(got.body).toMatchObject({
      id: 'silence-1',
      status: { state: 'active' },
      createdBy: 'oncall',
      matchers: [{ name: 'alertname', value: 'ErrorsHigh', isRegex: false, isEqual: true }],
    });
    expect(deleted.status).toBe(200);
    expect(listed.body.map((s: { status: { state: string } }) => s.status.state)).toEqual([
      'expired',
    ]);
    expect(missing.status).toBe(404);
  });

  it('refuses an invalid silence with 400', async () => {
    // Prepare
    const { call } = await setup();

    // Act
    const res = await call(event('POST', '/api/v2/silences', { matchers: [] }));

    // Assess
    expect(res.status).toBe(400);
    expect(res.body.status).toBe('error');
  });
});
