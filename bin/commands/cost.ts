import { dirname } from 'node:path';
import { ConfigError } from '../../lambdas/domain/config/validate';
import {
  type CostEstimate,
  type CostLine,
  estimateCosts,
  type StoreBill,
  type TimestreamAvailability,
} from '../../lambdas/domain/costs/model';
import { PRICES_REGION, PRICES_TAKEN_ON } from '../../lambdas/domain/costs/prices';
import {
  deploymentFacts,
  presetWorkload,
  type Workload,
  type WorkloadPreset,
} from '../../lambdas/domain/costs/workload';
import { parseDurationMs } from '../../lambdas/domain/promql/lexical';
import { loadConfigFile } from '../../lambdas/shared/config-file';
import { loadRulesDocument } from '../../lambdas/shared/rules-loader';
import { ExitCode, HELP_FLAG, parseFlags } from '../cli-args';

/** Usage of `vigil cost`, printed by `--help` and after a bad flag. */
export const COST_USAGE = `usage: vigil cost [--workload small|mid|large] [--config <file>] [--json] [workload flags]

Estimates the monthly AWS bill of this deployment on each store (Timestream for LiveAnalytics,
Amazon Managed Service for Prometheus), line by line, with the store to choose. us-east-1 list
prices taken on ${PRICES_TAKEN_ON}; docs/costs.md lists them with their sources and the model.

workload flags (defaults: the preset, else the small team with the config's own rules):
  --series <n>                  active series                               (small 1,000; mid 50,000; large 1,000,000)
  --interval <duration>         seconds between samples of a series, e.g. 15s, 1m   (15s)
  --samples-per-second <x>      or the clients' total samples per second (sets the interval from --series)
  --samples-per-request <n>     samples per ingest request                  (2,000)
  --rules <n>                   alerting and recording rules                (15; 100; 500)
  --rule-groups <n>             rule groups                                 (3; 10; 25)
  --rule-interval <duration>    evaluation interval of the groups           (1m)
  --series-per-rule <n>         series one rule's selector matches          (10; 200; 2,000)
  --queries-per-month <n>       query API requests (Grafana panels)         (20,000; 200,000; 1,000,000)
  --series-per-query <n>        series one query matches                    (10; 50; 200)
  --query-range <duration>      range one query reads                       (1h)
  --log-gb-per-day <x>          structured logs sent to /ingest/logs        (0.5; 10; 100)
  --requests-per-month <n>      ingest requests (metrics + logs)            (derived from the samples and logs)
  --new-series-per-day <n>      series churn                                (50; 2,500; 50,000)
  --retention-days <n>          days samples are kept, on both stores       (timestream.magneticRetentionDays)
  --gpus <n>                    GPUs watched (needs gpu.enabled)            (0; 8; 64)
  --mirrored-metrics <n>        metric × dimension values mirrored to CloudWatch (10 per cloudwatch.mirror rule)
  --notifications-per-month <n> alert notifications                         (200; 1,000; 5,000)
  --timestream yes|no|unknown   can this account use Timestream (see \`vigil doctor\`)   (unknown)

exit codes: 0 printed, 1 invalid config, 2 usage error
`;

/** What `vigil cost` writes to. */
export interface CostIo {
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
}

const PRESETS: readonly WorkloadPreset[] = ['small', 'mid', 'large'];

/** Numeric workload flags → the workload field each sets, and whether it takes a duration. */
const NUMBER_FLAGS = {
  series: { field: 'activeSeries', kind: 'count' },
  interval: { field: 'sampleIntervalSeconds', kind: 'duration' },
  'samples-per-request': { field: 'samplesPerRequest', kind: 'count' },
  rules: { field: 'rules', kind: 'count0' },
  'rule-groups': { field: 'ruleGroups', kind: 'count' },
  'rule-interval': { field: 'ruleIntervalSeconds', kind: 'duration' },
  'series-per-rule': { field: 'seriesPerRule', kind: 'count0' },
  'queries-per-month': { field: 'queriesPerMonth', kind: 'count0' },
  'series-per-query': { field: 'seriesPerQuery', kind: 'count0' },
  'query-range': { field: 'queryRangeSeconds', kind: 'duration' },
  'log-gb-per-day': { field: 'logGbPerDay', kind: 'amount' },
  'requests-per-month': { field: 'ingestRequestsPerMonth', kind: 'count0' },
  'new-series-per-day': { field: 'newSeriesPerDay', kind: 'count0' },
  'retention-days': { field: 'retentionDays', kind: 'count' },
  gpus: { field: 'gpus', kind: 'count0' },
  'mirrored-metrics': { field: 'mirroredMetrics', kind: 'count0' },
  'notifications-per-month': { field: 'notificationsPerMonth', kind: 'count0' },
} as const satisfies Record<
  string,
  { field: keyof Workload; kind: 'count' | 'count0' | 'amount' | 'duration' }
>;

type NumberFlag = keyof typeof NUMBER_FLAGS;

