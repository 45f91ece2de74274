/**
 * The readers of the credentials a deployed function keeps outside its config: `*_secret` from
 * Secrets Manager and `*_parameter` from SSM Parameter Store (decrypted), through Powertools'
 * cached getters. Each value is reused for {@link CREDENTIAL_MAX_AGE_SECONDS}, so a rotated one is
 * picked up without a redeploy, and trimmed, as Prometheus trims a `*_file` credential (a value
 * stored with a trailing newline still authenticates). The SDK clients load on the first read.
 */
import type { CredentialReaders } from '../adapters/http/credentials';

/** How long a fetched credential is reused, seconds. */
const CREDENTIAL_MAX_AGE_SECONDS = 300;

const textValue = (value: unknown, what: string, howToSet: string): string => {
  if (typeof value !== 'string' || value.trim() === '')
    throw new Error(`the ${what} has no text value (set it with ${howToSet})`);
  return value.trim();
};

/** Secrets Manager and SSM Parameter Store, for the scraper and the Alertmanager client. */
const awsCredentialReaders = (): Required<CredentialReaders> => ({
  readSecret: async (secretId) => {
    const { getSecret } = await import('@aws-lambda-powertools/parameters/secrets');
    return textValue(
      await getSecret(secretId, { maxAge: CREDENTIAL_MAX_AGE_SECONDS }),
      'secret',
      'aws secretsmanager put-secret-value',
    );
  },
  readParameter: async (name) => {
    const { getParameter } = await import('@aws-lambda-powertools/parameters/ssm');
    return textValue(
      await getParameter(name, { decrypt: true, maxAge: CREDENTIAL_MAX_AGE_SECONDS }),
      'parameter',
      'aws ssm put-parameter',
    );
  },
});

export { awsCredentialReaders, CREDENTIAL_MAX_AGE_SECONDS };
