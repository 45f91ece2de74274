import { validateConfig } from '../../../../lambdas/domain/config/validate';
import {
  countAlarms,
  estimateCosts,
  MINUTES_PER_MONTH,
  SECONDS_PER_MONTH,
} from '../../../../lambdas/domain/costs/model';
import { PRICES, type PriceTable, tieredCost } from '../../../../lambdas/domain/costs/prices';
import {
  type DeploymentFacts,
  deploymentFacts,
  presetWorkload,
  type Workload,
} from '../../../../lambdas/domain/costs/workload';

/** A deployment with nothing optional: no dashboards, scrapes, drift, GPUs or notifiers. */
const BARE: DeploymentFacts = {
  ruleGroups: [],
  dashboardsEnabled: false,
  dashboardsIntervalSeconds: 60,
  mirrorRules: 0,
  scrapeJobs: [],
  driftMonitorEverySeconds: [],
  gpu: {
    enabled: false,
    importEveryMinutes: undefined,
    temperatureAlarm: false,
    idleAlarm: false,
    memoryAlarm: false,
  },
  notifiers: [],
  emailSubscriptions: 0,
  memoryRetentionHours: 24,
  magneticRetentionDays: 365,
  logsRetentionDays: 30,
  ownLogRetentionDays: 30,
  apiClients: 1,
};

/** 1,000 series every 15 s, one rule a minute over 10 series × 5 minutes, nothing else. */
const ONE_RULE: Workload = {
  activeSeries: 1_000,
  sampleIntervalSeconds: 15,
  samplesPerRequest: 2_000,
  rules: 1,
  ruleGroups: 1,
  ruleIntervalSeconds: 60,
  seriesPerRule: 10,
  ruleRangeSeconds: 300,
  queriesPerMonth: 0,
  seriesPerQuery: 0,
  queryRangeSeconds: 3_600,
  logGbPerDay: 0,
  ingestRequestsPerMonth: undefined,
  newSeriesPerDay: 0,
  retentionDays: 365,
  gpus: 0,
  mirroredMetrics: 0,
  notificationsPerMonth: 0,
};

const lineOf = (
  lines: readonly { item: string; usd: number; quantity: number }[],
  item: string,
) => {
  const found = lines.find((l) => l.item.startsWith(item));
  if (!found) throw new Error(`no line ${item}`);
  return found;
};

describe('Function: tieredCost', () => {
  it('charges AMP ingestion by tier: 2.5 billion samples', () => {
    // Prepare
    // 2.5e9 samples = 250 units of 10M: 200 × $0.90 + 50 × $0.35 = $180 + $17.50
    const units = 2.5e9 / 1e7;

    // Act
    const usd = tieredCost(PRICES.ampSamplesIngested.tiers, units);

    // Assess
    expect(usd).toBeCloseTo(197.5, 9);
  });

  it('charges API Gateway REST requests by tier: 400 million requests', () => {
    // Prepare
    // 333 × $3.50 + 67 × $2.80 = $1,165.50 + $187.60
    const millions = 400;

    // Act
    const usd = tieredCost(PRICES.apiGatewayRestRequests.tiers, millions);

    // Assess
    expect(usd).toBeCloseTo(1353.1, 9);
  });

  it('charges nothing for no usage', () => {
    // Prepare, Act
    const usd = tieredCost(PRICES.ampSamplesIngested.tiers, 0);

    // Assess
    expect(usd).toBe(0);
  });
});

