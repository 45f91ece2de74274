/**
 * Fuzzes every route of the local server (the same route table and handlers the Lambda functions
 * use) with fast-check: any method of the route, any path parameters (malformed percent-encoding
 * included), any query parameters and any body — deep PromQL, Loki timestamps beyond the range of
 * dates, junk protobuf, bodies over the limit. Every answer must be a 2xx or a 4xx, never a 5xx,
 * and must come before a deadline.
 */
import fc from 'fast-check';
import { validateConfig } from '../../../lambdas/domain/config/validate';
import { type LocalVigil, startTestVigil } from '../../helpers/local-vigil';
import { buildRemoteWriteBody } from '../../helpers/remote-write-client';

const MAX_BODY_BYTES = 64 * 1024;
const DEADLINE_MS = 5000;
const NOW = Date.UTC(2026, 10, 25, 12, 0, 0);

/** A path segment: plain, percent-encoded, or with malformed percent-encoding. */
const segment = fc.oneof(
  fc.stringMatching(/^[A-Za-z0-9_.-]{1,20}$/),
  fc.string({ minLength: 1, maxLength: 20 }).map((s) => encodeURIComponent(s)),
  fc.constantFrom('%', '%E0%A4%A', '%zz', '%FF', '%C0%AF', '..', '%2F', 'a%', '%%', '@base64'),
);

const deep = (open: string, n: number, close = ')'): string =>
  `${open.repeat(n)}up${close.repeat(n)}`;
const promql = fc.oneof(
  fc.constantFrom(
    'up',
    'sum by (job) (rate(http_requests_total[5m]))',
    'up{job=~"a.*"}',
    'histogram_quantile(0.9, rate(x_bucket[5m]))',
    'up[5m:1m]',
    'label_replace(up, "a", "$1", "job", "(.*)")',
    'vector(1) / 0',
    'count_values("x", up)',
    'up offset 99999999999y',
    '1h30m',
    'sum(',
    '{__name__=~".+"}',
    'absent_over_time(nonexistent[1h])',
  ),
  fc.integer({ min: 200, max: 3000 }).map((n) => deep('abs(', n)),
  fc.integer({ min: 200, max: 2000 }).map((n) => deep('(', n)),
  fc.integer({ min: 200, max: 1000 }).map((n) => Array(n).fill('up').join(' + ')),
  fc.string({ maxLength: 60 }),
);

const timeValue = fc.oneof(
  fc.constantFrom(
    '',
    'now',
    '0',
    '-1',
    '1e308',
    'NaN',
    'Inf',
    '2026-11-25T12:00:00Z',
    '9999-12-31T23:59:59Z',
    '8640000000000001',
  ),
  fc.double().map(String),
  fc.integer({ min: 0, max: 2 * 10 ** 9 }).map(String),
);

/** A valid window and step, so range queries get past parameter checks and evaluate. */
const validWindow = fc.constant([
  ['start', String((NOW - 3_600_000) / 1000)],
  ['end', String(NOW / 1000)],
  ['step', '60'],
  ['time', String(NOW / 1000)],
] as [string, string][]);

const queryParam = fc.oneof(
  fc.tuple(fc.constant('query'), promql),
  fc.tuple(fc.constantFrom('time', 'start', 'end'), timeValue),
  fc.tuple(
    fc.constantFrom('step', 'timeout', 'lookback_delta'),
    fc.constantFrom('15s', '1', '0', '-1', '0.001', '1e9', 'x', '99999999999y'),
  ),
  fc.tuple(fc.constant('match[]'), promql),
  fc.tuple(
    fc.constantFrom('limit', 'silenced', 'inhibited', 'active', 'filter', 'monitor', 'type'),
    fc.string({ maxLength: 20 }),
  ),
  fc.tuple(fc.string({ maxLength: 10 }), fc.string({ maxLength: 20 })),
);

const lokiTimestamp = fc.oneof(
  fc.constantFrom('8640000000000001000000', '99999999999999999999999', '-1', '0', '1e21', ''),
  fc.bigInt({ min: 0n, max: 10n ** 25n }).map(String),
);

