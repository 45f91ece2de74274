/**
 * `DriftReportStore` for local mode: the same key layout as the S3 store (`report-keys.ts`) as
 * files under a directory (`<dataDir>/drift-reports`): the JSON report and its HTML page. Both
 * are written atomically (temp file, fsync, rename), the page first, so a crash never leaves half
 * a report and a listed report has its page.
 */
import { mkdirSync } from 'node:fs';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { DriftReport, DriftReportSummary } from '../../domain/drift/report';
import type { DriftReportStore } from '../../domain/drift/report-store';
import { writeFileAtomic } from '../files/write-file-atomic';
import {
  htmlKey,
  htmlKeyOfId,
  INDEX_PREFIX,
  indexKey,
  monitorPrefix,
  reportKey,
  reportKeyOfId,
  summaryOfKey,
} from './report-keys';

interface FileDriftReportStoreOptions {
  /** Directory holding the reports; created when missing. */
  readonly directory: string;
}

const errnoCode = (error: unknown): string | undefined =>
  (error as NodeJS.ErrnoException | undefined)?.code;

/** Drift reports as JSON files. */
class FileDriftReportStore implements DriftReportStore {
  readonly #directory: string;

  constructor(options: FileDriftReportStoreOptions) {
    this.#directory = options.directory;
    mkdirSync(this.#directory, { recursive: true });
  }

  async put(report: DriftReport, html: string): Promise<void> {
    const file = join(this.#directory, reportKey(report.monitor, report.runAtMs));
    mkdirSync(dirname(file), { recursive: true });
    await writeFileAtomic(join(this.#directory, htmlKey(report.monitor, report.runAtMs)), html);
    await writeFileAtomic(file, JSON.stringify(report));
    const marker = join(this.#directory, indexKey(report.monitor, report.runAtMs));
    mkdirSync(dirname(marker), { recursive: true });
    await writeFile(marker, '');
  }

  async list(query: { monitor?: string; limit: number }): Promise<DriftReportSummary[]> {
    const prefix = query.monitor === undefined ? INDEX_PREFIX : monitorPrefix(query.monitor);
    let names: string[];
    try {
      names = await readdir(join(this.#directory, prefix));
    } catch (error) {
      if (errnoCode(error) === 'ENOENT') return [];
      throw error;
    }
    return names
      .sort()
      .map((n) => summaryOfKey(`${prefix}${n}`))
      .filter((s): s is DriftReportSummary => s !== undefined)
      .slice(0, query.limit);
  }

  async get(id: string): Promise<DriftReport | undefined> {
    const text = await this.#read(reportKeyOfId(id));
    return text === undefined ? undefined : (JSON.parse(text) as DriftReport);
  }

  async getHtml(id: string): Promise<string | undefined> {
    return this.#read(htmlKeyOfId(id));
  }

  async #read(key: string): Promise<string | undefined> {
    try {
      return await readFile(join(this.#directory, key), 'utf8');
    } catch (error) {
      if (errnoCode(error) === 'ENOENT') return undefined;
      throw error;
    }
  }
}

export type { FileDriftReportStoreOptions };
export { FileDriftReportStore };
