import { MemorySeriesStore } from '../../../../lambdas/adapters/storage/memory-series-store';
import { DEFAULT_ALERTING_CONFIG } from '../../../../lambdas/domain/alerting/config';
import type { Notification } from '../../../../lambdas/domain/alerting/types';
import { promqlHistogramReader } from '../../../../lambdas/domain/drift/monitor-run';
import { PromqlTimeoutError, PromqlTooManySamplesError } from '../../../../lambdas/domain/promql';
import { LocalQueryEngine } from '../../../../lambdas/domain/query/local-query-engine';
import type {
  EngineQueryResult,
  InstantQuery,
  QueryEngine,
  RangeQuery,
} from '../../../../lambdas/domain/query/query-engine';
import { runEvaluation } from '../../../../lambdas/domain/rules/evaluation-run';
import type { RulesDocument } from '../../../../lambdas/domain/rules/rules-document';
import { STALE_NAN } from '../../../../lambdas/domain/series/sample';
import { MemoryAlertStateStore } from '../../../helpers/alert-ports';

/** A query engine that answers every instant query from a table and records what it was asked. */
class ScriptedQueryEngine implements QueryEngine {
  readonly asked: InstantQuery[] = [];
  constructor(private readonly answers: Record<string, EngineQueryResult['value']>) {}
  async instantQuery(q: InstantQuery): Promise<EngineQueryResult> {
    this.asked.push(q);
    const value = this.answers[q.query];
    if (!value) throw new Error(`unexpected query ${q.query}`);
    return { value, warnings: [], infos: [] };
  }
  async rangeQuery(_q: RangeQuery): Promise<EngineQueryResult> {
    throw new Error('not used');
  }
  async series() {
    return { data: [], warnings: [] };
  }
  async labelNames() {
    return { data: [], warnings: [] };
  }
  async labelValues() {
    return { data: [], warnings: [] };
  }
  async metadata() {
    return { data: {}, warnings: [] };
  }
  async latest() {
    return [];
  }
}

const document: RulesDocument = {
  groups: [
    {
      file: 'rules.yml',
      name: 'gpu',
      intervalMs: 60_000,
      rules: [
        { record: 'job:gpu_temp:max', expr: 'max by (job) (gpu_temp)' },
        { alert: 'GpuHot', expr: 'gpu_temp > 80', labels: { severity: 'critical' } },
      ],
    },
  ],
  evaluation: { intervalMs: 60_000, externalLabels: {}, externalUrl: 'http://vigil.local' },
  alerting: { ...DEFAULT_ALERTING_CONFIG, groupWaitMs: 0 },
};

describe('Rule evaluation through a query engine', () => {
  it('asks the engine for every rule and writes the outputs to the store', async () => {
    // Prepare
    const store = new MemorySeriesStore();
    const engine = new ScriptedQueryEngine({
      'max by (job) (gpu_temp)': {
        type: 'vector',
        samples: [{ labels: { job: 'train' }, t: 120_000, v: 91 }],
      },
      'gpu_temp > 80': {
        type: 'vector',
        samples: [{ labels: { __name__: 'gpu_temp', job: 'train', gpu: '0' }, t: 120_000, v: 91 }],
      },
    });
    const sent: Notification[] = [];

    // Act
    const summary = await runEvaluation(
      {
        store,
        queryEngine: engine,
        state: new MemoryAlertStateStore(),
        notifier: { send: async (n) => void sent.push(...n) },
        document,
        clock: { now: () => 0 },
      },
      120_000,
    );

    // Assess
    expect(summary.rulesOk).toBe(2);
    expect(engine.asked).toEqual([
      { query: 'max by (job) (gpu_temp)', timeMs: 120_000, defaultSubqueryStepMs: 60_000 },
      { query: 'gpu_temp > 80', timeMs: 120_000, defaultSubqueryStepMs: 60_000 },
    ]);
    const recorded = await store.select(
      [{ name: '__name__', op: '=', value: 'job:gpu_temp:max' }],
      {
        startMs: 0,
        endMs: 120_000,
      },
    );
    expect(recorded).toEqual([
      { labels: { __name__: 'job:gpu_temp:max', job: 'train' }, samples: [{ t: 120_000, v: 91 }] },
    ]);
    expect(sent.map((n) => n.alerts.map((a) => a.labels.alertname))).toEqual([['GpuHot']]);
  });
});

describe('Drift histogram reader through a query engine', () => {
  it("reads the bucket increases from the engine's answer, sorted by bound", async () => {
    // Prepare
    const engine = new ScriptedQueryEngine({
      'sum by (le) (increase(latency_seconds_bucket{job="api"}[600000ms]))': {
        type: 'vector',
        samples: [
          { labels: { le: '+Inf' }, t: 600_000, v: 40 },
          { labels: { le: '0.5' }, t: 600_000, v: 30 },
          { labels: { le: '0.1' }, t: 600_000, v: 12 },
        ],
      },
    });

    // Act
    const buckets = await promqlHistogramReader(engine).bucketIncreases(
      {
        kind: 'histogram',
        metric: 'latency_seconds',
        selector: '{job="api"}',
        matchers: [{ name: 'job', op: '=', value: 'api' }],
      },
      600_000,
      600_000,
    );

    // Assess
    expect(buckets).toEqual([
      { le: '0.1', bound: 0.1, count: 12 },
      { le: '0.5', bound: 0.5, count: 30 },
      { le: '+Inf', bound: Number.POSITIVE_INFINITY, count: 40 },
    ]);
    expect(engine.asked.map((q) => q.timeMs)).toEqual([600_000]);
  });
});

describe('LocalQueryEngine', () => {
  const storeWith = async () => {
    const store = new MemorySeriesStore();
    await store.write([
      {
        labels: { __name__: 'up', job: 'a' },
        samples: [
          { t: 1000, v: 1 },
          { t: 16_000, v: 0 },
        ],
      },
      {
        labels: { __name__: 'up', job: 'b' },
        samples: [
          { t: 1000, v: 1 },
          { t: 16_000, v: STALE_NAN },
        ],
      },
    ]);
    return store;
  };

  it("federates each series' newest sample with its own time, none after a staleness marker", async () => {
    // Prepare
    const engine = new LocalQueryEngine({ store: await storeWith() });

    // Act
    const latest = await engine.latest([[{ name: '__name__', op: '=', value: 'up' }]], 20_000);

    // Assess
    expect(latest).toEqual([
      { labels: { __name__: 'up', job: 'a' }, value: 0, timestampMs: 16_000 },
    ]);
  });

  it('applies the sample limit of a query', async () => {
    // Prepare
    const engine = new LocalQueryEngine({ store: await storeWith() });

    // Act
    const error = await engine
      .rangeQuery({ query: 'up', startMs: 0, endMs: 20_000, stepMs: 1000, maxSamples: 3 })
      .catch((e: Error) => e);

    // Assess
    expect(error).toBeInstanceOf(PromqlTooManySamplesError);
  });

  it("applies a query's timeout with the engine's clock", async () => {
    // Prepare
    let t = 0;
    const engine = new LocalQueryEngine({ store: await storeWith(), now: () => (t += 1000) });

    // Act
    const error = await engine
      .rangeQuery({ query: 'up', startMs: 0, endMs: 3_600_000, stepMs: 1, timeoutMs: 500 })
      .catch((e: Error) => e);

    // Assess
    expect(error).toBeInstanceOf(PromqlTimeoutError);
  });
});
