/**
 * Alertmanager's constants and defaults, without the `alerting:` schema (config.ts) that the
 * functions do not load.
 */
/** `group_by: ['...']` groups by all labels (Alertmanager's `GroupByAll`). */
const GROUP_BY_ALL = '...';

/** Alertmanager's defaults (config/config.go `DefaultRouteOpts`, `DefaultGlobalConfig`). */
const DEFAULT_GROUP_WAIT_MS = 30_000;
const DEFAULT_GROUP_INTERVAL_MS = 5 * 60_000;
const DEFAULT_REPEAT_INTERVAL_MS = 4 * 3_600_000;
/** `global.resolve_timeout`: an open alert not re-sent for this long counts as resolved. */
const DEFAULT_RESOLVE_TIMEOUT_MS = 5 * 60_000;
/** Severity given to a notification whose alerts do not share a `severity` label. */
const DEFAULT_SEVERITY = 'warning';

export {
  DEFAULT_GROUP_INTERVAL_MS,
  DEFAULT_GROUP_WAIT_MS,
  DEFAULT_REPEAT_INTERVAL_MS,
  DEFAULT_RESOLVE_TIMEOUT_MS,
  DEFAULT_SEVERITY,
  GROUP_BY_ALL,
};
