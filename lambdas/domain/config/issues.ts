/**
 * A problem found in `vigil.config.yaml`, shared by every section's schema and by the loaders.
 * This module imports nothing, so a feature's schema and the config module never import each other.
 */

/**
 * A configuration error: `path` is a dotted path into the YAML (`limits.maxBodyBytes`); `line`
 * and `column` (1-based) say where in the file, when the problem was found in a file.
 */
export interface ConfigIssue {
  readonly path: string;
  readonly message: string;
  readonly line?: number;
  readonly column?: number;
}

/** One line per issue: `vigil.config.yaml:12:3 alerting.group_wait: …`. */
const formatIssue = (source: string, i: ConfigIssue): string => {
  const what = i.path === '' ? i.message : `${i.path}: ${i.message}`;
  return i.line === undefined
    ? `${source}: ${what}`
    : `${source}:${i.line}:${i.column ?? 1} ${what}`;
};

/** Thrown by loaders when validation fails; carries every issue, not only the first. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly source: string;
  readonly issues: readonly ConfigIssue[];
  constructor(source: string, issues: readonly ConfigIssue[], options?: ErrorOptions) {
    super(issues.map((i) => formatIssue(source, i)).join('\n'), options);
    this.source = source;
    this.issues = issues;
  }
}
