/**
 * Loads the rule files listed in `vigil.config.yaml` (`rules:` paths or globs, relative to the
 * config file) into a {@link RulesDocument}, as `npx cdk synth` and `npm start` do.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import type { VigilConfig } from '../domain/config/types';
import { type ConfigIssue, ConfigError } from '../domain/config/issues';
import { parseRuleFile } from '../domain/rules/rule-file';
import type { RuleGroup } from '../domain/rules/rule-file';
import { documentGroup, parsedExprsOf, type RulesDocument } from '../domain/rules/rules-document';

const GLOB_CHARS = /[*?[]/;

/** A glob segment as a regex: `*` any run of non-`/`, `?` one character, `[...]` a class. */
const segmentRegex = (segment: string): RegExp => {
  let re = '';
  for (let i = 0; i < segment.length; i++) {
    const c = segment[i] as string;
    if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '[') {
      const end = segment.indexOf(']', i + 1);
      if (end < 0) re += '\\[';
      else {
        re += `[${segment
          .slice(i + 1, end)
          .replace(/^!/, '^')
          .replace(/\\/g, '\\\\')}]`;
        i = end;
      }
    } else re += c.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
};

const listDir = (dir: string): string[] => {
  try {
    return readdirSync(dir).sort();
  } catch {
    return [];
  }
};

const isDir = (p: string): boolean => {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
};

/**
 * Expands a glob (`*`, `?`, `[...]` within a path segment; `**` any number of directories) under
 * `baseDir`, sorted. Node 20 has no `fs.globSync` (added in Node 22).
 */
const expandGlob = (pattern: string, baseDir: string): string[] => {
  const absolute = isAbsolute(pattern);
  const segments = pattern.split(/[\\/]+/).filter((s) => s !== '');
  const start = absolute ? sep : baseDir;
  const walk = (dir: string, i: number): string[] => {
    if (i === segments.length) return [dir];
    const seg = segments[i] as string;
    if (seg === '**') {
      const here = walk(dir, i + 1);
      const deeper = listDir(dir)
        .map((e) => join(dir, e))
        .filter(isDir)
        .flatMap((d) => walk(d, i));
      return [...here, ...deeper];
    }
    if (!GLOB_CHARS.test(seg)) {
      const next = join(dir, seg);
      return existsSync(next) ? walk(next, i + 1) : [];
    }
    const re = segmentRegex(seg);
    return listDir(dir)
      .filter((e) => re.test(e))
      .flatMap((e) => walk(join(dir, e), i + 1));
  };
  return [...new Set(walk(start, 0))].filter((f) => !isDir(f)).sort();
};

/**
 * Reads, parses and checks every rule file of `config.rules` (paths or globs relative to
 * `configDir`). A glob matching nothing is no error (Prometheus's `filepath.Glob`); a plain path
 * that does not exist is. Throws {@link ConfigError} listing every error, each as
 * `file:line:col: group "g", rule N, "name": reason` (like `promtool check rules`); a group name
 * used in two files is an error too, as Prometheus identifies groups by file and name but Vigil's
 * API and state key them by name as well.
 */
const loadRulesDocument = (config: VigilConfig, configDir: string): RulesDocument => {
  const issues: ConfigIssue[] = [];
  const files: string[] = [];
  config.rules.forEach((entry, i) => {
    if (GLOB_CHARS.test(entry)) {
      files.push(...expandGlob(entry, configDir));
      return;
    }
    const file = resolve(configDir, entry);
    if (!existsSync(file) || isDir(file)) {
      issues.push({ path: `rules[${i}]`, message: `${entry}: no such file` });
    } else files.push(file);
  });
  const groups: RulesDocument['groups'][number][] = [];
  const parsedGroups: RuleGroup[] = [];
  for (const file of [...new Set(files)]) {
    const name = relative(configDir, file).split(sep).join('/') || file;
    const { groups: parsed, errors } = parseRuleFile(readFileSync(file, 'utf8'), name);
    for (const e of errors) issues.push({ path: 'rules', message: e.message });
    // Groups are keyed by file and name, as in Prometheus's rules manager: the same group name
    // may appear in two files (a repeat inside one file is a rule-file error).
    for (const g of parsed) groups.push(documentGroup(g));
    parsedGroups.push(...parsed);
  }
  if (issues.length > 0) throw new ConfigError('rules', issues);
  return {
    groups,
    evaluation: config.evaluation,
    alerting: config.alerting,
    parsedExprs: parsedExprsOf(parsedGroups),
  };
};

export { expandGlob, loadRulesDocument };
