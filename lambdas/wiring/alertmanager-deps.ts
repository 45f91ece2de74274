/**
 * How the rule evaluator reaches the Alertmanagers of `alerting.alertmanagers`, locally and on
 * AWS: the HTTP client, real waits with jittered backoff, failures logged through Powertools.
 * Deployed, `*_secret` and `*_parameter` credentials are read by `aws-credentials.ts`.
 */
import { HttpAlertmanagerClient } from '../adapters/alertmanager/http-alertmanager-client';
import type { CredentialReaders } from '../adapters/http/credentials';
import { realSleep } from '../adapters/notifiers/http-retry';
import { AlertmanagerSender } from '../domain/alerting/alertmanager-sender';
import { logger } from '../shared/powertools';
import { VIGIL_VERSION } from '../shared/version';

/**
 * The evaluator's Alertmanager sender. Local mode: in the background, and without readers (inline
 * and file credentials only). A function: in the foreground, with the AWS readers.
 */
const alertmanagerSender = (
  options: { readonly readers?: CredentialReaders; readonly background?: boolean } = {},
): AlertmanagerSender =>
  new AlertmanagerSender(
    {
      client: new HttpAlertmanagerClient({
        userAgent: `Vigil/${VIGIL_VERSION}`,
        ...options.readers,
      }),
      sleep: realSleep,
      random: Math.random,
      log: (message, extra) => logger.error(message, { ...extra }),
    },
    { background: options.background ?? false },
  );

export { alertmanagerSender };
