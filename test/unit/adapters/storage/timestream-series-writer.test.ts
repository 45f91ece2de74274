import {
  InternalServerException,
  RejectedRecordsException,
  ResourceNotFoundException,
  ThrottlingException,
  TimestreamWriteClient,
  WriteRecordsCommand,
  type WriteRecordsCommandInput,
} from '@aws-sdk/client-timestream-write';
import { mockClient } from 'aws-sdk-client-mock';
import { TimestreamSeriesWriter } from '../../../../lambdas/adapters/storage/timestream-series-writer';
import { StorageThrottledError, StorageUnavailableError } from '../../../../lambdas/domain/errors';
import { STALE_NAN, type Series } from '../../../../lambdas/domain/series/sample';

const NOW = 1_700_000_000_000;
const client = new TimestreamWriteClient({ region: 'eu-west-1' });
const mock = mockClient(client);

const makeWriter = (sleeps: number[] = [], now = NOW) =>
  new TimestreamSeriesWriter({
    client,
    database: 'vigil',
    table: 'samples',
    maxAttempts: 3,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    random: () => 0.5,
    clock: { now: () => now },
  });

const series = (labels: Record<string, string>, n: number, start = NOW - 3_600_000): Series => ({
  labels,
  samples: Array.from({ length: n }, (_, i) => ({ t: start + i * 1000, v: i })),
});

const inputs = (): WriteRecordsCommandInput[] =>
  mock.commandCalls(WriteRecordsCommand).map((c) => c.args[0].input);

