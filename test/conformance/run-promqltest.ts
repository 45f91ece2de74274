/**
 * `npm run conformance`: runs Prometheus's own engine tests (promqltest files, read from
 * ../shared/promql-testdata or $PROMQL_TESTDATA, never copied into the repo) against Vigil's
 * PromQL engine. Prints passed/failed/skipped per file and in total; cases that load native
 * histograms are skipped. Flags: --min-pass-rate <percent>, --verbose, --file <name>,
 * --engine prometheus-api (evaluate through `PrometheusApiQueryEngine` against Debian's
 * Prometheus 2.42 loaded with each data state: see prometheus-target.ts; slow, a Prometheus
 * start per data state).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { PrometheusTarget } from './prometheus-target';
import { runScript } from './promqltest';

const args = process.argv.slice(2);
const flag = (name: string): string | undefined => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const verbose = args.includes('--verbose');
const minPassRate = flag('--min-pass-rate');
const only = flag('--file');
const engineName = flag('--engine') ?? 'vigil';
if (engineName !== 'vigil' && engineName !== 'prometheus-api') {
  console.error(`--engine must be vigil or prometheus-api, not ${engineName}`);
  process.exit(2);
}
const target = engineName === 'prometheus-api' ? new PrometheusTarget() : undefined;
const dir = resolve(
  process.env.PROMQL_TESTDATA ?? join(process.cwd(), '..', 'shared', 'promql-testdata'),
);

const main = async (): Promise<number> => {
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.test') && (!only || f.includes(only)))
    .sort();
  let passed = 0;
  let failed = 0;
  let skipped = 0;
  const failures: string[] = [];
  console.log(
    `PromQL conformance: ${dir}${target ? ' (through PrometheusApiQueryEngine, Prometheus 2.42)' : ''}`,
  );
  console.log(
    `${'file'.padEnd(28)} ${'passed'.padStart(7)} ${'failed'.padStart(7)} ${'skipped'.padStart(8)}`,
  );
  for (const f of files) {
    const results = await runScript(readFileSync(join(dir, f), 'utf8'), target);
    const p = results.filter((r) => r.status === 'passed').length;
    const fl = results.filter((r) => r.status === 'failed');
    const s = results.filter((r) => r.status === 'skipped').length;
    passed += p;
    failed += fl.length;
    skipped += s;
    for (const r of fl) failures.push(`${f}:${r.line}: ${r.expr}\n    ${r.reason}`);
    console.log(
      `${f.padEnd(28)} ${String(p).padStart(7)} ${String(fl.length).padStart(7)} ${String(s).padStart(8)}`,
    );
  }
  const rate = passed + failed === 0 ? 100 : (100 * passed) / (passed + failed);
  console.log(
    `${'total'.padEnd(28)} ${String(passed).padStart(7)} ${String(failed).padStart(7)} ${String(skipped).padStart(8)}`,
  );
  console.log(
    `pass rate of in-scope cases: ${rate.toFixed(2)}% (${passed}/${passed + failed}); skipped (native histograms): ${skipped}`,
  );
  await target?.stop();
  if (target) console.log(`Prometheus data states loaded: ${target.starts}`);
  if (verbose && failures.length > 0) console.log(`\nfailing cases:\n${failures.join('\n')}`);
  if (minPassRate !== undefined && rate < Number(minPassRate)) {
    console.error(`pass rate ${rate.toFixed(2)}% is below --min-pass-rate ${minPassRate}%`);
    return 1;
  }
  return 0;
};

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err);
    process.exit(2);
  },
);
