import {
  CloudWatchLogsClient,
  GetQueryResultsCommand,
  StartQueryCommand,
  StopQueryCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import { mockClient } from 'aws-sdk-client-mock';
import {
  LogsInsightsLogReader,
  logsInsightsQueryString,
} from '../../../../lambdas/adapters/logs/logs-insights-reader';
import { BadRequestError, StorageUnavailableError } from '../../../../lambdas/domain/errors';

const logs = mockClient(CloudWatchLogsClient);
const RANGE = { startMs: Date.UTC(2026, 10, 25, 11), endMs: Date.UTC(2026, 10, 25, 12) };

const row = (timestamp: string, message: string) => [
  { field: '@timestamp', value: timestamp },
  { field: '@message', value: message },
  { field: '@ptr', value: 'CmAKJwoj' },
];

const reader = (options: { now?: () => number; sleeps?: number[] } = {}) =>
  new LogsInsightsLogReader({
    client: new CloudWatchLogsClient({ region: 'eu-west-1' }),
    logGroupOf: (service) => `/vigil/shop/${service}`,
    allLogGroups: ['/vigil/shop/fraud-api', '/vigil/shop/default'],
    clock: { now: options.now ?? (() => 0) },
    timeoutMs: 5000,
    pollIntervalMs: 1000,
    sleep: async (ms) => {
      options.sleeps?.push(ms);
    },
  });

beforeEach(() => {
  logs.on(StartQueryCommand).resolves({ queryId: 'q-1' });
});

afterEach(() => {
  logs.reset();
});

describe('Function: logsInsightsQueryString', () => {
  it('filters by service, correlation id and every spelling of the level', () => {
    // Act
    const text = logsInsightsQueryString({
      service: 'fraud-api',
      correlationId: 'req-1',
      level: 'warning',
      range: RANGE,
      limit: 50,
    });

    // Assess
    expect(text).toBe(
      [
        'fields @timestamp, @message',
        '| filter service = "fraud-api"',
        '| filter correlation_id = "req-1" or request_id = "req-1" or trace_id = "req-1"',
        '| filter toupper(level) in ["WARN", "WARNING"] or level = 40',
        '| sort @timestamp desc',
        '| limit 50',
      ].join('\n'),
    );
  });

  it('escapes quotes and backslashes in values and caps the limit at 10,000', () => {
    // Act
    const text = logsInsightsQueryString({
      correlationId: 'a"b\\c',
      range: RANGE,
      limit: 50_000,
    });

    // Assess
    expect(text).toContain('correlation_id = "a\\"b\\\\c"');
    expect(text).toContain('| limit 10000');
    expect(text).not.toContain('filter service');
  });
});

describe('Class: LogsInsightsLogReader', () => {
  it('starts a query on the service group and polls until it is complete', async () => {
    // Prepare
    const sleeps: number[] = [];
    logs
      .on(GetQueryResultsCommand)
      .resolvesOnce({ status: 'Running', results: [] })
      .resolves({
        status: 'Complete',
        results: [
          row(
            '2026-11-25 11:30:00.250',
            '{"timestamp":"2026-11-25T11:30:00.250Z","level":"ERROR","service":"fraud-api","request_id":"req-1","message":"model timeout"}',
          ),
          row(
            '2026-11-25 11:10:00.000',
            '{"level":"INFO","service":"fraud-api","message":"no time"}',
          ),
          row('2026-11-25 11:20:00.000', 'plain text, not Vigil JSON'),
        ],
      });

    // Act
    const events = await reader({ sleeps }).query({
      service: 'fraud-api',
      correlationId: 'req-1',
      range: RANGE,
    });

    // Assess
    expect(logs).toHaveReceivedCommandWith(StartQueryCommand, {
      logGroupNames: ['/vigil/shop/fraud-api'],
      startTime: RANGE.startMs / 1000,
      endTime: RANGE.endMs / 1000,
      queryString: logsInsightsQueryString({
        service: 'fraud-api',
        correlationId: 'req-1',
        range: RANGE,
      }),
      limit: 1000,
    });
    expect(logs).toHaveReceivedCommandWith(GetQueryResultsCommand, { queryId: 'q-1' });
    expect(sleeps).toEqual([1000]);
    expect(
      events.map((e) => [
        new Date(e.timestampMs).toISOString(),
        e.level,
        e.correlationId ?? null,
        e.message,
      ]),
    ).toEqual([
      ['2026-11-25T11:10:00.000Z', 'INFO', null, 'no time'],
      ['2026-11-25T11:30:00.250Z', 'ERROR', 'req-1', 'model timeout'],
    ]);
  });

  it('queries every group given when no service is named', async () => {
    // Prepare
    logs.on(GetQueryResultsCommand).resolves({ status: 'Complete', results: [] });

    // Act
    await reader().query({ range: RANGE });

    // Assess
    expect(logs).toHaveReceivedCommandWith(StartQueryCommand, {
      logGroupNames: ['/vigil/shop/fraud-api', '/vigil/shop/default'],
    });
  });

  it('reports a failed query', async () => {
    // Prepare
    logs.on(GetQueryResultsCommand).resolves({ status: 'Failed' });

    // Act
    const query = reader().query({ service: 'fraud-api', range: RANGE });

    // Assess
    await expect(query).rejects.toThrow(StorageUnavailableError);
    await expect(reader().query({ service: 'fraud-api', range: RANGE })).rejects.toThrow(
      'query q-1 ended Failed',
    );
  });

  it('stops a query still running at the deadline', async () => {
    // Prepare
    let now = 0;
    logs.on(GetQueryResultsCommand).resolves({ status: 'Running' });
    logs.on(StopQueryCommand).resolves({ success: true });
    const r = new LogsInsightsLogReader({
      client: new CloudWatchLogsClient({ region: 'eu-west-1' }),
      logGroupOf: () => '/vigil/shop/fraud-api',
      clock: { now: () => now },
      timeoutMs: 3000,
      pollIntervalMs: 1000,
      sleep: async (ms) => {
        now += ms;
      },
    });

    // Act
    const query = r.query({ service: 'fraud-api', range: RANGE });

    // Assess
    await expect(query).rejects.toThrow(/still Running after 3000 ms; stopped it/);
    expect(logs).toHaveReceivedCommandWith(StopQueryCommand, { queryId: 'q-1' });
    expect(logs).toHaveReceivedCommandTimes(GetQueryResultsCommand, 4);
  });

  it('refuses a query without service when no groups are known', async () => {
    // Prepare
    const r = new LogsInsightsLogReader({
      client: new CloudWatchLogsClient({ region: 'eu-west-1' }),
      logGroupOf: () => '/vigil/shop/fraud-api',
    });

    // Act
    const query = r.query({ range: RANGE });

    // Assess
    await expect(query).rejects.toThrow(BadRequestError);
    expect(logs).not.toHaveReceivedCommand(StartQueryCommand);
  });

  it('turns a malformed query into a BadRequestError', async () => {
    // Prepare
    logs
      .on(StartQueryCommand)
      .rejects(Object.assign(new Error('unexpected symbol'), { name: 'MalformedQueryException' }));

    // Act
    const query = reader().query({ service: 'fraud-api', range: RANGE });

    // Assess
    await expect(query).rejects.toThrow(BadRequestError);
  });
});
