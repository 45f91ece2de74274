/**
 * How the rule evaluator reaches the Alertmanagers of `alerting.alertmanagers`, locally and on
 * AWS: the HTTP client, real waits with jittered backoff, failures logged through Powertools.
 * Deployed, `*_secret` credentials are read from Secrets Manager and `*_parameter` ones from SSM
 * Parameter Store (decrypted), each cached for {@link CREDENTIAL_MAX_AGE_SECONDS} so a rotated
 * value is picked up without a redeploy; the SDK clients load on the first credential read.
 */
import { HttpAlertmanagerClient } from '../adapters/alertmanager/http-alertmanager-client';
import type { CredentialReaders } from '../adapters/http/credentials';
import { realSleep } from '../adapters/notifiers/http-retry';
import { AlertmanagerSender } from '../domain/alerting/alertmanager-sender';
import { logger } from '../shared/powertools';
import { VIGIL_VERSION } from '../shared/version';

/** How long a fetched credential is reused, seconds. */
const CREDENTIAL_MAX_AGE_SECONDS = 300;

const textValue = (value: unknown, what: string): string => {
  if (typeof value !== 'string' || value.trim() === '')
    throw new Error(`the ${what} has no text value`);
  return value.trim();
};

/** Secrets Manager and SSM Parameter Store through Powertools' cached getters. */
const awsCredentialReaders = (): CredentialReaders => ({
  readSecret: async (secretId) => {
    const { getSecret } = await import('@aws-lambda-powertools/parameters/secrets');
    return textValue(await getSecret(secretId, { maxAge: CREDENTIAL_MAX_AGE_SECONDS }), 'secret');
  },
  readParameter: async (name) => {
    const { getParameter } = await import('@aws-lambda-powertools/parameters/ssm');
    return textValue(
      await getParameter(name, { decrypt: true, maxAge: CREDENTIAL_MAX_AGE_SECONDS }),
      'parameter',
    );
  },
});

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

export { alertmanagerSender, awsCredentialReaders, CREDENTIAL_MAX_AGE_SECONDS };
