export type { LogEvent, ParsedLogEvents, RejectedLogEvent } from './log-event';
export type { ParseLogEventsOptions } from './parse-log-events';
export {
  DEFAULT_PREDICTION_FIELD,
  DEFAULT_PREDICTION_VALUE,
  EPOCH_MS_THRESHOLD,
  LogParseError,
  parseLogEvents,
  traceIdFromTraceparent,
} from './parse-log-events';
