import {
  CloudWatchLogsClient,
  GetQueryResultsCommand,
  StartQueryCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import { mockClient } from 'aws-sdk-client-mock';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatLogLine, logs, parseLogsArgs } from '../../../bin/commands/logs';
import { FileLogStore, localLogsDir } from '../../../lambdas/adapters/logs/file-log-store';
import { logEvent, NOW_MS } from '../adapters/logs/log-event-fixture';

let dataDir: string;

beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'vigil-cli-logs-'));
});

afterEach(() => {
  rmSync(dataDir, { recursive: true, force: true });
});

const run = async (args: string[]) => {
  const out: string[] = [];
  const err: string[] = [];
  const code = await logs(args, {
    out: (l) => out.push(l),
    err: (l) => err.push(l),
    nowMs: NOW_MS,
    env: { VIGIL_DATA_DIR: dataDir },
  });
  return { code, out, err };
};

describe('Command: vigil logs', () => {
  it('prints the events of one correlation id from the data directory, oldest first', async () => {
    // Prepare
    await new FileLogStore({ dir: localLogsDir(dataDir) }).put([
      logEvent(NOW_MS - 2000, { level: 'error', request_id: 'req-9', message: 'model timeout' }),
      logEvent(NOW_MS - 3000, { level: 'info', request_id: 'req-9', message: 'start' }),
      logEvent(NOW_MS - 1000, { level: 'info', request_id: 'req-1', message: 'other' }),
    ]);

    // Act
    const { code, out } = await run(['--service', 'fraud-api', '--correlation-id=req-9']);

    // Assess
    expect(code).toBe(0);
    expect(out).toEqual([
      '2026-11-25T11:59:57.000Z INFO  fraud-api req-9 start',
      '2026-11-25T11:59:58.000Z ERROR fraud-api req-9 model timeout',
    ]);
  });

  it('prints NDJSON with --json and filters by level', async () => {
    // Prepare
    const events = [
      logEvent(NOW_MS - 2000, { level: 'error', message: 'boom' }),
      logEvent(NOW_MS - 1000, { level: 'info', message: 'fine' }),
    ];
    await new FileLogStore({ dir: localLogsDir(dataDir) }).put(events);

    // Act
    const { code, out } = await run(['--level', 'error', '--json']);

    // Assess
    expect(code).toBe(0);
    expect(out.map((l) => JSON.parse(l))).toEqual([events[0]]);
  });

  it('looks back one hour by default', async () => {
    // Prepare
    await new FileLogStore({ dir: localLogsDir(dataDir) }).put([
      logEvent(NOW_MS - 3_600_001, { message: 'too old' }),
      logEvent(NOW_MS - 3_600_000, { message: 'just in' }),
    ]);

    // Act
    const { out } = await run([]);
    const longer = await run(['--since', '2h']);

    // Assess
    expect(out).toHaveLength(1);
    expect(out[0]).toContain('just in');
    expect(longer.out).toHaveLength(2);
  });

  it('says so on stderr when nothing matches', async () => {
    // Act
    const { code, out, err } = await run(['--service', 'nobody']);

    // Assess
    expect(code).toBe(0);
    expect(out).toEqual([]);
    expect(err).toEqual(['vigil logs: no matching events']);
  });

  it('exits 2 naming a bad argument', async () => {
    // Act
    const bad = await run(['--since', 'yesterday-ish']);
    const unknown = await run(['--tail']);
    const limit = await run(['--limit', '0']);

    // Assess
    expect(bad.code).toBe(2);
    expect(bad.err[0]).toBe(
      'vigil logs: --since: not a duration (1h, 30m), ISO time or epoch ms: yesterday-ish',
    );
    expect(unknown.code).toBe(2);
    expect(unknown.err[0]).toBe('vigil logs: unknown flag --tail');
    expect(limit.err[0]).toBe('vigil logs: --limit must be a positive integer, got 0');
  });

  it('runs a Logs Insights query on the stack log groups with --remote', async () => {
    // Prepare
    const cwl = mockClient(CloudWatchLogsClient);
    cwl.on(StartQueryCommand).resolves({ queryId: 'q-7' });
    cwl.on(GetQueryResultsCommand).resolves({
      status: 'Complete',
      results: [
        [
          { field: '@timestamp', value: '2026-11-25 11:59:00.000' },
          {
            field: '@message',
            value: '{"level":"ERROR","service":"billing","message":"declined"}',
          },
        ],
      ],
    });
    const config = join(dataDir, 'vigil.config.yaml');
    writeFileSync(config, 'project: shop\nlogs:\n  services: [api, inference]\n');
    const out: string[] = [];

    // Act
    const code = await logs(['--remote', '--service', 'billing'], {
      out: (l) => out.push(l),
      err: () => {},
      nowMs: NOW_MS,
      env: { VIGIL_CONFIG: config, AWS_REGION: 'eu-west-1' },
    });
    const all = await logs(['--remote'], {
      out: () => {},
      err: () => {},
      nowMs: NOW_MS,
      env: { VIGIL_CONFIG: config, AWS_REGION: 'eu-west-1' },
    });

    // Assess
    expect([code, all]).toEqual([0, 0]);
    expect(out).toEqual(['2026-11-25T11:59:00.000Z ERROR billing - declined']);
    expect(cwl).toHaveReceivedNthCommandWith(1, StartQueryCommand, {
      logGroupNames: ['/vigil/shop/default'],
    });
    expect(cwl).toHaveReceivedNthCommandWith(3, StartQueryCommand, {
      logGroupNames: ['/vigil/shop/api', '/vigil/shop/inference', '/vigil/shop/default'],
    });
    cwl.restore();
  });

  it('exits 1 when the read fails', async () => {
    // Prepare
    const failing = {
      query: async () => {
        throw new Error('CloudWatch Logs Insights (/vigil/shop/api): query q-1 ended Failed');
      },
    };

    // Act
    const err: string[] = [];
    const code = await logs(['--remote', '--service', 'api'], {
      out: () => {},
      err: (l) => err.push(l),
      reader: failing,
    });

    // Assess
    expect(code).toBe(1);
    expect(err).toEqual([
      'vigil logs: CloudWatch Logs Insights (/vigil/shop/api): query q-1 ended Failed',
    ]);
  });
});

describe('Function: parseLogsArgs', () => {
  it('builds the query with range, limit and flags', () => {
    // Act
    const parsed = parseLogsArgs(
      ['--service', 'api', '--since', '10m', '--until', '5m', '--limit', '20', '--remote'],
      NOW_MS,
    );

    // Assess
    expect(parsed).toEqual({
      query: {
        service: 'api',
        range: { startMs: NOW_MS - 600_000, endMs: NOW_MS - 300_000 },
        limit: 20,
      },
      json: false,
      remote: true,
    });
  });

  it('refuses --until before --since', () => {
    // Act
    const parsed = parseLogsArgs(['--since', '5m', '--until', '10m'], NOW_MS);

    // Assess
    expect(parsed).toEqual({ error: '--until is before --since' });
  });
});

describe('Function: formatLogLine', () => {
  it('shows the JSON of an event without message and a dash without correlation id', () => {
    // Act
    const line = formatLogLine(logEvent(NOW_MS, {}, { fields: { value: 1 } }));

    // Assess
    expect(line).toBe('2026-11-25T12:00:00.000Z INFO  fraud-api - {"value":1}');
  });
});
