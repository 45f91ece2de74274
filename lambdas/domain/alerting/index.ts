/**
 * Alertmanager-style notification logic: grouping, timing, inhibition, silences, webhook payload.
 * The `alerting:` schema (`validateAlertingConfig`, `DEFAULT_ALERTING_CONFIG`) is ./config.
 */
export type { AlertingConfig, InhibitRule } from './config';
export {
  DEFAULT_GROUP_INTERVAL_MS,
  DEFAULT_GROUP_WAIT_MS,
  DEFAULT_REPEAT_INTERVAL_MS,
  DEFAULT_RESOLVE_TIMEOUT_MS,
  GROUP_BY_ALL,
} from './defaults';
export type { DispatchResult, RejectedAlert } from './dispatch';
export { dispatch, emptyDispatcherState, nextFlushAtMs } from './dispatch';
export { groupKeyOf, groupLabelsOf } from './grouping';
export { inhibitedBy } from './inhibition';
export { goTimeJSON, labelSetString, labelsFingerprint } from './label-set';
export {
  AlertMatcherParseError,
  formatAlertMatcher,
  parseAlertMatcher,
  parseAlertMatchers,
} from './matchers';
export type { ApiMatcher, GettableSilence, PostableSilence, Silence } from './silences';
export {
  createSilence,
  expireSilence,
  gcSilences,
  listSilences,
  parsePostableSilence,
  SILENCE_RETENTION_MS,
  SilenceNotFoundError,
  SilenceState,
  SilenceValidationError,
  silencedBy,
  silenceState,
} from './silences';
export type {
  AggregationGroupState,
  AlertInput,
  DispatcherState,
  Notification,
  NotificationLogEntry,
  StoredAlert,
  WebhookAlert,
  WebhookPayload,
} from './types';
export { AlertStatus } from './types';
export { buildWebhookPayload, VIGIL_RECEIVER } from './webhook';
