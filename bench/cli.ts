/**
 * `npm run bench` (start-up part): wall time of a whole process, from spawn to exit for the CLI
 * and from spawn to the "listening" line for the local server, beside Prometheus's own tools
 * started the same way in the same run (Debian's promtool and prometheus 2.42): target and
 * reference alternate, median of the runs. The CLI as built by `npm ci` (dist/, rebuilt first)
 * and, for comparison, the same CLI run from its TypeScript sources through tsx.
 * Figures are printed, never asserted.
 *
 * Run alone: `npx tsx bench/cli.ts`.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { buildDist, freePort, median, ROOT, table } from './lib';

const PROMTOOL = '/usr/bin/promtool';
const PROMETHEUS = '/usr/bin/prometheus';
const TSX = join(ROOT, 'node_modules', '.bin', 'tsx');
const RULE_FILE = join(ROOT, 'rules', 'drift.yml');

interface Command {
  readonly label: string;
  readonly command: string;
  readonly args: readonly string[];
}

interface StartupRow {
  readonly what: string;
  readonly vigilMs: number;
  readonly reference: string;
  readonly referenceMs: number;
}

interface CliBenchReport {
  readonly runs: number;
  readonly rows: readonly StartupRow[];
}

const node = (label: string, ...args: string[]): Command => ({
  label,
  command: process.execPath,
  args,
});

/** Milliseconds from spawn to exit (output discarded); throws when the command fails. */
const timeToExit = (c: Command): number => {
  const start = performance.now();
  const r = spawnSync(c.command, c.args, { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
  const ms = performance.now() - start;
  if (r.status !== 0) throw new Error(`${c.label} exited with ${r.status}: ${r.stderr}`);
  return ms;
};

/** Stops a child started in its own process group (npm starts node as its child). */
const stopGroup = (child: ChildProcess): Promise<void> =>
  new Promise((res) => {
    if (child.exitCode !== null || child.signalCode !== null) return res();
    child.once('exit', () => res());
    try {
      process.kill(-(child.pid as number), 'SIGKILL');
    } catch {
      res();
    }
  });

/**
 * Milliseconds from spawn until a line of the output contains `ready`; the process group is
 * then stopped and its data directory removed.
 */
const timeToReady = async (
  start: (dir: string, port: number) => Command & { env?: Record<string, string> },
  ready: string,
): Promise<number> => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-bench-start-'));
  const c = start(dir, await freePort());
  const began = performance.now();
  const child = spawn(c.command, c.args, {
    cwd: ROOT,
    env: { ...process.env, ...c.env },
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  try {
    return await new Promise<number>((res, rej) => {
      let output = '';
      const onData = (chunk: Buffer) => {
        output += chunk.toString('utf8');
        if (output.includes(ready)) res(performance.now() - began);
      };
      child.stdout?.on('data', onData);
      child.stderr?.on('data', onData);
      child.once('exit', (code) => rej(new Error(`${c.label} exited with ${code}: ${output}`)));
    });
  } finally {
    await stopGroup(child);
    rmSync(dir, { recursive: true, force: true });
  }
};

const vigilServer = (label: string, command: string, args: readonly string[]) => () => ({
  label,
  command,
  args,
});

const PROMETHEUS_CONFIG = 'global:\n  scrape_interval: 1m\n';

/** Measures every row `runs` times, target and reference alternating; medians. */
const runCliBench = async ({ runs }: { runs: number }): Promise<CliBenchReport> => {
  buildDist();
  const promtoolVersion = { label: 'promtool --version', command: PROMTOOL, args: ['--version'] };
  const promtoolCheck = {
    label: 'promtool check rules rules/drift.yml',
    command: PROMTOOL,
    args: ['check', 'rules', RULE_FILE],
  };
  const grafanaOut = mkdtempSync(join(tmpdir(), 'vigil-bench-grafana-'));
  const exitRows: [Command, Command][] = [
    [node('node -e "" (Node.js alone: the floor)', '-e', ''), promtoolVersion],
    [node('vigil --help', 'bin/vigil.js', '--help'), promtoolVersion],
    [node('vigil --version', 'bin/vigil.js', '--version'), promtoolVersion],
    [
      node('vigil rules check rules/drift.yml', 'bin/vigil.js', 'rules', 'check', RULE_FILE),
      promtoolCheck,
    ],
    [node('vigil logs (local data directory)', 'bin/vigil.js', 'logs'), promtoolVersion],
    [
      node(
        'vigil grafana --out <tmp> (example config, 5 dashboards)',
        'bin/vigil.js',
        'grafana',
        '--out',
        grafanaOut,
      ),
      promtoolVersion,
    ],
    [
      {
        label: 'vigil --help from the sources (tsx bin/cli.ts)',
        command: TSX,
        args: ['bin/cli.ts', '--help'],
      },
      promtoolVersion,
    ],
  ];
  const samples = new Map<string, number[]>();
  const add = (label: string, ms: number) =>
    samples.set(label, [...(samples.get(label) ?? []), ms]);
  for (let i = 0; i < runs; i++) {
    for (const [target, reference] of exitRows) {
      add(target.label, timeToExit(target));
      add(reference.label, timeToExit(reference));
    }
  }
  rmSync(grafanaOut, { recursive: true, force: true });
  const config = join(mkdtempSync(join(tmpdir(), 'vigil-bench-prom-')), 'prometheus.yml');
  writeFileSync(config, PROMETHEUS_CONFIG);
  const prometheus = (dir: string, port: number) => ({
    label: 'prometheus',
    command: PROMETHEUS,
    args: [
      `--config.file=${config}`,
      `--storage.tsdb.path=${dir}`,
      `--web.listen-address=127.0.0.1:${port}`,
    ],
  });
  const servers = [
    vigilServer('npm start', 'npm', ['start', '--silent']),
    vigilServer('node dist/server.js', process.execPath, ['dist/server.js']),
    vigilServer('tsx bin/server.ts (the sources)', TSX, ['bin/server.ts']),
  ];
  const PROMETHEUS_READY = 'Server is ready to receive web requests';
  for (let i = 0; i < Math.max(3, Math.ceil(runs / 2)); i++) {
    for (const server of servers) {
      const label = server().label;
      add(
        label,
        await timeToReady(
          (dir, port) => ({
            ...server(),
            env: { VIGIL_DATA_DIR: dir, PORT: String(port), VIGIL_API_KEYS: '' },
          }),
          'Vigil listening on',
        ),
      );
      add('prometheus (to ready)', await timeToReady(prometheus, PROMETHEUS_READY));
    }
  }
  rmSync(resolve(config, '..'), { recursive: true, force: true });
  const row = (label: string, reference: string, what = label): StartupRow => ({
    what,
    vigilMs: median(samples.get(label) ?? []),
    reference,
    referenceMs: median(samples.get(reference) ?? []),
  });
  return {
    runs,
    rows: [
      ...exitRows.map(([t, r]) => row(t.label, r.label)),
      ...servers.map((s) => row(s().label, 'prometheus (to ready)', `${s().label} → listening`)),
    ],
  };
};

const formatCliFigures = (report: CliBenchReport): string => {
  const s = (ms: number) => `${(ms / 1000).toFixed(3)} s`;
  return [
    `whole process, median of ${report.runs} runs (servers: of ${Math.max(3, Math.ceil(report.runs / 2))}, to their "listening"/"ready" line); goal for the CLI ≤ 0.250 s`,
    table([
      ['command', 'time', 'reference', 'reference time', 'ratio'],
      ...report.rows.map((r) => [
        r.what,
        s(r.vigilMs),
        r.reference,
        s(r.referenceMs),
        `${(r.vigilMs / r.referenceMs).toFixed(1)}x`,
      ]),
    ]),
  ].join('\n');
};

const isMain = import.meta.url === `file://${process.argv[1]}`;
if (isMain) {
  console.log(formatCliFigures(await runCliBench({ runs: 7 })));
}

export type { CliBenchReport, StartupRow };
export { formatCliFigures, runCliBench };
