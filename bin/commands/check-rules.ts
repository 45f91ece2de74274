/**
 * `vigil rules check <files...>`: validates Prometheus rule files offline, with the output and
 * exit codes of `promtool check rules` (Prometheus 2.42+):
 * - for each file, `Checking <file>` then `  SUCCESS: N rules found` (stdout), or `  FAILED:`
 *   and one line per error (stderr), then an empty line;
 * - exit 0 when every file is valid, 1 when a file has errors (or does not exist), 3 when the
 *   only problems are lint findings and `--lint-fatal` is set (lint findings alone exit 0).
 * @see https://github.com/prometheus/prometheus/blob/main/cmd/promtool/main.go (CheckRules)
 */
import { readFile, stat } from 'node:fs/promises';
import {
  findDuplicateRules,
  formatDuplicateRules,
} from '../../lambdas/domain/rules/rule-file-lint';
import { parseRuleFile, type ValidateTemplate } from '../../lambdas/domain/rules/rule-file';
import { HELP_FLAG, parseFlags } from '../cli-args';

/** promtool's exit codes. */
const ExitCode = { Success: 0, Failure: 1, Lint: 3 } as const;

/** The lint checks of `--lint` (promtool: `all`, `duplicate-rules`, `none`). */
const LintOption = { All: 'all', DuplicateRules: 'duplicate-rules', None: 'none' } as const;
type LintOption = (typeof LintOption)[keyof typeof LintOption];

interface CheckRulesOptions {
  /** @default ['duplicate-rules'], as promtool */
  readonly lint?: readonly LintOption[];
  /** Exit 3 when lint finds something. @default false */
  readonly lintFatal?: boolean;
  /** Checks label and annotation templates of alerting rules. @default the template engine's */
  readonly validateTemplate?: ValidateTemplate;
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** Reads one file; returns its text, or the reason it cannot be read, like Prometheus's ParseFile. */
const readRuleFile = async (file: string): Promise<{ text: string } | { error: string }> => {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(file);
  } catch (error) {
    return { error: `${file}: ${(error as Error).message}` };
  }
  try {
    return { text: strictUtf8.decode(bytes) };
  } catch {
    // go-yaml rejects such a file too ("yaml: invalid leading UTF-8 octet").
    return { error: `${file}: yaml: invalid UTF-8` };
  }
};

/** Checks one file: `[errors, lintFindings, ruleCount]`. */
const checkFile = async (
  file: string,
  options: CheckRulesOptions,
): Promise<{ errors: string[]; lint: string[]; rules: number }> => {
  const read = await readRuleFile(file);
  if ('error' in read) return { errors: [read.error], lint: [], rules: 0 };
  const parsed = parseRuleFile(
    read.text,
    file,
    options.validateTemplate === undefined ? {} : { validateTemplate: options.validateTemplate },
  );
  if (parsed.errors.length > 0) {
    return { errors: parsed.errors.map((e) => e.message), lint: [], rules: 0 };
  }
  const lint = options.lint ?? [LintOption.DuplicateRules];
  if (lint.includes(LintOption.All) || lint.includes(LintOption.DuplicateRules)) {
    const duplicates = findDuplicateRules(parsed.groups);
    if (duplicates.length > 0) {
      return { errors: [], lint: [`lint error ${formatDuplicateRules(duplicates)}`], rules: 0 };
    }
  }
  return { errors: [], lint: [], rules: parsed.groups.reduce((n, g) => n + g.rules.length, 0) };
};

/**
 * Checks rule files like `promtool check rules` and returns its exit code.
 * @param files paths, as given (the shell expands globs)
 * @param out receives stdout lines (without newline)
 * @param err receives stderr lines
 * @param options lint settings and the template check
 * @example await checkRules(['alerts.yml'], console.log, console.error) // 0
 */
