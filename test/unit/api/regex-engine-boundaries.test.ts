// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${1} is a Go replacement reference
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { makeAlertsHandler } from '../../../lambdas/api/alerts';
import { makeQueryHandler } from '../../../lambdas/api/query';
import { makeReadSeriesHandler } from '../../../lambdas/api/read-series';
import { MemorySeriesStore } from '../../../lambdas/adapters/storage/memory-series-store';
import { DEFAULT_ALERTING_CONFIG } from '../../../lambdas/domain/alerting/config';
import type { Notification } from '../../../lambdas/domain/alerting/types';
import { validateConfig } from '../../../lambdas/domain/config/validate';
import { ingestSeries } from '../../../lambdas/domain/ingest/ingest-series';
import { exprToJSON } from '../../../lambdas/domain/promql/expr-json';
import { parseExpr } from '../../../lambdas/domain/promql/parser';
import { loadRegexEngine, unloadRegexEngineForTests } from '../../../lambdas/domain/regex/re2';
import { runEvaluation } from '../../../lambdas/domain/rules/evaluation-run';
import type { RulesDocument } from '../../../lambdas/domain/rules/rules-document';
import { RELABEL_DEFAULTS } from '../../../lambdas/domain/scrape/relabel';
import { localApiDeps } from '../../../lambdas/wiring/local-deps';
import { InMemorySeriesStore } from '../../helpers/in-memory-series-store';
import { RecordingMetricsMirror } from '../../helpers/recording-metrics-mirror';
import { MemoryAlertStateStore } from '../../helpers/alert-ports';
import { lambdaContext } from '../../helpers/api-gateway-event';

// Every test starts as a fresh function does: RE2 not loaded. Each boundary must load it when a
// pattern needs it and answer as it would with RE2 loaded from the start.

const T0 = Date.UTC(2025, 0, 1);
const context = lambdaContext();

const event = (
  method: string,
  path: string,
  query: [string, string][] = [],
  body?: unknown,
): APIGatewayProxyEvent => {
  const multi: Record<string, string[]> = {};
  for (const [k, v] of query) multi[k] = [...(multi[k] ?? []), v];
  return {
    resource: path,
    path,
    httpMethod: method,
    headers: {},
    multiValueHeaders: {},
    queryStringParameters: query.length > 0 ? Object.fromEntries(query) : null,
    multiValueQueryStringParameters: query.length > 0 ? multi : null,
    pathParameters: null,
    stageVariables: null,
    body: body === undefined ? null : JSON.stringify(body),
    isBase64Encoded: false,
    requestContext: {} as APIGatewayProxyEvent['requestContext'],
  };
};

beforeEach(() => unloadRegexEngineForTests());

describe('Feature: the read API loads RE2 when a query needs it', () => {
  let dir: string;
  let deps: ReturnType<typeof localApiDeps>;
  type Call = (e: APIGatewayProxyEvent) => Promise<APIGatewayProxyResult>;
  let query: Call;
  let read: Call;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'vigil-re2-'));
    deps = localApiDeps(validateConfig({ project: 'test' }).config, dir, { now: () => T0 });
    query = (e) => makeQueryHandler(deps)(e, context) as Promise<APIGatewayProxyResult>;
    read = (e) => makeReadSeriesHandler(deps)(e, context) as Promise<APIGatewayProxyResult>;
    // Prepare: one series per status code.
    for (const [status, v] of [
      ['200', 1],
      ['503', 2],
      ['5😀x', 3],
      ['aab', 4],
    ] as const)
      await deps.store.write([
        { labels: { __name__: 'http_requests_total', status }, samples: [{ t: T0, v }] },
      ]);
  });

  afterEach(() => {
    deps.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const valuesOf = async (q: string) => {
    const res = await query(event('GET', '/api/v1/query', [['query', q]]));
    expect(res.statusCode).toBe(200);
    const { data } = JSON.parse(res.body) as {
      data: { result: { metric: Record<string, string>; value: [number, string] }[] };
    };
    return data.result.map((r) => [r.metric.code ?? r.metric.status, r.value[1]]);
  };

  it('answers a matcher that needs the automaton (a+b)', async () => {
    // Act
    const result = await valuesOf('http_requests_total{status=~"a+b"}');

    // Assess
    expect(result).toEqual([['aab', '4']]);
  });

  it('answers a fixed sequence of characters and dots (5..) by code point', async () => {
    // Act
    const result = await valuesOf('sort(http_requests_total{status=~"5.."})');

    // Assess
    expect(result).toEqual([
      ['503', '2'],
      ['5😀x', '3'],
    ]);
  });

  it('answers label_replace with a capture group', async () => {
    // Act
    const result = await valuesOf(
      'label_replace(http_requests_total{status="503"}, "code", "${1}xx", "status", "(\\\\d)\\\\d+")',
    );

    // Assess
    expect(result).toEqual([['5xx', '2']]);
  });

  it('still refuses a pattern RE2 rejects with 400 bad_data', async () => {
    // Act
    const res = await query(event('GET', '/api/v1/query', [['query', 'up{job=~"(?!a)"}']]));

    // Assess
    expect(res.statusCode).toBe(400);
    expect(JSON.parse(res.body)).toMatchObject({
      errorType: 'bad_data',
      error: expect.stringContaining('invalid or unsupported Perl syntax'),
    });
  });

  it('lists the series of a match[] whose regex needs the automaton', async () => {
    // Act
    const res = await read(
      event('GET', '/api/v1/series', [['match[]', 'http_requests_total{status=~"[0-9]+"}']]),
    );

    // Assess
    expect(res.statusCode).toBe(200);
    const { data } = JSON.parse(res.body) as { data: Record<string, string>[] };
    expect(data.map((s) => s.status).sort()).toEqual(['200', '503']);
  });
});

