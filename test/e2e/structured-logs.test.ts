/**
 * End to end: structured logs into `npm start` — Python's standard `logging` (Debian's
 * /usr/bin/python3, no package) through an HTTPHandler, and a Loki push as Promtail sends it —
 * read back by correlation id with `vigil logs`, and counted in `vigil_log_events_total`.
 */
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { lokiProtobufBody } from '../helpers/loki-push-client';
import {
  instantQuery,
  makeTmpDir,
  REPO_ROOT,
  removeDir,
  startVigil,
  type VigilProcess,
} from './helpers/vigil-process';

/** Debian's interpreter: only the standard library is used. */
const PYTHON = '/usr/bin/python3';
const CLIENT = join(REPO_ROOT, 'test', 'e2e', 'clients', 'json_logging_client.py');
const API_KEY = 'e2e-logs-key';

/**
 * The clients run asynchronously: a synchronous child would block this process for seconds, and
 * fetch would then reuse a pooled keep-alive socket the server had closed meanwhile.
 */
const execFileAsync = promisify(execFile);

/** Runs the Python logging client once. */
const python = (
  vigil: VigilProcess,
  mode: 'json' | 'form',
  correlationId: string,
): Promise<{ status: number | null; stderr: string }> =>
  execFileAsync(
    PYTHON,
    [CLIENT, `127.0.0.1:${vigil.port}`, mode, correlationId, '--api-key', API_KEY],
    { encoding: 'utf8', timeout: 15_000 },
  ).then(
    ({ stderr }) => ({ status: 0, stderr }),
    (e: { code?: number | string; stderr?: string; message: string }) => ({
      status: typeof e.code === 'number' ? e.code : null,
      stderr: e.stderr ?? e.message,
    }),
  );

/** `vigil logs <args> --json` against the test's data directory: the events it prints. */
const vigilLogs = async (
  vigil: VigilProcess,
  args: readonly string[],
): Promise<Record<string, unknown>[]> => {
  const { stdout } = await execFileAsync(
    process.execPath,
    ['bin/vigil.js', 'logs', ...args, '--json'],
    {
      cwd: REPO_ROOT,
      encoding: 'utf8',
      env: { ...process.env, VIGIL_DATA_DIR: vigil.dataDir },
      timeout: 60_000,
    },
  );
  return stdout
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
};

const fieldsOf = (e: Record<string, unknown>) => (e.fields ?? e) as Record<string, unknown>;

