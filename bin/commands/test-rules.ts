/**
 * `vigil rules test <files...>`: runs promtool's rule unit-test files offline, with the output and
 * exit codes of `promtool test rules` (Prometheus 2.42):
 * - for each file, `Unit Testing:  <file>` then `  SUCCESS` (stdout), or `  FAILED:` and each
 *   failure (stderr, each followed by an empty line on stdout), then an empty line;
 * - `rule_files` are relative to the test file and may be globs; a pattern matching nothing is a
 *   warning, not an error;
 * - exit 0 when every file passes, 1 otherwise.
 * @see https://github.com/prometheus/prometheus/blob/main/cmd/promtool/unittest.go (RulesUnitTest)
 * @see https://prometheus.io/docs/prometheus/latest/configuration/unit_testing_rules/
 */
import { lstat, readdir, readFile, stat } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join } from 'node:path';
import { MemorySeriesStore } from '../../lambdas/adapters/storage/memory-series-store';
import { parseRuleFile, type RuleGroup } from '../../lambdas/domain/rules/rule-file';
import { type LoadedRuleGroups, runRuleUnitTests } from '../../lambdas/domain/rules/unit-test';
import { parseUnitTestFile } from '../../lambdas/domain/rules/unit-test-file';
import { renderAlertTemplate } from '../../lambdas/domain/templates';
import { HELP_FLAG, parseFlags } from '../cli-args';

/** promtool's exit codes for `test rules`. */
const TestRulesExitCode = { Success: 0, Failure: 1 } as const;

const GLOB_META_RE = /[*?[\\]/;

/** A Go `path.Match` pattern as a regular expression (`*`, `?`, `[a-z]`, `[^a]`, `\x`). */
const globSegmentRe = (pattern: string): RegExp => {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i] as string;
    if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '\\' && i + 1 < pattern.length) re += `\\${pattern[++i]}`;
    else if (c === '[') {
      const end = pattern.indexOf(']', i + 2);
      if (end < 0) throw new Error('syntax error in pattern');
      const body = pattern.slice(i + 1, end).replace(/^\^/, '!');
      re += `[${body.startsWith('!') ? `^${body.slice(1)}` : body}]`;
      i = end;
    } else re += c.replace(/[.+^${}()|\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
};

/** Go's `filepath.Glob`: the existing paths a pattern matches, sorted per directory. */
const glob = async (pattern: string): Promise<string[]> => {
  if (!GLOB_META_RE.test(pattern)) {
    return lstat(pattern).then(
      () => [pattern],
      () => [],
    );
  }
  const dir = dirname(pattern);
  const base = basename(pattern);
  const dirs = GLOB_META_RE.test(dir) ? await glob(dir) : [dir];
  const re = globSegmentRe(base);
  const out: string[] = [];
  for (const d of dirs) {
    const names = await readdir(d).catch(() => [] as string[]);
    for (const n of names.sort()) {
      if (re.test(n)) out.push(join(d, n));
    }
  }
  return out;
};

/** Reads and parses the rule files, like promtool's `LoadGroups`. */
const loadRuleGroups = async (paths: readonly string[]): Promise<LoadedRuleGroups> => {
  const groups: RuleGroup[] = [];
  const errors: string[] = [];
  for (const path of paths) {
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      errors.push(`${path}: ${(error as Error).message}`);
      continue;
    }
    const parsed = parseRuleFile(text, path);
    groups.push(...parsed.groups);
    errors.push(...parsed.errors.map((e) => e.message));
  }
  return { groups, errors };
};

/** Runs one test file; returns its failures (empty when it passes). */
const testFile = async (file: string, err: (line: string) => void): Promise<string[]> => {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    return [(error as Error).message];
  }
  let parsed: ReturnType<typeof parseUnitTestFile>;
  try {
    parsed = parseUnitTestFile(text);
  } catch (error) {
    return [(error as Error).message];
  }
  const baseDir = dirname(file);
  const ruleFiles: string[] = [];
  for (const rf of parsed.ruleFiles) {
    const pattern = rf !== '' && !isAbsolute(rf) ? join(baseDir, rf) : rf;
    let matches: string[];
    try {
      matches = await glob(pattern);
    } catch (error) {
      return [(error as Error).message];
    }
    if (matches.length === 0) err(`  WARNING: no file match pattern ${pattern}`);
    ruleFiles.push(...matches);
  }
  const loaded = await loadRuleGroups(ruleFiles);
  return runRuleUnitTests(parsed, loaded, {
    createStore: () => new MemorySeriesStore(),
    renderTemplate: renderAlertTemplate,
  });
};

/**
 * Runs promtool rule unit-test files and returns promtool's exit code.
 * @param files test files, as given (the shell expands globs)
 * @param out receives stdout lines (without newline)
 * @param err receives stderr lines
 * @example await testRules(['tests/alerts.test.yml'], console.log, console.error) // 0
 */
const testRules = async (
  files: readonly string[],
  out: (line: string) => void,
  err: (line: string) => void,
): Promise<number> => {
  if (files.length === 0) {
    err("vigil: error: required argument 'test-rule-file' not provided");
    return TestRulesExitCode.Failure;
  }
  // Like promtool's `ExistingFiles` argument: a missing path stops before any test runs.
  for (const file of files) {
    const isFile = await stat(file).then(
      (s) => s.isFile(),
      () => undefined,
    );
    if (isFile !== true) {
      err(
        isFile === undefined
          ? `vigil: error: path '${file}' does not exist`
          : `vigil: error: '${file}' is a directory`,
      );
      return TestRulesExitCode.Failure;
    }
  }
  let failed = false;
  for (const file of files) {
    out(`Unit Testing:  ${file}`);
    const failures = await testFile(file, err);
    if (failures.length > 0) {
      err('  FAILED:');
      for (const f of failures) {
        err(f);
        out('');
      }
      failed = true;
    } else {
      out('  SUCCESS');
    }
    out('');
  }
  return failed ? TestRulesExitCode.Failure : TestRulesExitCode.Success;
};

const USAGE = `usage: vigil rules test <test-rule-files>...

Runs rule unit-test files like \`promtool test rules\`, with its output and exit codes.

exit codes: 0 every test passed, 1 a test failed (or a usage error, as promtool)`;

/** `vigil rules test <args>`: parses the flags, then runs the tests; returns promtool's exit code. */
const runTestRules = async (
  args: readonly string[],
  out: (line: string) => void,
  err: (line: string) => void,
): Promise<number> => {
  const parsed = parseFlags(args, HELP_FLAG, { positionals: true });
  if ('error' in parsed) {
    err(`vigil: error: ${parsed.error}, try --help`);
    return TestRulesExitCode.Failure;
  }
  if (parsed.values.help === true) {
    out(USAGE);
    return TestRulesExitCode.Success;
  }
  return testRules(parsed.positionals, out, err);
};

export { glob, runTestRules, TestRulesExitCode, testRules };
