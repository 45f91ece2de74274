import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = process.cwd();
const RECORDER = join(ROOT, 'test', 'helpers', 'record-modules.mjs');
const PACKAGE_VERSION = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version;

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'vigil-cli-'));
  const csv = ['x,y', ...Array.from({ length: 40 }, (_, i) => `${i},${i % 3}`)].join('\n');
  writeFileSync(join(dir, 'a.csv'), csv);
  writeFileSync(join(dir, 'b.csv'), csv);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/**
 * Runs `npx vigil <args>` (bin/vigil.js, the CLI jest's global setup built into dist/) with a
 * local data directory, no AWS region and no credentials.
 */
const vigil = (args: readonly string[], nodeArgs: readonly string[] = [], env = {}) => {
  const r = spawnSync(process.execPath, [...nodeArgs, join(ROOT, 'bin', 'vigil.js'), ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    env: {
      PATH: process.env.PATH,
      HOME: dir,
      VIGIL_DATA_DIR: join(dir, 'data'),
      AWS_EC2_METADATA_DISABLED: 'true',
      ...env,
    },
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
};

/** The modules `vigil <args>` loads: every ES module URL resolved and every CommonJS file. */
const modulesLoadedBy = (args: readonly string[]) => {
  const log = join(dir, `modules-${Math.random().toString(36).slice(2)}.log`);
  writeFileSync(log, '');
  const run = vigil(args, ['--import', RECORDER], { VIGIL_MODULE_LOG: log });
  return { ...run, modules: [...new Set(readFileSync(log, 'utf8').split('\n'))] };
};

const awsSdkModules = (modules: readonly string[]) =>
  modules.filter((m) => m.includes('/node_modules/@aws-sdk/'));

describe('Command: vigil', () => {
  it('lists every command with --help and exits 0', () => {
    // Act
    const r = vigil(['--help']);

    // Assess
    expect(r.code).toBe(0);
    expect(r.err).toBe('');
    for (const command of [
      'rules check',
      'rules test',
      'drift',
      'drift baseline',
      'logs',
      'cost',
      'doctor',
      'gpu-agent-config',
      'grafana',
      'repair',
    ]) {
      expect(r.out).toMatch(new RegExp(`^  ${command} `, 'm'));
    }
  });

  it("prints package.json's version with --version", () => {
    // Act
    const r = vigil(['--version']);

    // Assess
    expect(r.code).toBe(0);
    expect(r.out).toBe(`vigil, version ${PACKAGE_VERSION} (node ${process.version})\n`);
  });

  it.each([
    'rules check',
    'rules test',
    'drift',
    'drift baseline',
    'logs',
    'cost',
    'doctor',
    'gpu-agent-config',
    'grafana',
    'repair',
  ])('prints the usage of `vigil %s` with --help, -h and `vigil help`', (name) => {
    // Prepare
    const command = name.split(' ');

    // Act
    const runs = [
      vigil([...command, '--help']),
      vigil([...command, '-h']),
      vigil(['help', ...command]),
    ];

    // Assess
    for (const r of runs) {
      expect(r.err).toBe('');
      expect(r.code).toBe(0);
      expect(r.out).toMatch(new RegExp(`^usage: vigil ${name}`));
      expect(r.out).toContain('exit codes: 0 ');
    }
    expect(runs[1]?.out).toBe(runs[0]?.out);
    expect(runs[2]?.out).toBe(runs[0]?.out);
  });

  it.each([
    [['logs', '--tail'], 'vigil logs: unknown flag --tail'],
    [['drift', '--reference'], 'vigil: error: --reference needs a value'],
    [['drift', 'baseline', '--monitor'], 'vigil: error: --monitor needs a value'],
    [['cost', '--json=yes'], 'vigil cost: --json takes no value'],
    [['doctor', 'now'], 'vigil doctor: unexpected argument "now"'],
    [['gpu-agent-config', '--config'], 'vigil gpu-agent-config: --config needs a file name'],
    [['repair', '--data-dir', 'a', '--data-dir', 'b'], 'vigil repair: --data-dir given twice'],
    [['grafana', '--url', 'http://a'], 'vigil grafana: --out <dir> is required'],
    [['deploy'], 'vigil: error: unknown command "deploy"'],
    [[], 'usage: vigil <command> [flags]'],
  ])('exits 2 on the usage error %j, naming it', (args, message) => {
    // Act
    const r = vigil(args);

    // Assess
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    expect(r.err.split('\n')[0]).toBe(message);
  });

  it('exits 1 on a usage error of `rules check` and `rules test`, as promtool does', () => {
    // Act
    const check = vigil(['rules', 'check', '--strict', 'rules/drift.yml']);
    const test = vigil(['rules', 'test', '--verbose']);
    const rules = vigil(['rules', 'lint']);

    // Assess
    expect(check).toEqual({
      code: 1,
      out: '',
      err: 'vigil: error: unknown flag --strict, try --help\n',
    });
    expect(test.code).toBe(1);
    expect(test.err).toBe('vigil: error: unknown flag --verbose, try --help\n');
    expect(rules.code).toBe(1);
    expect(rules.err.split('\n')[0]).toBe('vigil: error: unknown rules command "lint"');
  });
});

describe('Feature: commands load the AWS SDK only when they call AWS', () => {
  it.each([
    [['--help']],
    [['--version']],
    [['rules', 'check', 'rules/drift.yml']],
    [['rules', 'test', 'test/fixtures/rules/tests/example-robo-rlhf.pass.test.yml']],
    [['drift', '--reference', 'A', '--current', 'B']],
    [['drift', 'baseline', '--help']],
    [['logs']],
    [['cost']],
    [['gpu-agent-config']],
    [['repair', '--data-dir', 'DIR']],
    [['grafana', '--out', 'OUT']],
    [['doctor', '--help']],
  ])('`vigil %j` runs without loading @aws-sdk', (args) => {
    // Prepare
    const named: Record<string, string> = {
      A: join(dir, 'a.csv'),
      B: join(dir, 'b.csv'),
      DIR: dir,
      OUT: join(dir, 'grafana'),
    };
    const argv = args.map((a) => named[a] ?? a);

    // Act
    const r = modulesLoadedBy(argv);

    // Assess
    expect(r.err).not.toMatch(/error|warning/i);
    expect(r.code).toBe(0);
    expect(r.modules).toContain(`file://${join(ROOT, 'dist', 'cli.js')}`);
    expect(awsSdkModules(r.modules)).toEqual([]);
  });

  it('loads the CloudWatch Logs client for `vigil logs --remote`', () => {
    // Act: no region configured, so the query fails before any request.
    const r = modulesLoadedBy(['logs', '--remote']);

    // Assess
    expect(r.code).toBe(1);
    expect(
      awsSdkModules(r.modules).some((m) => m.includes('/@aws-sdk/client-cloudwatch-logs/')),
    ).toBe(true);
  });
});
