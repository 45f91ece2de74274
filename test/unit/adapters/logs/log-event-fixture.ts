import type { LogEvent } from '../../../../lambdas/domain/logs/log-event';

/** 2026-11-25T12:00:00.000Z: the tests' "now". */
export const NOW_MS = Date.UTC(2026, 10, 25, 12, 0, 0);

/** A log event as parseLogEvents makes it, with its original fields. */
export const logEvent = (
  timestampMs: number,
  fields: Record<string, unknown> = {},
  extra: Partial<LogEvent> = {},
): LogEvent => ({
  timestampMs,
  level: typeof fields.level === 'string' ? fields.level.toUpperCase() : 'INFO',
  service: typeof fields.service === 'string' ? fields.service : 'fraud-api',
  message: typeof fields.message === 'string' ? fields.message : '',
  ...(typeof fields.request_id === 'string' && {
    correlationId: fields.request_id,
    requestId: fields.request_id,
  }),
  isPrediction: false,
  fields: { service: 'fraud-api', level: 'INFO', ...fields },
  ...extra,
});
