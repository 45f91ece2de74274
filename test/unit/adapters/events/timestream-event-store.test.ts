import {
  QueryCommand,
  TimestreamQueryClient,
  type QueryCommandOutput,
} from '@aws-sdk/client-timestream-query';
import {
  RejectedRecordsException,
  TimestreamWriteClient,
  WriteRecordsCommand,
} from '@aws-sdk/client-timestream-write';
import { mockClient } from 'aws-sdk-client-mock';
import { TimestreamEventStore } from '../../../../lambdas/adapters/events/timestream-event-store';
import { StorageThrottledError } from '../../../../lambdas/domain/errors';
import type { PredictionRecord } from '../../../../lambdas/domain/ports';

const write = mockClient(TimestreamWriteClient);
const query = mockClient(TimestreamQueryClient);
const T0 = Date.UTC(2026, 10, 25, 12);

const prediction = (
  i: number,
  measures: PredictionRecord['measures'] = { confidence: 0.9, prediction: 'fraud' },
): PredictionRecord => ({
  timestampMs: T0 + i,
  service: 'fraud-api',
  model: 'xgb',
  modelVersion: 'v1.4.0',
  measures,
});

const store = () =>
  new TimestreamEventStore({
    writeClient: new TimestreamWriteClient({ region: 'eu-west-1' }),
    queryClient: new TimestreamQueryClient({ region: 'eu-west-1' }),
    database: 'vigil-shop',
    table: 'events',
    maxAttempts: 2,
    sleep: async () => {},
    random: () => 0,
  });

afterEach(() => {
  write.reset();
  query.reset();
});

