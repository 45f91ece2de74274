/**
 * Answers to the SDK commands Vigil's handlers send, good enough for their main paths to run:
 * DynamoDB keeps items and counters in memory (so an alert fired in one evaluator run is
 * dispatched in the next, a pushed group can be deleted, and a notifier's idempotency record is
 * read back), Timestream answers
 * `DESCRIBE` with a schema and `SELECT` with no rows, CloudWatch lists one GPU metric, and so on.
 */

/** One SDK command a handler sent. */
export interface RecordedCall {
  /** The client class, e.g. `TimestreamWriteClient`. */
  readonly client: string;
  /** The command class, e.g. `WriteRecordsCommand`. */
  readonly command: string;
  // biome-ignore lint/suspicious/noExplicitAny: SDK command inputs are checked by the SDK's own types
  readonly input: Record<string, any>;
}

type Attr = Record<string, Record<string, unknown>>;

const DESCRIBE_COLUMNS = [
  { Name: 'Column' },
  { Name: 'Type' },
  { Name: 'Timestream attribute type' },
];
const describeRow = (column: string, type: string, kind: string) => ({
  Data: [{ ScalarValue: column }, { ScalarValue: type }, { ScalarValue: kind }],
});

class FakeAws {
  /** Table → item key → item. */
  readonly #tables = new Map<string, Map<string, Attr>>();
  readonly #counters = new Map<string, number>();
  /** Secret id → its value. */
  readonly secrets: Map<string, string>;

  constructor(secrets: Readonly<Record<string, string>>) {
    this.secrets = new Map(Object.entries(secrets));
  }

  #table(name: string): Map<string, Attr> {
    let table = this.#tables.get(name);
    if (!table) {
      table = new Map();
      this.#tables.set(name, table);
    }
    return table;
  }

  #itemKey(key: Attr): string {
    return `${JSON.stringify(key.pk)}|${JSON.stringify(key.sk ?? null)}`;
  }

  /** The response to a command, or a thrown error as the service would throw it. */
  // biome-ignore lint/suspicious/noExplicitAny: see RecordedCall.input
  respond(command: string, input: Record<string, any>): unknown {
    switch (command) {
      case 'WriteRecordsCommand':
        return { RecordsIngested: { Total: input.Records?.length ?? 0 } };
      case 'QueryCommand': {
        if (typeof input.QueryString === 'string') return this.#timestream(input.QueryString);
        // `pk = :pk`, the only key condition Vigil's DynamoDB adapters use.
        const pk = JSON.stringify(input.ExpressionAttributeValues?.[':pk']);
        const items = [...this.#table(input.TableName).values()]
          .filter((i) => JSON.stringify(i.pk) === pk)
          .sort((a, b) => String(a.sk?.S).localeCompare(String(b.sk?.S)));
        return { Items: items, Count: items.length };
      }
      case 'ScanCommand': {
        const items = [...this.#table(input.TableName).values()];
        return { Items: items, Count: items.length };
      }
      case 'GetItemCommand': {
        const item = this.#table(input.TableName).get(this.#itemKey(input.Key));
        return item ? { Item: item } : {};
      }
      case 'PutItemCommand': {
        const table = this.#table(input.TableName);
        const key = this.#itemKey(input.Item);
        const old = table.get(key);
        table.set(key, input.Item);
        return input.ReturnValues === 'ALL_OLD' && old ? { Attributes: old } : {};
      }
      case 'DeleteItemCommand':
        this.#table(input.TableName).delete(this.#itemKey(input.Key));
        return {};
      case 'TransactWriteItemsCommand':
        for (const item of input.TransactItems ?? []) {
          if (item.Put)
            this.#table(item.Put.TableName).set(this.#itemKey(item.Put.Item), item.Put.Item);
          if (item.Delete)
            this.#table(item.Delete.TableName).delete(this.#itemKey(item.Delete.Key));
        }
        return {};
      case 'UpdateItemCommand': {
        const key = `${input.TableName}|${this.#itemKey(input.Key)}`;
        const delta = Number(input.ExpressionAttributeValues?.[':delta']?.N ?? 0);
        const total = (this.#counters.get(key) ?? 0) + delta;
        this.#counters.set(key, total);
        return { Attributes: { n: { N: String(total) } } };
      }
      case 'PublishCommand':
        return { MessageId: `msg-${input.TopicArn?.split(':').pop()}` };
      case 'GetSecretValueCommand': {
        const value = this.secrets.get(input.SecretId);
        if (value === undefined) {
          throw Object.assign(new Error(`no secret ${input.SecretId}`), {
            name: 'ResourceNotFoundException',
          });
        }
        return { ARN: input.SecretId, Name: input.SecretId, SecretString: value };
      }
      case 'ListObjectsV2Command':
        return { Contents: [], KeyCount: 0, IsTruncated: false };
      case 'GetObjectCommand':
        throw Object.assign(new Error('The specified key does not exist.'), {
          name: 'NoSuchKey',
          $metadata: { httpStatusCode: 404 },
        });
      case 'ListMetricsCommand':
        return {
          Metrics: [
            {
              Namespace: 'CWAgent',
              MetricName: 'nvidia_smi_utilization_gpu',
              Dimensions: [
                { Name: 'InstanceId', Value: 'i-0123456789abcdef0' },
                { Name: 'InstanceType', Value: 'g5.xlarge' },
                { Name: 'index', Value: '0' },
                { Name: 'name', Value: 'NVIDIA A10G' },
                { Name: 'host', Value: 'ip-10-0-0-1' },
              ],
            },
          ],
        };
      case 'GetMetricDataCommand':
        return {
          MetricDataResults: (input.MetricDataQueries ?? []).map((q: { Id: string }) => ({
            Id: q.Id,
            StatusCode: 'Complete',
            Timestamps: [new Date(Date.now() - 120_000)],
            Values: [42],
          })),
        };
      case 'InvokeCommand':
        return { StatusCode: 202 };
      default:
        // CreateLogStream, PutLogEvents, BatchWriteItem, PutObject, ...
        return {};
    }
  }

  #timestream(sql: string): unknown {
    if (/^\s*DESCRIBE\b/i.test(sql)) {
      const events = /"events"\s*$/.test(sql.trim());
      return {
        QueryId: 'describe',
        ColumnInfo: DESCRIBE_COLUMNS,
        Rows: events
          ? [
              describeRow('service', 'varchar', 'DIMENSION'),
              describeRow('model', 'varchar', 'DIMENSION'),
              describeRow('confidence', 'double', 'MULTI'),
              describeRow('measure_name', 'varchar', 'MEASURE_NAME'),
              describeRow('time', 'timestamp', 'TIMESTAMP'),
            ]
          : [
              describeRow('job', 'varchar', 'DIMENSION'),
              describeRow('instance', 'varchar', 'DIMENSION'),
              describeRow('measure_name', 'varchar', 'MEASURE_NAME'),
              describeRow('time', 'timestamp', 'TIMESTAMP'),
              describeRow('measure_value::double', 'double', 'MEASURE_VALUE'),
            ],
      };
    }
    return { QueryId: 'select', ColumnInfo: [], Rows: [] };
  }
}

export { FakeAws };
