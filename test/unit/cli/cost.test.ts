import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { COST_USAGE, cost, parseCostArgs } from '../../../bin/commands/cost';
import { validateConfig } from '../../../lambdas/domain/config/validate';
import { estimateCosts } from '../../../lambdas/domain/costs/model';
import { deploymentFacts, presetWorkload } from '../../../lambdas/domain/costs/workload';

let dir: string;
let configFile: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'vigil-cost-'));
  configFile = join(dir, 'vigil.config.yaml');
  writeFileSync(configFile, 'project: costs\ntimestream:\n  magneticRetentionDays: 90\n');
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

const run = (...args: string[]) => {
  const out: string[] = [];
  const err: string[] = [];
  const code = cost(args, { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out: out.join('\n'), err: err.join('\n') };
};

/** The estimate the CLI should print for a preset over the test config. */
const expected = (preset: 'small' | 'mid' | 'large') => {
  const { config } = validateConfig({
    project: 'costs',
    timestream: { magneticRetentionDays: 90 },
  });
  const facts = deploymentFacts(config, []);
  return estimateCosts(facts, presetWorkload(preset, facts));
};

const money = (n: number) =>
  `$${n.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;

describe('Feature: vigil cost', () => {
  it('prints both bills with their totals, the cost per million samples and the recommendation', () => {
    // Prepare
    const want = expected('small');

    // Act
    const { code, out, err } = run('--config', configFile, '--workload', 'small');

    // Assess
    expect(code).toBe(0);
    expect(err).toBe('');
    expect(out).toContain('vigil cost — small team: 1,000 active series every 15 s, 15 rules');
    expect(out).toContain('store: timestream (Amazon Timestream for LiveAnalytics)');
    expect(out).toContain('store: amp (Amazon Managed Service for Prometheus)');
    expect(out).toMatch(
      new RegExp(
        `total per month\\s+\\${money(want.timestream.totalUsd)}[\\s\\S]*total per month\\s+\\${money(want.amp.totalUsd)}`,
      ),
    );
    expect(out).toContain(money(want.amp.usdPerMillionSamples));
    expect(out).toContain('Amazon Timestream for LiveAnalytics: queries');
    expect(out).toContain(
      'rule evaluation: Timestream $0.0173 per one-minute run (120 TCU-seconds, at least 4 TCUs × 30 s however few the rules); AMP $0.00000002 per rule evaluation (200 samples processed)',
    );
    expect(out).toContain('recommended store: amp');
  });

  it('prints the estimate as JSON with --json', () => {
    // Prepare
    const want = expected('mid');

    // Act
    const { code, out } = run('--config', configFile, '--workload', 'mid', '--json');

    // Assess
    expect(code).toBe(0);
    const json = JSON.parse(out);
    expect(json.workload).toBe('mid-size service');
    expect(json.pricesTakenOn).toBe('2026-12-06');
    expect(json.inputs.activeSeries).toBe(50_000);
    expect(json.timestream.totalUsd).toBeCloseTo(want.timestream.totalUsd, 6);
    expect(json.amp.totalUsd).toBeCloseTo(want.amp.totalUsd, 6);
    expect(json.recommended).toBe('amp');
  });

  it('lets flags override the preset: 2,000 series every 30 s', () => {
    // Prepare
    // 2,000 series × 2,628,000 s ÷ 30 s = 175,200,000 samples, + 15 rules × 43,800 = 657,000,
    // + the dashboards' 34 recorded series × 43,800 runs = 1,489,200

    // Act
    const { code, out } = run(
      '--config',
      configFile,
      '--series',
      '2000',
      '--interval',
      '30s',
      '--json',
    );

    // Assess
    expect(code).toBe(0);
    const json = JSON.parse(out);
    expect(json.inputs).toMatchObject({ activeSeries: 2_000, sampleIntervalSeconds: 30 });
    expect(json.samplesPerMonth).toBe(177_346_200);
  });

  it('takes the rate as samples per second instead of an interval', () => {
    // Prepare
    // 1,000 series at 100 samples/s = one sample every 10 s each: 1,000 × 2,628,000 ÷ 10 =
    // 262,800,000, + 657,000 rule results + 1,489,200 dashboard samples = 264,946,200

    // Act
    const { code, out } = run(
      '--config',
      configFile,
      '--series',
      '1000',
      '--samples-per-second',
      '100',
      '--json',
    );

    // Assess
    expect(code).toBe(0);
    const json = JSON.parse(out);
    expect(json.inputs.sampleIntervalSeconds).toBe(10);
    expect(json.samplesPerMonth).toBe(264_946_200);
  });

  it('prints the large fleet with the notes on what it needs', () => {
    // Prepare
    const want = expected('large');

    // Act
    const { code, out } = run('--config', configFile, '--workload', 'large');

    // Assess
    expect(code).toBe(0);
    expect(out).toContain(
      'vigil cost — large fleet: 1,000,000 active series every 15 s, 500 rules',
    );
    expect(out).toContain(money(want.timestream.totalUsd));
    expect(out).toContain(money(want.amp.totalUsd));
    expect(out).toContain("note: on Timestream the rule evaluator's queries take about 132 s");
  });

  it('says what is wrong with a bad flag and exits 2', () => {
    // Prepare
    const cases: [string[], string][] = [
      [['--workload', 'huge'], '--workload: "huge" is not one of small, mid, large'],
      [['--series', 'many'], '--series: "many" is not a non-negative number'],
      [['--series', '0'], '--series: must be at least 1'],
      [['--rules', '1.5'], '--rules: "1.5" is not a whole number'],
      [['--interval', 'soon'], '--interval: "soon" is not a positive duration'],
      [['--timestream', 'maybe'], '--timestream: "maybe" is not one of yes, no, unknown'],
      [['--frobnicate'], 'unknown flag --frobnicate'],
      [
        ['--interval', '15s', '--samples-per-second', '10'],
        '--samples-per-second and --interval say the same thing: give one of them',
      ],
      [['--samples-per-second', '0'], '--samples-per-second: must be more than 0'],
    ];

    for (const [args, message] of cases) {
      // Act
      const { code, out, err } = run('--config', configFile, ...args);

      // Assess
      expect(code).toBe(2);
      expect(out).toBe('');
      expect(err).toContain(`vigil cost: ${message}`);
      expect(err).toContain('usage: vigil cost');
    }
  });

  it('exits 1 with the problem when the config is invalid', () => {
    // Prepare
    writeFileSync(configFile, 'project: Not_Valid\n');

    // Act
    const { code, err } = run('--config', configFile);

    // Assess
    expect(code).toBe(1);
    expect(err).toContain('project');
  });

  it('prints its usage with --help', () => {
    // Prepare, Act
    const { code, out } = run('--help');

    // Assess
    expect(code).toBe(0);
    expect(out).toBe(COST_USAGE.trimEnd());
  });
});

describe('Function: parseCostArgs', () => {
  it('reads durations as PromQL durations or seconds, and counts with separators', () => {
    // Prepare, Act
    const parsed = parseCostArgs([
      '--rule-interval',
      '2m',
      '--query-range',
      '90',
      '--requests-per-month',
      '1_000_000',
      '--log-gb-per-day',
      '2.5',
    ]);

    // Assess
    expect(parsed).toMatchObject({
      overrides: {
        ruleIntervalSeconds: 120,
        queryRangeSeconds: 90,
        ingestRequestsPerMonth: 1_000_000,
        logGbPerDay: 2.5,
      },
      timestream: 'unknown',
      json: false,
    });
  });
});
