/**
 * Prometheus text exposition format 0.0.4: parse (as the Pushgateway's `expfmt` does), flatten to
 * series, and write back (including the `/federate` body).
 * @see https://prometheus.io/docs/instrumenting/exposition_formats/
 */
export { ExpositionParseError, SNIPPET_MAX_CHARS } from './errors';
export type { FamiliesToSeriesOptions } from './series';
export { familiesToSeries } from './series';
export { formatExposition, formatFederation } from './format';
export {
  formatGoFloat,
  formatOpenMetricsFloat,
  formatSampleValue,
  parseGoFloat,
  parseGoInt64,
} from './go-format';
export { parseExposition, parseOpenMetrics } from './parse';
export {
  ProtobufParseError,
  parseDelimitedProtobuf,
  protobufContentType,
} from './protobuf';
export type { ExpositionSample, ExpositionSeries, MetricFamily } from './types';
export { MetricType } from './types';
