/**
 * Decoding of what the notifier functions receive: SNS delivers the `default` part of a
 * `MessageStructure: json` publish to Lambda subscribers
 * (https://docs.aws.amazon.com/sns/latest/api/API_Publish.html), i.e. the Alertmanager webhook
 * payload, version 4 (https://prometheus.io/docs/alerting/latest/configuration/#webhook_config),
 * as JSON text; the severity travels as the `severity` message attribute.
 */
import type {
  Notification,
  StoredAlert,
  WebhookAlert,
  WebhookPayload,
} from '../domain/alerting/types';
import type { Labels } from '../domain/series/labels';

/** The SNS message is not a webhook payload this version of Vigil can deliver. */
class NotifyPayloadError extends Error {
  override readonly name = 'NotifyPayloadError';
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

const labelsAt = (o: Obj, key: string, path: string): Labels => {
  const v = o[key];
  if (!isObj(v) || !Object.values(v).every((x) => typeof x === 'string')) {
    throw new NotifyPayloadError(`${path}.${key} must be an object of strings`);
  }
  return v as Labels;
};

const stringAt = (o: Obj, key: string, path: string): string => {
  const v = o[key];
  if (typeof v !== 'string') throw new NotifyPayloadError(`${path}.${key} must be a string`);
  return v;
};

const statusAt = (o: Obj, path: string): 'firing' | 'resolved' => {
  const v = o.status;
  if (v !== 'firing' && v !== 'resolved') {
    throw new NotifyPayloadError(`${path}.status must be "firing" or "resolved"`);
  }
  return v;
};

/** Epoch ms of an RFC 3339 time; Go's zero time (`0001-01-01T00:00:00Z`) and bad values give 0. */
const msOf = (time: string): number => {
  const ms = Date.parse(time);
  return Number.isFinite(ms) && ms > 0 ? ms : 0;
};

const webhookAlertOf = (v: unknown, path: string): WebhookAlert => {
  if (!isObj(v)) throw new NotifyPayloadError(`${path} must be an object`);
  return {
    status: statusAt(v, path),
    labels: labelsAt(v, 'labels', path),
    annotations: labelsAt(v, 'annotations', path),
    startsAt: stringAt(v, 'startsAt', path),
    endsAt: stringAt(v, 'endsAt', path),
    generatorURL: stringAt(v, 'generatorURL', path),
    fingerprint: stringAt(v, 'fingerprint', path),
  };
};

const storedAlertOf = (a: WebhookAlert): StoredAlert => ({
  fingerprint: a.fingerprint,
  labels: a.labels,
  annotations: a.annotations,
  startsAtMs: msOf(a.startsAt),
  endsAtMs: a.status === 'resolved' ? msOf(a.endsAt) : 0,
  generatorURL: a.generatorURL,
  updatedAtMs: msOf(a.startsAt),
  timeout: false,
});

/**
 * Parses a webhook payload (parsed JSON) into the `Notification` the dispatcher published, so the
 * Slack and PagerDuty notifiers build the same messages as in local mode. Throws
 * `NotifyPayloadError` naming the first field that is missing or of the wrong type.
 * @param severity the `severity` message attribute ('' when absent)
 */
const notificationFromWebhookPayload = (raw: unknown, severity: string): Notification => {
  if (!isObj(raw)) throw new NotifyPayloadError('payload must be a JSON object');
  if (raw.version !== '4') throw new NotifyPayloadError('payload.version must be "4"');
  if (!Array.isArray(raw.alerts)) throw new NotifyPayloadError('payload.alerts must be a list');
  const truncated = raw.truncatedAlerts ?? 0;
  if (typeof truncated !== 'number' || !Number.isInteger(truncated) || truncated < 0) {
    throw new NotifyPayloadError('payload.truncatedAlerts must be a non-negative integer');
  }
  const alerts = raw.alerts.map((a, i) => webhookAlertOf(a, `payload.alerts[${i}]`));
  const payload: WebhookPayload = {
    version: '4',
    groupKey: stringAt(raw, 'groupKey', 'payload'),
    truncatedAlerts: truncated,
    status: statusAt(raw, 'payload'),
    receiver: stringAt(raw, 'receiver', 'payload'),
    groupLabels: labelsAt(raw, 'groupLabels', 'payload'),
    commonLabels: labelsAt(raw, 'commonLabels', 'payload'),
    commonAnnotations: labelsAt(raw, 'commonAnnotations', 'payload'),
    externalURL: stringAt(raw, 'externalURL', 'payload'),
    alerts,
  };
  return {
    groupKey: payload.groupKey,
    receiver: payload.receiver,
    status: payload.status,
    alerts: alerts.map(storedAlertOf),
    groupLabels: payload.groupLabels,
    commonLabels: payload.commonLabels,
    commonAnnotations: payload.commonAnnotations,
    severity: severity || (payload.commonLabels.severity ?? ''),
    payload,
  };
};

/** Parses the SNS message text (JSON) and then the payload; bad JSON is a `NotifyPayloadError`. */
const notificationFromSnsMessage = (message: string, severity: string): Notification => {
  let parsed: unknown;
  try {
    parsed = JSON.parse(message);
  } catch (error) {
    throw new NotifyPayloadError('SNS message is not JSON', { cause: error });
  }
  return notificationFromWebhookPayload(parsed, severity);
};

export { NotifyPayloadError, notificationFromSnsMessage, notificationFromWebhookPayload };
