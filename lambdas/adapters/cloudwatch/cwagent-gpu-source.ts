/**
 * `GpuMetricSource` on CloudWatch: the CloudWatch agent's `nvidia_smi_*` metrics in `CWAgent`.
 *
 * - Discovery: ListMetrics on the namespace with `RecentlyActive: 'PT3H'` (only metrics that
 *   reported in the last 3 hours: stopped instances drop out), following `NextToken`; a page
 *   holds at most 500 metrics. https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_ListMetrics.html
 * - Reads: GetMetricData with one `MetricStat` (Average over the period) per metric, at most 500
 *   queries per call, following `NextToken` within each call (a response holds at most
 *   100,800 datapoints), `ScanBy: TimestampAscending`.
 *   https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_GetMetricData.html
 *
 * SDK failures become `GpuMetricSourceError` (a `StorageUnavailableError`: a later run retries),
 * naming the call.
 */
import {
  CloudWatchClient,
  type CloudWatchClientConfig,
  GetMetricDataCommand,
  type GetMetricDataCommandOutput,
  ListMetricsCommand,
  type ListMetricsCommandOutput,
  type MetricDataQuery,
} from '@aws-sdk/client-cloudwatch';
import { StorageUnavailableError } from '../../domain/errors';
import { CWAGENT_NAMESPACE, NVIDIA_SMI_PREFIX } from '../../domain/gpu/cwagent-metrics';
import type {
  CloudWatchMetricData,
  CloudWatchMetricRef,
  ImportWindow,
} from '../../domain/gpu/import-mapping';
import type { GpuMetricSource } from '../../domain/gpu/gpu-metric-source';

/** GetMetricData: at most 500 `MetricDataQuery` structures per call. */
const MAX_QUERIES_PER_CALL = 500;

/** A ListMetrics or GetMetricData call failed. */
class GpuMetricSourceError extends StorageUnavailableError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    // The base types `name` as its own literal; the instance still carries this class's name.
    Object.defineProperty(this, 'name', { value: 'GpuMetricSourceError' });
  }
}

interface CwAgentGpuSourceOptions {
  readonly client?: CloudWatchClient;
  readonly clientConfig?: CloudWatchClientConfig;
  /** @default 'CWAgent' */
  readonly namespace?: string;
}

const describe = (err: unknown): string =>
  err instanceof Error ? `${err.name}: ${err.message}` : String(err);

/** Reads the CloudWatch agent's GPU metrics. */
class CwAgentGpuSource implements GpuMetricSource {
  readonly #client: CloudWatchClient;
  readonly #namespace: string;

  constructor(options: CwAgentGpuSourceOptions = {}) {
    this.#client = options.client ?? new CloudWatchClient(options.clientConfig ?? {});
    this.#namespace = options.namespace ?? CWAGENT_NAMESPACE;
  }

  /** Every `nvidia_smi_*` metric of the namespace that reported in the last 3 hours. */
  async discover(): Promise<CloudWatchMetricRef[]> {
    const out: CloudWatchMetricRef[] = [];
    let nextToken: string | undefined;
    do {
      let page: ListMetricsCommandOutput;
      try {
        page = await this.#client.send(
          new ListMetricsCommand({
            Namespace: this.#namespace,
            RecentlyActive: 'PT3H',
            NextToken: nextToken,
          }),
        );
      } catch (err) {
        throw new GpuMetricSourceError(`ListMetrics ${this.#namespace} failed: ${describe(err)}`, {
          cause: err,
        });
      }
      for (const m of page.Metrics ?? []) {
        if (!m.MetricName?.startsWith(NVIDIA_SMI_PREFIX)) continue;
        const dimensions: Record<string, string> = {};
        for (const d of m.Dimensions ?? []) {
          if (d.Name !== undefined && d.Value !== undefined) dimensions[d.Name] = d.Value;
        }
        out.push({ metricName: m.MetricName, dimensions });
      }
      nextToken = page.NextToken;
    } while (nextToken);
    return out;
  }

  /** Averages per period of each metric over the window, in chunks of 500 queries. */
  async fetch(
    metrics: readonly CloudWatchMetricRef[],
    window: ImportWindow,
  ): Promise<CloudWatchMetricData[]> {
    const out: CloudWatchMetricData[] = [];
    for (let i = 0; i < metrics.length; i += MAX_QUERIES_PER_CALL) {
      const chunk = metrics.slice(i, i + MAX_QUERIES_PER_CALL);
      out.push(...(await this.#fetchChunk(chunk, window)));
    }
    return out;
  }

  async #fetchChunk(
    chunk: readonly CloudWatchMetricRef[],
    window: ImportWindow,
  ): Promise<CloudWatchMetricData[]> {
    // Ids must start with a lower-case letter: m0, m1, …
    const queries: MetricDataQuery[] = chunk.map((m, i) => ({
      Id: `m${i}`,
      ReturnData: true,
      MetricStat: {
        Metric: {
          Namespace: this.#namespace,
          MetricName: m.metricName,
          Dimensions: Object.entries(m.dimensions).map(([Name, Value]) => ({ Name, Value })),
        },
        Period: window.periodSeconds,
        Stat: 'Average',
      },
    }));
    const collected = chunk.map(() => ({ t: [] as number[], v: [] as number[] }));
    let nextToken: string | undefined;
    do {
      let page: GetMetricDataCommandOutput;
      try {
        page = await this.#client.send(
          new GetMetricDataCommand({
            MetricDataQueries: queries,
            StartTime: new Date(window.startMs),
            EndTime: new Date(window.endMs),
            ScanBy: 'TimestampAscending',
            NextToken: nextToken,
          }),
        );
      } catch (err) {
        throw new GpuMetricSourceError(
          `GetMetricData (${chunk.length} metrics of ${this.#namespace}) failed: ${describe(err)}`,
          { cause: err },
        );
      }
      for (const r of page.MetricDataResults ?? []) {
        const index = Number(r.Id?.slice(1));
        const target = collected[index];
        if (!target) continue;
        const ts = r.Timestamps ?? [];
        const vs = r.Values ?? [];
        for (let k = 0; k < Math.min(ts.length, vs.length); k++) {
          target.t.push((ts[k] as Date).getTime());
          target.v.push(vs[k] as number);
        }
      }
      nextToken = page.NextToken;
    } while (nextToken);
    return chunk.map((metric, i) => ({
      metric,
      timestampsMs: collected[i]?.t ?? [],
      values: collected[i]?.v ?? [],
    }));
  }
}

export { CwAgentGpuSource, GpuMetricSourceError, MAX_QUERIES_PER_CALL };
