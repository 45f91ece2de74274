import { getStringFromEnv } from '@aws-lambda-powertools/commons/utils/env';
import type { RuntimeConfig } from '../domain/config/types';
import { ENV } from './env';

/** A required environment variable, with a message naming what it is for. */
const requireEnv = (key: string, what: string): string =>
  getStringFromEnv({
    key,
    errorMessage: `${key} (${what}) is not set: deploy Vigil with its CDK construct`,
  });

/**
 * Reads the runtime config a function was deployed with (`ENV.RUNTIME_CONFIG`, set by the CDK
 * construct from vigil.config.yaml, validated at synth). Not validated again here, so that no
 * function loads the config schema (local mode passes its own config).
 */
const loadRuntimeConfig = (): RuntimeConfig =>
  Object.freeze(JSON.parse(requireEnv(ENV.RUNTIME_CONFIG, 'runtime config')) as RuntimeConfig);

export { loadRuntimeConfig, requireEnv };
