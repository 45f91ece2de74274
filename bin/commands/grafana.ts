/**
 * `vigil grafana --out <dir>`: writes Grafana provisioning files for Vigil (docs/grafana.md):
 * `datasources/vigil.yaml` (a Prometheus data source on Vigil's query API, key from Grafana's
 * `$VIGIL_API_KEY`), `dashboards/vigil.yaml` (a file provider) and `dashboards/vigil/<section>.json`
 * (one dashboard per section of `dashboards:`). The URL is `--url`, the deployed stack's `ApiUrl`
 * output with `--remote`, else the local server's (`$PORT`, default 8080).
 */
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { stringify } from 'yaml';
import type { StackOutputOptions } from '../../lambdas/adapters/aws/stack-output';
import {
  buildGrafanaDashboards,
  type GrafanaSection,
  grafanaDataSourceUid,
} from '../../lambdas/domain/dashboards/grafana-dashboards';
import {
  GRAFANA_API_KEY_ENV,
  grafanaDashboardProviderFile,
  grafanaDataSourceFile,
} from '../../lambdas/domain/dashboards/grafana-provisioning';
import { severityRoutingOf } from '../../lambdas/domain/dashboards/mirror-rules';
import type { VigilConfig } from '../../lambdas/domain/config/types';
import { ConfigError } from '../../lambdas/domain/config/issues';
import { loadConfigFile } from '../../lambdas/shared/config-file';
import { ENV } from '../../lambdas/shared/env';
import { ExitCode, HELP_FLAG, parseFlags } from '../cli-args';

const USAGE = `usage: vigil grafana --out <dir> [--url <url> | --remote] [--dashboards-path <path>]
                     [--config <file>]

Writes Grafana provisioning files: a Prometheus data source pointing at Vigil and one dashboard
per section of dashboards: in the config (services, models, drift, GPU, alerts).

  --out <dir>               where to write datasources/ and dashboards/ (Grafana's provisioning folder)
  --url <url>               Vigil's URL as Grafana reaches it
  --remote                  the deployed stack's ApiUrl output (AWS credentials and region)
                            (default: the local server, http://127.0.0.1:$PORT, PORT default 8080)
  --dashboards-path <path>  the dashboards folder as Grafana sees it (default: <out>/dashboards/vigil)
  --config <file>           the Vigil config (default $VIGIL_CONFIG, else ./vigil.config.yaml)

Grafana sends the API key from its own environment variable $${GRAFANA_API_KEY_ENV}.

exit codes: 0 written, 1 invalid config, no stack or ApiUrl, or a file not written, 2 usage error`;

const FLAGS = {
  ...HELP_FLAG,
  out: { type: 'string' },
  url: { type: 'string' },
  remote: { type: 'boolean' },
  'dashboards-path': { type: 'string' },
  config: { type: 'string' },
} as const;

/** What `vigil grafana` was asked for. */
interface GrafanaArgs {
  readonly out: string;
  readonly url?: string;
  readonly remote: boolean;
  readonly dashboardsPath?: string;
  readonly configFile?: string;
}