describe('Function: estimateCosts', () => {
  it('prices per-minute evaluation on Timestream as a fixed 4 TCUs × 30 s a minute', () => {
    // Prepare
    // 43,800 runs × 4 TCUs × 30 s = 5,256,000 TCU-s = 1,460 TCU-hours × $0.518 = $756.28
    // (the one query takes 0.25 s + 200 samples ÷ 5M/s, far below the 30 s minimum)

    // Act
    const e = estimateCosts(BARE, ONE_RULE);

    // Assess
    const queries = lineOf(e.timestream.lines, 'queries');
    expect(e.evaluatorRunsPerMonth).toBe(MINUTES_PER_MONTH);
    expect(queries.quantity).toBeCloseTo(1_460, 9);
    expect(queries.usd).toBeCloseTo(756.28, 9);
  });

  it('bills queries outside the evaluator windows at 30 s each, inside at their own time', () => {
    // Prepare
    // The evaluator holds 4 TCUs 30 s of every minute: half the month is covered.
    // One query: 0.25 s + 10 series × (3,600 s ÷ 15 s = 240 points) ÷ 5M/s = 0.25048 s.
    // 1,000 queries: half outside → 500 × 30 s = 15,000 s; half inside → 500 × 0.25048 = 125.24 s
    // (15,125.24 s × 4 TCUs = 60,500.96 TCU-s = 16.8058222… TCU-hours) + 1,460 for the evaluator
    const queried: Workload = { ...ONE_RULE, queriesPerMonth: 1_000, seriesPerQuery: 10 };

    // Act
    const e = estimateCosts(BARE, queried);

    // Assess
    expect(lineOf(e.timestream.lines, 'queries').quantity).toBeCloseTo(
      1_460 + 60_500.96 / 3_600,
      9,
    );
  });

  it('gives the cost of one evaluation on each store', () => {
    // Prepare
    // Timestream: 4 TCUs × 30 s = 120 TCU-s = 1/30 TCU-hour × $0.518 = $0.017266…
    // AMP: 10 series × 20 points = 200 samples × $0.10 per billion = $0.00000002

    // Act
    const { evaluation } = estimateCosts(BARE, ONE_RULE);

    // Assess
    expect(evaluation.timestreamTcuSecondsPerRun).toBe(120);
    expect(evaluation.timestreamUsdPerRun).toBeCloseTo(0.518 / 30, 12);
    expect(evaluation.ampSamplesPerRule).toBe(200);
    expect(evaluation.ampUsdPerRule).toBeCloseTo(2e-8, 15);
  });

  it('counts the samples ingested: clients plus one per rule evaluation', () => {
    // Prepare
    // 1,000 × 2,628,000 s ÷ 15 s = 175,200,000; 1 rule × 2,628,000 ÷ 60 = 43,800

    // Act
    const e = estimateCosts(BARE, ONE_RULE);

    // Assess
    expect(SECONDS_PER_MONTH).toBe(2_628_000);
    expect(e.samplesPerMonth).toBe(175_243_800);
  });

  it('prices Timestream writes and memory store at 64 bytes a sample', () => {
    // Prepare
    // writes: 175,243,800 × 64 B = 11.2156032 GB × $0.55 = $6.16858176
    // memory: 175,243,800 ÷ 730 h = 240,060 samples/h × 24 h × 64 B = 0.36873216 GB resident
    //         × 730 h = 269.1744768 GB-hours × $0.036 = $9.6902811648
    // magnetic: 175,243,800 ÷ 30.41667 days × 365 days × 64 B = 134.5872384 GB × $0.03 = $4.037617152

    // Act
    const e = estimateCosts(BARE, ONE_RULE);

    // Assess
    expect(lineOf(e.timestream.lines, 'writes').usd).toBeCloseTo(6.16858176, 8);
    expect(lineOf(e.timestream.lines, 'memory store').quantity).toBeCloseTo(269.1744768, 7);
    expect(lineOf(e.timestream.lines, 'memory store').usd).toBeCloseTo(9.6902811648, 8);
    expect(lineOf(e.timestream.lines, 'magnetic store').quantity).toBeCloseTo(134.5872384, 6);
    expect(lineOf(e.timestream.lines, 'magnetic store').usd).toBeCloseTo(4.037617152, 8);
  });

  it('prices AMP ingestion and query samples processed per evaluation = series × points', () => {
    // Prepare
    // ingest: 175,243,800 samples = 17.52438 × 10M × $0.90 = $15.771942
    // QSP: 43,800 evaluations × 10 series × (300 s ÷ 15 s = 20 points) = 8,760,000 × $0.10/1e9
    // storage: (175,243,800 ÷ 30.41667 × 365 × 2 B + 1,000 series × 1,000 B) ÷ 2^30
    //        = (4,205,851,200 + 1,000,000) ÷ 1,073,741,824 = 3.917877... GB × $0.03

    // Act
    const e = estimateCosts(BARE, ONE_RULE);

    // Assess
    expect(lineOf(e.amp.lines, 'metric samples ingested').usd).toBeCloseTo(15.771942, 9);
    const qsp = lineOf(e.amp.lines, 'query samples processed');
    expect(qsp.quantity).toBe(8_760_000);
    expect(qsp.usd).toBeCloseTo(0.000876, 12);
    const storage = lineOf(e.amp.lines, 'metrics storage');
    expect(storage.quantity).toBeCloseTo(4_206_851_200 / 1_073_741_824, 9);
  });

  it('prices each function by its invocations and GB-seconds', () => {
    // Prepare
    // ingest on AMP: 175,200,000 ÷ 2,000 = 87,600 requests of 20 + 2,000 × 0.01 = 40 ms at 512 MB
    //   = 87,600 × 0.5 GB × 0.04 s = 1,752 GB-s × $0.0000133334 + 0.0876M × $0.20
    //   = $0.0233601168 + $0.01752 = $0.0408801168
    // evaluator on AMP: 43,800 runs × (300 + 1 query × 100) ms at 1 GB = 17,520 GB-s
    //   = $0.2336011680 + 0.0438M × $0.20 = $0.242361168

    // Act
    const e = estimateCosts(BARE, ONE_RULE);

    // Assess
    const ingest = lineOf(e.amp.lines, 'ingest (512 MB, 40 ms');
    expect(ingest.quantity).toBeCloseTo(1_752, 9);
    expect(ingest.usd).toBeCloseTo(0.0408801168, 10);
    const evaluator = lineOf(e.amp.lines, 'evaluate-rules');
    expect(evaluator.quantity).toBeCloseTo(17_520, 9);
    expect(evaluator.usd).toBeCloseTo(0.242361168, 9);
  });

  it('prices alert-state writes per due group and run', () => {
    // Prepare
    // 43,800 runs × (1 group + the dispatcher's document) = 87,600 documents
    //   writes 87,600 × 2 WRU = 175,200 WRU × $0.625/M = $0.1095; reads 87,600 RRU × $0.125/M

    // Act
    const e = estimateCosts(BARE, ONE_RULE);

    // Assess
    const writes = lineOf(e.amp.lines, 'on-demand writes');
    expect(writes.quantity).toBe(175_200);
    expect(writes.usd).toBeCloseTo(0.1095, 12);
    expect(lineOf(e.amp.lines, 'on-demand reads').quantity).toBe(87_600);
  });

  it('writes no rule-group state when there are no rules', () => {
    // Prepare: no rules and no dashboards: no evaluator runs, no alert-state documents
    const none: Workload = { ...ONE_RULE, rules: 0, ruleGroups: 3 };

    // Act
    const e = estimateCosts(BARE, none);

    // Assess
    expect(e.evaluatorRunsPerMonth).toBe(0);
    expect(lineOf(e.amp.lines, 'on-demand writes').quantity).toBe(0);
    expect(lineOf(e.timestream.lines, 'queries').quantity).toBe(0);
  });

  it('counts a group only once there is a rule in it', () => {
    // Prepare: dashboards keep the evaluator running; 0 rules in 3 groups writes only the
    // dashboards group's and the dispatcher's documents: 43,800 × 2 × 2 WRU = 175,200
    const facts: DeploymentFacts = { ...BARE, dashboardsEnabled: true };

    // Act
    const e = estimateCosts(facts, { ...ONE_RULE, rules: 0, ruleGroups: 3 });

    // Assess
    expect(lineOf(e.amp.lines, 'on-demand writes').quantity).toBe(175_200);
  });

  it('adds the lines up, and divides the total by the million samples', () => {
    // Prepare, Act
    const e = estimateCosts(BARE, ONE_RULE);

    // Assess
    for (const bill of [e.timestream, e.amp]) {
      const sum = bill.lines.reduce((n, l) => n + l.usd, 0);
      expect(bill.totalUsd).toBeCloseTo(sum, 9);
      expect(bill.usdPerMillionSamples).toBeCloseTo(bill.totalUsd / 175.2438, 9);
    }
  });

  it('recommends AMP when it is cheaper, whatever the account', () => {
    // Prepare, Act
    const e = estimateCosts(BARE, ONE_RULE, 'yes');

    // Assess
    expect(e.amp.totalUsd).toBeLessThan(e.timestream.totalUsd);
    expect(e.recommended).toBe('amp');
    expect(e.recommendation).toMatch(/^store: amp — .* costs \$[\d,.]+ a month less/);
  });

  it('recommends Timestream only when it is cheaper and the account can use it', () => {
    // Prepare: a price table where Timestream's own lines are free
    const free = { tiers: [{ upTo: Infinity, usdPerUnit: 0 }] };
    const prices: PriceTable = {
      ...PRICES,
      timestreamWrites: { ...PRICES.timestreamWrites, ...free },
      timestreamMemoryStore: { ...PRICES.timestreamMemoryStore, ...free },
      timestreamMagneticStore: { ...PRICES.timestreamMagneticStore, ...free },
      timestreamTcuHour: { ...PRICES.timestreamTcuHour, ...free },
    };

    // Act
    const yes = estimateCosts(BARE, ONE_RULE, 'yes', prices);
    const unknown = estimateCosts(BARE, ONE_RULE, 'unknown', prices);
    const no = estimateCosts(BARE, ONE_RULE, 'no', prices);

    // Assess
    expect(yes.recommended).toBe('timestream');
    expect(unknown.recommended).toBe('amp');
    expect(unknown.recommendation).toContain('`vigil doctor`');
    expect(no.recommended).toBe('amp');
    expect(no.recommendation).toContain('cannot use it');
  });

  it('warns when the evaluator needs more than a minute of Timestream queries per run', () => {
    // Prepare: 300 rules a minute × 0.25 s = 75 s per run (+ 2,000 series × 20 points ÷ 5M/s each)
    const heavy: Workload = { ...ONE_RULE, rules: 300, seriesPerRule: 2_000 };

    // Act
    const e = estimateCosts(BARE, heavy);

    // Assess
    expect(e.warnings[0]).toMatch(/about 77 s per one-minute run/);
  });
});