const labelName = fc.oneof(
  fc.constantFrom('__name__', 'job', 'instance', 'le', 'quantile', '', '0bad', 'a-b', '__reserved'),
  fc.string({ maxLength: 12 }),
);
const sampleValue = fc.oneof(fc.double(), fc.constantFrom(0, 1, 0.5, -1e308, 2 ** 53));
const sampleTime = fc.oneof(
  fc.integer({ min: NOW - 3_600_000, max: NOW }),
  fc.constantFrom(0, -1, NOW + 10 ** 12, 8_640_000_000_000_001, Number.MAX_SAFE_INTEGER),
);
const remoteWrite = fc
  .array(
    fc.record({
      labels: fc.dictionary(labelName, fc.string({ maxLength: 16 }), { maxKeys: 4 }).map((l) => ({
        __name__: 'fuzz_metric',
        ...l,
      })),
      samples: fc.array(fc.record({ t: sampleTime, v: sampleValue }), { maxLength: 4 }),
    }),
    { maxLength: 4 },
  )
  .map((series) => Buffer.from(buildRemoteWriteBody(series)));

const text = (arb: fc.Arbitrary<string>): fc.Arbitrary<Buffer> =>
  arb.map((t) => Buffer.from(t, 'utf8'));

const body: fc.Arbitrary<Buffer> = fc.oneof(
  fc.constant(Buffer.alloc(0)),
  text(fc.string({ maxLength: 400 })),
  fc.uint8Array({ maxLength: 400 }).map((b) => Buffer.from(b)),
  text(fc.json({ maxDepth: 4 })),
  remoteWrite,
  text(
    fc
      .array(fc.tuple(lokiTimestamp, fc.string({ maxLength: 30 })), { maxLength: 5 })
      .map((values) => JSON.stringify({ streams: [{ stream: { service: 'fuzz' }, values }] })),
  ),
  text(
    fc
      .array(
        fc.record({
          name: fc.constantFrom('fuzz_metric', 'up', '0bad', ''),
          value: fc.oneof(sampleValue, fc.constantFrom('NaN', '+Inf', '-Inf', 'x')),
          labels: fc.dictionary(labelName, fc.string({ maxLength: 8 }), { maxKeys: 4 }),
          timestamp: sampleTime,
        }),
        { maxLength: 5 },
      )
      .map((samples) => JSON.stringify(samples)),
  ),
  text(
    fc.constantFrom(
      '# TYPE m counter\nm{a="b"} 1\n',
      'm{a="b" 1\n',
      'm 1 99999999999999999999\n',
      '{"level":"info","message":"ok","timestamp":1e300}\n{"timestamp":"9999999-01-01"}',
      `${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}`,
      `${'['.repeat(10000)}${']'.repeat(10000)}`,
      'x'.repeat(MAX_BODY_BYTES + 1),
    ),
  ),
);

const contentType = fc.constantFrom(
  undefined,
  'application/json',
  'application/x-www-form-urlencoded',
  'text/plain; version=0.0.4',
  'application/x-protobuf',
  'application/x-ndjson',
  'multipart/form-data',
);

interface Route {
  readonly methods: readonly string[];
  /** The path, with `{…}` parameters filled by the fuzzer. */
  readonly path: (seg: string, more: readonly string[]) => string;
}

const ROUTES: Readonly<Record<string, Route>> = {
  '/ingest/metrics': { methods: ['POST'], path: () => '/ingest/metrics' },
  '/metrics/{proxy+}': {
    methods: ['PUT', 'POST', 'DELETE'],
    path: (seg, more) => `/metrics/${['job', seg, ...more].join('/')}`,
  },
  '/api/v1/write': { methods: ['POST'], path: () => '/api/v1/write' },
  '/api/v1/series': { methods: ['GET', 'POST'], path: () => '/api/v1/series' },
  '/api/v1/labels': { methods: ['GET', 'POST'], path: () => '/api/v1/labels' },
  '/api/v1/label/{name}/values': { methods: ['GET'], path: (seg) => `/api/v1/label/${seg}/values` },
  '/federate': { methods: ['GET', 'POST'], path: () => '/federate' },
  '/api/v1/query': { methods: ['GET', 'POST'], path: () => '/api/v1/query' },
  '/api/v1/query_range': { methods: ['GET', 'POST'], path: () => '/api/v1/query_range' },
  '/api/v1/query_exemplars': { methods: ['GET', 'POST'], path: () => '/api/v1/query_exemplars' },
  '/api/v1/metadata': { methods: ['GET'], path: () => '/api/v1/metadata' },
  '/api/v1/status/buildinfo': { methods: ['GET'], path: () => '/api/v1/status/buildinfo' },
  '/api/v1/targets': { methods: ['GET'], path: () => '/api/v1/targets' },
  '/api/v1/alerts': { methods: ['GET'], path: () => '/api/v1/alerts' },
  '/api/v1/rules': { methods: ['GET'], path: () => '/api/v1/rules' },
  '/api/v2/silences': { methods: ['GET', 'POST'], path: () => '/api/v2/silences' },
  '/api/v2/silence/{id}': { methods: ['GET', 'DELETE'], path: (seg) => `/api/v2/silence/${seg}` },
  '/api/drift/reports': { methods: ['GET'], path: () => '/api/drift/reports' },
  '/api/drift/reports/{id}': { methods: ['GET'], path: (seg) => `/api/drift/reports/${seg}` },
  '/api/drift/monitors/{name}/run': {
    methods: ['POST'],
    path: (seg) => `/api/drift/monitors/${seg}/run`,
  },
  '/ingest/logs': { methods: ['POST'], path: () => '/ingest/logs' },
  '/loki/api/v1/push': { methods: ['POST'], path: () => '/loki/api/v1/push' },
  '/health': { methods: ['GET'], path: () => '/health' },
};

