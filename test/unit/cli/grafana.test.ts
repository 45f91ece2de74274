import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { mockClient } from 'aws-sdk-client-mock';
import { parse } from 'yaml';
import { parseGrafanaArgs, runGrafana } from '../../../bin/commands/grafana';

const cloudFormation = mockClient(CloudFormationClient);

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'vigil-grafana-'));
  cloudFormation.reset();
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

const configFile = (text: string): string => {
  const file = join(dir, 'vigil.config.yaml');
  writeFileSync(file, text);
  return file;
};

const run = async (args: readonly string[], env: NodeJS.ProcessEnv = {}) => {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runGrafana(args, {
    out: (l) => out.push(l),
    err: (l) => err.push(l),
    env,
    cloudFormation: { client: new CloudFormationClient({ region: 'eu-west-1' }) },
  });
  return { code, out, err };
};

const readYaml = (...path: string[]) =>
  parse(readFileSync(join(dir, 'out', ...path), 'utf8')) as Record<string, unknown>;
const dataSourceUrl = () =>
  (readYaml('datasources', 'vigil.yaml').datasources as { url: string }[])[0]?.url;

describe('Feature: vigil grafana', () => {
  it('writes the data source, the dashboard provider and one dashboard per section into --out', async () => {
    // Prepare
    const config = configFile('project: shop\n');

    // Act
    const r = await run(['--out', join(dir, 'out'), '--config', config], { PORT: '9191' });

    // Assess
    expect(r.code).toBe(0);
    expect(r.err).toEqual([]);
    expect(readdirSync(join(dir, 'out', 'dashboards', 'vigil')).sort()).toEqual([
      'alerts.json',
      'drift.json',
      'gpu.json',
      'models.json',
      'services.json',
    ]);
    expect(readYaml('datasources', 'vigil.yaml')).toMatchObject({
      apiVersion: 1,
      datasources: [
        {
          uid: 'shop-vigil',
          type: 'prometheus',
          url: 'http://127.0.0.1:9191',
          jsonData: { httpHeaderName1: 'x-api-key' },
          secureJsonData: { httpHeaderValue1: '$VIGIL_API_KEY' },
        },
      ],
    });
    expect(readYaml('dashboards', 'vigil.yaml')).toMatchObject({
      providers: [{ type: 'file', options: { path: join(dir, 'out', 'dashboards', 'vigil') } }],
    });
    const services = JSON.parse(
      readFileSync(join(dir, 'out', 'dashboards', 'vigil', 'services.json'), 'utf8'),
    );
    expect(services).toMatchObject({ uid: 'shop-services', schemaVersion: 41 });
    expect(r.out.at(-1)).toBe(
      "data source http://127.0.0.1:9191; set VIGIL_API_KEY in Grafana's environment to a Vigil API key",
    );
  });

  it('takes --url and --dashboards-path as given, and removes the dashboard of a section turned off', async () => {
    // Prepare
    const out = join(dir, 'out');
    await run(['--out', out, '--config', configFile('project: shop\n')]);
    const config = configFile('project: shop\ndashboards:\n  gpu: {enabled: false}\n');

    // Act
    const r = await run([
      '--out',
      out,
      '--config',
      config,
      '--url',
      'http://host.docker.internal:8080',
      '--dashboards-path',
      '/etc/grafana/provisioning/dashboards/vigil',
    ]);

    // Assess
    expect(r.code).toBe(0);
    expect(dataSourceUrl()).toBe('http://host.docker.internal:8080');
    expect(readYaml('dashboards', 'vigil.yaml')).toMatchObject({
      providers: [{ options: { path: '/etc/grafana/provisioning/dashboards/vigil' } }],
    });
    expect(existsSync(join(out, 'dashboards', 'vigil', 'gpu.json'))).toBe(false);
    expect(r.out).toContain(`removed ${join(out, 'dashboards', 'vigil', 'gpu.json')}`);
  });

  it("reads the deployed stack's ApiUrl output with --remote", async () => {
    // Prepare
    cloudFormation.on(DescribeStacksCommand, { StackName: 'Vigil-shop' }).resolves({
      Stacks: [
        {
          StackName: 'Vigil-shop',
          StackStatus: 'UPDATE_COMPLETE',
          CreationTime: new Date(),
          Outputs: [
            {
              OutputKey: 'ApiUrl',
              OutputValue: 'https://abc123.execute-api.eu-west-1.amazonaws.com/prod/',
            },
          ],
        },
      ],
    });

    // Act
    const r = await run([
      '--out',
      join(dir, 'out'),
      '--config',
      configFile('project: shop\n'),
      '--remote',
    ]);

    // Assess
    expect(r.code).toBe(0);
    expect(dataSourceUrl()).toBe('https://abc123.execute-api.eu-west-1.amazonaws.com/prod');
  });

  it('exits 1 with one line when the stack is not deployed', async () => {
    // Prepare
    cloudFormation.on(DescribeStacksCommand).rejects(
      Object.assign(new Error('Stack with id Vigil-shop does not exist'), {
        name: 'ValidationError',
      }),
    );

    // Act
    const r = await run([
      '--out',
      join(dir, 'out'),
      '--config',
      configFile('project: shop\n'),
      '--remote',
    ]);

    // Assess
    expect(r.code).toBe(1);
    expect(r.err).toEqual([
      'vigil grafana: no stack Vigil-shop in this region: deploy it, or give --url',
    ]);
    expect(existsSync(join(dir, 'out'))).toBe(false);
  });

  it('exits 1 naming the problem when the config is invalid, writing nothing', async () => {
    // Prepare
    const config = configFile('project: shop\ndashboards:\n  rateWindow: soon\n');

    // Act
    const r = await run(['--out', join(dir, 'out'), '--config', config]);

    // Assess
    expect(r.code).toBe(1);
    expect(r.out).toEqual([]);
    expect(r.err.join('\n')).toContain(
      'dashboards.rateWindow: must be a positive Prometheus duration like 5m, got "soon"',
    );
    expect(existsSync(join(dir, 'out'))).toBe(false);
  });

  it('prints the usage with --help and exits 2 on a usage error', async () => {
    // Act
    const help = await run(['--help']);
    const missing = await run([]);
    const both = await run(['--out', 'x', '--url', 'http://a', '--remote']);

    // Assess
    expect(help.code).toBe(0);
    expect(help.out[0]).toMatch(/^usage: vigil grafana --out <dir>/);
    expect(missing.code).toBe(2);
    expect(missing.err[0]).toBe('vigil grafana: --out <dir> is required');
    expect(both.code).toBe(2);
    expect(both.err[0]).toBe('vigil grafana: --url and --remote both name the URL: give one');
  });
});

describe('Function: parseGrafanaArgs', () => {
  it('refuses a --url that is not http(s) and empty values', () => {
    // Act & Assess
    expect(parseGrafanaArgs(['--out', 'o', '--url', 'ftp://x'])).toEqual({
      error: '--url must be an http(s) URL, got "ftp://x"',
    });
    expect(parseGrafanaArgs(['--out', 'o', '--url', 'localhost:8080'])).toEqual({
      error: '--url must be an http(s) URL, got "localhost:8080"',
    });
    expect(parseGrafanaArgs(['--out', 'o', '--config='])).toEqual({
      error: '--config needs a value',
    });
    expect(parseGrafanaArgs(['--out=o', '--remote'])).toEqual({ out: 'o', remote: true });
  });
});
