import { jest } from '@jest/globals';
import { type CoverageRun, runCoverage } from './coverage-run';
import { AMP_HTTP_CLIENT } from './amp-http';
import { describeFindings } from './iam-coverage';
import type { FunctionRecording, ModuleLoader } from './record-calls';

/** Jest: a fresh module registry per function, so each handler builds its clients anew. */
const JEST_LOADER: ModuleLoader = {
  isolate: async <T>(body: () => Promise<T>): Promise<T> => {
    let result: T | undefined;
    await jest.isolateModulesAsync(async () => {
      result = await body();
    });
    return result as T;
  },
  importFresh: (path) => import(path),
};

let run: CoverageRun;
beforeAll(async () => {
  run = await runCoverage(JEST_LOADER, 'amp');
}, 240_000);

const recordingOf = (handler: string): FunctionRecording => {
  const found = run.recordings.find((r) => r.fn.handlerName === handler);
  if (!found) throw new Error(`no function runs ${handler}`);
  return found;
};
/** The AMP actions a handler's signed HTTP calls needed, each with its workspace. */
const apsOf = (handler: string): string[] => [
  ...new Set(
    recordingOf(handler)
      .calls.filter((c) => c.client === AMP_HTTP_CLIENT)
      .map((c) => `aps:${c.command}`),
  ),
];

describe('Feature: IAM coverage with store: amp (signed HTTP calls to the workspace as aps:* actions)', () => {
  it('drives the Pushgateway re-emission beside every other function, and none of them calls Timestream', () => {
    // Act
    const handlers = run.recordings.map((r) => r.fn.handlerName);
    const timestream = run.recordings.flatMap((r) =>
      r.calls.filter((c) => c.client.startsWith('Timestream')).map(() => r.fn.handlerName),
    );

    // Assess
    expect(handlers).toContain('rescrape-pushed-groups');
    expect(timestream).toEqual([]);
  });

  it('runs every scenario to its end: no handler throws, every API answer is a success but the missing report', () => {
    // Act
    const failures = run.recordings.flatMap((r) =>
      r.outcomes.flatMap((o, i) => {
        if (!o.ok) return [`${r.fn.handlerName}[${i}]: ${String(o.error)}`];
        const status = (o.value as { statusCode?: number } | undefined)?.statusCode;
        return status !== undefined && status >= 400
          ? [`${r.fn.handlerName}[${i}]: ${status}`]
          : [];
      }),
    );

    // Assess
    expect(failures).toEqual(['drift-reports[1]: 404']);
  });

  it.each<[string, string[]]>([
    ['ingest-metrics', ['aps:RemoteWrite']],
    ['ingest-remote-write', ['aps:RemoteWrite']],
    ['ingest-pushgateway', ['aps:RemoteWrite']],
    ['query', ['aps:QueryMetrics']],
    ['read-series', ['aps:GetLabels', 'aps:GetSeries']],
    ['evaluate-rules', ['aps:QueryMetrics']],
    ['scrape-targets', ['aps:RemoteWrite']],
  ])('records the workspace calls of %s', (handler, expected) => {
    // Act
    const actions = apsOf(handler);

    // Assess
    expect(actions).toEqual(expect.arrayContaining(expected));
  });

  it('records prediction events as S3 objects instead of a Timestream table', () => {
    // Act
    const logs = recordingOf('ingest-logs').calls.map((c) => c.command);
    const drift = recordingOf('run-drift-monitors').calls.map((c) => c.command);

    // Assess
    expect(logs).toContain('PutObjectCommand');
    expect(drift).toContain('ListObjectsV2Command');
  });

  it('allows every call of every function, the workspace calls included', () => {
    // Act
    const findings = [...run.results.values()].flatMap((r) => r.findings);

    // Assess
    expect(describeFindings(findings)).toBe('');
  });
});
