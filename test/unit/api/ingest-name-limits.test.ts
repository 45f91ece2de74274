import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { makePushgatewayHandler } from '../../../lambdas/api/ingest-pushgateway';
import { makeRemoteWriteHandler } from '../../../lambdas/api/ingest-remote-write';
import { validateConfig } from '../../../lambdas/domain/config/validate';
import { localApiDeps } from '../../../lambdas/wiring/local-deps';
import { buildRemoteWriteRequest } from '../../helpers/remote-write-client';
import { binaryEvent as event, lambdaContext } from '../../helpers/api-gateway-event';

const NOW = 1_764_086_400_000;
const ALL = { startMs: 0, endMs: NOW + 1 };
const context = lambdaContext();

/** kube-state-metrics' kube_pod_labels with its `label_*` labels. */
const kubePodLabels = {
  __name__: 'kube_pod_labels',
  namespace: 'ml',
  pod: 'trainer-0',
  label_app: 'trainer',
  label_team: 'vision',
  label_tier: 'gpu',
  label_version: 'v3',
};

describe('Ingest handlers: label and metric name budgets, write_relabel_configs (local deps)', () => {
  let dir: string;
  const opened: ReturnType<typeof localApiDeps>[] = [];
  /** Local deps for a config; clients may use 4 label names (6 minus 2 reserved). */
  const depsFor = (extra: Record<string, unknown>) => {
    const { config, issues } = validateConfig({
      limits: { maxDimensionNames: 6, reservedDimensionNames: 2 },
      ...extra,
    });
    expect(issues).toEqual([]);
    const deps = localApiDeps(config, dir, { now: () => NOW });
    opened.push(deps);
    return deps;
  };
  const call = (
    h: (e: APIGatewayProxyEvent, c: Context) => Promise<APIGatewayProxyResult>,
    e: APIGatewayProxyEvent,
  ) => h(e, context);

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'vigil-names-'));
  });
  afterEach(() => {
    for (const d of opened.splice(0)) d.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers remote_write 400 naming the label names past the budget, and 204 once labeldrop removes them', async () => {
    // Prepare
    const req = buildRemoteWriteRequest([
      { labels: kubePodLabels, samples: [{ t: NOW, v: 1 }] },
      { labels: { __name__: 'up', job: 'kube-state-metrics' }, samples: [{ t: NOW, v: 1 }] },
    ]);
    const plain = depsFor({});

    // Act
    const refused = await call(
      makeRemoteWriteHandler(plain),
      event('POST', '/api/v1/write', req.body, req.headers),
    );
    plain.close();
    opened.splice(0);
    const relabelled = depsFor({
      write_relabel_configs: [{ action: 'labeldrop', regex: 'label_.*' }],
    });
    const accepted = await call(
      makeRemoteWriteHandler(relabelled),
      event('POST', '/api/v1/write', req.body, req.headers),
    );

    // Assess
    expect(refused.statusCode).toBe(400);
    expect(refused.body).toBe(
      '1 of 2 samples rejected (the other 1 were stored):\n' +
        'kube_pod_labels{label_app="trainer", label_team="vision", label_tier="gpu", label_version="v3", namespace="ml", pod="trainer-0"} @1764086400000: ' +
        'label names "label_app", "label_team", "label_tier", "label_version", "namespace", "pod" are new and the samples table has no room for them (Timestream dimension names): ' +
        "at most 4 (limits.maxDimensionNames 6 minus limits.reservedDimensionNames 2 kept for Vigil's own series); remove labels with write_relabel_configs (action: labeldrop) " +
        'in series kube_pod_labels{label_app="trainer", label_team="vision", label_tier="gpu", label_version="v3", namespace="ml", pod="trainer-0"}\n',
    );
    expect(accepted.statusCode).toBe(204);
    expect(await relabelled.store.series([[]], ALL)).toEqual(
      expect.arrayContaining([
        { __name__: 'kube_pod_labels', namespace: 'ml', pod: 'trainer-0' },
        { __name__: 'up', job: 'kube-state-metrics' },
      ]),
    );
  });

  it('writes no staleness marker for a pushed metric that write_relabel_configs drops', async () => {
    // Prepare
    const deps = depsFor({
      write_relabel_configs: [{ source_labels: ['__name__'], regex: 'debug_.*', action: 'drop' }],
    });
    const push = makePushgatewayHandler(deps);
    const body = '# TYPE loss gauge\nloss 0.5\n# TYPE debug_step gauge\ndebug_step 7\n';

    // Act
    const put = await call(push, event('PUT', '/metrics/job/train', body));
    const del = await call(push, event('DELETE', '/metrics/job/train', ''));

    // Assess
    expect(put.statusCode).toBe(200);
    expect(del.statusCode).toBe(202);
    const names = (await deps.store.series([[]], ALL)).map((l) => l.__name__);
    expect(names).toContain('loss');
    expect(names).not.toContain('debug_step');
  });
});