describe('Class: TimestreamSeriesWriter', () => {
  afterEach(() => {
    mock.reset();
  });

  describe('Method: write', () => {
    it('sends 250 samples of one series as 3 requests with the series in CommonAttributes', async () => {
      // Prepare
      mock.on(WriteRecordsCommand).resolves({});
      const s = series({ __name__: 'http_requests_total', job: 'api', status: '500' }, 250);

      // Act
      const result = await makeWriter().write([s]);

      // Assess
      expect(result).toEqual({ accepted: 250, rejected: [] });
      expect(mock).toHaveReceivedCommandTimes(WriteRecordsCommand, 3);
      expect(inputs().map((i) => i.Records?.length)).toEqual([100, 100, 50]);
      expect(inputs()[0]).toEqual({
        DatabaseName: 'vigil',
        TableName: 'samples',
        CommonAttributes: {
          Dimensions: [
            { Name: 'job', Value: 'api' },
            { Name: 'status', Value: '500' },
          ],
          MeasureName: 'http_requests_total',
          MeasureValueType: 'DOUBLE',
          TimeUnit: 'MILLISECONDS',
          Version: NOW,
        },
        Records: expect.any(Array),
      });
      expect(inputs()[2]?.CommonAttributes?.MeasureName).toBe('http_requests_total');
      expect(inputs()[0]?.Records?.[1]).toEqual({
        MeasureValue: '1',
        Time: String(NOW - 3_599_000),
      });
    });

    it('sends 10,000 samples over 100 series in exactly 100 requests', async () => {
      // Prepare
      mock.on(WriteRecordsCommand).resolves({});
      const all = Array.from({ length: 100 }, (_, i) =>
        series({ __name__: 'gpu_util', instance: `i-${i}` }, 100),
      );

      // Act
      const result = await makeWriter().write(all);

      // Assess
      expect(result.accepted).toBe(10_000);
      expect(mock).toHaveReceivedCommandTimes(WriteRecordsCommand, 100);
      for (const input of inputs()) {
        expect(input.Records).toHaveLength(100);
        expect(input.CommonAttributes?.Dimensions).toHaveLength(1);
        expect(
          input.Records?.every((r) => r.Dimensions === undefined && r.MeasureName === undefined),
        ).toBe(true);
      }
    });

    it('packs small series together, keeping shared dimensions in CommonAttributes', async () => {
      // Prepare
      mock.on(WriteRecordsCommand).resolves({});
      const all = Array.from({ length: 150 }, (_, i) =>
        series(
          { __name__: i % 2 ? 'up' : 'scrape_duration_seconds', job: 'node', instance: `h${i}` },
          1,
        ),
      );

      // Act
      await makeWriter().write(all);

      // Assess: ceil(150 / 100) requests
      expect(inputs().map((i) => i.Records?.length)).toEqual([100, 50]);
      expect(inputs()[0]?.CommonAttributes).toEqual({
        Dimensions: [{ Name: 'job', Value: 'node' }],
        MeasureValueType: 'DOUBLE',
        TimeUnit: 'MILLISECONDS',
        Version: NOW,
      });
      expect(inputs()[0]?.Records?.[0]).toEqual({
        Dimensions: [{ Name: 'instance', Value: 'h0' }],
        MeasureName: 'scrape_duration_seconds',
        MeasureValue: '0',
        Time: String(NOW - 3_600_000),
      });
    });

    it('encodes NaN, +Inf, -Inf and the stale marker in a special dimension', async () => {
      // Prepare
      mock.on(WriteRecordsCommand).resolves({});
      const t = NOW - 60_000;
      const s: Series = {
        labels: { __name__: 'm', job: 'x' },
        samples: [
          { t, v: Number.NaN },
          { t: t + 1, v: Number.POSITIVE_INFINITY },
          { t: t + 2, v: Number.NEGATIVE_INFINITY },
          { t: t + 3, v: STALE_NAN },
          { t: t + 4, v: 0.25 },
        ],
      };

      // Act
      await makeWriter().write([s]);

      // Assess
      expect(inputs()[0]?.Records).toEqual([
        {
          Dimensions: [{ Name: 'vigil__special', Value: 'NaN' }],
          MeasureValue: '0',
          Time: String(t),
        },
        {
          Dimensions: [{ Name: 'vigil__special', Value: '+Inf' }],
          MeasureValue: '0',
          Time: String(t + 1),
        },
        {
          Dimensions: [{ Name: 'vigil__special', Value: '-Inf' }],
          MeasureValue: '0',
          Time: String(t + 2),
        },
        {
          Dimensions: [{ Name: 'vigil__special', Value: 'stale' }],
          MeasureValue: '0',
          Time: String(t + 3),
        },
        { MeasureValue: '0.25', Time: String(t + 4) },
      ]);
    });

    it('escapes label names Timestream reserves as dimension names', async () => {
      // Prepare
      mock.on(WriteRecordsCommand).resolves({});
      const s = series(
        {
          __name__: 'm',
          time: 'a',
          measure_name: 'b',
          ts_id: 'c',
          vigil_x: 'd',
          Measure_Value_x: 'e',
          ok: 'f',
        },
        1,
      );

      // Act
      await makeWriter().write([s]);

      // Assess
      expect(inputs()[0]?.CommonAttributes?.Dimensions?.map((d) => d.Name)).toEqual([
        'ok',
        'vigil_Measure_Value_x',
        'vigil_measure_name',
        'vigil_time',
        'vigil_ts_id',
        'vigil_vigil_x',
      ]);
    });

    it('keeps the last value of a duplicated timestamp and raises Version between writes', async () => {
      // Prepare
      mock.on(WriteRecordsCommand).resolves({});
      const writer = makeWriter();
      const t = NOW - 1000;

      // Act
      await writer.write([
        { labels: { __name__: 'm', a: '1' }, samples: [{ t, v: 1 }] },
        { labels: { a: '1', __name__: 'm' }, samples: [{ t, v: 2 }] },
      ]);
      await writer.write([{ labels: { __name__: 'm', a: '1' }, samples: [{ t, v: 3 }] }]);

      // Assess
      expect(inputs().map((i) => [i.Records, i.CommonAttributes?.Version])).toEqual([
        [[{ MeasureValue: '2', Time: String(t) }], NOW],
        [[{ MeasureValue: '3', Time: String(t) }], NOW + 1],
      ]);
    });

    it('maps RejectedRecords back to their series and samples without retrying them', async () => {
      // Prepare
      const all = [series({ __name__: 'a', x: '1' }, 120), series({ __name__: 'b', x: '2' }, 30)];
      mock
        .on(WriteRecordsCommand)
        .resolvesOnce({})
        .rejectsOnce(
          new RejectedRecordsException({
            $metadata: {},
            message: 'One or more records have been rejected.',
            RejectedRecords: [
              {
                RecordIndex: 3,
                Reason:
                  'The record timestamp is outside the time range of the data ingestion window.',
              },
              { RecordIndex: 25, Reason: 'Dimension value too long.' },
            ],
          }),
        );

      // Act
      const result = await makeWriter().write(all);

      // Assess: the mixed batch holds a's samples 100..119 then b's 0..29
      expect(mock).toHaveReceivedCommandTimes(WriteRecordsCommand, 2);
      expect(result.accepted).toBe(148);
      expect(result.rejected).toEqual([
        {
          labels: { __name__: 'a', x: '1' },
          sample: { t: NOW - 3_600_000 + 103_000, v: 103 },
          reason: 'The record timestamp is outside the time range of the data ingestion window.',
        },
        {
          labels: { __name__: 'b', x: '2' },
          sample: { t: NOW - 3_600_000 + 5_000, v: 5 },
          reason: 'Dimension value too long.',
        },
      ]);
    });

    it('resends a record refused for an older Version once, above ExistingVersion', async () => {
      // Prepare
      mock
        .on(WriteRecordsCommand)
        .rejectsOnce(
          new RejectedRecordsException({
            $metadata: {},
            message: 'rejected',
            RejectedRecords: [
              {
                RecordIndex: 1,
                Reason: 'A record with a higher version exists',
                ExistingVersion: NOW + 500,
              },
            ],
          }),
        )
        .resolves({});

      // Act
      const result = await makeWriter().write([series({ __name__: 'm', j: 'x' }, 2)]);

      // Assess
      expect(result).toEqual({ accepted: 2, rejected: [] });
      expect(inputs()[1]).toEqual({
        DatabaseName: 'vigil',
        TableName: 'samples',
        CommonAttributes: {
          Dimensions: [{ Name: 'j', Value: 'x' }],
          MeasureName: 'm',
          MeasureValueType: 'DOUBLE',
          TimeUnit: 'MILLISECONDS',
        },
        Records: [{ MeasureValue: '1', Time: String(NOW - 3_599_000), Version: NOW + 501 }],
      });
    });

    it('retries throttling with full-jitter backoff, then succeeds', async () => {
      // Prepare
      const sleeps: number[] = [];
      mock
        .on(WriteRecordsCommand)
        .rejectsOnce(
          new ThrottlingException({ $metadata: {}, message: 'slow down', Message: 'slow down' }),
        )
        .rejectsOnce(
          new InternalServerException({ $metadata: {}, message: 'oops', Message: 'oops' }),
        )
        .resolves({});

      // Act
      const result = await makeWriter(sleeps).write([series({ __name__: 'm', j: 'x' }, 5)]);

      // Assess: random() = 0.5 of caps 50 and 100 ms
      expect(result.accepted).toBe(5);
      expect(mock).toHaveReceivedCommandTimes(WriteRecordsCommand, 3);
      expect(sleeps).toEqual([25, 50]);
    });

    it('throws StorageThrottledError with retryAfterMs when throttling outlasts the attempts', async () => {
      // Prepare
      mock
        .on(WriteRecordsCommand)
        .rejects(
          new ThrottlingException({ $metadata: {}, message: 'slow down', Message: 'slow down' }),
        );

      // Act
      const write = makeWriter().write([series({ __name__: 'm', j: 'x' }, 5)]);

      // Assess
      await expect(write).rejects.toBeInstanceOf(StorageThrottledError);
      await expect(write).rejects.toMatchObject({ retryAfterMs: 400 });
      expect(mock).toHaveReceivedCommandTimes(WriteRecordsCommand, 3);
    });

    it('names the table when it does not exist, without retrying', async () => {
      // Prepare
      mock
        .on(WriteRecordsCommand)
        .rejects(
          new ResourceNotFoundException({ $metadata: {}, message: 'Table samples not found' }),
        );

      // Act
      const write = makeWriter().write([series({ __name__: 'm', j: 'x' }, 1)]);

      // Assess
      await expect(write).rejects.toBeInstanceOf(StorageUnavailableError);
      await expect(write).rejects.toThrow('Timestream table "vigil"."samples" is not reachable');
      expect(mock).toHaveReceivedCommandTimes(WriteRecordsCommand, 1);
    });

    it('rejects before sending what Timestream limits forbid', async () => {
      // Prepare
      mock.on(WriteRecordsCommand).resolves({});
      const longName = `l${'x'.repeat(60)}`;

      // Act
      const result = await makeWriter().write([
        { labels: { __name__: 'm', [longName]: 'v' }, samples: [{ t: NOW, v: 1 }] },
        {
          labels: { __name__: 'm', j: 'x' },
          samples: [
            { t: NOW + 16 * 60_000, v: 1 },
            { t: NOW, v: 2 },
          ],
        },
      ]);

      // Assess
      expect(result.accepted).toBe(1);
      expect(result.rejected.map((r) => r.reason)).toEqual([
        `label name '${longName}' is longer than 60 bytes as a Timestream dimension name`,
        'timestamp is more than 15 minutes in the future (Timestream future ingestion period)',
      ]);
      expect(mock).toHaveReceivedCommandTimes(WriteRecordsCommand, 1);
    });
  });
});
