import { MemorySeriesStore } from '../../../../lambdas/adapters/storage/memory-series-store';
import { DEFAULT_ALERTING_CONFIG } from '../../../../lambdas/domain/alerting/config';
import type { Notification } from '../../../../lambdas/domain/alerting/types';
import {
  DISPATCHER_DOC_KEY,
  dueTicks,
  type EvaluationRunDeps,
  runEvaluation,
} from '../../../../lambdas/domain/rules/evaluation-run';
import type { RulesDocument } from '../../../../lambdas/domain/rules/rules-document';
import { MemoryAlertStateStore, RecordingNotifier } from '../../../helpers/alert-ports';

/** An in-memory versioned document store, as the DynamoDB and file adapters behave. */

const document: RulesDocument = {
  groups: [
    {
      file: 'rules.yml',
      name: 'latency',
      intervalMs: 1000,
      rules: [
        { record: 'job:gpu_temp:max', expr: 'max by (job) (gpu_temp)' },
        {
          alert: 'GpuHot',
          expr: 'gpu_temp > 80',
          forMs: 2000,
          labels: { severity: 'critical' },
          annotations: { summary: 'GPU {{ $labels.gpu }} at {{ $value }}C' },
        },
      ],
    },
  ],
  evaluation: { intervalMs: 1000, externalLabels: {}, externalUrl: 'http://vigil.local' },
  alerting: {
    ...DEFAULT_ALERTING_CONFIG,
    groupWaitMs: 1000,
    groupIntervalMs: 1000,
    repeatIntervalMs: 3_600_000,
  },
};

const setup = () => {
  const store = new MemorySeriesStore();
  const state = new MemoryAlertStateStore();
  const notifier = new RecordingNotifier();
  const clock = { now: () => 0 };
  const deps: EvaluationRunDeps = { store, state, notifier, document, clock };
  const temp = (t: number, v: number) =>
    store.write([
      { labels: { __name__: 'gpu_temp', job: 'train', gpu: '0' }, samples: [{ t, v }] },
    ]);
  return { store, state, notifier, deps, temp };
};

/** Runs the evaluator once per second from `fromMs` to `toMs` inclusive. */
const runEverySecond = async (deps: EvaluationRunDeps, fromMs: number, toMs: number) => {
  for (let t = fromMs; t <= toMs; t += 1000) await runEvaluation(deps, t);
};

describe('Function: dueTicks', () => {
  it('aligns ticks to the interval and evaluates only the latest tick of a new group', () => {
    // Act
    const first = dueTicks(1000, undefined, 5_400, 10);
    const missed = dueTicks(1000, 2_000, 5_400, 10);
    const capped = dueTicks(1000, 0, 100_000, 3);
    const none = dueTicks(60_000, 60_000, 119_999, 10);

    // Assess
    expect(first).toEqual([5_000]);
    expect(missed).toEqual([3_000, 4_000, 5_000]);
    expect(capped).toEqual([98_000, 99_000, 100_000]);
    expect(none).toEqual([]);
  });
});

