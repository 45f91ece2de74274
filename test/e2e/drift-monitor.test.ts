/**
 * End to end: `npm start` with a drift monitor over prediction events and the example drift rule
 * written for Vigil (`vigil_drift_score > 0.2`). Prediction events are posted to
 * `POST /ingest/logs` for a reference hour and a shifted current hour (timestamps in the past);
 * running the monitor (`POST /api/drift/monitors/faces/run`) writes `vigil_drift_detected == 1`,
 * which the query API returns, the rule fires, and the report is listed and served. On each store:
 * the embedded one, and `store: amp` against a local stand-in workspace (helpers/stores.ts).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { E2E_STORES, type E2eStoreSetup, setUpStore, workspaceTraffic } from './helpers/stores';
import {
  instantQuery,
  makeTmpDir,
  removeDir,
  startVigil,
  type VigilProcess,
  waitFor,
} from './helpers/vigil-process';

const RULES = `groups:
  - name: drift
    interval: 1s
    rules:
      - alert: DriftDetected
        expr: vigil_drift_score > 0.2
        for: 2s
        labels:
          severity: warning
        annotations:
          summary: "Drift on {{ $labels.feature }} ({{ $labels.method }}): {{ $value }}"
`;

const CONFIG = `rules:
  - drift.rules.yml
evaluation:
  interval: 1s
logs:
  measures:
    - confidence
    - field: beard
      type: VARCHAR
drift:
  monitors:
    - name: faces
      source:
        events:
          model: face-attributes
          fields: [confidence, beard]
      reference: {window: 1h, offset: 1h}
      schedule: {every: 1h, window: 1h}
`;

const HOUR = 3_600_000;

interface ApiAlert {
  readonly labels: Record<string, string>;
  readonly state: string;
}

/** Prediction events as python-json-logger would log them, one hour's worth ending at `endMs`. */
const predictions = (endMs: number, shifted: boolean): string =>
  Array.from({ length: 120 }, (_, i) => ({
    timestamp: new Date(endMs - HOUR + 120_000 + i * 25_000).toISOString(),
    level: 'INFO',
    service: 'inference',
    message: 'prediction',
    event: 'prediction',
    model: 'face-attributes',
    model_version: 'v3',
    // Reference: confidence spread over [0.6, 1.0); current: over [0.2, 0.6).
    confidence: (shifted ? 0.2 : 0.6) + ((i * 37) % 120) / 300,
    beard: (shifted ? i % 2 === 0 : i % 5 === 0) ? 'yes' : 'no',
  }))
    .map((e) => JSON.stringify(e))
    .join('\n');

const post = async (vigil: VigilProcess, path: string, body: string, contentType: string) => {
  const res = await fetch(`${vigil.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': contentType },
    body,
  });
  const text = await res.text();
  if (res.status >= 300) throw new Error(`${path}: ${res.status} ${text}`);
  return { status: res.status, body: text === '' ? undefined : JSON.parse(text) };
};

const getJson = async (vigil: VigilProcess, path: string) => {
  const res = await fetch(`${vigil.url}${path}`);
  return { status: res.status, body: JSON.parse(await res.text()) };
};

describe.each(E2E_STORES)('drift monitor with npm start (%s store)', (storeKind) => {
  let dir: string;
  let vigil: VigilProcess | undefined;
  let store: E2eStoreSetup | undefined;

  beforeAll(async () => {
    store = await setUpStore(storeKind);
    dir = makeTmpDir('drift');
    writeFileSync(join(dir, 'drift.rules.yml'), RULES);
    writeFileSync(join(dir, 'vigil.config.yaml'), `${CONFIG}${store.configYaml}`);
    process.env.VIGIL_CONFIG = join(dir, 'vigil.config.yaml');
  }, 40_000);

  afterAll(async () => {
    await vigil?.stop();
    await store?.stop();
    delete process.env.VIGIL_CONFIG;
    removeDir(dir);
  });

  it('detects a shifted current window, exposes vigil_drift_detected and fires the drift rule', async () => {
    // Prepare
    vigil = await startVigil({ dataDir: join(dir, 'data'), env: store?.env ?? {} });
    const v = vigil;
    const now = Date.now();
    await post(v, '/ingest/logs', predictions(now - HOUR - 60_000, false), 'application/x-ndjson');
    await post(v, '/ingest/logs', predictions(now - 60_000, true), 'application/x-ndjson');

    // Act
    const run = await post(v, '/api/drift/monitors/faces/run', '', 'application/json');
    const detected = await instantQuery(v, 'vigil_drift_detected{monitor="faces"}');
    const firing = await waitFor(
      'a firing DriftDetected alert on confidence',
      async () => {
        const { body } = await getJson(v, '/api/v1/alerts');
        return (body.data.alerts as ApiAlert[]).find(
          (a) => a.state === 'firing' && a.labels.feature === 'confidence',
        );
      },
      { timeoutMs: 20_000 },
    );
    const list = await getJson(v, '/api/drift/reports?monitor=faces');
    // The local timer runs the current hourly tick once, soon after start-up.
    const scheduled = await waitFor('the report of the scheduled tick', async () => {
      const { body } = await getJson(v, '/api/drift/reports?monitor=faces');
      return (body.data.reports as { id: string; runAt: string }[]).find(
        (r) => Date.parse(r.runAt) % HOUR === 0,
      );
    });
    const report = await getJson(v, `/api/drift/reports/${run.body.data.id}`);
    const unknown = await post(v, '/api/drift/monitors/nope/run', '', 'application/json').catch(
      (e: Error) => e.message,
    );

    // Assess
    expect(run.status).toBe(200);
    expect(run.body.data).toMatchObject({
      monitor: 'faces',
      dataset_drift: true,
      rows: { reference: 120, current: 120 },
    });
    const confidence = run.body.data.features.find(
      (f: { feature: string }) => f.feature === 'confidence',
    );
    expect(confidence).toMatchObject({ method: 'ks', drift: true, statistic: 1 });
    expect(detected).toEqual(
      expect.arrayContaining([
        [
          {
            __name__: 'vigil_drift_detected',
            job: 'vigil_drift',
            monitor: 'faces',
            feature: 'confidence',
            method: 'ks',
          },
          1,
        ],
        [
          {
            __name__: 'vigil_drift_detected',
            job: 'vigil_drift',
            monitor: 'faces',
            feature: '__dataset__',
            method: 'share',
          },
          1,
        ],
      ]),
    );
    expect(firing.labels).toMatchObject({
      alertname: 'DriftDetected',
      monitor: 'faces',
      feature: 'confidence',
      method: 'ks',
      severity: 'warning',
    });
    expect(list.status).toBe(200);
    expect(list.body.data.reports[0]).toMatchObject({
      id: run.body.data.id,
      monitor: 'faces',
      dataset_drift: true,
    });
    expect(scheduled.id).toMatch(/^faces\.\d{8}T\d{2}0000\.000Z$/);
    expect(report.status).toBe(200);
    expect(report.body.data.id).toBe(run.body.data.id);
    expect(unknown).toMatch(/^\/api\/drift\/monitors\/nope\/run: 404 /);
    if (storeKind === 'amp') {
      // Drift series and log counters went to the workspace; the rule read them there.
      expect(workspaceTraffic(store)).toMatchObject({ refused: 0 });
      expect(workspaceTraffic(store)?.writes).toBeGreaterThanOrEqual(2);
    }
  });
});
