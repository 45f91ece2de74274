/**
 * Vigil's HTTP routes, shared by the CDK API (lib/) and the local server (bin/server.ts) so
 * both expose exactly the same surface. `fn` names the Lambda function serving the route.
 */
export const FunctionName = {
  IngestMetrics: 'ingest-metrics',
  IngestPushgateway: 'ingest-pushgateway',
  IngestRemoteWrite: 'ingest-remote-write',
  ReadSeries: 'read-series',
  Query: 'query',
  Health: 'health',
  Alerts: 'alerts',
  IngestLogs: 'ingest-logs',
  IngestLoki: 'ingest-loki',
  IngestOtlpMetrics: 'ingest-otlp-metrics',
  IngestOtlpLogs: 'ingest-otlp-logs',
  DriftReports: 'drift-reports',
  ScrapeTargets: 'scrape-targets-api',
} as const;
export type FunctionName = (typeof FunctionName)[keyof typeof FunctionName];

export interface Route {
  readonly methods: readonly string[];
  /** API Gateway resource path; `{proxy+}` matches the rest of the path, `{name}` one segment. */
  readonly resource: string;
  readonly fn: FunctionName;
  /** False only for `/health`. */
  readonly apiKeyRequired: boolean;
}

export const ROUTES: readonly Route[] = [
  // Served locally; on AWS it needs the IngestApi integration (not wired yet, see docs/scrape.md).
  {
    methods: ['GET'],
    resource: '/api/v1/targets',
    fn: FunctionName.ScrapeTargets,
    apiKeyRequired: true,
  },
  {
    methods: ['POST'],
    resource: '/ingest/metrics',
    fn: FunctionName.IngestMetrics,
    apiKeyRequired: true,
  },
  {
    methods: ['PUT', 'POST', 'DELETE'],
    resource: '/metrics/{proxy+}',
    fn: FunctionName.IngestPushgateway,
    apiKeyRequired: true,
  },
  {
    methods: ['POST'],
    resource: '/api/v1/write',
    fn: FunctionName.IngestRemoteWrite,
    apiKeyRequired: true,
  },
  {
    methods: ['GET', 'POST'],
    resource: '/api/v1/series',
    fn: FunctionName.ReadSeries,
    apiKeyRequired: true,
  },
  {
    methods: ['GET', 'POST'],
    resource: '/api/v1/labels',
    fn: FunctionName.ReadSeries,
    apiKeyRequired: true,
  },
  {
    methods: ['GET'],
    resource: '/api/v1/label/{name}/values',
    fn: FunctionName.ReadSeries,
    apiKeyRequired: true,
  },
  // GET only, as Prometheus routes it (web/web.go `router.Get("/federate", …)`): federation is a
  // scrape, and scrapes are GETs; a POST is answered 405 like Prometheus's router does.
  {
    methods: ['GET'],
    resource: '/federate',
    fn: FunctionName.ReadSeries,
    apiKeyRequired: true,
  },
  {
    methods: ['GET', 'POST'],
    resource: '/api/v1/query',
    fn: FunctionName.Query,
    apiKeyRequired: true,
  },
  {
    methods: ['GET', 'POST'],
    resource: '/api/v1/query_range',
    fn: FunctionName.Query,
    apiKeyRequired: true,
  },
  {
    methods: ['GET', 'POST'],
    resource: '/api/v1/query_exemplars',
    fn: FunctionName.Query,
    apiKeyRequired: true,
  },
  {
    methods: ['GET'],
    resource: '/api/v1/metadata',
    fn: FunctionName.Query,
    apiKeyRequired: true,
  },
  {
    methods: ['GET'],
    resource: '/api/v1/status/buildinfo',
    fn: FunctionName.Query,
    apiKeyRequired: true,
  },
  { methods: ['GET'], resource: '/api/v1/alerts', fn: FunctionName.Alerts, apiKeyRequired: true },
  { methods: ['GET'], resource: '/api/v1/rules', fn: FunctionName.Alerts, apiKeyRequired: true },
  {
    methods: ['GET', 'POST'],
    resource: '/api/v2/silences',
    fn: FunctionName.Alerts,
    apiKeyRequired: true,
  },
  {
    methods: ['GET', 'DELETE'],
    resource: '/api/v2/silence/{id}',
    fn: FunctionName.Alerts,
    apiKeyRequired: true,
  },
  {
    methods: ['GET'],
    resource: '/api/drift/reports',
    fn: FunctionName.DriftReports,
    apiKeyRequired: true,
  },
  {
    methods: ['GET'],
    resource: '/api/drift/reports/{id}',
    fn: FunctionName.DriftReports,
    apiKeyRequired: true,
  },
  {
    methods: ['POST'],
    resource: '/api/drift/monitors/{name}/run',
    fn: FunctionName.DriftReports,
    apiKeyRequired: true,
  },
  {
    methods: ['POST'],
    resource: '/ingest/logs',
    fn: FunctionName.IngestLogs,
    apiKeyRequired: true,
  },
  {
    methods: ['POST'],
    resource: '/loki/api/v1/push',
    fn: FunctionName.IngestLoki,
    apiKeyRequired: true,
  },
  // OTLP/HTTP's default paths (https://opentelemetry.io/docs/specs/otlp/#otlphttp-request).
  {
    methods: ['POST'],
    resource: '/v1/metrics',
    fn: FunctionName.IngestOtlpMetrics,
    apiKeyRequired: true,
  },
  {
    methods: ['POST'],
    resource: '/v1/logs',
    fn: FunctionName.IngestOtlpLogs,
    apiKeyRequired: true,
  },
  { methods: ['GET'], resource: '/health', fn: FunctionName.Health, apiKeyRequired: false },
];

const escapeRe = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** `/a/{name}/{proxy+}` → `^/a/(?<name>[^/]+)/(?<proxy>.+)/?$` */
const resourceRegex = (resource: string): RegExp => {
  const parts = resource.split('/').map((seg) => {
    if (seg === '{proxy+}') return '(?<proxy>.+)';
    const param = /^\{(\w+)\}$/.exec(seg);
    return param ? `(?<${param[1]}>[^/]+)` : escapeRe(seg);
  });
  return new RegExp(`^${parts.join('/')}/?$`);
};

const compiled = ROUTES.map((route) => ({ route, re: resourceRegex(route.resource) }));

/**
 * Finds the route of a request path, with its path parameters.
 * Returns `{ route: undefined }` for unknown paths and `allowed` methods for known ones.
 */
const matchRoute = (
  method: string,
  path: string,
): { route?: Route; params: Record<string, string>; allowed: readonly string[] } => {
  const allowed: string[] = [];
  for (const { route, re } of compiled) {
    const m = re.exec(path);
    if (!m) continue;
    allowed.push(...route.methods);
    if (route.methods.includes(method)) return { route, params: { ...(m.groups ?? {}) }, allowed };
  }
  return { params: {}, allowed };
};

export { matchRoute };
