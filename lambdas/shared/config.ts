import { getStringFromEnv } from '@aws-lambda-powertools/commons/utils/env';
import type { RuntimeConfig } from '../domain/config/types';
import { runtimeConfigOf, validateConfig } from '../domain/config/validate';
import { ENV } from './env';

/**
 * Reads the runtime config a function was deployed with (`ENV.RUNTIME_CONFIG`, set by the CDK
 * construct from vigil.config.yaml). Unset means defaults (local mode passes its own config).
 */
const loadRuntimeConfig = (): RuntimeConfig => {
  const json = getStringFromEnv({ key: ENV.RUNTIME_CONFIG, defaultValue: '' });
  if (json === '') return Object.freeze(runtimeConfigOf(validateConfig({}).config));
  const parsed = JSON.parse(json) as RuntimeConfig;
  return Object.freeze(parsed);
};

/** A required environment variable, with a message naming what it is for. */
const requireEnv = (key: string, what: string): string =>
  getStringFromEnv({
    key,
    errorMessage: `${key} (${what}) is not set: deploy Vigil with its CDK construct`,
  });

export { loadRuntimeConfig, requireEnv };
