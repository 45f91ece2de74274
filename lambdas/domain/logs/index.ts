export type { LogIngestPorts, LogIngestResult } from './ingest-log-events';
export { counterKey, ingestLogEvents, LOG_EVENTS_METRIC } from './ingest-log-events';
export type { LogEvent, ParsedLogEvents, RejectedLogEvent } from './log-event';
export {
  DEFAULT_GROUP_SERVICE,
  defaultLogGroupName,
  LogGroupNameError,
  logGroupName,
  logGroupResolver,
} from './log-groups';
export type {
  LogLimits,
  LogMeasure,
  LogsConfig,
  PredictionConfig,
  VigilLogLevel,
} from './logs-config';
export {
  DEFAULT_LOG_LEVEL,
  DEFAULT_LOGS_CONFIG,
  LOG_LEVELS,
  MeasureType,
  validateLogLevel,
  validateLogsConfig,
} from './logs-config';
export type { LokiEntry, LokiStream } from './loki-push';
export {
  decodeLokiPush,
  LokiPushDecodeError,
  LokiPushFormat,
  lokiPushFormat,
  lokiStreamsToLogEvents,
  parseStreamLabels,
} from './loki-push';
export type { ParseLogEventsOptions } from './parse-log-events';
export {
  DEFAULT_PREDICTION_FIELD,
  DEFAULT_PREDICTION_VALUE,
  EPOCH_MS_THRESHOLD,
  LogParseError,
  logEventReader,
  parseLogEvents,
  traceIdFromTraceparent,
} from './parse-log-events';
export { predictionRecordOf, valueAt } from './prediction-records';
