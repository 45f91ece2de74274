import {
  CloudWatchLogsClient,
  CreateLogStreamCommand,
  PutLogEventsCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import { mockClient } from 'aws-sdk-client-mock';
import { CloudWatchLogSink } from '../../../../lambdas/adapters/logs/cloudwatch-log-sink';
import { StorageThrottledError, StorageUnavailableError } from '../../../../lambdas/domain/errors';
import { logEvent, NOW_MS } from './log-event-fixture';

const logs = mockClient(CloudWatchLogsClient);
const STREAM = '2026/11/25/instance-1';
const GROUP = '/vigil/shop/fraud-api';

const awsError = (name: string, message: string, status = 400): Error =>
  Object.assign(new Error(message), { name, $metadata: { httpStatusCode: status } });

const sink = (options: { maxAttempts?: number; sleeps?: number[] } = {}) =>
  new CloudWatchLogSink({
    client: new CloudWatchLogsClient({ region: 'eu-west-1' }),
    logGroupOf: (service) => `/vigil/shop/${service}`,
    streamName: STREAM,
    clock: { now: () => NOW_MS },
    maxAttempts: options.maxAttempts ?? 3,
    sleep: async (ms) => {
      options.sleeps?.push(ms);
    },
    random: () => 0.5,
  });

beforeEach(() => {
  logs.on(CreateLogStreamCommand).resolves({});
  logs.on(PutLogEventsCommand).resolves({});
});

afterEach(() => {
  logs.reset();
});

describe('Class: CloudWatchLogSink', () => {
  it('creates its stream once per group, then puts the events in time order', async () => {
    // Prepare
    const events = [
      logEvent(NOW_MS - 1000, { message: 'second' }),
      logEvent(NOW_MS - 2000, { message: 'first' }),
    ];
    const s = sink();

    // Act
    const first = await s.put(events);
    await s.put([logEvent(NOW_MS, { message: 'third' })]);

    // Assess
    expect(first).toEqual({ accepted: 2, rejected: [] });
    expect(logs).toHaveReceivedCommandTimes(CreateLogStreamCommand, 1);
    expect(logs).toHaveReceivedCommandWith(CreateLogStreamCommand, {
      logGroupName: GROUP,
      logStreamName: STREAM,
    });
    expect(logs).toHaveReceivedNthCommandWith(2, PutLogEventsCommand, {
      logGroupName: GROUP,
      logStreamName: STREAM,
      logEvents: [
        {
          timestamp: NOW_MS - 2000,
          message: '{"service":"fraud-api","level":"INFO","message":"first"}',
        },
        {
          timestamp: NOW_MS - 1000,
          message: '{"service":"fraud-api","level":"INFO","message":"second"}',
        },
      ],
    });
  });

  it('names its stream <date>/<uuid> by default, different per instance', () => {
    // Prepare
    const make = () =>
      new CloudWatchLogSink({
        client: new CloudWatchLogsClient({ region: 'eu-west-1' }),
        logGroupOf: () => GROUP,
        clock: { now: () => NOW_MS },
      });

    // Act
    const [a, b] = [make(), make()];

    // Assess
    expect(a.streamName).toMatch(/^2026\/11\/25\/[0-9a-f-]{36}$/);
    expect(a.streamName).not.toBe(b.streamName);
  });

  it('takes an existing stream (ResourceAlreadyExistsException) as created', async () => {
    // Prepare
    logs
      .on(CreateLogStreamCommand)
      .rejects(
        awsError('ResourceAlreadyExistsException', 'The specified log stream already exists'),
      );

    // Act
    const result = await sink().put([logEvent(NOW_MS)]);

    // Assess
    expect(result).toEqual({ accepted: 1, rejected: [] });
    expect(logs).toHaveReceivedCommandTimes(PutLogEventsCommand, 1);
  });

  it('re-creates a deleted stream and sends the batch again once', async () => {
    // Prepare
    logs
      .on(PutLogEventsCommand)
      .rejectsOnce(
        awsError('ResourceNotFoundException', 'The specified log stream does not exist.'),
      )
      .resolves({});
    const s = sink();

    // Act
    const result = await s.put([logEvent(NOW_MS)]);

    // Assess
    expect(result).toEqual({ accepted: 1, rejected: [] });
    expect(logs).toHaveReceivedCommandTimes(CreateLogStreamCommand, 2);
    expect(logs).toHaveReceivedCommandTimes(PutLogEventsCommand, 2);
  });

  it('fails naming the group when the log group does not exist', async () => {
    // Prepare
    logs
      .on(CreateLogStreamCommand)
      .rejects(awsError('ResourceNotFoundException', 'The specified log group does not exist.'));

    // Act
    const put = sink().put([logEvent(NOW_MS)]);

    // Assess
    await expect(put).rejects.toThrow(StorageUnavailableError);
    await expect(sink().put([logEvent(NOW_MS)])).rejects.toThrow(
      /CloudWatch Logs group "\/vigil\/shop\/fraud-api" is not reachable/,
    );
  });

  it('maps rejectedLogEventsInfo back to input indices', async () => {
    // Prepare: five events given out of order; batch order is by time.
    const events = [
      logEvent(NOW_MS - 4000, { message: 'b' }), // batch index 1
      logEvent(NOW_MS + 3000, { message: 'e' }), // 4
      logEvent(NOW_MS - 5000, { message: 'a' }), // 0
      logEvent(NOW_MS + 1000, { message: 'd' }), // 3
      logEvent(NOW_MS, { message: 'c' }), // 2
    ];
    logs.on(PutLogEventsCommand).resolves({
      rejectedLogEventsInfo: {
        tooOldLogEventEndIndex: 1,
        expiredLogEventEndIndex: 2,
        tooNewLogEventStartIndex: 4,
      },
    });

    // Act
    const result = await sink().put(events);

    // Assess
    expect(result).toEqual({
      accepted: 2,
      rejected: [
        {
          index: 0,
          reason: "CloudWatch Logs refused the event: older than the log group's retention period",
        },
        { index: 1, reason: 'CloudWatch Logs refused the event: more than 2 hours in the future' },
        { index: 2, reason: 'CloudWatch Logs refused the event: more than 14 days old' },
      ],
    });
  });

  it('rejects too old and too new events locally and stores the rest', async () => {
    // Prepare
    const events = [
      logEvent(NOW_MS - 15 * 86_400_000),
      logEvent(NOW_MS),
      logEvent(NOW_MS + 3 * 3_600_000),
    ];

    // Act
    const result = await sink().put(events);

    // Assess
    expect(result.accepted).toBe(1);
    expect(result.rejected.map((r) => r.index)).toEqual([0, 2]);
    expect(logs).toHaveReceivedCommandWith(PutLogEventsCommand, {
      logEvents: [{ timestamp: NOW_MS, message: expect.any(String) }],
    });
  });

  it('sends one PutLogEvents per group', async () => {
    // Prepare
    const events = [logEvent(NOW_MS, { service: 'ranker' }), logEvent(NOW_MS)];

    // Act
    await sink().put(events);

    // Assess
    expect(logs).toHaveReceivedCommandTimes(PutLogEventsCommand, 2);
    expect(logs).toHaveReceivedCommandWith(PutLogEventsCommand, {
      logGroupName: '/vigil/shop/ranker',
    });
    expect(logs).toHaveReceivedCommandWith(PutLogEventsCommand, { logGroupName: GROUP });
  });

  it('retries throttling with full-jitter backoff, then succeeds', async () => {
    // Prepare
    const sleeps: number[] = [];
    logs
      .on(PutLogEventsCommand)
      .rejectsOnce(awsError('ThrottlingException', 'Rate exceeded'))
      .rejectsOnce(awsError('ServiceUnavailableException', 'try again', 503))
      .resolves({});

    // Act
    const result = await sink({ sleeps }).put([logEvent(NOW_MS)]);

    // Assess
    expect(result).toEqual({ accepted: 1, rejected: [] });
    expect(logs).toHaveReceivedCommandTimes(PutLogEventsCommand, 3);
    // random() = 0.5 of the caps 50 and 100 ms
    expect(sleeps).toEqual([25, 50]);
  });

  it('throws StorageThrottledError when throttling outlasts the retries', async () => {
    // Prepare
    logs.on(PutLogEventsCommand).rejects(awsError('ThrottlingException', 'Rate exceeded'));

    // Act
    const put = sink({ maxAttempts: 2 }).put([logEvent(NOW_MS)]);

    // Assess
    await expect(put).rejects.toThrow(StorageThrottledError);
    expect(logs).toHaveReceivedCommandTimes(PutLogEventsCommand, 2);
  });

  it('throws StorageUnavailableError when CloudWatch Logs refuses the request', async () => {
    // Prepare
    logs
      .on(PutLogEventsCommand)
      .rejects(awsError('InvalidParameterException', 'Log event too large'));

    // Act
    const put = sink().put([logEvent(NOW_MS)]);

    // Assess
    await expect(put).rejects.toThrow(
      'CloudWatch Logs group "/vigil/shop/fraud-api": PutLogEvents failed: InvalidParameterException: Log event too large',
    );
  });

  it('splits 10,001 events into two PutLogEvents calls', async () => {
    // Prepare
    const events = Array.from({ length: 10_001 }, (_, i) => logEvent(NOW_MS - 20_000 + i));

    // Act
    const result = await sink().put(events);

    // Assess
    expect(result).toEqual({ accepted: 10_001, rejected: [] });
    const sizes = logs
      .commandCalls(PutLogEventsCommand)
      .map((c) => c.args[0].input.logEvents?.length);
    expect(sizes).toEqual([10_000, 1]);
  });
});
