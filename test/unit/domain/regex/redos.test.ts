/**
 * Catastrophic-backtracking patterns at every place a user's regex meets a value: each finishes
 * in linear time with RE2. The elapsed-time bounds are generous (one second for 10,000
 * characters, which a backtracking engine would need longer than a lifetime for); they catch an
 * exponential engine, not a slow machine.
 */
import { parseAlertMatchers } from '../../../../lambdas/domain/alerting/matchers';
import { inhibitedBy } from '../../../../lambdas/domain/alerting/inhibition';
import { type Silence, silencedBy } from '../../../../lambdas/domain/alerting/silences';
import { evaluateInstant } from '../../../../lambdas/domain/promql';
import { relabel } from '../../../../lambdas/domain/scrape/relabel';
import { validateRelabelConfigs } from '../../../../lambdas/domain/scrape/relabel-schema';
import { MatchOp, matchesValue } from '../../../../lambdas/domain/series/matchers';
import { InMemorySeriesStore } from '../../../helpers/in-memory-series-store';
import { expand } from '../templates/expand-helper';

/** 10,000 `a`s and a `!`: `(a+)+$` backtracks 2^10000 times on it in a backtracking engine. */
const EVIL = `${'a'.repeat(10_000)}!`;
const NESTED = '(a+)+$';
const BOUND_MS = 1000;

/** The second run of `f`, timed: the first loads what it imports on demand (the parser, RE2). */
const timed = async <T>(f: () => T | Promise<T>): Promise<{ result: T; ms: number }> => {
  await f();
  const start = performance.now();
  const result = await f();
  return { result, ms: performance.now() - start };
};

describe('Feature: regexes run in linear time', () => {
  it('PromQL matcher: (a+)+$ against 10,000 a and ! answers no match at once', async () => {
    // Prepare
    const store = new InMemorySeriesStore();
    await store.write([
      { labels: { __name__: 'redos', v: EVIL }, samples: [{ t: 0, v: 1 }] },
      { labels: { __name__: 'redos', v: 'a'.repeat(10_000) }, samples: [{ t: 0, v: 2 }] },
    ]);

    // Act
    const { result, ms } = await timed(() =>
      evaluateInstant(store, `redos{v=~"${NESTED}"}`, 60_000),
    );

    // Assess: only the value without `!` matches
    expect(result.value).toEqual({
      type: 'vector',
      samples: [{ labels: { __name__: 'redos', v: 'a'.repeat(10_000) }, t: 60_000, v: 2 }],
    });
    expect(ms).toBeLessThan(BOUND_MS);
  });

  it('matchesValue with !~ answers the negation at once', async () => {
    // Act
    const { result, ms } = await timed(() =>
      matchesValue({ name: 'v', op: MatchOp.RegexNoMatch, value: '(a|aa)*c' }, EVIL),
    );

    // Assess
    expect(result).toBe(true);
    expect(ms).toBeLessThan(BOUND_MS);
  });

  it('label_replace: a nested quantifier on a 10,000-character label leaves the series as it was', async () => {
    // Prepare
    const store = new InMemorySeriesStore();
    await store.write([{ labels: { __name__: 'redos', v: EVIL }, samples: [{ t: 0, v: 1 }] }]);

    // Act
    const { result, ms } = await timed(() =>
      evaluateInstant(store, `label_replace(redos, "dst", "$1", "v", "(a+)+")`, 60_000),
    );

    // Assess: no match, so no `dst` label
    expect(result.value).toEqual({
      type: 'vector',
      samples: [{ labels: { __name__: 'redos', v: EVIL }, t: 60_000, v: 1 }],
    });
    expect(ms).toBeLessThan(BOUND_MS);
  });

  it('relabel: replace with (a*)*b and keep with (a+)+$ on 10,000 characters drop the target', async () => {
    // Prepare
    const { configs, issues } = validateRelabelConfigs(
      [
        { source_labels: ['v'], regex: '(a*)*b', target_label: 'x', replacement: '$1' },
        { source_labels: ['v'], regex: NESTED, action: 'keep' },
      ],
      'relabel_configs',
    );

    // Act
    const { result, ms } = await timed(() => relabel({ __name__: 'm', v: EVIL }, configs));

    // Assess
    expect(issues).toEqual([]);
    expect(result).toBeUndefined();
    expect(ms).toBeLessThan(BOUND_MS);
  });

  it('template functions: reReplaceAll and match on 10,000 characters', async () => {
    // Act
    const { result, ms } = await timed(async () => ({
      replaced: await expand('{{ reReplaceAll "(a+)+b" "x" . | len }}', EVIL),
      matched: await expand('{{ match "^(a|a)*$" . }}', EVIL),
    }));

    // Assess: nothing to replace (the length is unchanged), and no match
    expect(result).toEqual({ replaced: { output: '10001' }, matched: { output: 'false' } });
    expect(ms).toBeLessThan(BOUND_MS);
  });

  it('Alertmanager matchers: a silence and an inhibit rule with (a+)+$ decide at once', async () => {
    // Prepare
    const matchers = parseAlertMatchers(`instance=~"${NESTED}"`);
    const silence: Silence = {
      id: 's1',
      matchers,
      startsAtMs: 0,
      endsAtMs: 10_000,
      updatedAtMs: 0,
      createdBy: 'ops',
      comment: 'maintenance',
    };
    const labels = { alertname: 'Down', instance: EVIL };

    // Act
    const { result, ms } = await timed(() => ({
      silenced: silencedBy(labels, [silence], 5_000),
      inhibited: inhibitedBy(
        labels,
        [{ sourceMatchers: matchers, targetMatchers: [], equal: [] }],
        [{ fingerprint: 'f1', labels, firing: true }],
      ),
    }));

    // Assess
    expect(result).toEqual({ silenced: [], inhibited: undefined });
    expect(ms).toBeLessThan(BOUND_MS);
  });
});
