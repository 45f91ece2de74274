/**
 * `AlertmanagerClient` over `fetch`: one `POST <prefix>/api/v2/alerts` with the alerts as JSON,
 * within the target's timeout, with basic auth or an `Authorization` header. As in Prometheus's
 * notifier, any 2xx is success ("bad response status" otherwise); the error says whether another
 * attempt may succeed (network failure, timeout, 429, 5xx) or not (any other status, an unreadable
 * credential file), quoting the start of Alertmanager's answer.
 * @see https://github.com/prometheus/prometheus/blob/main/notifier/notifier.go (`sendOne`)
 */
import {
  type AlertmanagerClient,
  AlertmanagerPostError,
  type AlertmanagerTarget,
  type PostableAlert,
} from '../../domain/alerting/alertmanager-client';
import {
  authorizationHeader,
  CredentialReadError,
  type CredentialReaders,
  reasonOf,
} from '../http/credentials';

type FetchFn = (input: string, init: RequestInit) => Promise<Response>;

/** Characters of a refused answer quoted in the error. */
const MAX_BODY_CHARS = 200;

/** Without `readSecret` / `readParameter` (AWS only), such credentials are refused. */
interface HttpAlertmanagerClientOptions extends CredentialReaders {
  /** @default `globalThis.fetch` */
  readonly fetch?: FetchFn;
  /** @default 'Vigil' */
  readonly userAgent?: string;
}

class HttpAlertmanagerClient implements AlertmanagerClient {
  readonly #o: HttpAlertmanagerClientOptions;

  constructor(options: HttpAlertmanagerClientOptions = {}) {
    this.#o = options;
  }

  async #authorization(target: AlertmanagerTarget): Promise<Record<string, string>> {
    try {
      const authorization = await authorizationHeader(target, this.#o);
      return authorization === undefined ? {} : { Authorization: authorization };
    } catch (error) {
      if (!(error instanceof CredentialReadError)) throw error;
      throw new AlertmanagerPostError(
        error.message,
        { retryable: error.retryable },
        { cause: error.cause },
      );
    }
  }

  async postAlerts(target: AlertmanagerTarget, alerts: readonly PostableAlert[]): Promise<void> {
    const headers = {
      'Content-Type': 'application/json',
      'User-Agent': this.#o.userAgent ?? 'Vigil',
      ...(await this.#authorization(target)),
    };
    const fetchFn = this.#o.fetch ?? ((input, init) => globalThis.fetch(input, init));
    let response: Response;
    try {
      response = await fetchFn(target.alertsUrl, {
        method: 'POST',
        headers,
        body: JSON.stringify(alerts),
        signal: AbortSignal.timeout(target.timeoutMs),
      });
    } catch (error) {
      const timedOut = (error as { name?: unknown } | undefined)?.name === 'TimeoutError';
      throw new AlertmanagerPostError(
        timedOut
          ? `no response within ${target.timeoutMs} ms`
          : `request failed: ${reasonOf(error)}`,
        { retryable: true },
        { cause: error },
      );
    }
    const text = await response.text().catch(() => '');
    if (response.ok) return;
    const snippet = text.length > MAX_BODY_CHARS ? `${text.slice(0, MAX_BODY_CHARS)}…` : text;
    throw new AlertmanagerPostError(
      `bad response status ${response.status}${snippet.trim() ? `: ${snippet.trim()}` : ''}`,
      { retryable: response.status === 429 || response.status >= 500, status: response.status },
    );
  }
}

export type { HttpAlertmanagerClientOptions };
export { HttpAlertmanagerClient };