describe('Function: countAlarms', () => {
  it('counts a bare stack with the evaluator: 47 standard alarms', () => {
    // Prepare
    // 12 API functions × 3 + evaluator × 4 + API 2 + evaluator DLQ 1 + evaluation 2 + Timestream 2

    // Act
    const alarms = countAlarms(BARE, ONE_RULE);

    // Assess
    expect(alarms).toEqual({ standard: 47, metricsInsights: 0 });
  });

  it('counts every optional part the way the stack creates them', () => {
    // Prepare
    const facts: DeploymentFacts = {
      ...BARE,
      scrapeJobs: [{ targets: 3, intervalSeconds: 60 }],
      driftMonitorEverySeconds: [3_600],
      gpu: {
        enabled: true,
        importEveryMinutes: 5,
        temperatureAlarm: true,
        idleAlarm: true,
        memoryAlarm: true,
      },
      notifiers: ['slack', 'pagerduty'],
    };
    // synchronous 13 × 3 = 39 (with drift reports); asynchronous: evaluator, scrape, drift, GPU
    // import, 2 notifiers = 6 × 4 = 24; API 2; schedule DLQs 3; notifier DLQs 2; evaluation 2;
    // Timestream 2; scrape failures 1 = 75. Metrics Insights: 3 GPU alarms × 4 GPUs = 12.

    // Act
    const alarms = countAlarms(facts, { ...ONE_RULE, gpus: 4 });

    // Assess
    expect(alarms).toEqual({ standard: 75, metricsInsights: 12 });
  });
});

