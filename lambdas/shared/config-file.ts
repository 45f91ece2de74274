import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { isMap, isPair, isScalar, isSeq, LineCounter, type Node, parseDocument } from 'yaml';
import type { VigilConfig } from '../domain/config/types';
import { type ConfigIssue, ConfigError, validateConfig } from '../domain/config/validate';
import { loadRegexEngine } from '../domain/regex/re2';
import { ENV } from './env';

// Validating a config compiles its regexes (relabel rules, matchers, dashboards) synchronously:
// whatever reads the file (the CLI, `npm start`, `cdk synth`) has RE2 loaded.
await loadRegexEngine();

/** Where the config is read from: `$VIGIL_CONFIG`, else `./vigil.config.yaml`. */
const configPath = (env: NodeJS.ProcessEnv = process.env): string =>
  resolve(env[ENV.CONFIG_PATH] ?? 'vigil.config.yaml');

/** `alerting.inhibit_rules[0].equal` → `['alerting', 'inhibit_rules', 0, 'equal']`. */
const pathSegments = (path: string): (string | number)[] =>
  [...path.matchAll(/([^.[\]]+)|\[(\d+)\]/g)].map((m) =>
    m[2] === undefined ? (m[1] as string) : Number(m[2]),
  );

/**
 * The offset in the file of the node at a dotted path: the key itself for an unknown key, the
 * value otherwise, or the nearest mapping or list above it when the path is not in the file (a
 * required key left out).
 */
const offsetOf = (contents: unknown, path: string, atKey: boolean): number | undefined => {
  let node = contents as Node | null | undefined;
  let offset = node?.range?.[0];
  const segments = pathSegments(path);
  for (const [i, seg] of segments.entries()) {
    if (isMap(node)) {
      const pair = node.items.find(
        (p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(seg),
      );
      if (!pair) break;
      const key = pair.key as Node;
      const value = pair.value as Node | null;
      if (i === segments.length - 1 && atKey) return key.range?.[0];
      node = value ?? key;
    } else if (isSeq(node) && typeof seg === 'number') {
      const item = node.items[seg] as Node | undefined;
      if (!item) break;
      node = item;
    } else break;
    offset = node?.range?.[0] ?? offset;
  }
  return offset;
};

/** The issue with the line and column of what it names in the file. */
const locate = (contents: unknown, lines: LineCounter, issue: ConfigIssue): ConfigIssue => {
  if (issue.path === '(root)') return { ...issue, line: 1, column: 1 };
  const offset = offsetOf(contents, issue.path, issue.message.startsWith('unknown key'));
  if (offset === undefined) return issue;
  const { line, col } = lines.linePos(offset);
  return { ...issue, line, column: col };
};

/** File order: by line and column, issues without a place last. */
const byPlace = (a: ConfigIssue, b: ConfigIssue): number =>
  (a.line ?? Number.MAX_SAFE_INTEGER) - (b.line ?? Number.MAX_SAFE_INTEGER) ||
  (a.column ?? 0) - (b.column ?? 0);

/**
 * Reads and validates `vigil.config.yaml` — the same file for `cdk synth` and `npm start`.
 * A missing file at the default path means "all defaults"; a missing file named by
 * `VIGIL_CONFIG` is an error. Throws `ConfigError` listing every problem with its path, line and
 * column, in file order (YAML syntax errors with their line and column).
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
  const lines = new LineCounter();
  const doc = parseDocument(readFileSync(file, 'utf8'), {
    lineCounter: lines,
    prettyErrors: false,
  });
  if (doc.errors.length > 0) {
    throw new ConfigError(
      file,
      doc.errors.map((e) => {
        const { line, col } = lines.linePos(e.pos[0]);
        return { path: '', message: e.message.split('\n')[0] ?? e.message, line, column: col };
      }),
    );
  }
  const { config, issues } = validateConfig(doc.toJS());
  if (issues.length > 0) {
    throw new ConfigError(file, issues.map((i) => locate(doc.contents, lines, i)).sort(byPlace));
  }
  return { config, source: file };
};

/**
 * For entry points (`cdk synth`, `npm start`, the CLI): runs `load`, and on a `ConfigError`
 * prints its problems, one line each, and exits with status 1 instead of a stack trace.
 */
const orExitOnConfigError = <T>(load: () => T): T => {
  const exit = (error: unknown): never => {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  };
  try {
    const result = load();
    return (result instanceof Promise ? result.catch(exit) : result) as T;
  } catch (error) {
    return exit(error);
  }
};

export { configPath, loadConfigFile, orExitOnConfigError };