/** Parsed `vigil cost` arguments. */
export interface CostArgs {
  readonly preset?: WorkloadPreset;
  readonly configFile?: string;
  readonly json: boolean;
  readonly help: boolean;
  readonly timestream: TimestreamAvailability;
  /** Workload fields set by flags. */
  readonly overrides: Partial<Record<keyof Workload, number>>;
  /** `--samples-per-second`: the clients' total rate; sets the interval from the series. */
  readonly samplesPerSecond?: number;
}

/** Reads one flag's value: a count (`1000`, `1_000`, `1e6`), an amount or a duration. */
const parseValue = (
  flag: string,
  raw: string,
  kind: 'count' | 'count0' | 'amount' | 'duration',
): number | string => {
  if (kind === 'duration') {
    const ms = /^\d+(\.\d+)?$/.test(raw) ? Number(raw) * 1000 : parseDurationMs(raw);
    if (ms === undefined || !Number.isFinite(ms) || ms <= 0) {
      return `--${flag}: ${JSON.stringify(raw)} is not a positive duration (e.g. 15s, 1m, 1h, or seconds)`;
    }
    return ms / 1000;
  }
  const n = Number(raw.replaceAll('_', ''));
  if (raw.trim() === '' || !Number.isFinite(n) || n < 0) {
    return `--${flag}: ${JSON.stringify(raw)} is not a non-negative number`;
  }
  if (kind !== 'amount' && !Number.isInteger(n)) {
    return `--${flag}: ${JSON.stringify(raw)} is not a whole number`;
  }
  if (kind === 'count' && n === 0) return `--${flag}: must be at least 1`;
  return n;
};

/** Parses `vigil cost`'s arguments; a bad flag is an `error`. */
export const parseCostArgs = (args: readonly string[]): CostArgs | { error: string } => {
  const parsed = parseFlags(args, {
    ...HELP_FLAG,
    workload: { type: 'string' },
    config: { type: 'string' },
    json: { type: 'boolean' },
    timestream: { type: 'string' },
    'samples-per-second': { type: 'string' },
    ...Object.fromEntries(Object.keys(NUMBER_FLAGS).map((f) => [f, { type: 'string' as const }])),
  });
  if ('error' in parsed) return parsed;
  const v = parsed.values as Record<string, string | boolean | undefined>;
  const preset = v.workload as string | undefined;
  if (preset !== undefined && !PRESETS.includes(preset as WorkloadPreset)) {
    return {
      error: `--workload: ${JSON.stringify(preset)} is not one of small, mid, large`,
    };
  }
  const timestream = (v.timestream as string | undefined) ?? 'unknown';
  if (!['yes', 'no', 'unknown'].includes(timestream)) {
    return { error: `--timestream: ${JSON.stringify(timestream)} is not one of yes, no, unknown` };
  }
  const overrides: Partial<Record<keyof Workload, number>> = {};
  for (const [flag, spec] of Object.entries(NUMBER_FLAGS) as [
    NumberFlag,
    (typeof NUMBER_FLAGS)[NumberFlag],
  ][]) {
    const raw = v[flag];
    if (typeof raw !== 'string') continue;
    const value = parseValue(flag, raw, spec.kind);
    if (typeof value === 'string') return { error: value };
    overrides[spec.field] = value;
  }
  let samplesPerSecond: number | undefined;
  if (typeof v['samples-per-second'] === 'string') {
    if (overrides.sampleIntervalSeconds !== undefined) {
      return { error: '--samples-per-second and --interval say the same thing: give one of them' };
    }
    const value = parseValue('samples-per-second', v['samples-per-second'], 'amount');
    if (typeof value === 'string') return { error: value };
    if (value === 0) return { error: '--samples-per-second: must be more than 0' };
    samplesPerSecond = value;
  }
  return {
    ...(samplesPerSecond === undefined ? {} : { samplesPerSecond }),
    ...(preset === undefined ? {} : { preset: preset as WorkloadPreset }),
    ...(typeof v.config === 'string' ? { configFile: v.config } : {}),
    json: v.json === true,
    help: v.help === true,
    timestream: timestream as TimestreamAvailability,
    overrides,
  };
};