describe('Class: TimestreamEventStore', () => {
  describe('Method: write', () => {
    it('writes multi-measure records with the three dimensions', async () => {
      // Prepare
      write.on(WriteRecordsCommand).resolves({});

      // Act
      const result = await store().write([
        prediction(0, { confidence: 0.93, prediction: 'fraud', amount: 120 }),
        { ...prediction(5), model: 'xgb', modelVersion: '' },
      ]);

      // Assess
      expect(result).toEqual({ accepted: 2, rejected: [] });
      expect(write).toHaveReceivedCommandWith(WriteRecordsCommand, {
        DatabaseName: 'vigil-shop',
        TableName: 'events',
        CommonAttributes: {
          MeasureName: 'prediction',
          MeasureValueType: 'MULTI',
          TimeUnit: 'MICROSECONDS',
        },
        Records: [
          {
            Dimensions: [
              { Name: 'service', Value: 'fraud-api' },
              { Name: 'model', Value: 'xgb' },
              { Name: 'model_version', Value: 'v1.4.0' },
            ],
            MeasureValues: [
              { Name: 'confidence', Value: '0.93', Type: 'DOUBLE' },
              { Name: 'prediction', Value: 'fraud', Type: 'VARCHAR' },
              { Name: 'amount', Value: '120', Type: 'DOUBLE' },
            ],
            Time: String(T0 * 1000),
          },
          {
            Dimensions: [
              { Name: 'service', Value: 'fraud-api' },
              { Name: 'model', Value: 'xgb' },
            ],
            MeasureValues: [
              { Name: 'confidence', Value: '0.9', Type: 'DOUBLE' },
              { Name: 'prediction', Value: 'fraud', Type: 'VARCHAR' },
            ],
            Time: String((T0 + 5) * 1000),
          },
        ],
      });
    });

    it('keeps two predictions of one millisecond apart and escapes reserved names', async () => {
      // Prepare
      write.on(WriteRecordsCommand).resolves({});

      // Act
      await store().write([prediction(0, { time: 1, model: 'x' }), prediction(0)]);

      // Assess
      const records = write.commandCalls(WriteRecordsCommand)[0]?.args[0].input.Records ?? [];
      expect(records.map((r) => r.Time)).toEqual([String(T0 * 1000), String(T0 * 1000 + 1)]);
      expect(records[0]?.MeasureValues?.map((m) => m.Name)).toEqual(['vigil_time', 'vigil_model']);
    });

    it('sends at most 100 records per WriteRecords', async () => {
      // Prepare
      write.on(WriteRecordsCommand).resolves({});

      // Act
      const result = await store().write(Array.from({ length: 250 }, (_, i) => prediction(i)));

      // Assess
      expect(result.accepted).toBe(250);
      const sizes = write
        .commandCalls(WriteRecordsCommand)
        .map((c) => c.args[0].input.Records?.length);
      expect(sizes).toEqual([100, 100, 50]);
    });

    it('maps rejected records back to input indices with the reason', async () => {
      // Prepare: index 2 is refused locally, so the second chunk starts at input 101.
      write
        .on(WriteRecordsCommand)
        .resolvesOnce({})
        .rejectsOnce(
          new RejectedRecordsException({
            message: 'One or more records have been rejected.',
            $metadata: {},
            RejectedRecords: [{ RecordIndex: 0, Reason: 'Measure type mismatch for confidence' }],
          }),
        );
      const records = Array.from({ length: 102 }, (_, i) => prediction(i));
      records[2] = prediction(2, { confidence: Number.NaN });

      // Act
      const result = await store().write(records);

      // Assess
      expect(result).toEqual({
        accepted: 100,
        rejected: [
          {
            index: 2,
            reason: "measure 'confidence' is NaN: Timestream DOUBLE cannot hold NaN or infinities",
          },
          { index: 101, reason: 'Measure type mismatch for confidence' },
        ],
      });
    });

    it('refuses a record without measures', async () => {
      // Act
      const result = await store().write([prediction(0, {})]);

      // Assess
      expect(result).toEqual({
        accepted: 0,
        rejected: [{ index: 0, reason: 'prediction has no declared measure to store' }],
      });
      expect(write).not.toHaveReceivedCommand(WriteRecordsCommand);
    });

    it('retries throttling, then throws StorageThrottledError', async () => {
      // Prepare
      write
        .on(WriteRecordsCommand)
        .rejects(Object.assign(new Error('slow down'), { name: 'ThrottlingException' }));

      // Act
      const result = store().write([prediction(0)]);

      // Assess
      await expect(result).rejects.toThrow(StorageThrottledError);
      expect(write).toHaveReceivedCommandTimes(WriteRecordsCommand, 2);
    });
  });

  describe('Method: query', () => {
    const describeTable: Partial<QueryCommandOutput> = {
      ColumnInfo: ['Column', 'Type', 'Timestream attribute type'].map((Name) => ({
        Name,
        Type: { ScalarType: 'VARCHAR' },
      })),
      Rows: [
        ['service', 'varchar', 'DIMENSION'],
        ['confidence', 'double', 'MULTI'],
        ['prediction', 'varchar', 'MULTI'],
        ['vigil_time', 'double', 'MULTI'],
      ].map((cols) => ({ Data: cols.map((ScalarValue) => ({ ScalarValue })) })),
    };
    const columns = ['service', 'model', 'model_version', 't', 'confidence', 'vigil_time'].map(
      (Name) => ({ Name }),
    );
    const data = (...values: (string | null)[]) => ({
      Data: values.map((v) => (v === null ? { NullValue: true } : { ScalarValue: v })),
    });

    it('selects the asked fields, follows NextToken and parses the rows', async () => {
      // Prepare
      const pages: Record<string, unknown> = {
        '': {
          ColumnInfo: columns,
          Rows: [data('fraud-api', 'xgb', 'v1', String(T0), '0.93', null)],
          NextToken: 'p2',
        },
        p2: { Rows: [], NextToken: 'p3' },
        p3: {
          ColumnInfo: columns,
          Rows: [data('fraud-api', 'xgb', null, String(T0 + 1), '0.5', '7')],
        },
      };
      query
        .on(QueryCommand)
        .callsFake((input: { QueryString: string; NextToken?: string }) =>
          input.QueryString.startsWith('DESCRIBE') ? describeTable : pages[input.NextToken ?? ''],
        );

      // Act
      const got = await store().query({
        service: 'fraud-api',
        model: "x'gb",
        fields: ['confidence', 'time', 'never_written'],
        range: { startMs: T0, endMs: T0 + 60_000 },
      });

      // Assess
      expect(query).toHaveReceivedCommandWith(QueryCommand, {
        QueryString: `SELECT "service", "model", "model_version", to_milliseconds(time) AS t, "confidence", "vigil_time" FROM "vigil-shop"."events" WHERE measure_name = 'prediction' AND time BETWEEN from_milliseconds(${T0}) AND from_milliseconds(${T0 + 60_000}) AND "service" = 'fraud-api' AND "model" = 'x''gb' ORDER BY time`,
      });
      expect(query).toHaveReceivedCommandWith(QueryCommand, { NextToken: 'p3' });
      expect(got).toEqual([
        {
          timestampMs: T0,
          service: 'fraud-api',
          model: 'xgb',
          modelVersion: 'v1',
          measures: { confidence: 0.93 },
        },
        {
          timestampMs: T0 + 1,
          service: 'fraud-api',
          model: 'xgb',
          modelVersion: '',
          measures: { confidence: 0.5, time: 7 },
        },
      ]);
    });
  });
});
