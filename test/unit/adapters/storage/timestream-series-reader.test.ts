import {
  type ColumnInfo,
  QueryCommand,
  type QueryCommandInput,
  type QueryCommandOutput,
  ThrottlingException,
  TimestreamQueryClient,
  ValidationException,
} from '@aws-sdk/client-timestream-query';
import { mockClient } from 'aws-sdk-client-mock';
import { TimestreamSeriesReader } from '../../../../lambdas/adapters/storage/timestream-series-reader';
import { StorageThrottledError, StorageUnavailableError } from '../../../../lambdas/domain/errors';
import { MatchOp } from '../../../../lambdas/domain/series/matchers';
import { isStaleNaN } from '../../../../lambdas/domain/series/sample';

const client = new TimestreamQueryClient({ region: 'eu-west-1' });
const mock = mockClient(client);
const RANGE = { startMs: 1_700_000_000_000, endMs: 1_700_000_300_000 };
const TIME = 'time BETWEEN from_milliseconds(1700000000000) AND from_milliseconds(1700000300000)';
const DESCRIBE = 'DESCRIBE "vigil"."samples"';

type Cell = string | null;
const page = (names: string[], rows: Cell[][], nextToken?: string): QueryCommandOutput => ({
  $metadata: {},
  QueryId: 'q',
  ColumnInfo: names.map((Name): ColumnInfo => ({ Name, Type: { ScalarType: 'VARCHAR' } })),
  Rows: rows.map((r) => ({
    Data: r.map((c) => (c === null ? { NullValue: true } : { ScalarValue: c })),
  })),
  ...(nextToken ? { NextToken: nextToken } : {}),
});

const describePage = (dims: string[]): QueryCommandOutput =>
  page(
    ['Column', 'Type', 'Timestream attribute type'],
    [
      ...dims.map((d) => [d, 'varchar', 'DIMENSION']),
      ['measure_name', 'varchar', 'MEASURE_NAME'],
      ['time', 'timestamp', 'TIMESTAMP'],
      ['measure_value::double', 'double', 'MEASURE_VALUE'],
    ],
  );

/** Answers DESCRIBE with `dims`, and other queries by NextToken from `pages`. */
const serve = (dims: string[], pages: Record<string, QueryCommandOutput>): void => {
  mock
    .on(QueryCommand)
    .callsFake((input: QueryCommandInput) =>
      input.QueryString === DESCRIBE ? describePage(dims) : pages[input.NextToken ?? 'first'],
    );
};

const queries = (): QueryCommandInput[] =>
  mock.commandCalls(QueryCommand).map((c) => c.args[0].input);
const sqls = (): string[] =>
  queries()
    .map((q) => q.QueryString ?? '')
    .filter((q) => q !== DESCRIBE);

const makeReader = (now = { t: 0 }) =>
  new TimestreamSeriesReader({
    client,
    database: 'vigil',
    table: 'samples',
    maxAttempts: 2,
    sleep: async () => {},
    random: () => 0,
    clock: { now: () => now.t },
    maxRows: Number.POSITIVE_INFINITY,
  });

const SELECT_COLS = ['job', 'status', 'vigil__special', 'measure_name', 't', 'v'];

