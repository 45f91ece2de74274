import {
  RejectedRecordsException,
  ThrottlingException,
  TimestreamWriteClient,
  WriteRecordsCommand,
} from '@aws-sdk/client-timestream-write';
import { mockClient } from 'aws-sdk-client-mock';
import { withRetries } from '../../../../lambdas/adapters/storage/timestream/retry';
import { TimestreamSeriesStore } from '../../../../lambdas/adapters/storage/timestream-series-store';
import { StorageThrottledError } from '../../../../lambdas/domain/errors';
import type { Series } from '../../../../lambdas/domain/series/sample';

const NOW = 1_700_000_000_000;
const writeClient = new TimestreamWriteClient({ region: 'eu-west-1' });
const mock = mockClient(writeClient);

const series = (n: number): Series => ({
  labels: { __name__: 'http_requests_total', job: 'api' },
  samples: Array.from({ length: n }, (_, i) => ({ t: NOW - 60_000 + i * 1000, v: i })),
});

/** A store whose hooks record what self-monitoring would count. */
const makeStore = () => {
  const counts = { throttled: 0, rejected: [] as number[] };
  const store = new TimestreamSeriesStore({
    writeClient,
    database: 'vigil',
    table: 'samples',
    maxAttempts: 3,
    sleep: async () => {},
    random: () => 0,
    clock: { now: () => NOW },
    onThrottled: () => {
      counts.throttled += 1;
    },
    onRejectedRecords: (n) => {
      counts.rejected.push(n);
    },
  });
  return { store, counts };
};

const throttling = () =>
  new ThrottlingException({ $metadata: {}, message: 'slow down', Message: 'slow down' });

describe('Feature: Timestream self-monitoring hooks', () => {
  afterEach(() => {
    mock.reset();
  });

  it('reports every throttled attempt, including the retried ones that end in success', async () => {
    // Prepare
    mock.on(WriteRecordsCommand).rejectsOnce(throttling()).rejectsOnce(throttling()).resolves({});
    const { store, counts } = makeStore();

    // Act
    const result = await store.write([series(3)]);

    // Assess
    expect(result).toEqual({ accepted: 3, rejected: [] });
    expect(counts).toEqual({ throttled: 2, rejected: [] });
  });

  it('reports throttled attempts when throttling outlasts the retries', async () => {
    // Prepare
    mock.on(WriteRecordsCommand).rejects(throttling());
    const { store, counts } = makeStore();

    // Act
    const write = store.write([series(3)]);

    // Assess
    await expect(write).rejects.toBeInstanceOf(StorageThrottledError);
    expect(counts.throttled).toBe(3);
  });

  it('reports the number of records Timestream rejected in one write, once', async () => {
    // Prepare
    mock.on(WriteRecordsCommand).rejects(
      new RejectedRecordsException({
        $metadata: {},
        message: 'One or more records have been rejected.',
        RejectedRecords: [
          { RecordIndex: 0, Reason: 'Dimension value too long.' },
          { RecordIndex: 2, Reason: 'Dimension value too long.' },
        ],
      }),
    );
    const { store, counts } = makeStore();

    // Act
    const result = await store.write([series(3)]);

    // Assess
    expect(result.accepted).toBe(1);
    expect(counts).toEqual({ throttled: 0, rejected: [2] });
  });

  it('reports nothing when every record is stored', async () => {
    // Prepare
    mock.on(WriteRecordsCommand).resolves({});
    const { store, counts } = makeStore();

    // Act
    await store.write([series(150)]);

    // Assess
    expect(counts).toEqual({ throttled: 0, rejected: [] });
  });

  it('calls onThrottled from withRetries, which the reader shares, on a 429 too', async () => {
    // Prepare
    let throttled = 0;
    let calls = 0;
    const call = async () => {
      calls += 1;
      if (calls === 1)
        throw Object.assign(new Error('too many'), { $metadata: { httpStatusCode: 429 } });
      return 'ok';
    };

    // Act
    const value = await withRetries(call, {
      maxAttempts: 3,
      baseDelayMs: 1,
      maxDelayMs: 1,
      sleep: async () => {},
      random: () => 0,
      resource: 'Timestream table "vigil"."samples"',
      onThrottled: () => {
        throttled += 1;
      },
    });

    // Assess
    expect(value).toBe('ok');
    expect(throttled).toBe(1);
  });
});
