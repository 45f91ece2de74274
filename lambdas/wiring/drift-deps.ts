/**
 * Composition root of the drift monitor function, built from the environment the
 * `DriftMonitors` construct sets.
 */
import type { DriftJobDeps } from '../domain/drift/monitor-job';
import { baselineTables, type DriftDocument } from '../domain/drift/monitor-document';
import { promqlHistogramReader } from '../domain/drift/monitor-run';
import { parsedExprLookup } from '../domain/promql/expr-json';
import { withDriftMirrorRules } from '../domain/drift/monitor-series';
import { loadRuntimeConfig, requireEnv } from '../shared/config';
import { ENV } from '../shared/env';
import { awsCardinality, awsEventStore, awsMirror, awsPushGroups, awsSamples } from './aws-deps';
import { loadDriftDocumentFromEnv, reportStore } from './drift-reports-deps';
import { pushAware } from './push-aware';

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
      histograms: promqlHistogramReader(queryEngine ?? store, parsedExprLookup(doc.parsedExprs)),
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

export { awsDriftJobDeps, loadDriftDocumentFromEnv };
