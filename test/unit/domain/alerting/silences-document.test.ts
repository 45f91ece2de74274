import type { Silence } from '../../../../lambdas/domain/alerting/silences';
import {
  loadSilences,
  updateSilences,
} from '../../../../lambdas/domain/alerting/silences-document';
import type { AlertStateStore } from '../../../../lambdas/domain/ports';

const NOW = Date.parse('2026-12-01T10:00:00Z');
const clock = { now: () => NOW };

const silence = (id: string): Silence => ({
  id,
  matchers: [],
  startsAtMs: NOW - 60_000,
  endsAtMs: NOW + 3_600_000,
  updatedAtMs: NOW - 60_000,
  createdBy: 'ops',
  comment: 'deploy',
});

/** A store whose first `conflicts` saves lose to a writer that adds silence `other-<n>`. */
const racingStore = (conflicts: number) => {
  let doc: { state: unknown; version: number } | undefined;
  let lost = 0;
  const store: AlertStateStore = {
    load: async (key) => (key === 'silences' ? doc : undefined),
    save: async (_key, state, expectedVersion) => {
      if (lost < conflicts) {
        lost++;
        const current = (doc?.state as { silences: Silence[] } | undefined)?.silences ?? [];
        doc = {
          state: { silences: [...current, silence(`other-${lost}`)] },
          version: (doc?.version ?? 0) + 1,
        };
        return false;
      }
      if ((doc?.version ?? 0) !== expectedVersion) return false;
      doc = { state, version: expectedVersion + 1 };
      return true;
    },
  };
  return store;
};

describe('Function: updateSilences', () => {
  it('makes the change again on what a concurrent writer saved, keeping both', async () => {
    // Prepare
    const store = racingStore(2);

    // Act
    const result = await updateSilences(store, clock, (silences) => ({
      silences: [...silences, silence('mine')],
      result: 'mine',
    }));

    // Assess
    expect(result).toBe('mine');
    const { silences, version } = await loadSilences(store);
    expect(silences.map((s) => s.id)).toEqual(['other-1', 'other-2', 'mine']);
    expect(version).toBe(3);
  });

  it('gives up with a retry hint after five lost saves in a row', async () => {
    // Prepare
    const store = racingStore(5);

    // Act
    const run = updateSilences(store, clock, (silences) => ({
      silences: [...silences, silence('mine')],
      result: undefined,
    }));

    // Assess
    await expect(run).rejects.toThrow('silences were changed concurrently too many times, retry');
  });
});