describe('Function: presetWorkload', () => {
  it('gives the three reference workloads', () => {
    // Prepare
    const facts = { ...BARE, gpu: { ...BARE.gpu, enabled: true } };

    // Act
    const [small, mid, large] = (['small', 'mid', 'large'] as const).map((p) =>
      presetWorkload(p, facts),
    );

    // Assess
    expect(small).toMatchObject({ activeSeries: 1_000, sampleIntervalSeconds: 15, rules: 15 });
    expect(mid).toMatchObject({ activeSeries: 50_000, rules: 100, gpus: 8 });
    expect(large).toMatchObject({ activeSeries: 1_000_000, rules: 500, gpus: 64 });
    expect(large.retentionDays).toBe(365);
  });

  it("takes the config's own rules without a preset, and no GPUs without gpu.enabled", () => {
    // Prepare
    const facts: DeploymentFacts = {
      ...BARE,
      ruleGroups: [
        { rules: 4, intervalSeconds: 30 },
        { rules: 6, intervalSeconds: 60 },
      ],
    };

    // Act
    const workload = presetWorkload(undefined, facts);
    const mid = presetWorkload('mid', facts);

    // Assess
    expect(workload).toMatchObject({ rules: 10, ruleGroups: 2, ruleIntervalSeconds: 30 });
    expect(mid).toMatchObject({ rules: 100, gpus: 0 });
  });
});

describe('Function: deploymentFacts', () => {
  it('reads channels, scrape jobs, drift and retention from the config', () => {
    // Prepare
    const { config, issues } = validateConfig({
      timestream: { memoryRetentionHours: 12, magneticRetentionDays: 90 },
      channels: {
        critical: { email: ['a@example.com', 'b@example.com'], pagerduty: true },
        warning: { slack: true },
      },
      scrape_configs: [
        {
          job_name: 'node',
          scrape_interval: '1m',
          static_configs: [{ targets: ['a:9100', 'b:9100'] }],
        },
      ],
      cloudwatch: { mirror: [{ metric: 'up', dimensions: ['job'] }] },
    });

    // Act
    const facts = deploymentFacts(config, [{ rules: [1, 2, 3], intervalMs: 120_000 }]);

    // Assess
    expect(issues).toEqual([]);
    expect(facts).toMatchObject({
      ruleGroups: [{ rules: 3, intervalSeconds: 120 }],
      notifiers: ['slack', 'pagerduty'],
      emailSubscriptions: 2,
      scrapeJobs: [{ targets: 2, intervalSeconds: 60 }],
      mirrorRules: 1,
      memoryRetentionHours: 12,
      magneticRetentionDays: 90,
    });
  });
});