/** Cases per route: 9,200 in all (23 routes), about 20 s. */
const RUNS_PER_ROUTE = 400;

const withDeadline = <T>(p: Promise<T>, what: string): Promise<T> =>
  new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`no answer within ${DEADLINE_MS} ms: ${what}`)),
      DEADLINE_MS,
    );
    p.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (e) => {
        clearTimeout(timer);
        reject(e);
      },
    );
  });

describe('Feature: every route answers any input with a 2xx or a 4xx', () => {
  let vigil: LocalVigil;
  beforeAll(async () => {
    vigil = await startTestVigil({
      config: validateConfig({ logLevel: 'ERROR', limits: { maxBodyBytes: MAX_BODY_BYTES } })
        .config,
      now: () => NOW,
    });
    const samples = Array.from({ length: 60 }, (_, i) => ({
      name: 'up',
      labels: { job: `job${i % 3}`, instance: `i${i % 5}` },
      value: i % 2,
      timestamp: NOW - i * 60_000,
    }));
    const seeded = await vigil.request('POST', '/ingest/metrics', JSON.stringify(samples), {
      'content-type': 'application/json',
    });
    expect(seeded.status).toBe(200);
  });
  afterAll(async () => {
    await vigil.close();
  });

  it.each(Object.entries(ROUTES))('%s', async (_, route) => {
    // Prepare
    const request = fc.record({
      method: fc.constantFrom(...route.methods),
      seg: segment,
      more: fc.array(segment, { maxLength: 4 }),
      query: fc
        .tuple(fc.option(validWindow), fc.array(queryParam, { maxLength: 4 }))
        .map(([w, q]) => [...(w ?? []), ...q]),
      body,
      contentType,
      encoding: fc.constantFrom(undefined, 'snappy', 'gzip'),
    });
    const counts = new Map<number, number>();

    // Act
    await fc.assert(
      fc.asyncProperty(request, async (r) => {
        const qs = r.query
          .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`)
          .join('&');
        const path = `${route.path(r.seg, r.more)}${qs ? `?${qs}` : ''}`;
        const headers: Record<string, string> = {};
        if (r.contentType) headers['content-type'] = r.contentType;
        if (r.encoding) headers['content-encoding'] = r.encoding;
        const hasBody = r.method !== 'GET' && r.method !== 'DELETE';
        const res = await withDeadline(
          vigil.request(r.method, path, hasBody ? r.body : undefined, headers),
          `${r.method} ${path.slice(0, 200)}`,
        );
        counts.set(res.status, (counts.get(res.status) ?? 0) + 1);
        if (res.status < 200 || res.status >= 500)
          throw new Error(
            `${r.method} ${path.slice(0, 200)} → ${res.status} ${res.body.slice(0, 300)}`,
          );
      }),
      { numRuns: RUNS_PER_ROUTE, seed: 20261206, endOnFailure: true },
    );

    // Assess
    const total = [...counts.values()].reduce((a, b) => a + b, 0);
    expect(total).toBe(RUNS_PER_ROUTE);
    expect([...counts.keys()].every((s) => s >= 200 && s < 500)).toBe(true);
  });
});
