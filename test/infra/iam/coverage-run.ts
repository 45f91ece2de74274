import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ENV } from '../../../lambdas/shared/env';
import { type FullStack, buildFullStack } from './full-stack';
import { checkFunction, type Finding } from './iam-coverage';
import {
  type DeployedFunction,
  deployedFunctions,
  type FunctionRecording,
  type ModuleLoader,
  recordAll,
} from './record-calls';
import type { RequiredPermission } from './required-actions';
import { TemplateModel } from './template-model';

/**
 * A local HTTP server standing in for the world outside AWS: the scrape target (exposition
 * text), Slack's incoming webhook (`ok`) and PagerDuty's events endpoint (202).
 */
const startOutsideWorld = async (): Promise<{ url: string; close(): Promise<void> }> => {
  const server: Server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      if (req.method === 'GET') {
        res.writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4' });
        res.end('# TYPE http_requests_total counter\nhttp_requests_total{code="200"} 7\n');
      } else if (req.url?.startsWith('/v2/enqueue')) {
        res.writeHead(202, { 'Content-Type': 'application/json' });
        res.end('{"status":"success","message":"Event processed","dedup_key":"k"}');
      } else {
        res.writeHead(200, { 'Content-Type': 'text/plain' });
        res.end('ok');
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
};

export interface CoverageRun {
  readonly full: FullStack;
  readonly model: TemplateModel;
  readonly functions: readonly DeployedFunction[];
  readonly recordings: readonly FunctionRecording[];
  /** Per function logical id: what its calls need and what its role lacks. */
  readonly results: ReadonlyMap<string, { required: RequiredPermission[]; findings: Finding[] }>;
}

/**
 * Synthesizes the every-feature stack (on the given sample store), drives every Vigil function's handler on its scenario and
 * checks each recorded call against the function's role.
 */
const runCoverage = async (
  loader: ModuleLoader,
  store: FullStack['config']['store'] = 'timestream',
): Promise<CoverageRun> => {
  const world = await startOutsideWorld();
  try {
    const full = buildFullStack(world.url, store);
    const model = new TemplateModel(full.template);
    const functions = deployedFunctions(model);
    const secretOf = (handler: string, env: string): [string, string][] =>
      functions
        .filter((f) => f.handlerName === handler && f.environment[env])
        .map((f) => [f.environment[env] as string, `${world.url}/slack-webhook`]);
    const secrets = Object.fromEntries([
      ...secretOf('notify-slack', ENV.SLACK_WEBHOOK_SECRET),
      ...secretOf('notify-pagerduty', ENV.PAGERDUTY_ROUTING_KEY_SECRET).map(
        ([arn]) => [arn, 'R0UT1NGKEY0123456789abcdef012345'] as [string, string],
      ),
      ['rxvision/api-scrape', 'scrape-password'],
    ]);
    const recordings = await recordAll(functions, {
      loader,
      bundleFiles: full.bundleFiles,
      secrets,
    });
    const results = new Map(
      recordings.map((r) => [r.fn.logicalId, checkFunction(model, r.fn, r.calls)]),
    );
    return { full, model, functions, recordings, results };
  } finally {
    await world.close();
  }
};

export { runCoverage };
