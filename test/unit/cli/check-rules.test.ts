import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkRules, parseCheckRulesArgs } from '../../../bin/commands/check-rules';

const FIXTURES = join(process.cwd(), 'test', 'fixtures', 'rules');
const fixture = (name: string): string => join(FIXTURES, name);

/** The real promtool, from Debian's `prometheus` package (2.42), which `.ci/run` installs. */
const PROMTOOL = '/usr/bin/promtool';

const run = async (files: string[], options = {}) => {
  const out: string[] = [];
  const err: string[] = [];
  const code = await checkRules(
    files,
    (l) => out.push(l),
    (l) => err.push(l),
    options,
  );
  return { code, out, err };
};

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'vigil-check-rules-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('Command: vigil rules check', () => {
  it('prints the rule count of a valid file and exits 0', async () => {
    // Act
    const { code, out, err } = await run([fixture('example-inference-service.yml')]);

    // Assess
    expect(code).toBe(0);
    expect(out).toEqual([
      `Checking ${fixture('example-inference-service.yml')}`,
      '  SUCCESS: 7 rules found',
      '',
    ]);
    expect(err).toEqual([]);
  });

  it('prints FAILED and every error on stderr, checks the other files, and exits 1', async () => {
    // Prepare
    const bad = fixture('invalid-many-errors.yml');
    const good = fixture('example-rxvision.yml');

    // Act
    const { code, out, err } = await run([bad, good]);

    // Assess
    expect(code).toBe(1);
    expect(out).toEqual([
      `Checking ${bad}`,
      '',
      `Checking ${good}`,
      '  SUCCESS: 2 rules found',
      '',
    ]);
    expect(err[0]).toBe('  FAILED:');
    expect(err).toHaveLength(7);
    expect(err[1]).toBe(
      `${bad}:5:15: group "a", rule 1, "A": could not parse expression: 1:6: parse error: unexpected end of input`,
    );
  });

  it('reports duplicate rules as a lint finding that exits 0, or 3 with --lint-fatal', async () => {
    // Prepare
    const file = fixture('valid-duplicate-rules.yml');

    // Act
    const lenient = await run([file]);
    const fatal = await run([file], { lintFatal: true });
    const off = await run([file], { lint: ['none'], lintFatal: true });

    // Assess
    expect(lenient.code).toBe(0);
    expect(lenient.err).toEqual([
      '  FAILED:',
      'lint error 1 duplicate rule(s) found.\nMetric: InstanceDown\nLabel(s):\n\tseverity: critical\n' +
        'Might cause inconsistency while recording expressions',
    ]);
    expect(lenient.out).toEqual([`Checking ${file}`, '']);
    expect(fatal.code).toBe(3);
    expect(off).toMatchObject({ code: 0, err: [] });
    expect(off.out).toContain('  SUCCESS: 2 rules found');
  });

  it('exits 1 when errors and lint findings mix, even with --lint-fatal', async () => {
    // Act
    const { code } = await run(
      [fixture('valid-duplicate-rules.yml'), fixture('invalid-label-name.yml')],
      { lintFatal: true },
    );

    // Assess
    expect(code).toBe(1);
  });

  it('stops before any check when a path does not exist, like promtool', async () => {
    // Prepare
    const missing = join(dir, 'missing.yml');

    // Act
    const { code, out, err } = await run([fixture('example-rxvision.yml'), missing]);

    // Assess
    expect(code).toBe(1);
    expect(out).toEqual([]);
    expect(err).toEqual([`vigil: error: path '${missing}' does not exist`]);
  });

  it('rejects a directory and an empty file list', async () => {
    // Act
    const directory = await run([dir]);
    const none = await run([]);

    // Assess
    expect(directory).toEqual({ code: 1, out: [], err: [`vigil: error: '${dir}' is a directory`] });
    expect(none).toEqual({
      code: 1,
      out: [],
      err: ["vigil: error: required argument 'rule-files' not provided"],
    });
  });

  it('reports a file that is not UTF-8', async () => {
    // Act
    const file = fixture('invalid-utf8-bytes.yml');
    const { code, err } = await run([file]);

    // Assess
    expect(code).toBe(1);
    expect(err).toEqual(['  FAILED:', `${file}: yaml: invalid UTF-8`]);
  });

  it('uses the given template check', async () => {
    // Prepare
    const file = join(dir, 'r.yml');
    writeFileSync(file, 'groups:\n  - name: a\n    rules:\n      - alert: A\n        expr: up\n');

    // Act
    const { code } = await run([file], {
      validateTemplate: () => {
        throw new Error('never called: the rule has no templates');
      },
    });

    // Assess
    expect(code).toBe(0);
  });

  it('fails a file with a 1,000-deep expression or 1,000-deep YAML on its own line and checks the files after it', async () => {
    // Prepare
    const deepExpr = join(dir, 'deep-expr.yml');
    writeFileSync(
      deepExpr,
      `groups:\n- name: g\n  rules:\n  - record: r\n    expr: ${'abs('.repeat(1000)}up${')'.repeat(1000)}\n`,
    );
    const deepYaml = join(dir, 'deep-yaml.yml');
    writeFileSync(deepYaml, `groups: ${'['.repeat(5000)}${']'.repeat(5000)}\n`);
    const good = fixture('example-rxvision.yml');

    // Act
    const { code, out, err } = await run([deepExpr, deepYaml, good]);

    // Assess
    expect(code).toBe(1);
    expect(out).toEqual([
      `Checking ${deepExpr}`,
      '',
      `Checking ${deepYaml}`,
      '',
      `Checking ${good}`,
      expect.stringMatching(/^ {2}SUCCESS: \d+ rules found$/),
      '',
    ]);
    expect(err).toEqual([
      '  FAILED:',
      `${deepExpr}:5:11: group "g", rule 1, "r": could not parse expression: 1:1028: parse error: expression nested more than 256 levels deep (parentheses, function calls, brackets, braces, unary signs)`,
      '  FAILED:',
      `${deepYaml}:1:264: yaml: collections nested more than 256 levels deep`,
    ]);
  });

  it('fails a file whose check throws and still checks the next file', async () => {
    // Prepare: the lint setting is read once per file checked; the first read throws
    const first = fixture('example-inference-service.yml');
    const good = fixture('example-rxvision.yml');
    let reads = 0;
    const options = {};
    Object.defineProperty(options, 'lint', {
      get: () => {
        reads++;
        if (reads === 1) throw new RangeError('Maximum call stack size exceeded');
        return ['duplicate-rules'];
      },
    });

    // Act
    const { code, out, err } = await run([first, good], options);

    // Assess
    expect(code).toBe(1);
    expect(out).toEqual([
      `Checking ${first}`,
      '',
      `Checking ${good}`,
      expect.stringMatching(/^ {2}SUCCESS: \d+ rules found$/),
      '',
    ]);
    expect(err).toEqual([
      '  FAILED:',
      `${first}: internal error while checking: Maximum call stack size exceeded`,
    ]);
  });
});

