/**
 * The AWS adapters of the drift monitor function and of the drift reports API, built from the
 * environment the `DriftMonitors` construct sets.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { LambdaClient } from '@aws-sdk/client-lambda';
import type { LambdaDriftRunStarter } from '../adapters/drift-reports/lambda-drift-run-starter';
import type { DriftReportsApiDeps } from '../api/drift-reports';
import type { DriftJobDeps } from '../domain/drift/monitor-job';
import {
  baselineTables,
  type DriftDocument,
  driftDocumentFromJSON,
} from '../domain/drift/monitor-document';
import { promqlHistogramReader } from '../domain/drift/monitor-run';
import { withDriftMirrorRules } from '../domain/drift/monitor-series';
import { reportId } from '../domain/drift/report';
import type { DriftReportStore } from '../domain/drift/report-store';
import { loadRuntimeConfig, requireEnv } from '../shared/config';
import { ENV } from '../shared/env';
import {
  awsCardinality,
  awsEventStore,
  awsMirror,
  awsPushGroups,
  awsSamples,
  systemClock,
} from './aws-deps';
import { pushAware } from './push-aware';
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
  }, ['put', 'list', 'get']);
};

/**
 * Everything the drift function needs: prediction events and samples from Timestream (pushed
 * groups too, so pushed histograms count), series pushed as the monitor's group through the
 * ingestion pipeline with the drift series always mirrored to CloudWatch, reports to S3.
 */
const awsDriftJobDeps = (doc: DriftDocument = loadDriftDocumentFromEnv()): DriftJobDeps => {
  const runtime = loadRuntimeConfig();
  const samples = awsSamples();
  const { queryEngine } = samples;
  const pushGroups = awsPushGroups(requireEnv(ENV.PUSH_GROUPS_TABLE, 'Pushgateway groups table'));
  // AMP evaluates the histogram queries itself (pushed values are in it, re-emitted).
  const store = pushAware(samples, pushGroups, runtime);
  const cloudwatch = {
    ...runtime.cloudwatch,
    mirror: withDriftMirrorRules(runtime.cloudwatch.mirror),
  };
  const baselines = baselineTables(doc);
  return {
    run: {
      events: awsEventStore(),
      histograms: promqlHistogramReader(queryEngine ?? store),
      baseline: (name) => baselines.get(name),
    },
    reports: reportStore(),
    pushGroups,
    ingest: {
      // Writes go to Timestream directly; reads (histograms) see pushed groups.
      store: samples.store,
      cardinality: awsCardinality(requireEnv(ENV.SERIES_INDEX_TABLE, 'series index table')),
      mirror: awsMirror(cloudwatch),
    },
    runtime: { ...runtime, cloudwatch },
    drift: doc.drift,
  };
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

export { awsDriftJobDeps, awsDriftReportsApiDeps, loadDriftDocumentFromEnv };
