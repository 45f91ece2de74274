import {
  QueryCommand,
  type QueryCommandInput,
  type QueryCommandOutput,
  TimestreamQueryClient,
} from '@aws-sdk/client-timestream-query';
import {
  type _Record,
  TimestreamWriteClient,
  WriteRecordsCommand,
} from '@aws-sdk/client-timestream-write';
import { mockClient } from 'aws-sdk-client-mock';
import { TimestreamSeriesStore } from '../../../../lambdas/adapters/storage/timestream-series-store';
import { MatchOp } from '../../../../lambdas/domain/series/matchers';
import { isStaleNaN, STALE_NAN } from '../../../../lambdas/domain/series/sample';

const NOW = 1_700_000_000_000;
const writeClient = new TimestreamWriteClient({ region: 'eu-west-1' });
const queryClient = new TimestreamQueryClient({ region: 'eu-west-1' });
const writeMock = mockClient(writeClient);
const queryMock = mockClient(queryClient);

/** A fake table: stores what WriteRecords receives, answers DESCRIBE and the select query. */
const fakeTable = () => {
  const rows: Map<string, string>[] = [];
  writeMock.on(WriteRecordsCommand).callsFake((input) => {
    for (const r of input.Records as _Record[]) {
      const merged = { ...input.CommonAttributes, ...r };
      const row = new Map<string, string>();
      for (const d of [...(input.CommonAttributes?.Dimensions ?? []), ...(r.Dimensions ?? [])]) {
        row.set(d.Name as string, d.Value as string);
      }
      row.set('measure_name', merged.MeasureName as string);
      row.set('t', merged.Time as string);
      row.set('v', merged.MeasureValue as string);
      rows.push(row);
    }
    return {};
  });
  queryMock.on(QueryCommand).callsFake((input: QueryCommandInput): QueryCommandOutput => {
    const dims = [...new Set(rows.flatMap((r) => [...r.keys()]))].filter(
      (k) => !['measure_name', 't', 'v'].includes(k),
    );
    const cols = input.QueryString?.startsWith('DESCRIBE')
      ? ['Column', 'Type', 'Timestream attribute type']
      : [...dims, 'measure_name', 't', 'v'];
    const data = input.QueryString?.startsWith('DESCRIBE')
      ? dims.map((d) => [d, 'varchar', 'DIMENSION'])
      : rows.map((r) => cols.map((c) => r.get(c)));
    return {
      $metadata: {},
      QueryId: 'q',
      ColumnInfo: cols.map((Name) => ({ Name, Type: { ScalarType: 'VARCHAR' } })),
      Rows: data.map((r) => ({
        Data: r.map((c) => (c === undefined ? { NullValue: true } : { ScalarValue: c })),
      })),
    };
  });
};

describe('Class: TimestreamSeriesStore', () => {
  afterEach(() => {
    writeMock.reset();
    queryMock.reset();
  });

  it('round-trips NaN, ±Inf, stale markers and reserved label names through the table', async () => {
    // Prepare
    fakeTable();
    const store = new TimestreamSeriesStore({
      writeClient,
      queryClient,
      database: 'vigil',
      clock: { now: () => NOW },
    });
    const labels = { __name__: 'model_loss', measure_name: 'x', ts_run: '7', model: 'bert' };
    const t = NOW - 10_000;

    // Act
    await store.write([
      {
        labels,
        samples: [
          { t, v: 1.25 },
          { t: t + 1, v: Number.NaN },
          { t: t + 2, v: Number.POSITIVE_INFINITY },
          { t: t + 3, v: Number.NEGATIVE_INFINITY },
          { t: t + 4, v: STALE_NAN },
        ],
      },
    ]);
    const [s] = await store.select([{ name: 'ts_run', op: MatchOp.Equal, value: '7' }], {
      startMs: t,
      endMs: NOW,
    });

    // Assess
    expect(queryMock.commandCalls(QueryCommand).at(-1)?.args[0].input.QueryString).toContain(
      `"vigil_ts_run" = '7'`,
    );
    expect(s?.labels).toEqual({
      __name__: 'model_loss',
      measure_name: 'x',
      model: 'bert',
      ts_run: '7',
    });
    expect(s?.samples.map((x) => x.t)).toEqual([t, t + 1, t + 2, t + 3, t + 4]);
    expect(s?.samples[0]?.v).toBe(1.25);
    expect(Number.isNaN(s?.samples[1]?.v) && !isStaleNaN(s?.samples[1]?.v as number)).toBe(true);
    expect(s?.samples[2]?.v).toBe(Number.POSITIVE_INFINITY);
    expect(s?.samples[3]?.v).toBe(Number.NEGATIVE_INFINITY);
    expect(isStaleNaN(s?.samples[4]?.v as number)).toBe(true);
  });
});
