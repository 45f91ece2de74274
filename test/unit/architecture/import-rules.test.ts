import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';

const repo = resolve(import.meta.dirname, '../../..');
const config = resolve(repo, '.dependency-cruiser.cjs');
const cli = resolve(repo, 'node_modules/dependency-cruiser/bin/dependency-cruise.mjs');

interface Violation {
  readonly from: string;
  readonly to: string;
  readonly rule: { readonly name: string };
  readonly cycle?: readonly { readonly name: string }[];
}

/** The rule violations dependency-cruiser finds under `lambdas/` of `cwd`, one line each. */
const violations = (cwd: string): string[] => {
  const run = spawnSync(
    process.execPath,
    [cli, 'lambdas', '--config', config, '--output-type', 'json'],
    { cwd, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
  );
  if (!run.stdout) throw new Error(`dependency-cruiser failed: ${run.stderr}`);
  const found: Violation[] = JSON.parse(run.stdout).summary.violations;
  return found.map((v) =>
    v.cycle
      ? `${v.rule.name}: ${[v.from, ...v.cycle.map((c) => c.name)].join(' → ')}`
      : `${v.rule.name}: ${v.from} → ${v.to}`,
  );
};

describe('import rules of lambdas/', () => {
  it('reports an import cycle, an endpoint imported by shared/ and wiring imported by the domain', () => {
    expect(violations(resolve(repo, 'test/fixtures/import-rules')).sort()).toEqual([
      'domain-imports: lambdas/domain/uses-wiring.ts → lambdas/wiring/roots.ts',
      'no-circular: lambdas/domain/cycle/first.ts → lambdas/domain/cycle/second.ts → lambdas/domain/cycle/first.ts',
      'shared-imports: lambdas/shared/uses-endpoint.ts → lambdas/api/endpoint.ts',
    ]);
  });

  it('holds for the source tree: no cycles, no import against the layering', () => {
    expect(violations(repo)).toEqual([]);
  });
});