describe('Class: TimestreamSeriesReader', () => {
  afterEach(() => {
    mock.reset();
  });

  describe('Method: select', () => {
    it('sends one time-bounded SQL query for a typical selector', async () => {
      // Prepare
      serve(['job', 'status', 'vigil__special'], { first: page(SELECT_COLS, []) });

      // Act
      await makeReader().select(
        [
          { name: '__name__', op: MatchOp.Equal, value: 'http_requests_total' },
          { name: 'status', op: MatchOp.RegexMatch, value: '5..' },
          { name: 'job', op: MatchOp.NotEqual, value: 'x' },
        ],
        RANGE,
      );

      // Assess
      expect(sqls()).toEqual([
        `SELECT "job", "status", "vigil__special", measure_name, to_milliseconds(time) AS t, measure_value::double AS v FROM "vigil"."samples" WHERE ${TIME} AND measure_name = 'http_requests_total' AND regexp_like("status", '^(?s:5..)\\z') AND ("job" IS NULL OR "job" <> 'x')`,
      ]);
    });

    it('translates empty-value, regex and __name__ regex matchers with Prometheus semantics', async () => {
      // Prepare
      serve(['job', 'env'], { first: page(['job', 'env', 'measure_name', 't', 'v'], []) });

      // Act
      await makeReader().select(
        [
          { name: '__name__', op: MatchOp.RegexMatch, value: 'node_.*' },
          { name: 'job', op: MatchOp.Equal, value: '' },
          { name: 'env', op: MatchOp.RegexMatch, value: 'prod|' },
          { name: 'env', op: MatchOp.RegexNoMatch, value: "it's" },
          { name: 'job', op: MatchOp.NotEqual, value: '' },
        ],
        RANGE,
      );

      // Assess
      expect(sqls()[0]).toContain(
        `WHERE ${TIME} AND regexp_like(measure_name, '^(?s:node_.*)\\z') AND "job" IS NULL AND ("env" IS NULL OR regexp_like("env", '^(?s:prod|)\\z')) AND ("env" IS NULL OR NOT regexp_like("env", '^(?s:it''s)\\z')) AND "job" IS NOT NULL`,
      );
    });

    it('treats matchers on never-written labels as constants', async () => {
      // Prepare
      serve(['job'], { first: page(['job', 'measure_name', 't', 'v'], []) });
      const reader = makeReader();

      // Act
      const none = await reader.select(
        [
          { name: '__name__', op: MatchOp.Equal, value: 'up' },
          { name: 'gpu', op: MatchOp.Equal, value: '0' },
        ],
        RANGE,
      );
      await reader.select(
        [
          { name: '__name__', op: MatchOp.Equal, value: 'up' },
          { name: 'gpu', op: MatchOp.NotEqual, value: '0' },
          { name: 'gpu', op: MatchOp.RegexMatch, value: '.*' },
          { name: 'gpu', op: MatchOp.Equal, value: '' },
        ],
        RANGE,
      );

      // Assess: the first cannot match and sends no query; DESCRIBE is cached
      expect(none).toEqual([]);
      expect(sqls()).toEqual([
        `SELECT "job", measure_name, to_milliseconds(time) AS t, measure_value::double AS v FROM "vigil"."samples" WHERE ${TIME} AND measure_name = 'up'`,
      ]);
      expect(queries().filter((q) => q.QueryString === DESCRIBE)).toHaveLength(1);
    });

    it('sends one DESCRIBE for concurrent selects on a cold reader (both sides of a / b)', async () => {
      // Prepare
      serve(['job'], { first: page(['job', 'measure_name', 't', 'v'], []) });
      const reader = makeReader();
      const up = [{ name: '__name__', op: MatchOp.Equal, value: 'up' }] as const;

      // Act
      await Promise.all([reader.select(up, RANGE), reader.select(up, RANGE)]);

      // Assess
      expect(queries().filter((q) => q.QueryString === DESCRIBE)).toHaveLength(1);
    });

    it('follows NextToken across three pages, the first one empty, and groups rows into series', async () => {
      // Prepare
      serve(['job', 'status', 'vigil__special'], {
        first: page(SELECT_COLS, [], 'p2'),
        p2: page(
          SELECT_COLS,
          [
            ['api', '500', null, 'http_requests_total', '1700000020000', '3.0'],
            ['api', null, null, 'http_requests_total', '1700000010000', '1.5'],
          ],
          'p3',
        ),
        p3: page(SELECT_COLS, [
          ['api', '500', null, 'http_requests_total', '1700000010000', '2.0'],
        ]),
      });

      // Act
      const result = await makeReader().select(
        [{ name: 'job', op: MatchOp.Equal, value: 'api' }],
        RANGE,
      );

      // Assess
      expect(queries().map((q) => q.NextToken)).toEqual([undefined, undefined, 'p2', 'p3']);
      expect(result).toEqual([
        {
          labels: { __name__: 'http_requests_total', job: 'api', status: '500' },
          samples: [
            { t: 1_700_000_010_000, v: 2 },
            { t: 1_700_000_020_000, v: 3 },
          ],
        },
        {
          labels: { __name__: 'http_requests_total', job: 'api' },
          samples: [{ t: 1_700_000_010_000, v: 1.5 }],
        },
      ]);
    });

    it('decodes NaN, +Inf, -Inf and stale markers, and unescapes label names', async () => {
      // Prepare
      const cols = ['vigil_time', 'vigil__special', 'measure_name', 't', 'v'];
      serve(['vigil_time', 'vigil__special'], {
        first: page(cols, [
          ['a', 'NaN', 'm', '1', '0.0'],
          ['a', '+Inf', 'm', '2', '0.0'],
          ['a', '-Inf', 'm', '3', '0.0'],
          ['a', 'stale', 'm', '4', '0.0'],
          ['a', null, 'm', '4', '7.0'],
          ['a', null, 'm', '5', '-0.5'],
        ]),
      });

      // Act
      const [s] = await makeReader().select(
        [{ name: 'time', op: MatchOp.Equal, value: 'a' }],
        RANGE,
      );

      // Assess
      expect(sqls()[0]).toContain(`AND "vigil_time" = 'a'`);
      expect(s?.labels).toEqual({ __name__: 'm', time: 'a' });
      const v = s?.samples.map((x) => x.v) ?? [];
      expect(s?.samples.map((x) => x.t)).toEqual([1, 2, 3, 4, 5]);
      expect(Number.isNaN(v[0]) && !isStaleNaN(v[0] as number)).toBe(true);
      expect(v.slice(1, 3)).toEqual([Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]);
      // read the field itself: V8 canonicalizes NaN payloads stored in a double array like `v`
      expect(isStaleNaN(s?.samples[3]?.v as number)).toBe(true);
      expect(v[4]).toBe(-0.5);
    });

    it('maps exhausted throttling to StorageThrottledError and validation errors to StorageUnavailableError', async () => {
      // Prepare
      mock
        .on(QueryCommand)
        .rejects(new ThrottlingException({ $metadata: {}, message: 'Rate exceeded' }));
      const throttled = makeReader().select([], RANGE);
      await expect(throttled).rejects.toBeInstanceOf(StorageThrottledError);
      mock.reset();
      mock
        .on(QueryCommand)
        .rejects(
          new ValidationException({ $metadata: {}, message: 'line 1:8: Column x does not exist' }),
        );

      // Act
      const invalid = makeReader().select([], RANGE);

      // Assess
      await expect(invalid).rejects.toBeInstanceOf(StorageUnavailableError);
      await expect(invalid).rejects.toThrow('Column x does not exist');
      expect(mock).toHaveReceivedCommandTimes(QueryCommand, 1);
    });
  });

  describe('Method: series, labelNames, labelValues', () => {
    it('lists distinct label sets with the matcher sets OR-ed', async () => {
      // Prepare
      serve(['job', 'vigil__special'], {
        first: page(
          ['job', 'measure_name'],
          [
            ['api', 'up'],
            [null, 'up'],
          ],
        ),
      });

      // Act
      const result = await makeReader().series(
        [
          [{ name: '__name__', op: MatchOp.Equal, value: 'up' }],
          [{ name: 'job', op: MatchOp.Equal, value: 'api' }],
        ],
        RANGE,
      );

      // Assess
      expect(sqls()).toEqual([
        `SELECT DISTINCT "job", measure_name FROM "vigil"."samples" WHERE ${TIME} AND ((measure_name = 'up') OR ("job" = 'api'))`,
      ]);
      expect(result).toEqual([{ __name__: 'up', job: 'api' }, { __name__: 'up' }]);
    });

    it('finds label names with one count query', async () => {
      // Prepare
      serve(['job', 'vigil_ts_x', 'zone', 'vigil__special'], {
        first: page(['n', 'c0', 'c1', 'c2'], [['12', '12', '3', '0']]),
      });

      // Act
      const names = await makeReader().labelNames([], RANGE);

      // Assess
      expect(sqls()).toEqual([
        `SELECT count(*) AS n, count("job") AS c0, count("vigil_ts_x") AS c1, count("zone") AS c2 FROM "vigil"."samples" WHERE ${TIME}`,
      ]);
      expect(names).toEqual(['__name__', 'job', 'ts_x']);
    });

    it('filters rows again with RE2, so a row Java matched but RE2 does not is left out', async () => {
      // Prepare: the store answers with a value `\\s` would match in Java (a vertical tab).
      serve(['job'], {
        first: page(
          ['job', 'measure_name'],
          [
            ['a b', 'up'],
            ['a\vb', 'up'],
          ],
        ),
      });

      // Act
      const result = await makeReader().series(
        [[{ name: 'job', op: MatchOp.RegexMatch, value: 'a\\sb' }]],
        RANGE,
      );

      // Assess
      expect(sqls()).toEqual([
        `SELECT DISTINCT "job", measure_name FROM "vigil"."samples" WHERE ${TIME} AND regexp_like("job", '^(?s:a[\\t\\n\\f\\r ]b)\\z')`,
      ]);
      expect(result).toEqual([{ __name__: 'up', job: 'a b' }]);
    });

    it('answers label values from series when a matcher is not pushed down', async () => {
      // Prepare: `\\b` is not pushed down, so the SQL lists series and RE2 picks them.
      serve(['job'], {
        first: page(
          ['job', 'measure_name'],
          [
            ['api-eu', 'up'],
            ['apiary', 'up'],
          ],
        ),
      });

      // Act
      const values = await makeReader().labelValues(
        'job',
        [[{ name: 'job', op: MatchOp.RegexMatch, value: 'api\\b.*' }]],
        RANGE,
      );

      // Assess
      expect(sqls()).toEqual([
        `SELECT DISTINCT "job", measure_name FROM "vigil"."samples" WHERE ${TIME}`,
      ]);
      expect(values).toEqual(['api-eu']);
    });

    it('lists values of a label, and none for a label never written', async () => {
      // Prepare
      serve(['job'], { first: page(['value'], [['web'], ['api']]) });
      const reader = makeReader();

      // Act
      const values = await reader.labelValues(
        'job',
        [[{ name: '__name__', op: MatchOp.Equal, value: 'up' }]],
        RANGE,
      );
      const unknown = await reader.labelValues('gpu', [], RANGE);

      // Assess
      expect(sqls()).toEqual([
        `SELECT DISTINCT "job" AS value FROM "vigil"."samples" WHERE ${TIME} AND "job" IS NOT NULL AND (measure_name = 'up')`,
      ]);
      expect(values).toEqual(['api', 'web']);
      expect(unknown).toEqual([]);
    });
  });
});