describe('structured logs against npm start', () => {
  let dataDir: string;
  let vigil: VigilProcess;

  beforeAll(async () => {
    dataDir = makeTmpDir('logs');
    vigil = await startVigil({ dataDir, apiKeys: [API_KEY] });
  });

  afterAll(async () => {
    if (process.env.VIGIL_E2E_DEBUG) console.log(vigil?.output());
    await vigil?.stop();
    removeDir(dataDir);
  });

  it('stores Python logging records sent as JSON, found again by correlation id with vigil logs', async () => {
    // Act
    const sent = await python(vigil, 'json', 'req-json-1');
    const events = await vigilLogs(vigil, ['--correlation-id', 'req-json-1']);

    // Assess
    expect(sent).toEqual({ status: 0, stderr: '' });
    expect(events.map((e) => [e.service, e.level, e.message])).toEqual([
      ['inference', 'INFO', 'request received: /predict'],
      ['inference', 'INFO', 'Model inference completed'],
      ['inference', 'WARN', 'slow request: 1200 ms'],
      ['inference', 'ERROR', 'inference failed: CUDA out of memory'],
    ]);
    expect(fieldsOf(events[1] as Record<string, unknown>)).toMatchObject({
      event: 'prediction',
      trace_id: 'abc123',
      context: { model_version: 'v2.1', confidence: 0.95, inference_time_ms: 120 },
    });
  });

  it("accepts the stock HTTPHandler's form-encoded records, the logger name as service", async () => {
    // Act
    const sent = await python(vigil, 'form', 'req-form-1');
    const events = await vigilLogs(vigil, ['--correlation-id', 'req-form-1', '--service', 'api']);

    // Assess
    expect(sent).toEqual({ status: 0, stderr: '' });
    expect(events.map((e) => [e.level, e.message])).toEqual([
      ['INFO', 'request received: %s'],
      ['INFO', 'Model inference completed'],
      ['WARN', 'slow request: %d ms'],
      ['ERROR', 'inference failed: CUDA out of memory'],
    ]);
    expect(fieldsOf(events[0] as Record<string, unknown>).args).toBe("('/predict',)");
  });

  it('writes the prediction record of the prediction event to the local events store', () => {
    // Act
    const dir = join(dataDir, 'events');
    const lines = readdirSync(dir, { recursive: true })
      .map(String)
      .filter((f) => f.endsWith('.ndjson'))
      .flatMap((f) => readFileSync(join(dir, f), 'utf8').split('\n'))
      .filter((l) => l.trim() !== '')
      .map((l) => JSON.parse(l) as Record<string, unknown>);

    // Assess
    expect(lines).toContainEqual(
      expect.objectContaining({
        service: 'inference',
        model: 'pneumonia',
        modelVersion: 'v2.1',
        measures: { confidence: 0.95, inference_time_ms: 120, prediction: 'pneumonia' },
      }),
    );
  });

  it('takes a Loki push as Promtail sends it (snappy protobuf) and answers 204', async () => {
    // Prepare
    const now = Date.now();
    const body = lokiProtobufBody([
      {
        labels: '{job="varlogs", service="api", filename="/var/log/api.log"}',
        entries: [
          {
            ms: now - 2,
            line: '{"level":"error","message":"upstream timeout","request_id":"req-loki-1"}',
          },
          { ms: now - 1, line: 'GET /health 200 (plain text line, request req-loki-1)' },
        ],
      },
    ]);

    // Act
    const res = await fetch(`${vigil.url}/loki/api/v1/push`, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/x-protobuf',
        'x-api-key': API_KEY,
        'X-Correlation-Id': 'req-loki-1',
      },
      body,
    });
    const events = await vigilLogs(vigil, ['--correlation-id', 'req-loki-1']);

    // Assess
    expect(res.status).toBe(204);
    expect(events.map((e) => [e.service, e.level, e.message])).toEqual([
      ['api', 'ERROR', 'upstream timeout'],
      ['api', 'UNKNOWN', 'GET /health 200 (plain text line, request req-loki-1)'],
    ]);
    expect(fieldsOf(events[0] as Record<string, unknown>)).toMatchObject({
      job: 'varlogs',
      filename: '/var/log/api.log',
    });
  });

  it('takes a Loki JSON push and refuses a request without the API key', async () => {
    // Prepare
    const ns = `${BigInt(Date.now()) * 1_000_000n}`;
    const body = JSON.stringify({
      streams: [
        {
          stream: { service: 'inference', job: 'batch' },
          values: [[ns, '{"level":"info","message":"batch done","request_id":"req-loki-2"}']],
        },
      ],
    });

    // Act
    const refused = await fetch(`${vigil.url}/loki/api/v1/push`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body,
    });
    const res = await fetch(`${vigil.url}/loki/api/v1/push`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'x-api-key': API_KEY },
      body,
    });

    // Assess
    expect(refused.status).toBe(401);
    expect(res.status).toBe(204);
    expect(
      (await vigilLogs(vigil, ['--correlation-id', 'req-loki-2'])).map((e) => e.message),
    ).toEqual(['batch done']);
  });

  it('answers 400 with the index and line of a broken NDJSON line, storing the others', async () => {
    // Act
    const res = await fetch(`${vigil.url}/ingest/logs`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-ndjson', 'x-api-key': API_KEY },
      body: '{"service":"api","level":"INFO","message":"one","request_id":"req-nd-1"}\n{"service": \n{"service":"api","level":"INFO","message":"three","request_id":"req-nd-1"}\n',
    });
    const answer = (await res.json()) as {
      accepted: number;
      rejected: { index: number; line: number }[];
    };

    // Assess
    expect(res.status).toBe(400);
    expect(answer.accepted).toBe(2);
    expect(answer.rejected.map((r) => [r.index, r.line])).toEqual([[1, 2]]);
    expect(
      (await vigilLogs(vigil, ['--correlation-id', 'req-nd-1'])).map((e) => e.message),
    ).toEqual(['one', 'three']);
  });

  it('counts the stored events in vigil_log_events_total, visible through the query API', async () => {
    // Act
    const totals = await instantQuery(vigil, 'vigil_log_events_total', API_KEY);
    const errorRate = await instantQuery(
      vigil,
      'sum by (service) (rate(vigil_log_events_total{level="ERROR"}[5m])) > 0',
      API_KEY,
    );

    // Assess
    const value = (service: string, level: string) =>
      totals.find(([l]) => l.service === service && l.level === level)?.[1];
    expect(value('inference', 'INFO')).toBe(3);
    expect(value('inference', 'ERROR')).toBe(1);
    expect(value('api', 'ERROR')).toBe(2);
    expect(value('api', 'INFO')).toBe(4);
    expect(errorRate.map(([l]) => l.service)).toEqual(['api', 'inference']);
  });
});
