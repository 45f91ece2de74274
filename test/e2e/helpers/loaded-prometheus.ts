/**
 * A real Prometheus (Debian's 2.42) holding fixed data: the samples are written as OpenMetrics,
 * turned into TSDB blocks by `promtool tsdb create-blocks-from openmetrics`, and Prometheus is
 * started on them on a free port (retention long enough that old blocks are kept). The same
 * samples go into an in-memory `SeriesStore`, so Vigil's engine and Prometheus read the same data.
 * @see https://prometheus.io/docs/prometheus/2.42/storage/#backfilling-from-openmetrics-format
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { MemorySeriesStore } from '../../../lambdas/adapters/storage/memory-series-store';
import type { Labels } from '../../../lambdas/domain/series/labels';
import type { Series } from '../../../lambdas/domain/series/sample';
import {
  freePort,
  type ManagedChild,
  makeTmpDir,
  removeDir,
  startChild,
  waitFor,
} from './vigil-process';

const PROMETHEUS = '/usr/bin/prometheus';
const PROMTOOL = '/usr/bin/promtool';
const READY_TIMEOUT_MS = 30_000;

/** A Prometheus started on fixed data, and the same data in a store. */
export interface LoadedPrometheus {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  readonly store: MemorySeriesStore;
  stop(): Promise<void>;
}

/** OpenMetrics label set `{a="b",c="d"}` (values escaped as the format says). */
const labelText = (labels: Labels): string => {
  const pairs = Object.entries(labels)
    .filter(([n]) => n !== '__name__')
    .map(
      ([n, v]) => `${n}="${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`,
    );
  return pairs.length === 0 ? '' : `{${pairs.join(',')}}`;
};

const valueText = (v: number): string =>
  Number.isNaN(v) ? 'NaN' : v === Infinity ? '+Inf' : v === -Infinity ? '-Inf' : String(v);

/**
 * OpenMetrics text of the series, grouped by metric name as the format requires, samples in
 * time order, timestamps in seconds. No TYPE lines: every family is `unknown`, so names are free.
 */
const openMetricsOf = (series: readonly Series[]): string => {
  const byName = new Map<string, Series[]>();
  for (const s of series) {
    const name = s.labels.__name__ as string;
    byName.set(name, [...(byName.get(name) ?? []), s]);
  }
  const lines: string[] = [];
  for (const group of byName.values()) {
    const rows = group.flatMap((s) =>
      s.samples.map((p) => ({
        t: p.t,
        line: `${s.labels.__name__}${labelText(s.labels)} ${valueText(p.v)} ${p.t / 1000}`,
      })),
    );
    rows.sort((a, b) => a.t - b.t);
    lines.push(...rows.map((r) => r.line));
  }
  return `${lines.join('\n')}\n# EOF\n`;
};

/** Starts Prometheus on `series` (and writes them to an in-memory store too). */
export const startLoadedPrometheus = async (
  series: readonly Series[],
): Promise<LoadedPrometheus> => {
  for (const bin of [PROMETHEUS, PROMTOOL])
    if (!existsSync(bin))
      throw new Error(`${bin} is missing: apt-get install -y prometheus (.ci/run does)`);
  const dir = makeTmpDir('loaded-prometheus');
  const data = join(dir, 'data');
  mkdirSync(data);
  const input = join(dir, 'samples.om');
  writeFileSync(input, openMetricsOf(series));
  execFileSync(PROMTOOL, ['tsdb', 'create-blocks-from', 'openmetrics', input, data], {
    stdio: 'pipe',
  });
  const configFile = join(dir, 'prometheus.yml');
  writeFileSync(configFile, 'global:\n  scrape_interval: 1m\n');
  const address = `127.0.0.1:${await freePort()}`;
  const prometheus: ManagedChild = startChild(
    PROMETHEUS,
    [
      `--config.file=${configFile}`,
      `--storage.tsdb.path=${data}`,
      '--storage.tsdb.retention.time=100y',
      `--web.listen-address=${address}`,
      '--log.level=warn',
    ],
    {},
  );
  await waitFor(
    `Prometheus ready on ${address}`,
    async () => {
      if (prometheus.child.exitCode !== null)
        throw new Error(`prometheus exited: ${prometheus.output()}`);
      return (await fetch(`http://${address}/-/ready`)).status === 200 ? true : undefined;
    },
    { timeoutMs: READY_TIMEOUT_MS },
  );
  const store = new MemorySeriesStore();
  await store.write(series);
  return {
    url: `http://${address}`,
    store,
    stop: async () => {
      await prometheus.stop();
      removeDir(dir);
    },
  };
};
