/**
 * Composition root of the drift reports API (`drift-reports`), and the drift document and report
 * store the drift monitor function shares with it.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { LambdaClient } from '@aws-sdk/client-lambda';
import type { LambdaDriftRunStarter } from '../adapters/drift-reports/lambda-drift-run-starter';
import type { DriftReportsApiDeps } from '../api/drift-reports';
import { type DriftDocument, driftDocumentFromJSON } from '../domain/drift/monitor-document';
import { reportId } from '../domain/drift/report';
import type { DriftReportStore } from '../domain/drift/report-store';
import { requireEnv } from '../shared/config';
import { ENV } from '../shared/env';
import { systemClock } from './aws-deps';
import { deferred } from './deferred';

/** The drift document the CDK stack copied next to the handler bundle (`ENV.DRIFT_DOCUMENT`). */
const loadDriftDocumentFromEnv = (
  baseDir: string = dirname(fileURLToPath(import.meta.url)),
): DriftDocument => {
  const file = resolve(baseDir, requireEnv(ENV.DRIFT_DOCUMENT, 'drift document path'));
  return driftDocumentFromJSON(JSON.parse(readFileSync(file, 'utf8')));
};

const reportStore = (): DriftReportStore => {
  const bucket = requireEnv(ENV.DRIFT_REPORTS_BUCKET, 'drift reports bucket');
  return deferred(async () => {
    const { S3DriftReportStore } = await import('../adapters/drift-reports/s3-drift-report-store');
    return new S3DriftReportStore({ bucket });
  }, ['put', 'list', 'get', 'getHtml']);
};

/**
 * The drift reports API on S3; running a monitor starts the drift function asynchronously, so
 * the API answers 202 at once while the run may take minutes.
 * @param lambda - the Lambda client the run starter uses (tests)
 */
const awsDriftReportsApiDeps = (
  doc: DriftDocument = loadDriftDocumentFromEnv(),
  lambda?: LambdaClient,
): DriftReportsApiDeps => {
  let runs: LambdaDriftRunStarter | undefined;
  return {
    reports: reportStore(),
    monitors: doc.drift.monitors.map((m) => m.name),
    clock: systemClock,
    runMonitor: async (name, runAtMs) => {
      const starter = await import('../adapters/drift-reports/lambda-drift-run-starter');
      runs ??= new starter.LambdaDriftRunStarter({
        functionName: requireEnv(ENV.DRIFT_FUNCTION, 'drift monitor function'),
        client: lambda,
      });
      await runs.start({ monitor: name, runAtMs });
      return { status: 'accepted', id: reportId(name, runAtMs) };
    },
  };
};

export { awsDriftReportsApiDeps, loadDriftDocumentFromEnv, reportStore };
