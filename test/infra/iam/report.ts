/**
 * Prints the IAM coverage figures of the every-feature stack: per function, the actions its
 * code's calls need, the actions its role grants, the granted actions no call needs, and any
 * missing permission.
 *
 *   npx tsx test/infra/iam/report.ts
 */
import { runCoverage } from './coverage-run';
import { figuresOf, figuresTable } from './figures';
import { describeFindings } from './iam-coverage';
import type { ModuleLoader } from './record-calls';

/** Outside Jest: a handler module is fresh when imported under its own query string. */
const QUERY_LOADER: ModuleLoader = {
  isolate: (body) => body(),
  importFresh: (path, key) =>
    path.startsWith('/') ? import(`${path}?function=${encodeURIComponent(key)}`) : import(path),
};

const run = await runCoverage(QUERY_LOADER);
const figures = figuresOf(run);
process.stdout.write(`${figuresTable(figures)}\n`);
const findings = [...run.results.values()].flatMap((r) => r.findings);
process.stdout.write(
  findings.length === 0
    ? '\nEvery recorded call is allowed.\n'
    : `\nMissing permissions:\n${describeFindings(findings)}\n`,
);
