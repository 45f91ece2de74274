/**
 * `AlertmanagerClient` over `fetch`: one `POST <prefix>/api/v2/alerts` with the alerts as JSON,
 * within the target's timeout, with basic auth or an `Authorization` header. As in Prometheus's
 * notifier, any 2xx is success ("bad response status" otherwise); the error says whether another
 * attempt may succeed (network failure, timeout, 429, 5xx) or not (any other status, an unreadable
 * credential file), quoting the start of Alertmanager's answer.
 * @see https://github.com/prometheus/prometheus/blob/main/notifier/notifier.go (`sendOne`)
 */
import { readFile } from 'node:fs/promises';
import {
  type AlertmanagerClient,
  AlertmanagerPostError,
  type AlertmanagerTarget,
  type PostableAlert,
} from '../../domain/alerting/alertmanager-client';
import type { CredentialSource } from '../../domain/config/http-auth';

type FetchFn = (input: string, init: RequestInit) => Promise<Response>;

/** Characters of a refused answer quoted in the error. */
const MAX_BODY_CHARS = 200;

interface HttpAlertmanagerClientOptions {
  /** @default `globalThis.fetch` */
  readonly fetch?: FetchFn;
  /** @default 'Vigil' */
  readonly userAgent?: string;
  /** Reads a `*_secret` credential (Secrets Manager). @default refuses them: AWS only */
  readonly readSecret?: (secretId: string) => Promise<string>;
  /** Reads a `*_parameter` credential (SSM Parameter Store, decrypted). @default refuses them: AWS only */
  readonly readParameter?: (name: string) => Promise<string>;
}

const reasonOf = (error: unknown): string => {
  const e = error as {
    name?: unknown;
    message?: unknown;
    cause?: { code?: unknown; message?: unknown };
  };
  const cause = e?.cause?.code ?? e?.cause?.message;
  return `${String(e?.message ?? error)}${cause ? ` (${String(cause)})` : ''}`;
};

class HttpAlertmanagerClient implements AlertmanagerClient {
  readonly #o: HttpAlertmanagerClientOptions;

  constructor(options: HttpAlertmanagerClientOptions = {}) {
    this.#o = options;
  }

  /** A credential's text: inline, a file's content trimmed (as Prometheus reads `*_file`), a secret or a parameter. */
  async #credential(source: CredentialSource): Promise<string> {
    const fail = (message: string, retryable: boolean, cause?: unknown): never => {
      throw new AlertmanagerPostError(message, { retryable }, { cause });
    };
    switch (source.kind) {
      case 'inline':
        return source.value;
      case 'file':
        try {
          return (await readFile(source.path, 'utf8')).trim();
        } catch (error) {
          return fail(
            `unable to read credentials file ${source.path}: ${reasonOf(error)}`,
            false,
            error,
          );
        }
      case 'secret': {
        const read = this.#o.readSecret;
        if (!read)
          return fail(
            `secret ${source.secretId}: *_secret credentials are read only when deployed`,
            false,
          );
        try {
          return await read(source.secretId);
        } catch (error) {
          return fail(`unable to read secret ${source.secretId}: ${reasonOf(error)}`, true, error);
        }
      }
      case 'parameter': {
        const read = this.#o.readParameter;
        if (!read)
          return fail(
            `parameter ${source.name}: *_parameter credentials are read only when deployed`,
            false,
          );
        try {
          return await read(source.name);
        } catch (error) {
          return fail(
            `unable to read SSM parameter ${source.name}: ${reasonOf(error)}`,
            true,
            error,
          );
        }
      }
    }
  }

  async #authorization(target: AlertmanagerTarget): Promise<Record<string, string>> {
    if (target.basicAuth) {
      const password = await this.#credential(target.basicAuth.password);
      const token = Buffer.from(`${target.basicAuth.username}:${password}`).toString('base64');
      return { Authorization: `Basic ${token}` };
    }
    if (target.authorization) {
      const credentials = await this.#credential(target.authorization.credentials);
      return { Authorization: `${target.authorization.type} ${credentials}` };
    }
    return {};
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
