/**
 * The port through which rule evaluation hands alerts to an Alertmanager (API v2), and the shapes
 * it speaks: the validated `alerting.alertmanagers` entries and Alertmanager's `PostableAlert`.
 * @see https://github.com/prometheus/alertmanager/blob/main/api/v2/openapi.yaml (`postableAlerts`)
 */
import type { AuthorizationConfig, BasicAuthConfig } from '../config/http-auth';
import type { Labels } from '../series/labels';

/** One `alerting.alertmanagers` entry, validated, defaults filled in. */
interface AlertmanagerTarget {
  /** The URL as configured: scheme, host, port and an optional path prefix. */
  readonly url: string;
  /** Where alerts are POSTed: `<url path prefix>/api/v2/alerts`. */
  readonly alertsUrl: string;
  /** Time limit of one request, ms (Prometheus's `timeout`, default 10s). */
  readonly timeoutMs: number;
  readonly basicAuth?: BasicAuthConfig;
  /** `Authorization: <type> <credentials>`; type `Bearer` by default. */
  readonly authorization?: AuthorizationConfig;
}

/** Alertmanager API v2 `postableAlert`: times are RFC 3339 strings. */
interface PostableAlert {
  readonly labels: Labels;
  readonly annotations: Labels;
  readonly startsAt: string;
  readonly endsAt: string;
  readonly generatorURL: string;
}

/**
 * A POST of alerts to one Alertmanager failed. `retryable`: a network failure, a timeout, 429 or
 * 5xx, which another attempt may get past; any other answer (400: alerts refused; 401/403: wrong
 * credentials; 404: wrong path prefix) would fail the same way again.
 */
class AlertmanagerPostError extends Error {
  override readonly name = 'AlertmanagerPostError';
  readonly retryable: boolean;
  /** The HTTP status; undefined for a network failure, a timeout or an unreadable credential. */
  readonly status: number | undefined;
  constructor(
    message: string,
    details: { readonly retryable: boolean; readonly status?: number },
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.retryable = details.retryable;
    this.status = details.status;
  }
}

/** Sends alerts to an Alertmanager (`POST /api/v2/alerts`). */
interface AlertmanagerClient {
  /** Resolves on a 2xx answer; otherwise rejects with {@link AlertmanagerPostError}. */
  postAlerts(target: AlertmanagerTarget, alerts: readonly PostableAlert[]): Promise<void>;
}

export type { AlertmanagerClient, AlertmanagerTarget, PostableAlert };
export { AlertmanagerPostError };
