/**
 * End to end: `npm start` with an API key, loaded with the last 20 minutes of the series the
 * example rules and dashboards use (services, models, drift, GPUs) and a rule file that fires one
 * alert and keeps another pending. `vigil grafana --out` writes the provisioning files for it, and
 * every query of every dashboard panel is sent as Grafana's Prometheus data source sends it (form
 * POST to query_range, or query for instant tables, with the data source's key header): each one
 * answers with data.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import type { GrafanaDashboard } from '../../lambdas/domain/dashboards/grafana-dashboards';
import {
  makeTmpDir,
  REPO_ROOT,
  removeDir,
  startVigil,
  type VigilProcess,
  waitFor,
} from './helpers/vigil-process';

const API_KEY = 'grafana-e2e-0123456789abcdef';
const RULES = `groups:
  - name: grafana
    interval: 1s
    rules:
      - alert: ModelAccuracyLow
        expr: ml_model_accuracy < 0.85
        labels: {severity: warning}
      - alert: DriftPersisting
        expr: vigil_drift_score > 0.2
        for: 1h
        labels: {severity: critical}
`;

interface Sample {
  readonly name: string;
  readonly labels: Record<string, string>;
  readonly value: number;
  readonly timestamp: number;
}

const STEP_MS = 15_000;
const POINTS = 81;

/**
 * 20 minutes of samples every 15 s: counters growing at `perSecond`, histograms (`_bucket`,
 * `_sum`, `_count`) from a fixed share per bucket, gauges at a fixed value.
 */
const history = (now: number): Sample[] => {
  const out: Sample[] = [];
  const start = now - (POINTS - 1) * STEP_MS;
  const times = Array.from({ length: POINTS }, (_, i) => start + i * STEP_MS);
  const counter = (name: string, labels: Record<string, string>, perSecond: number) => {
    for (const t of times)
      out.push({ name, labels, value: (perSecond * (t - start)) / 1000, timestamp: t });
  };
  const gauge = (name: string, labels: Record<string, string>, value: number) => {
    for (const t of times) out.push({ name, labels, value, timestamp: t });
  };
  const histogram = (
    name: string,
    labels: Record<string, string>,
    perSecond: number,
    buckets: readonly [string, number][],
    mean: number,
  ) => {
    for (const [le, share] of buckets)
      counter(`${name}_bucket`, { ...labels, le }, perSecond * share);
    counter(`${name}_count`, labels, perSecond);
    counter(`${name}_sum`, labels, perSecond * mean);
  };

  for (const job of ['rxvision-api', 'rxvision-inference']) {
    const base = { job, method: 'POST', endpoint: '/predict' };
    counter('http_requests_total', { ...base, status: '200' }, 20);
    counter('http_requests_total', { ...base, status: '503' }, 1);
    histogram(
      'http_request_duration_seconds',
      { job },
      21,
      [
        ['0.05', 0.3],
        ['0.1', 0.6],
        ['0.5', 0.9],
        ['1', 0.98],
        ['+Inf', 1],
      ],
      0.12,
    );
  }
  for (const model_version of ['v1', 'v2']) {
    const m = { model_version };
    counter('model_predictions_total', { ...m, result: 'success' }, 5);
    counter('model_predictions_total', { ...m, result: 'error' }, 0.2);
    histogram(
      'prediction_confidence',
      m,
      5,
      [
        ['0.25', 0.05],
        ['0.5', 0.2],
        ['0.75', 0.5],
        ['0.9', 0.8],
        ['+Inf', 1],
      ],
      0.8,
    );
    histogram('ml_inference_duration_seconds', m, 5, [['+Inf', 1]], 0.04);
    // v2 is below the example rules' 0.85, so ModelAccuracyLow fires.
    gauge('ml_model_accuracy', m, model_version === 'v1' ? 0.93 : 0.8);
  }
  for (const [feature, method, score] of [
    ['confidence', 'ks', 0.31],
    ['prediction', 'chisquare', 0.05],
    ['__dataset__', 'share', 0.5],
  ] as const) {
    const labels = { job: 'vigil_drift', monitor: 'face-attributes', feature, method };
    gauge('vigil_drift_score', labels, score);
    if (method !== 'share') {
      gauge('vigil_drift_p_value', labels, score > 0.2 ? 0.001 : 0.4);
      gauge('vigil_drift_detected', labels, score > 0.2 ? 1 : 0);
      gauge('vigil_drift_sample_size', { ...labels, window: 'reference' }, 500);
      gauge('vigil_drift_sample_size', { ...labels, window: 'current' }, 480);
    }
  }
  for (const gpu_index of ['0', '1']) {
    const gpu = {
      instance_id: 'i-0abc',
      instance_type: 'g5.2xlarge',
      gpu_index,
      gpu_name: 'NVIDIA A10G',
      host: 'ip-10-0-0-1',
    };
    gauge('gpu_utilization_percent', gpu, 87);
    gauge('gpu_memory_used_bytes', gpu, 18e9);
    gauge('gpu_memory_total_bytes', gpu, 24e9);
    gauge('gpu_temperature_celsius', gpu, 71);
    gauge('gpu_power_draw_watts', gpu, 190);
  }
  return out;
};

