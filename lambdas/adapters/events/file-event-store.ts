/**
 * `EventStore` for local mode: prediction records as NDJSON files `<dir>/<YYYY-MM-DD>.ndjson`
 * (UTC day of the record), one `PredictionRecord` JSON object per line:
 * `{"timestampMs":…,"service":"…","model":"…","modelVersion":"…","measures":{"confidence":0.93,…}}`.
 *
 * Appends are durable (fsync before `write` resolves) and serialized per file within the
 * process; a query reads only the day files its range covers.
 */
import { join } from 'node:path';
import type {
  BatchResult,
  EventStore,
  PredictionQuery,
  PredictionRecord,
} from '../../domain/ports';
import { appendLines, dayFileName, readDays } from '../files/ndjson-day-files';
import { lineOf, selectRecords, unstorableReason } from './prediction-lines';

/** Options of {@link FileEventStore}. */
interface FileEventStoreOptions {
  /** Directory of the day files; created on first write. */
  readonly dir: string;
}

/** The directory local mode keeps prediction events in, under the data directory. */
const localEventsDir = (dataDir: string): string => join(dataDir, 'events');

/** Local prediction events as NDJSON day files. */
class FileEventStore implements EventStore {
  readonly #dir: string;

  constructor(options: FileEventStoreOptions) {
    this.#dir = options.dir;
  }

  /**
   * Appends every record to its day file. Numbers that JSON cannot carry (NaN, ±Inf) are
   * refused by index, as the Timestream store refuses them.
   */
  async write(records: readonly PredictionRecord[]): Promise<BatchResult> {
    const byFile = new Map<string, string[]>();
    const rejected: { index: number; reason: string }[] = [];
    records.forEach((r, index) => {
      const reason = unstorableReason(r);
      if (reason) {
        rejected.push({ index, reason });
        return;
      }
      const path = join(this.#dir, dayFileName(r.timestampMs));
      let lines = byFile.get(path);
      if (!lines) {
        lines = [];
        byFile.set(path, lines);
      }
      lines.push(lineOf(r));
    });
    await Promise.all([...byFile].map(([path, lines]) => appendLines(path, lines)));
    return { accepted: records.length - rejected.length, rejected };
  }

  /** Records in the range matching the given dimensions, with only the asked fields, by time. */
  async query(query: PredictionQuery): Promise<PredictionRecord[]> {
    return selectRecords(await readDays(this.#dir, query.range), query);
  }
}

export type { FileEventStoreOptions };
export { FileEventStore, localEventsDir };
