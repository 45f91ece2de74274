/** `npm start`: Vigil locally on 127.0.0.1, on the embedded store, with the Lambda handlers. */
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { loadConfigFile, orExitOnConfigError } from '../lambdas/shared/config-file';
import { ConfigError } from '../lambdas/domain/config/issues';
import { ENV } from '../lambdas/shared/env';

process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
process.env.POWERTOOLS_LOG_LEVEL ??= 'WARN';

const { startLocalVigil } = await import('../lambdas/local/start');
const { DataDirectoryDamagedError } = await import('../lambdas/local/data-directory');

const { config, source } = orExitOnConfigError(loadConfigFile);
const port = Number(process.env[ENV.PORT] ?? 8080);
const dataDir = resolve(process.env[ENV.DATA_DIR] ?? '.vigil');
const apiKeys = (process.env[ENV.API_KEYS] ?? '')
  .split(',')
  .map((k) => k.trim())
  .filter((k) => k !== '');

// `rules:` paths are relative to the config file (`source` is its path when one was read).
const configDir = existsSync(source) ? dirname(source) : process.cwd();
const vigil = await startLocalVigil({
  config,
  dataDir,
  apiKeys,
  port,
  host: '127.0.0.1',
  configDir,
}).catch((error: unknown) => {
  // A damaged data directory or a store that cannot be reached as configured (store: amp without
  // a workspace URL or region) is the user's to repair: the message says how, a stack trace would not.
  if (error instanceof DataDirectoryDamagedError || error instanceof ConfigError) {
    console.error(error.message);
    process.exit(1);
  }
  throw error;
});
console.log(`Vigil listening on http://127.0.0.1:${vigil.port}`);
console.log(`  config:   ${source}`);
console.log(`  data:     ${dataDir}`);
console.log(
  vigil.rules.groups > 0
    ? `  rules:    ${vigil.rules.rules} rules in ${vigil.rules.groups} groups, evaluated on a timer`
    : '  rules:    none (list rule files under `rules:` in the config)',
);
console.log(
  apiKeys.length > 0
    ? `  API keys: ${apiKeys.length} configured (send x-api-key, Authorization: Bearer, or basic-auth password)`
    : `  API keys: none — local mode accepts requests without a key (set ${ENV.API_KEYS} to require one)`,
);
const stop = () => {
  vigil.close().then(() => process.exit(0));
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
