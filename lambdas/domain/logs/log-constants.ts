/** Log and event constants, without the `logs:` schema (logs-config.ts). */

/** Timestream measure value types Vigil writes for prediction events. */
export const MeasureType = { Double: 'DOUBLE', Varchar: 'VARCHAR' } as const;
export type MeasureType = (typeof MeasureType)[keyof typeof MeasureType];

/** Powertools Logger levels, for `logLevel:` (Vigil's own functions' POWERTOOLS_LOG_LEVEL). */
export const LOG_LEVELS = [
  'TRACE',
  'DEBUG',
  'INFO',
  'WARN',
  'ERROR',
  'CRITICAL',
  'SILENT',
] as const;
export type VigilLogLevel = (typeof LOG_LEVELS)[number];
export const DEFAULT_LOG_LEVEL: VigilLogLevel = 'INFO';

/**
 * CloudWatch Logs: "The maximum batch size is 1,048,576 bytes. This size is calculated as the sum
 * of all event messages in UTF-8, plus 26 bytes for each log event."
 * @see https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutLogEvents.html
 */
export const CLOUDWATCH_MAX_EVENT_BYTES = 1_048_576 - 26;
/** PutLogEvents: "The maximum number of log events in a batch is 10,000." */
export const CLOUDWATCH_MAX_EVENTS_PER_BATCH = 10_000;
