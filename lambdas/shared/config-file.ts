import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseDocument } from 'yaml';
import { ConfigError, validateConfig } from '../domain/config/validate';
import type { VigilConfig } from '../domain/config/types';
import { ENV } from './env';

/** Where the config is read from: `$VIGIL_CONFIG`, else `./vigil.config.yaml`. */
const configPath = (env: NodeJS.ProcessEnv = process.env): string =>
  resolve(env[ENV.CONFIG_PATH] ?? 'vigil.config.yaml');

/**
 * Reads and validates `vigil.config.yaml` — the same file for `cdk synth` and `npm start`.
 * A missing file at the default path means "all defaults"; a missing file named by
 * `VIGIL_CONFIG` is an error. Throws `ConfigError` listing every problem with its path
 * (YAML syntax errors with line and column).
 */
const loadConfigFile = (
  path?: string,
  env: NodeJS.ProcessEnv = process.env,
): { config: VigilConfig; source: string } => {
  const file = path ? resolve(path) : configPath(env);
  if (!existsSync(file)) {
    if (path || env[ENV.CONFIG_PATH]) {
      throw new ConfigError(file, [{ path: '(file)', message: 'not found' }]);
    }
    return { config: validateConfig({}).config, source: '(defaults: no vigil.config.yaml)' };
  }
  const doc = parseDocument(readFileSync(file, 'utf8'), { prettyErrors: true });
  if (doc.errors.length > 0) {
    throw new ConfigError(
      file,
      doc.errors.map((e) => ({
        path: e.linePos ? `line ${e.linePos[0].line}, column ${e.linePos[0].col}` : '(yaml)',
        message: e.message.split('\n')[0] ?? e.message,
      })),
    );
  }
  const { config, issues } = validateConfig(doc.toJS());
  if (issues.length > 0) throw new ConfigError(file, issues);
  return { config, source: file };
};

export { configPath, loadConfigFile };
