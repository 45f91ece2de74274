/**
 * Parity of `vigil rules test` with `promtool test rules` (Debian's prometheus package, installed
 * by .ci/run): for every unit-test file under test/fixtures/rules/tests/, both tools run and their
 * exit codes must agree. The fixtures hold passing files and deliberately wrong ones, so both
 * directions are checked.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { testRules } from '../../bin/commands/test-rules';

const PROMTOOL = '/usr/bin/promtool';
const TESTS_DIR = join(process.cwd(), 'test/fixtures/rules/tests');
const files = readdirSync(TESTS_DIR)
  .filter((f) => f.endsWith('.yml'))
  .sort();

const runVigil = async (file: string): Promise<{ code: number; output: string }> => {
  const lines: string[] = [];
  const code = await testRules(
    [file],
    (l) => lines.push(l),
    (l) => lines.push(l),
  );
  return { code, output: lines.join('\n') };
};

describe('Feature: promtool test rules parity', () => {
  it('has promtool installed (apt-get install -y prometheus)', () => {
    // Assess
    expect(existsSync(PROMTOOL)).toBe(true);
  });

  it('has passing and deliberately failing test files', () => {
    // Assess
    expect(files.filter((f) => f.includes('.pass.')).length).toBeGreaterThanOrEqual(4);
    expect(files.filter((f) => f.includes('.fail-')).length).toBeGreaterThanOrEqual(4);
  });

  it.each(files)('agrees with promtool on %s', async (name) => {
    // Prepare
    const file = join(TESTS_DIR, name);

    // Act
    const promtool = spawnSync(PROMTOOL, ['test', 'rules', file], { encoding: 'utf8' });
    const vigil = await runVigil(file);

    // Assess
    expect(promtool.error).toBeUndefined();
    expect({ file: name, exit: vigil.code }).toEqual({ file: name, exit: promtool.status });
    expect(vigil.code).toBe(name.includes('.fail-') ? 1 : 0);
  });
});