const checkRules = async (
  files: readonly string[],
  out: (line: string) => void,
  err: (line: string) => void,
  options: CheckRulesOptions = {},
): Promise<number> => {
  if (files.length === 0) {
    err("vigil: error: required argument 'rule-files' not provided");
    return ExitCode.Failure;
  }
  // Like promtool's `ExistingFiles` argument: a missing path stops before any check.
  for (const file of files) {
    const isFile = await stat(file).then(
      (s) => s.isFile(),
      () => undefined,
    );
    if (isFile === undefined) {
      err(`vigil: error: path '${file}' does not exist`);
      return ExitCode.Failure;
    }
    if (!isFile) {
      err(`vigil: error: '${file}' is a directory`);
      return ExitCode.Failure;
    }
  }
  let failed = false;
  let hasErrors = false;
  for (const file of files) {
    out(`Checking ${file}`);
    const result = await checkFile(file, options).catch((error: unknown) => ({
      // A defect in a checker must not end the run: the file fails, the others are checked.
      errors: [`${file}: internal error while checking: ${(error as Error).message}`],
      lint: [],
      rules: 0,
    }));
    const problems = [...result.errors, ...result.lint];
    if (problems.length > 0) {
      err('  FAILED:');
      for (const p of problems) err(p);
      failed = true;
      hasErrors ||= result.errors.length > 0;
    } else {
      out(`  SUCCESS: ${result.rules} rules found`);
    }
    out('');
  }
  if (failed && hasErrors) return ExitCode.Failure;
  if (failed && options.lintFatal === true) return ExitCode.Lint;
  return ExitCode.Success;
};

const USAGE = `usage: vigil rules check [--lint=duplicate-rules|all|none] [--lint-fatal] <rule-files>...

Checks Prometheus rule files like \`promtool check rules\`, with its output and exit codes.

  --lint <checks>   comma-separated: duplicate-rules (default), all, none
  --lint-fatal      exit 3 when lint finds something

exit codes: 0 valid, 1 errors (or a usage error, as promtool), 3 lint findings with --lint-fatal`;

/**
 * Parses `vigil rules check` arguments: `--lint=<all|duplicate-rules|none>` (comma-separated),
 * `--lint-fatal`, then the files. Returns an error message for an unknown flag, and promtool's
 * warning for an unknown lint option.
 */
const parseCheckRulesArgs = (
  args: readonly string[],
):
  | { files: string[]; options: CheckRulesOptions; warnings: string[] }
  | { help: true }
  | { error: string } => {
  const parsed = parseFlags(
    args,
    { ...HELP_FLAG, lint: { type: 'string' }, 'lint-fatal': { type: 'boolean' } },
    { positionals: true },
  );
  if ('error' in parsed) return parsed;
  if (parsed.values.help === true) return { help: true };
  const warnings: string[] = [];
  const known: readonly string[] = Object.values(LintOption);
  let lint: LintOption[] | undefined;
  if (parsed.values.lint !== undefined) {
    const values = parsed.values.lint.split(',');
    // promtool warns about an unknown lint option and goes on without it.
    for (const v of values)
      if (!known.includes(v)) warnings.push(`WARNING: unknown lint option ${v}`);
    lint = values.filter((v): v is LintOption => known.includes(v));
  }
  return {
    files: parsed.positionals,
    options: {
      lintFatal: parsed.values['lint-fatal'] === true,
      ...(lint === undefined ? {} : { lint }),
    },
    warnings,
  };
};

/** `vigil rules check <args>`: parses the flags, then checks; returns promtool's exit code. */
const runCheckRules = async (
  args: readonly string[],
  out: (line: string) => void,
  err: (line: string) => void,
): Promise<number> => {
  const parsed = parseCheckRulesArgs(args);
  if ('help' in parsed) {
    out(USAGE);
    return ExitCode.Success;
  }
  if ('error' in parsed) {
    err(`vigil: error: ${parsed.error}, try --help`);
    return ExitCode.Failure;
  }
  for (const w of parsed.warnings) out(w);
  return checkRules(parsed.files, out, err, parsed.options);
};

export type { CheckRulesOptions };
export { checkRules, ExitCode, LintOption, parseCheckRulesArgs, runCheckRules };