describe('Function: parseCheckRulesArgs', () => {
  it('reads --lint, --lint-fatal and the files', () => {
    // Act
    const parsed = parseCheckRulesArgs(['--lint=all,none', '--lint-fatal', 'a.yml', '--', 'b.yml']);

    // Assess
    expect(parsed).toEqual({
      files: ['a.yml', 'b.yml'],
      options: { lint: ['all', 'none'], lintFatal: true },
      warnings: [],
    });
  });

  it('warns about an unknown lint option and ignores it, like promtool', () => {
    // Act
    const parsed = parseCheckRulesArgs(['--lint=bogus', 'a.yml']);

    // Assess
    expect(parsed).toEqual({
      files: ['a.yml'],
      options: { lint: [], lintFatal: false },
      warnings: ['WARNING: unknown lint option bogus'],
    });
  });

  it('rejects an unknown flag', () => {
    // Act & Assess
    expect(parseCheckRulesArgs(['--strict', 'a.yml'])).toEqual({ error: 'unknown flag --strict' });
  });
});

/**
 * Where Vigil knowingly disagrees with promtool 2.42, and why. Each entry is asserted, so a
 * change on either side shows up here.
 */
const KNOWN_DIVERGENCES: Readonly<
  Record<string, { promtool: number; vigil: number; why: string }>
> = {
  'valid-query-offset.yml': {
    promtool: 1,
    vigil: 0,
    why: 'query_offset exists since Prometheus 2.53; promtool 2.42 rejects it as an unknown field',
  },
  'invalid-expression-too-deep.yml': {
    promtool: 0,
    vigil: 1,
    why: 'Vigil refuses PromQL nested more than 256 levels (its parser and evaluator recurse; Go stacks grow)',
  },
  'valid-expr-duration-number.yml': {
    promtool: 1,
    vigil: 0,
    why: 'Prometheus 3 PromQL reads a duration where a number goes (1h30m = 5400); promtool 2.42 does not',
  },
};

describe('Agreement with promtool check rules (the real binary, from .ci/run)', () => {
  const files = readdirSync(FIXTURES)
    .filter((f) => f.endsWith('.yml'))
    .sort();

  const promtool = (args: string[]): number => {
    const result = spawnSync(PROMTOOL, ['check', 'rules', ...args], { encoding: 'utf8' });
    if (result.error !== undefined) {
      throw new Error(
        `cannot run ${PROMTOOL} (install Debian's prometheus package, as .ci/run does): ${result.error.message}`,
      );
    }
    return result.status ?? -1;
  };

  it('covers the example rule files and at least 25 invalid fixtures', () => {
    // Assess
    expect(files.filter((f) => f.startsWith('example-'))).toHaveLength(4);
    expect(files.filter((f) => f.startsWith('invalid-')).length).toBeGreaterThanOrEqual(25);
  });

  it.each(files)('gives the same exit code as promtool for %s', async (name) => {
    // Act
    const expected = promtool([fixture(name)]);
    const { code } = await run([fixture(name)]);

    // Assess
    const divergence = KNOWN_DIVERGENCES[name];
    if (divergence === undefined) {
      expect(code).toBe(expected);
    } else {
      expect({ promtool: expected, vigil: code }).toEqual({
        promtool: divergence.promtool,
        vigil: divergence.vigil,
      });
    }
    if (name.startsWith('example-') || name.startsWith('valid-')) expect(code).toBe(0);
    if (name.startsWith('invalid-')) expect(code).toBe(1);
  });

  it('gives the same exit code as promtool with --lint-fatal on duplicate rules', async () => {
    // Prepare
    const file = fixture('valid-duplicate-rules.yml');

    // Act
    const expected = promtool(['--lint-fatal', file]);
    const { code } = await run([file], { lintFatal: true });

    // Assess
    expect(expected).toBe(3);
    expect(code).toBe(expected);
  });

  it('gives the same exit code as promtool for several files at once', async () => {
    // Prepare
    const some = [fixture('example-robo-rlhf.yml'), fixture('invalid-expr-promql.yml')];

    // Act
    const expected = promtool(some);
    const { code } = await run(some);

    // Assess
    expect(code).toBe(expected);
  });
});
