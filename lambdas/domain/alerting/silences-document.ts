/**
 * The silences document in the alert state store (one versioned document, `SILENCES_DOC_KEY`):
 * read, and changed by optimistic read-modify-write retried on concurrent changes.
 */
import type { AlertStateStore, Clock } from '../ports';
import { retry } from '../retry';
import { gcSilences, SILENCES_DOC_KEY, type Silence, type SilencesDoc } from './silences';

/** Saving the silences document lost to concurrent writers this many times in a row. */
const MAX_SAVE_ATTEMPTS = 5;

/** The stored silences and the document's version (0 when there is none yet). */
const loadSilences = async (
  state: AlertStateStore,
): Promise<{ silences: readonly Silence[]; version: number }> => {
  const loaded = await state.load(SILENCES_DOC_KEY);
  return {
    silences: (loaded?.state as SilencesDoc | undefined)?.silences ?? [],
    version: loaded?.version ?? 0,
  };
};

/** A save lost to a concurrent writer: the change is made again on what that writer saved. */
class ConcurrentChange extends Error {}

/**
 * Applies `change` to the stored silences and saves the result (expired silences past their
 * retention dropped) if no one saved in between; otherwise reads again and retries, at once, up
 * to {@link MAX_SAVE_ATTEMPTS} times. Returns what `change` returned on the saved attempt.
 */
const updateSilences = async <T>(
  state: AlertStateStore,
  clock: Clock,
  change: (silences: readonly Silence[], nowMs: number) => { silences: Silence[]; result: T },
): Promise<T> =>
  retry(
    async () => {
      const { silences, version } = await loadSilences(state);
      const nowMs = clock.now();
      const next = change(silences, nowMs);
      const doc: SilencesDoc = { silences: gcSilences(next.silences, nowMs) };
      if (!(await state.save(SILENCES_DOC_KEY, doc, version))) throw new ConcurrentChange();
      return next.result;
    },
    {
      maxAttempts: MAX_SAVE_ATTEMPTS,
      delayMs: (error) => (error instanceof ConcurrentChange ? 0 : undefined),
      giveUp: () => new Error('silences were changed concurrently too many times, retry'),
    },
  );

export { loadSilences, MAX_SAVE_ATTEMPTS, updateSilences };