/** Parses the flags; `{ error }` names the first problem. */
const parseGrafanaArgs = (
  args: readonly string[],
): GrafanaArgs | { help: true } | { error: string } => {
  const parsed = parseFlags(args, FLAGS);
  if ('error' in parsed) return parsed;
  const v = parsed.values;
  if (v.help === true) return { help: true };
  if (v.out === undefined || v.out === '') return { error: '--out <dir> is required' };
  if (v.url !== undefined && v.remote === true)
    return { error: '--url and --remote both name the URL: give one' };
  if (v.url !== undefined) {
    let url: URL;
    try {
      url = new URL(v.url);
    } catch {
      return { error: `--url must be an http(s) URL, got ${JSON.stringify(v.url)}` };
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:')
      return { error: `--url must be an http(s) URL, got ${JSON.stringify(v.url)}` };
  }
  for (const flag of ['dashboards-path', 'config'] as const)
    if (v[flag] === '') return { error: `--${flag} needs a value` };
  return {
    out: v.out,
    remote: v.remote === true,
    ...(v.url === undefined ? {} : { url: v.url }),
    ...(v['dashboards-path'] === undefined ? {} : { dashboardsPath: v['dashboards-path'] }),
    ...(v.config === undefined ? {} : { configFile: v.config }),
  };
};

interface GrafanaIo {
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
  /** @default process.env */
  readonly env?: NodeJS.ProcessEnv;
  /** CloudFormation client settings for `--remote` (tests). */
  readonly cloudFormation?: Pick<StackOutputOptions, 'client' | 'clientConfig'>;
}

/** Vigil's URL for the data source, or the reason there is none. */
const vigilUrl = async (
  args: GrafanaArgs,
  config: VigilConfig,
  io: GrafanaIo,
): Promise<{ url: string } | { error: string }> => {
  if (args.url !== undefined) return { url: args.url };
  if (!args.remote) {
    const port = (io.env ?? process.env)[ENV.PORT] ?? '8080';
    return { url: `http://127.0.0.1:${port}` };
  }
  const stackName = `Vigil-${config.project}`;
  const { getStackOutput } = await import('../../lambdas/adapters/aws/stack-output');
  const r = await getStackOutput({ ...io.cloudFormation, stackName, outputKey: 'ApiUrl' });
  switch (r.status) {
    case 'found':
      return { url: r.value };
    case 'missing-stack':
      return { error: `no stack ${stackName} in this region: deploy it, or give --url` };
    case 'missing-output':
      return { error: `stack ${stackName} has no ApiUrl output: deploy it again, or give --url` };
    case 'failed':
      return { error: `could not read stack ${stackName}: ${r.message}` };
  }
};

const SECTIONS: readonly GrafanaSection[] = ['services', 'models', 'drift', 'gpu', 'alerts'];

/** Writes the files; returns the exit code. */
const writeGrafanaFiles = async (args: GrafanaArgs, io: GrafanaIo): Promise<number> => {
  let config: VigilConfig;
  try {
    config = loadConfigFile(args.configFile).config;
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    io.err(error.message);
    return ExitCode.Failure;
  }
  const url = await vigilUrl(args, config, io);
  if ('error' in url) {
    io.err(`vigil grafana: ${url.error}`);
    return ExitCode.Failure;
  }
  const out = resolve(args.out);
  const dashboardsDir = join(out, 'dashboards', 'vigil');
  const uid = grafanaDataSourceUid(config.project);
  const dashboards = buildGrafanaDashboards({
    config: config.dashboards,
    project: config.project,
    routing: severityRoutingOf(config.channels),
    dataSourceUid: uid,
  });
  const files: [string, string][] = [
    [
      join(out, 'datasources', 'vigil.yaml'),
      stringify(grafanaDataSourceFile({ project: config.project, uid, url: url.url })),
    ],
    [
      join(out, 'dashboards', 'vigil.yaml'),
      stringify(
        grafanaDashboardProviderFile({
          project: config.project,
          path: args.dashboardsPath ?? dashboardsDir,
        }),
      ),
    ],
    ...dashboards.map((d): [string, string] => [
      join(dashboardsDir, d.file),
      `${JSON.stringify(d.dashboard, null, 2)}\n`,
    ]),
  ];
  try {
    for (const [file, text] of files) {
      mkdirSync(join(file, '..'), { recursive: true });
      writeFileSync(file, text);
      io.out(`wrote ${file}`);
    }
    // A section turned off since the last run: its dashboard goes, or Grafana would keep it.
    for (const section of SECTIONS) {
      const file = join(dashboardsDir, `${section}.json`);
      if (!dashboards.some((d) => d.section === section) && existsSync(file)) {
        rmSync(file);
        io.out(`removed ${file}`);
      }
    }
  } catch (error) {
    io.err(`vigil grafana: ${(error as Error).message}`);
    return ExitCode.Failure;
  }
  io.out(
    `data source ${url.url}; set ${GRAFANA_API_KEY_ENV} in Grafana's environment to a Vigil API key`,
  );
  return ExitCode.Ok;
};

/** `vigil grafana <args>`: parses the flags, then writes; returns the exit code. */
const runGrafana = async (args: readonly string[], io: GrafanaIo): Promise<number> => {
  const parsed = parseGrafanaArgs(args);
  if ('help' in parsed) {
    io.out(USAGE);
    return ExitCode.Ok;
  }
  if ('error' in parsed) {
    io.err(`vigil grafana: ${parsed.error}`);
    io.err(USAGE);
    return ExitCode.Usage;
  }
  return writeGrafanaFiles(parsed, io);
};

export { parseGrafanaArgs, runGrafana, writeGrafanaFiles };
