/**
 * The drift document: what the drift functions are deployed with. `cdk synth` validates
 * `drift:`, reads each monitor's baseline CSV and writes this JSON into the functions' bundles
 * (`drift.json`), so a deployment pins code, monitors and baselines together and the functions
 * never read the config file or S3 for them.
 */
import type { ParsedExprsJSON } from '../promql/expr-json';
import type { DriftConfig } from './drift-config';
import { parseCsvTable } from './index';
import type { Table } from './types';

/** `drift.json` */
interface DriftDocument {
  readonly drift: DriftConfig;
  /** Monitor name → baseline CSV text (monitors with a `baseline` reference only). */
  readonly baselines: Readonly<Record<string, string>>;
  /**
   * The histogram monitors' queries (`histogram-query.ts`) parsed at synth, by their text.
   * @default none: each query is parsed when run
   */
  readonly parsedExprs?: ParsedExprsJSON;
}

/** A document that is not what `cdk synth` writes. */
class DriftDocumentError extends Error {
  override readonly name = 'DriftDocumentError';
}

/** Checks the shape of a parsed `drift.json`. */
const driftDocumentFromJSON = (raw: unknown): DriftDocument => {
  const doc = raw as Partial<DriftDocument> | null;
  if (
    typeof doc !== 'object' ||
    doc === null ||
    typeof doc.drift !== 'object' ||
    !Array.isArray(doc.drift?.monitors) ||
    typeof doc.baselines !== 'object'
  ) {
    throw new DriftDocumentError('drift document must be {"drift": {...}, "baselines": {...}}');
  }
  return doc as DriftDocument;
};

/** Baseline tables of a document, parsed once: monitor name → table. */
const baselineTables = (doc: DriftDocument): Map<string, Table> =>
  new Map(Object.entries(doc.baselines).map(([name, text]) => [name, parseCsvTable(text)]));

export type { DriftDocument };
export { baselineTables, DriftDocumentError, driftDocumentFromJSON };