describe('Function: runEvaluation', () => {
  it('takes an alert from pending to firing, notifies after group_wait, then sends resolved', async () => {
    // Prepare
    const { store, notifier, deps, temp } = setup();
    await temp(0, 90);

    // Act
    await runEvaluation(deps, 1000);
    const pending = await store.select([{ name: '__name__', op: '=', value: 'ALERTS' }], {
      startMs: 0,
      endMs: 1000,
    });
    await runEverySecond(deps, 2000, 3000); // fires at 3000 (for: 2s since 1000)
    const afterFiring = notifier.sent.length;
    await runEvaluation(deps, 4000); // group_wait (1s) over
    await temp(4500, 20);
    await runEverySecond(deps, 5000, 7000);

    // Assess
    expect(pending[0]?.labels.alertstate).toBe('pending');
    expect(afterFiring).toBe(0);
    expect(notifier.sent.map((n) => n.status)).toEqual(['firing', 'resolved']);
    const firing = notifier.sent[0] as Notification;
    expect(firing.severity).toBe('critical');
    expect(firing.payload.alerts[0]?.labels).toEqual({
      alertname: 'GpuHot',
      gpu: '0',
      job: 'train',
      severity: 'critical',
    });
    expect(firing.payload.alerts[0]?.annotations).toEqual({ summary: 'GPU 0 at 90C' });
    expect(firing.payload.alerts[0]?.startsAt).toBe('1970-01-01T00:00:03Z');
    const recorded = await store.select(
      [{ name: '__name__', op: '=', value: 'job:gpu_temp:max' }],
      { startMs: 0, endMs: 7000 },
    );
    expect(recorded[0]?.samples[0]).toEqual({ t: 1000, v: 90 });
  });

  it('does not re-notify a firing alert after a restart within repeat_interval', async () => {
    // Prepare
    const { state, notifier, deps, temp, store } = setup();
    await temp(0, 90);
    await runEverySecond(deps, 1000, 4000);
    const before = notifier.sent.length;

    // Act: a new evaluator process, same state store and series store.
    const restarted: EvaluationRunDeps = { ...deps, store, state, notifier };
    await runEverySecond(restarted, 5000, 120_000);

    // Assess
    expect(before).toBe(1);
    expect(notifier.sent.length).toBe(1);
  });

  it('drops the notifications of a group another overlapping run saved first', async () => {
    // Prepare
    const { state, notifier, deps, temp } = setup();
    await temp(0, 90);
    await runEverySecond(deps, 1000, 2000);
    // Another run evaluates tick 3000 and saves the group first (same doc version bump).
    state.beforeSave = (key) => {
      const doc = state.docs.get(key);
      if (doc) state.docs.set(key, { ...doc, version: doc.version + 1 });
    };

    // Act
    const summary = await runEvaluation(deps, 3000);
    await runEvaluation(deps, 4000);

    // Assess
    expect(summary.conflicts).toBe(1);
    expect(summary.groupsEvaluated).toBe(0);
    expect(notifier.sent).toEqual([]);
  });

  it('keeps the dispatcher state unsaved when the notifier fails, and sends on the next run', async () => {
    // Prepare
    const { state, notifier, deps, temp } = setup();
    await temp(0, 90);
    await runEverySecond(deps, 1000, 3000);
    const versionBefore = state.docs.get(DISPATCHER_DOC_KEY)?.version;
    notifier.failing = true;

    // Act
    const failed = await runEvaluation(deps, 4000).catch((e: Error) => e);
    const versionAfterFailure = state.docs.get(DISPATCHER_DOC_KEY)?.version;
    notifier.failing = false;
    await runEvaluation(deps, 5000);

    // Assess
    expect(failed).toBeInstanceOf(Error);
    expect(versionAfterFailure).toBe(versionBefore);
    expect(notifier.sent.map((n) => n.status)).toEqual(['firing']);
  });

  it('marks a failing rule err and keeps its firing alert', async () => {
    // Prepare
    const { store, notifier, deps, temp, state } = setup();
    await temp(0, 90);
    await runEverySecond(deps, 1000, 4000);
    const select = store.select.bind(store);
    store.select = async () => {
      throw new Error('store throttled');
    };

    // Act
    const summary = await runEvaluation(deps, 5000);
    store.select = select;

    // Assess
    expect(summary.rulesErr).toBe(2);
    const doc = state.docs.get('group/rules.yml/latency')?.state as {
      state: { rules: Record<string, { health: string; lastError?: string; alerts: object }> };
    };
    const rules = Object.values(doc.state.rules);
    expect(rules.map((r) => r.health)).toEqual(['err', 'err']);
    expect(Object.values(rules[1]?.alerts ?? {})).toHaveLength(1);
    expect(notifier.sent.map((n) => n.status)).toEqual(['firing']);
  });
});