interface QueryAnswer {
  status: string;
  data?: {
    resultType: string;
    result: {
      metric: Record<string, string>;
      values?: [number, string][];
      value?: [number, string];
    }[];
  };
}

describe('Grafana provisioning against npm start', () => {
  let dir: string;
  let vigil: VigilProcess | undefined;
  let dashboards: GrafanaDashboard[];
  let dataSource: { url: string; jsonData: Record<string, string> };

  beforeAll(async () => {
    dir = makeTmpDir('grafana');
    const example = parse(readFileSync(join(REPO_ROOT, 'vigil.config.yaml'), 'utf8')) as {
      dashboards: unknown;
    };
    writeFileSync(join(dir, 'grafana.rules.yml'), RULES);
    writeFileSync(
      join(dir, 'vigil.config.yaml'),
      stringify({
        project: 'rxvision',
        rules: ['*.rules.yml'],
        evaluation: { interval: '1s' },
        dashboards: example.dashboards,
      }),
    );
    process.env.VIGIL_CONFIG = join(dir, 'vigil.config.yaml');
    vigil = await startVigil({ dataDir: join(dir, 'data'), apiKeys: [API_KEY] });

    const samples = history(Date.now());
    for (let i = 0; i < samples.length; i += 5000) {
      const res = await fetch(`${vigil.url}/ingest/metrics`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': API_KEY },
        body: JSON.stringify({ samples: samples.slice(i, i + 5000) }),
      });
      if (res.status !== 200) throw new Error(`ingest: ${res.status} ${await res.text()}`);
    }

    const cli = spawnSync(
      process.execPath,
      [join(REPO_ROOT, 'bin', 'vigil.js'), 'grafana', '--out', join(dir, 'provisioning')],
      {
        cwd: dir,
        encoding: 'utf8',
        env: { PATH: process.env.PATH, HOME: dir, PORT: String(vigil.port) },
      },
    );
    if (cli.status !== 0) throw new Error(`vigil grafana: ${cli.status} ${cli.stderr}`);
    const folder = join(dir, 'provisioning', 'dashboards', 'vigil');
    dashboards = readdirSync(folder).map(
      (f) => JSON.parse(readFileSync(join(folder, f), 'utf8')) as GrafanaDashboard,
    );
    const file = parse(
      readFileSync(join(dir, 'provisioning', 'datasources', 'vigil.yaml'), 'utf8'),
    ) as { datasources: (typeof dataSource)[] };
    dataSource = file.datasources[0] as typeof dataSource;
  }, 60_000);

  afterAll(async () => {
    await vigil?.stop();
    delete process.env.VIGIL_CONFIG;
    removeDir(dir);
  });

  /** One target as Grafana sends it: form POST, the data source's key header. */
  const query = async (expr: string, instant: boolean): Promise<QueryAnswer> => {
    const end = Math.floor(Date.now() / 1000);
    const form = new URLSearchParams(
      instant
        ? { query: expr, time: String(end) }
        : { query: expr, start: String(end - 1200), end: String(end), step: '30' },
    );
    const res = await fetch(`${dataSource.url}/api/v1/${instant ? 'query' : 'query_range'}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        [dataSource.jsonData.httpHeaderName1 as string]: API_KEY,
      },
      body: form.toString(),
    });
    const body = (await res.json()) as QueryAnswer;
    if (res.status !== 200) throw new Error(`${expr}: ${res.status} ${JSON.stringify(body)}`);
    return body;
  };

  /** The finite values of an answer, over every series. */
  const finiteValues = (a: QueryAnswer): number[] =>
    (a.data?.result ?? []).flatMap((r) =>
      (r.values ?? (r.value ? [r.value] : [])).map(([, v]) => Number(v)).filter(Number.isFinite),
    );

  it('points the data source at the local server the CLI was told about', () => {
    // Assess
    expect(vigil).toBeDefined();
    expect(dataSource.url).toBe(vigil?.url);
    expect(dataSource.jsonData.httpHeaderName1).toBe('x-api-key');
    expect(dashboards.map((d) => d.uid).sort()).toEqual([
      'rxvision-alerts',
      'rxvision-drift',
      'rxvision-gpu',
      'rxvision-models',
      'rxvision-services',
    ]);
  });

  it('refuses a query without the key, as Grafana would see with $VIGIL_API_KEY unset', async () => {
    // Act
    const res = await fetch(`${dataSource.url}/api/v1/query?query=up`);

    // Assess
    expect(res.status).toBe(401);
  });

  it('answers every query of every panel with data', async () => {
    // Prepare: the rule evaluator has written ALERTS for the firing and the pending alert.
    await waitFor('firing and pending ALERTS', async () => {
      const firing = finiteValues(await query('ALERTS{alertstate="firing"}', true));
      const pending = finiteValues(await query('ALERTS{alertstate="pending"}', true));
      return firing.length > 0 && pending.length > 0 ? true : undefined;
    });
    const targets = dashboards.flatMap((d) =>
      d.panels.flatMap((p) =>
        p.type === 'row'
          ? []
          : p.targets.map((t) => ({ where: `${d.title} / ${p.title} / ${t.refId}`, ...t })),
      ),
    );

    // Act
    const empty: string[] = [];
    for (const t of targets) {
      const answer = await query(t.expr, t.instant);
      if (answer.status !== 'success' || finiteValues(answer).length === 0)
        empty.push(`${t.where}: ${t.expr}`);
    }

    // Assess
    expect(targets.length).toBeGreaterThan(30);
    expect(empty).toEqual([]);
  }, 60_000);

  it('shows the values loaded: error ratio, GPU memory and the firing alert', async () => {
    // Prepare
    const exprOf = (title: string, refId: string): string => {
      for (const p of dashboards.flatMap((d) => d.panels))
        if (p.type !== 'row' && p.title === title)
          for (const t of p.targets) if (t.refId === refId) return t.expr;
      throw new Error(`no query ${refId} in ${title}`);
    };

    // Act
    const errorRatio = await query(exprOf('Error ratio (status=~"5..")', 'A'), true);
    const memory = await query(exprOf('GPU memory used / total', 'B'), true);
    const table = await query(exprOf('Firing alerts', 'A'), true);

    // Assess: 1 of 21 requests/s is a 503; 24 GB per GPU; v2's accuracy is 0.8.
    expect(finiteValues(errorRatio)[0]).toBeCloseTo(1 / 21, 3);
    expect(finiteValues(memory)).toEqual([24e9, 24e9]);
    expect(table.data?.result.map((r) => [r.metric.alertname, r.metric.model_version])).toEqual([
      ['ModelAccuracyLow', 'v2'],
    ]);
  });
});
