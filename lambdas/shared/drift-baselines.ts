/**
 * Baseline CSVs of drift monitors (`reference: { baseline: path }`, relative to the config
 * file): read and checked when local mode starts and when `cdk synth` bundles them into the drift
 * function, so a missing file or column fails early with the monitor's config path.
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { type ConfigIssue, ConfigError } from '../domain/config/issues';
import type { DriftConfig } from '../domain/drift/drift-config';
import { parseCsvTable } from '../domain/drift/index';
import type { Table } from '../domain/drift/types';

/** A monitor's baseline: where it was read from, its text, and the parsed table. */
interface LoadedBaseline {
  readonly path: string;
  readonly text: string;
  readonly table: Table;
}

/**
 * Reads every baseline of `drift.monitors`. Throws `ConfigError` naming each monitor whose file
 * is missing, is not a CSV with a header, or lacks one of the monitor's fields.
 */
const loadDriftBaselines = (
  drift: DriftConfig,
  configDir: string,
  source = 'vigil.config.yaml',
): Map<string, LoadedBaseline> => {
  const out = new Map<string, LoadedBaseline>();
  const issues: ConfigIssue[] = [];
  drift.monitors.forEach((m, i) => {
    if (m.reference.kind !== 'baseline' || m.source.kind !== 'events') return;
    const at = `drift.monitors[${i}].reference.baseline`;
    const path = resolve(configDir, m.reference.path);
    if (!existsSync(path)) {
      issues.push({ path: at, message: `file not found: ${path}` });
      return;
    }
    const text = readFileSync(path, 'utf8');
    let table: Table;
    try {
      table = parseCsvTable(text);
    } catch (e) {
      issues.push({ path: at, message: `${path}: ${(e as Error).message}` });
      return;
    }
    const missing = m.source.fields.filter((f) => !table.columns.includes(f));
    if (missing.length > 0) {
      issues.push({
        path: at,
        message: `${path} has no column ${missing.map((f) => JSON.stringify(f)).join(', ')} (header: ${table.columns.join(', ')})`,
      });
      return;
    }
    out.set(m.name, { path, text, table });
  });
  if (issues.length > 0) throw new ConfigError(source, issues);
  return out;
};

export type { LoadedBaseline };
export { loadDriftBaselines };
