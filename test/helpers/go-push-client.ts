/**
 * Builds push bodies as the Go client's `push` package sends them: the gathered
 * `io.prometheus.client.MetricFamily` messages, each length-delimited, encoded with protobufjs
 * from client_model's metrics.proto (test/fixtures/protobuf/metrics.proto).
 * @see https://github.com/prometheus/client_golang/blob/main/prometheus/push/push.go
 */
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';

/** The Content-Type the Go client sends (`expfmt.FmtProtoDelim`). */
export const GO_PUSH_CONTENT_TYPE =
  'application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=delimited';

const PROTO = fileURLToPath(new URL('../fixtures/protobuf/metrics.proto', import.meta.url));

export const MetricFamilyType = protobuf
  .loadSync(PROTO)
  .lookupType('io.prometheus.client.MetricFamily');

/** A MetricFamily as a plain object (protobufjs field names in camelCase). */
export type MetricFamilyObject = Record<string, unknown>;

/** The delimited body of the families, in the order given. */
export const encodeDelimited = (families: readonly MetricFamilyObject[]): Buffer =>
  Buffer.concat(
    families.map((f) => MetricFamilyType.encodeDelimited(MetricFamilyType.fromObject(f)).finish()),
  );

const CREATED = { seconds: 1_764_000_000, nanos: 5_000_000 };

/**
 * The families a Go batch job registers, as client_golang 1.20 gathers them: names sorted, labels
 * sorted, counters with `created_timestamp`, histogram buckets without `+Inf`, summaries with
 * their objectives.
 */
export const goBatchJobFamilies = (): MetricFamilyObject[] => [
  {
    name: 'batch_duration_seconds',
    help: 'Duration of the batch.',
    type: 4,
    metric: [
      {
        label: [{ name: 'stage', value: 'train' }],
        histogram: {
          sampleCount: 7,
          sampleSum: 31.25,
          bucket: [
            { cumulativeCount: 1, upperBound: 0.5 },
            { cumulativeCount: 4, upperBound: 2.5 },
            { cumulativeCount: 6, upperBound: 10 },
          ],
          createdTimestamp: CREATED,
        },
      },
    ],
  },
  {
    name: 'batch_last_success_timestamp_seconds',
    help: 'Last time the batch succeeded.',
    type: 1,
    metric: [{ gauge: { value: 1764086399.5 } }],
  },
  {
    name: 'batch_records_total',
    help: 'Records processed.',
    type: 0,
    metric: [
      {
        label: [
          { name: 'model', value: 'resnet50' },
          { name: 'outcome', value: 'ok' },
        ],
        counter: {
          value: 1234,
          createdTimestamp: CREATED,
          exemplar: { label: [{ name: 'trace_id', value: 'abc' }], value: 1 },
        },
      },
      {
        label: [
          { name: 'model', value: 'resnet50' },
          { name: 'outcome', value: 'error' },
        ],
        counter: { value: 3, createdTimestamp: CREATED },
      },
    ],
  },
  {
    name: 'batch_row_latency_seconds',
    help: 'Row latency.',
    type: 2,
    metric: [
      {
        summary: {
          sampleCount: 4,
          sampleSum: 0.9,
          quantile: [
            { quantile: 0.5, value: 0.2 },
            { quantile: 0.99, value: 0.4 },
          ],
          createdTimestamp: CREATED,
        },
      },
    ],
  },
  {
    name: 'batch_temperature',
    help: 'Untyped value.',
    type: 3,
    metric: [{ untyped: { value: -2.5e-7 } }],
  },
];

/** The samples Prometheus stores from {@link goBatchJobFamilies} scraped off a Pushgateway, without the grouping labels. */
export const GO_BATCH_JOB_SAMPLES: readonly [string, number][] = [
  ['batch_duration_seconds_bucket{le="0.5",stage="train"}', 1],
  ['batch_duration_seconds_bucket{le="2.5",stage="train"}', 4],
  ['batch_duration_seconds_bucket{le="10",stage="train"}', 6],
  ['batch_duration_seconds_bucket{le="+Inf",stage="train"}', 7],
  ['batch_duration_seconds_sum{stage="train"}', 31.25],
  ['batch_duration_seconds_count{stage="train"}', 7],
  ['batch_last_success_timestamp_seconds', 1764086399.5],
  ['batch_records_total{model="resnet50",outcome="ok"}', 1234],
  ['batch_records_total{model="resnet50",outcome="error"}', 3],
  ['batch_row_latency_seconds{quantile="0.5"}', 0.2],
  ['batch_row_latency_seconds{quantile="0.99"}', 0.4],
  ['batch_row_latency_seconds_sum', 0.9],
  ['batch_row_latency_seconds_count', 4],
  ['batch_temperature', -2.5e-7],
];