const usd = (n: number): string =>
  `$${n.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;

/** Small amounts with three significant digits, without exponents: $0.0173, $0.00000002. */
const usdFine = (n: number): string =>
  n <= 0
    ? '$0'
    : `$${n.toFixed(Math.min(20, Math.max(2, 2 - Math.floor(Math.log10(n))))).replace(/(\.\d*?[1-9])0+$/, '$1')}`;

const qty = (n: number): string =>
  n >= 100
    ? Math.round(n).toLocaleString('en-US')
    : n.toLocaleString('en-US', { maximumFractionDigits: 2 });

const STORE_TITLE: Record<StoreBill['store'], string> = {
  timestream: 'store: timestream (Amazon Timestream for LiveAnalytics)',
  amp: 'store: amp (Amazon Managed Service for Prometheus)',
};

/** One store's bill as an aligned text table, a line per charge, zero lines left out. */
export const formatBill = (bill: StoreBill): string[] => {
  const rows: [string, string, string][] = bill.lines
    .filter((l: CostLine) => l.usd >= 0.005)
    .map((l) => [`${l.service}: ${l.item}`, `${qty(l.quantity)} ${l.unit}`, usd(l.usd)]);
  rows.push(['total per month', '', usd(bill.totalUsd)]);
  rows.push(['per million samples ingested', '', usd(bill.usdPerMillionSamples)]);
  const w0 = Math.max(...rows.map((r) => r[0].length));
  const w1 = Math.max(...rows.map((r) => r[1].length));
  const w2 = Math.max(...rows.map((r) => r[2].length));
  const rule = '-'.repeat(w0 + w1 + w2 + 4);
  const fmt = (r: [string, string, string]) =>
    `${r[0].padEnd(w0)}  ${r[1].padStart(w1)}  ${r[2].padStart(w2)}`.trimEnd();
  const body = rows.slice(0, -2).map(fmt);
  return [STORE_TITLE[bill.store], rule, ...body, rule, ...rows.slice(-2).map(fmt)];
};

/** The whole text report: workload, both bills, recommendation, warnings. */
export const formatEstimate = (
  estimate: CostEstimate,
  workload: Workload,
  label: string,
): string[] => [
  `vigil cost — ${label}: ${qty(workload.activeSeries)} active series every ${qty(workload.sampleIntervalSeconds)} s, ${qty(workload.rules)} rules, ${qty(workload.queriesPerMonth)} queries/month, ${qty(workload.logGbPerDay)} GB logs/day, ${qty(workload.retentionDays)} days retention`,
  `${qty(estimate.samplesPerMonth)} samples/month, ${qty(estimate.apiRequestsPerMonth)} API requests/month; ${PRICES_REGION} list prices taken on ${PRICES_TAKEN_ON} (docs/costs.md)`,
  '',
  ...formatBill(estimate.timestream),
  '',
  ...formatBill(estimate.amp),
  '',
  `rule evaluation: Timestream ${usdFine(estimate.evaluation.timestreamUsdPerRun)} per one-minute run (${qty(estimate.evaluation.timestreamTcuSecondsPerRun)} TCU-seconds, at least 4 TCUs × 30 s however few the rules); AMP ${usdFine(estimate.evaluation.ampUsdPerRule)} per rule evaluation (${qty(estimate.evaluation.ampSamplesPerRule)} samples processed)`,
  `recommended ${estimate.recommendation}`,
  ...estimate.warnings.map((w) => `note: ${w}`),
];

/**
 * `vigil cost`: reads vigil.config.yaml (and its rule files) with the loader `cdk synth` uses,
 * applies the preset and flags, and prints both stores' monthly bills with the recommendation
 * (`--json`: the estimate as JSON). Exit 0, 1 on an invalid config, 2 on a bad flag.
 */
export const cost = (args: readonly string[], io: CostIo): number => {
  const parsed = parseCostArgs(args);
  if ('error' in parsed) {
    io.err(`vigil cost: ${parsed.error}`);
    io.err(COST_USAGE.trimEnd());
    return ExitCode.Usage;
  }
  if (parsed.help) {
    io.out(COST_USAGE.trimEnd());
    return 0;
  }
  let facts: ReturnType<typeof deploymentFacts>;
  try {
    const { config, source } = loadConfigFile(parsed.configFile);
    // Without a config file there are no rule files (`rules` defaults to none).
    const groups = config.rules.length > 0 ? loadRulesDocument(config, dirname(source)).groups : [];
    facts = deploymentFacts(config, groups);
  } catch (err) {
    if (err instanceof ConfigError) {
      io.err(err.message);
      return 1;
    }
    throw err;
  }
  if ((parsed.overrides.gpus ?? 0) > 0 && !facts.gpu.enabled) {
    io.err('vigil cost: --gpus needs gpu.enabled: true in the config (GPUs are not priced)');
  }
  const chosen: Workload = { ...presetWorkload(parsed.preset, facts), ...parsed.overrides };
  const workload: Workload =
    parsed.samplesPerSecond === undefined
      ? chosen
      : { ...chosen, sampleIntervalSeconds: chosen.activeSeries / parsed.samplesPerSecond };
  const estimate = estimateCosts(facts, workload, parsed.timestream);
  const label = parsed.preset
    ? { small: 'small team', mid: 'mid-size service', large: 'large fleet' }[parsed.preset]
    : 'this config';
  if (parsed.json) {
    io.out(
      JSON.stringify(
        {
          workload: label,
          pricesTakenOn: PRICES_TAKEN_ON,
          region: PRICES_REGION,
          inputs: workload,
          ...estimate,
        },
        null,
        2,
      ),
    );
  } else {
    for (const l of formatEstimate(estimate, workload, label)) io.out(l);
  }
  return 0;
};