describe('Feature: the rule evaluator loads RE2 before its run needs it', () => {
  it.each([
    ['parsed when evaluated', false],
    ['parsed at synth', true],
  ])(
    'evaluates an automaton matcher (%s) and expands reReplaceAll in an annotation',
    async (_, ahead) => {
      // Arrange
      const expr = 'errors{instance=~"api-[0-9]+:.*"} > 5';
      let parsedExprs: Record<string, unknown> | undefined;
      if (ahead) {
        // As cdk synth writes it, in a process that has RE2.
        await loadRegexEngine();
        parsedExprs = { [expr]: exprToJSON(parseExpr(expr)) };
        unloadRegexEngineForTests();
      }
      const store = new MemorySeriesStore();
      await store.write([
        { labels: { __name__: 'errors', instance: 'api-7:9100' }, samples: [{ t: T0, v: 9 }] },
      ]);
      const document: RulesDocument = {
        groups: [
          {
            file: 'rules.yml',
            name: 'errors',
            intervalMs: 60_000,
            rules: [
              {
                alert: 'ErrorsHigh',
                expr,
                annotations: {
                  summary: '{{ reReplaceAll ":[0-9]+$" "" $labels.instance }} has errors',
                },
              },
            ],
          },
        ],
        evaluation: { intervalMs: 60_000, externalLabels: {}, externalUrl: '' },
        alerting: { ...DEFAULT_ALERTING_CONFIG, groupWaitMs: 0 },
        ...(parsedExprs ? { parsedExprs } : {}),
      };
      const sent: Notification[] = [];
      const deps = {
        store,
        state: new MemoryAlertStateStore(),
        document,
        clock: { now: () => T0 },
        notifier: { send: async (n: readonly Notification[]) => void sent.push(...n) },
      };

      // Act
      const summary = await runEvaluation(deps, T0 + 30_000);

      // Assess
      expect(summary).toMatchObject({ rulesOk: 1, rulesErr: 0, notificationsSent: 1 });
      expect(sent[0]?.alerts[0]?.annotations.summary).toBe('api-7 has errors');
    },
  );
});

describe('Feature: the silences API loads RE2 for a regex matcher', () => {
  it('creates a silence whose regex needs the automaton and lists it by a regex filter', async () => {
    // Arrange
    const handler = makeAlertsHandler({
      state: new MemoryAlertStateStore(),
      document: {
        groups: [],
        evaluation: { intervalMs: 60_000, externalLabels: {}, externalUrl: '' },
        alerting: DEFAULT_ALERTING_CONFIG,
      },
      clock: { now: () => T0 },
      newId: () => 'silence-1',
    });
    const silence = {
      matchers: [{ name: 'instance', value: 'api-[0-9]+', isRegex: true }],
      startsAt: new Date(T0).toISOString(),
      endsAt: new Date(T0 + 3_600_000).toISOString(),
      createdBy: 'ops',
      comment: 'deploy',
    };

    // Act
    const created = (await handler(
      event('POST', '/api/v2/silences', [], silence),
      context,
    )) as APIGatewayProxyResult;
    unloadRegexEngineForTests();
    const listed = (await handler(
      event('GET', '/api/v2/silences', [['filter', 'instance=~"api-\\\\[.*"']]),
      context,
    )) as APIGatewayProxyResult;

    // Assess
    expect([created.statusCode, JSON.parse(created.body)]).toEqual([
      200,
      { silenceID: 'silence-1' },
    ]);
    expect(listed.statusCode).toBe(200);
    expect((JSON.parse(listed.body) as { id: string }[]).map((s) => s.id)).toEqual(['silence-1']);
  });
});

describe('Feature: write_relabel_configs load RE2 for their regexes', () => {
  it('drops the series a keep rule with an automaton regex does not match', async () => {
    // Arrange
    const store = new InMemorySeriesStore();
    const ports = {
      store,
      cardinality: { admit: async () => new Set<string>(), admitNames: async () => new Map() },
      mirror: new RecordingMetricsMirror(),
    };
    const config = {
      ...validateConfig({ project: 'test' }).config,
      writeRelabelConfigs: [
        { ...RELABEL_DEFAULTS, sourceLabels: ['job'], regex: 'train(ing)?', action: 'keep' },
      ],
    };

    // Act
    const result = await ingestSeries(
      [
        { labels: { __name__: 'loss', job: 'training' }, samples: [{ t: T0, v: 1 }] },
        { labels: { __name__: 'loss', job: 'serve' }, samples: [{ t: T0, v: 2 }] },
      ],
      ports as never,
      config as never,
      T0,
    );

    // Assess
    expect(result.accepted).toBe(1);
    expect(
      (await store.select([], { startMs: T0 - 1, endMs: T0 + 1 })).map((s) => s.labels.job),
    ).toEqual(['training']);
  });
});
