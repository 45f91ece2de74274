/**
 * Abusive queries against a running local Vigil (`bin/server.ts` as a child process, as
 * `npm start` runs it): for each query, its status, time and the largest RSS of the server sampled every 100 ms, and the
 * latency of `/health` and of a small `POST /ingest/metrics` probed every 50 ms while it runs.
 *
 * Data: `card` (5,000 series) and `x` (1 series), one hour at 15 s, ending now.
 * Run: `npx tsx bench/query-isolation.ts [checkout] [--only 'a|b']` (default: this checkout,
 * every case; `--only` keeps the cases whose name contains one of the `|`-separated parts); a query is
 * abandoned after `--give-up <s>` (default 300) and the server killed, so an older checkout
 * that freezes or dies is measured too.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { performance } from 'node:perf_hooks';
import { fmt, table } from './lib';

const args = process.argv.slice(2);
const giveUpIdx = args.indexOf('--give-up');
const GIVE_UP_MS = giveUpIdx >= 0 ? Number(args[giveUpIdx + 1]) * 1000 : 300_000;
const only = args.indexOf('--only') >= 0 ? args[args.indexOf('--only') + 1] : undefined;
const ROOT = resolve(
  args.find((a, i) => !a.startsWith('--') && !args[i - 1]?.startsWith('--')) ??
    join(import.meta.dirname, '..'),
);

const SERIES = 5000;
const STEP_MS = 15_000;
const HOUR_MS = 3600_000;

const freePort = (): Promise<number> =>
  new Promise((res) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => res(port));
    });
  });

/** Peak and current RSS (MB) of a process, from /proc. */
const rssMb = (pid: number): { peak: number; now: number } => {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (k: string) => Number(new RegExp(`${k}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
  return { peak: kb('VmHWM') / 1024, now: kb('VmRSS') / 1024 };
};

const pct = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0
    ? Number.NaN
    : (s[Math.min(s.length - 1, Math.ceil(p * s.length) - 1)] as number);
};

interface Probe {
  readonly lat: number[];
  failed: number;
}

/** Sends `req` every `everyMs` until `stop()`; one request in flight at a time. */
const probe = (req: () => Promise<Response>, everyMs: number): { stop(): Promise<Probe> } => {
  const out: Probe = { lat: [], failed: 0 };
  let done = false;
  const loop = (async () => {
    while (!done) {
      const t0 = performance.now();
      try {
        const r = await req();
        await r.arrayBuffer();
        if (!r.ok) out.failed++;
      } catch {
        out.failed++;
      }
      out.lat.push(performance.now() - t0);
      await new Promise((r) => setTimeout(r, everyMs));
    }
  })();
  return {
    stop: async () => {
      done = true;
      await loop;
      return out;
    },
  };
};

const start = async (): Promise<{ child: ChildProcess; base: string; dir: string }> => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-isolation-'));
  const port = await freePort();
  // Node itself with tsx's loader (not the tsx CLI, which would be a parent process): the RSS
  // read from /proc is the server's own, its worker threads included.
  const loader = pathToFileURL(join(ROOT, 'node_modules/tsx/dist/loader.mjs')).href;
  const child = spawn(process.execPath, ['--import', loader, join(ROOT, 'bin/server.ts')], {
    cwd: dir,
    env: { ...process.env, PORT: String(port), VIGIL_DATA_DIR: join(dir, 'data') },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 300; i++) {
    try {
      if ((await fetch(`${base}/health`)).ok) return { child, base, dir };
    } catch {}
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('server did not start');
};

const ingest = async (base: string, now: number): Promise<void> => {
  const samples: object[] = [];
  const flush = async () => {
    const r = await fetch(`${base}/ingest/metrics`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(samples.splice(0)),
    });
    if (!r.ok) throw new Error(`ingest: ${r.status} ${await r.text()}`);
  };
  for (let t = now - HOUR_MS + STEP_MS; t <= now; t += STEP_MS) {
    samples.push({ name: 'x', value: (t / STEP_MS) % 97, timestamp: t });
    for (let i = 0; i < SERIES; i++)
      samples.push({ name: 'card', labels: { i: String(i) }, value: (i * t) % 101, timestamp: t });
    if (samples.length >= 25_000) await flush();
  }
  await flush();
};

interface Case {
  readonly name: string;
  readonly path: string;
  readonly params: (now: number) => Record<string, string>;
}

const CASES: Case[] = [
  {
    name: 'max_over_time(card[1d:1ms]) (5,000 series)',
    path: '/api/v1/query',
    params: (now) => ({ query: 'max_over_time(card[1d:1ms])', time: String(now / 1000) }),
  },
  {
    name: 'max_over_time(card{i=~"1.?"}[1d:1ms]) (11 series)',
    path: '/api/v1/query',
    params: (now) => ({ query: 'max_over_time(card{i=~"1.?"}[1d:1ms])', time: String(now / 1000) }),
  },
  {
    name: 'max_over_time(x[10000y:5m])',
    path: '/api/v1/query',
    params: (now) => ({ query: 'max_over_time(x[10000y:5m])', time: String(now / 1000) }),
  },
  {
    name: 'rate(x[5m:1ms]) over 1 d, step 60 s',
    path: '/api/v1/query_range',
    params: (now) => ({
      query: 'rate(x[5m:1ms])',
      start: String((now - 24 * HOUR_MS) / 1000),
      end: String(now / 1000),
      step: '60',
    }),
  },
  {
    name: 'count_values("v", card) over 1 h, step 1 s',
    path: '/api/v1/query_range',
    params: (now) => ({
      query: 'count_values("v", card)',
      start: String((now - HOUR_MS) / 1000),
      end: String(now / 1000),
      step: '1',
    }),
  },
  {
    name: 'quantile_over_time(0.5, card[1h]) over 1 h, step 10 s (default timeout)',
    path: '/api/v1/query_range',
    params: (now) => ({
      query: 'quantile_over_time(0.5, card[1h])',
      start: String((now - HOUR_MS) / 1000),
      end: String(now / 1000),
      step: '10',
    }),
  },
  {
    name: 'same, timeout=3s',
    path: '/api/v1/query_range',
    params: (now) => ({
      query: 'quantile_over_time(0.5, card[1h])',
      start: String((now - HOUR_MS) / 1000),
      end: String(now / 1000),
      step: '10',
      timeout: '3s',
    }),
  },
];

const main = async (): Promise<void> => {
  console.log(`checkout: ${ROOT}`);
  let server = await start();
  const now = Math.floor(Date.now() / STEP_MS) * STEP_MS;
  const t0 = performance.now();
  await ingest(server.base, now);
  console.log(`ingested ${SERIES + 1} series × 240 samples in ${fmt(performance.now() - t0)} ms`);
  const rows: string[][] = [
    [
      'query',
      'status',
      'time s',
      'max RSS MB',
      'health p99/max ms',
      'ingest p99/max ms',
      'probe failures',
    ],
  ];
  for (const c of CASES) {
    if (only && !only.split('|').some((o) => c.name.includes(o))) continue;
    if (!server.child.pid || server.child.exitCode !== null) {
      server = await start();
      await ingest(server.base, now);
    }
    const pid = server.child.pid as number;
    const base = server.base;
    const health = probe(
      () => fetch(`${base}/health`, { signal: AbortSignal.timeout(30_000) }),
      50,
    );
    let tick = 0;
    const ingestProbe = probe(
      () =>
        fetch(`${base}/ingest/metrics`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify([{ name: 'probe', value: tick++ }]),
          signal: AbortSignal.timeout(30_000),
        }),
      50,
    );
    const q0 = performance.now();
    let status = '';
    let peak = rssMb(pid).now;
    const watch = setInterval(() => {
      try {
        peak = Math.max(peak, rssMb(pid).now);
      } catch {}
    }, 100);
    try {
      const r = await fetch(`${base}${c.path}?${new URLSearchParams(c.params(now))}`, {
        signal: AbortSignal.timeout(GIVE_UP_MS),
      });
      const body = await r.text();
      status = `${r.status}${r.ok ? ` ${(body.length / 1e6).toFixed(1)} MB` : ` ${/"errorType":"(\w+)"/.exec(body)?.[1] ?? body.slice(0, 60)}`}`;
    } catch (e) {
      status = `no answer (${(e as Error).name})`;
      server.child.kill('SIGKILL');
    }
    const secs = (performance.now() - q0) / 1000;
    clearInterval(watch);
    try {
      peak = Math.max(peak, rssMb(pid).now);
    } catch {}
    if (server.child.exitCode !== null && !status.startsWith('no answer'))
      status += ' (server died)';
    const h = await health.stop();
    const g = await ingestProbe.stop();
    rows.push([
      c.name,
      status,
      fmt(secs, 2),
      fmt(peak),
      `${fmt(pct(h.lat, 0.99))}/${fmt(Math.max(...h.lat))}`,
      `${fmt(pct(g.lat, 0.99))}/${fmt(Math.max(...g.lat))}`,
      String(h.failed + g.failed),
    ]);
    console.log(rows[rows.length - 1]?.join(' | '));
  }
  server.child.kill('SIGTERM');
  rmSync(server.dir, { recursive: true, force: true });
  console.log(table(rows));
};

await main();
