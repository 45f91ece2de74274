import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The Vigil package root (the folder holding `package.json`, `lambdas/` and `lib/`), found from
 * this file's own location so it is right both in this repository and when Vigil is installed
 * as a construct library in someone else's CDK app.
 */
const PROJECT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The lock file esbuild's dependency resolution is anchored to, when there is one. */
const LOCK_FILE = ['package-lock.json', 'yarn.lock', 'pnpm-lock.yaml']
  .map((name) => join(PROJECT_ROOT, name))
  .find((path) => existsSync(path));

/**
 * Absolute path of a Lambda entry point.
 *
 * @param name - file name under `lambdas/handlers/`, without extension (`ingest-metrics`)
 */
const handlerEntry = (name: string): string =>
  join(PROJECT_ROOT, 'lambdas', 'handlers', `${name}.ts`);

export { handlerEntry, LOCK_FILE, PROJECT_ROOT };
