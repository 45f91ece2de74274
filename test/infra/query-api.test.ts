import type { Template } from 'aws-cdk-lib/assertions';
import { FunctionName, ROUTES } from '../../lambdas/api/routes';
import { ENV } from '../../lambdas/shared/env';
import { buildTestStack, type CfnJson, type CfnResourceJson, resourcesOf } from './helpers';

// One synthesis for the whole file, with inline code (bundling is covered in cdk-nag.test.ts).
const { template } = buildTestStack();

const QUERY_DESCRIPTION = 'Vigil: Prometheus query API (query, query_range, metadata, buildinfo)';
const READ_SERIES_DESCRIPTION = 'Vigil: series, labels, label values, federate';

/** `METHOD /path` → method properties, paths rebuilt from the resource tree. */
const methodsByRoute = (t: Template): Map<string, CfnJson> => {
  const resources = resourcesOf(t, 'AWS::ApiGateway::Resource');
  const pathOf = (id: string): string => {
    const r = resources[id] as CfnResourceJson;
    const parent = r.Properties.ParentId;
    return `${parent.Ref ? pathOf(parent.Ref) : ''}/${r.Properties.PathPart}`;
  };
  const routes = new Map<string, CfnJson>();
  for (const m of Object.values(resourcesOf(t, 'AWS::ApiGateway::Method'))) {
    const id = m.Properties.ResourceId;
    routes.set(`${m.Properties.HttpMethod} ${id.Ref ? pathOf(id.Ref) : '/'}`, m.Properties);
  }
  return routes;
};

const functionDescribedAs = (description: string): [string, CfnResourceJson] => {
  const found = Object.entries(resourcesOf(template, 'AWS::Lambda::Function')).find(
    ([, f]) => f.Properties.Description === description,
  );
  if (!found) throw new Error(`no function ${description}`);
  return found;
};

const queryFunction = (): [string, CfnResourceJson] => functionDescribedAs(QUERY_DESCRIPTION);

/** `METHOD /path` of every method integrated with the function `fnId`. */
const routesOf = (fnId: string): string[] =>
  [...methodsByRoute(template)]
    .filter(([, m]) => JSON.stringify(m.Integration?.Uri ?? '').includes(`"${fnId}"`))
    .map(([route]) => route)
    .sort();

const statementsOf = (fn: CfnResourceJson): CfnJson[] => {
  const roleId = fn.Properties.Role['Fn::GetAtt'][0];
  return Object.values(resourcesOf(template, 'AWS::IAM::Policy'))
    .filter((p) => p.Properties.Roles.some((r: { Ref: string }) => r.Ref === roleId))
    .flatMap((p) => p.Properties.PolicyDocument.Statement);
};

const actionsOf = (statements: CfnJson[]): string[] =>
  statements.flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action]));

describe('Feature: Prometheus query API on AWS', () => {
  it.each([
    'GET /api/v1/query',
    'POST /api/v1/query',
    'GET /api/v1/query_range',
    'POST /api/v1/query_range',
    'GET /api/v1/query_exemplars',
    'POST /api/v1/query_exemplars',
    'GET /api/v1/metadata',
    'GET /api/v1/status/buildinfo',
  ])('routes %s to the query function, behind the API-key authorizer', (route) => {
    // Prepare
    const [fnId] = queryFunction();

    // Act
    const method = methodsByRoute(template).get(route);

    // Assess
    expect(method).toBeDefined();
    expect(method?.ApiKeyRequired).toBe(true);
    expect(method?.AuthorizationType).toBe('CUSTOM');
    expect(method?.Integration.Type).toBe('AWS_PROXY');
    expect(JSON.stringify(method?.Integration.Uri)).toContain(`"${fnId}"`);
  });

  it('runs the query handler with 1 GB of memory and the 29 s API Gateway timeout', () => {
    // Act
    const [, fn] = queryFunction();

    // Assess
    expect(fn.Properties.MemorySize).toBe(1024);
    expect(fn.Properties.Timeout).toBe(29);
    expect(fn.Properties.Handler).toMatch(/handler$/);
  });

  it('lets the query function select samples and read push groups, and write nothing', () => {
    // Prepare
    const [, fn] = queryFunction();
    const tableId = Object.keys(resourcesOf(template, 'AWS::Timestream::Table'))[0];

    // Act
    const statements = statementsOf(fn);
    const actions = actionsOf(statements);

    // Assess
    expect(statements).toContainEqual(
      expect.objectContaining({
        Action: ['timestream:DescribeTable', 'timestream:Select'],
        Resource: { 'Fn::GetAtt': [tableId, 'Arn'] },
      }),
    );
    expect(actions).toEqual(expect.arrayContaining(['dynamodb:Query', 'dynamodb:Scan']));
    expect(actions).not.toContain('timestream:WriteRecords');
    expect(actions.filter((a) => /^dynamodb:.*(Put|Delete|Update|Write)/.test(a))).toEqual([]);
  });

  it('names the samples table and the push-groups table in its environment', () => {
    // Act
    const [, fn] = queryFunction();
    const env = fn.Properties.Environment.Variables;

    // Assess
    expect(Object.keys(env)).toEqual(
      expect.arrayContaining([ENV.SAMPLES_TABLE, ENV.SAMPLES_DATABASE, ENV.PUSH_GROUPS_TABLE]),
    );
    expect(env[ENV.SERIES_INDEX_TABLE]).toBeUndefined();
  });

  it('routes GET /federate to the read-series function, and only GET, as Prometheus does', () => {
    // Prepare
    const [fnId] = functionDescribedAs(READ_SERIES_DESCRIPTION);
    const routes = methodsByRoute(template);

    // Act
    const federate = routes.get('GET /federate');

    // Assess
    expect(federate?.ApiKeyRequired).toBe(true);
    expect(federate?.AuthorizationType).toBe('CUSTOM');
    expect(JSON.stringify(federate?.Integration.Uri)).toContain(`"${fnId}"`);
    expect(routes.has('POST /federate')).toBe(false);
  });

  it.each([
    [FunctionName.Query, QUERY_DESCRIPTION],
    [FunctionName.ReadSeries, READ_SERIES_DESCRIPTION],
  ])(
    'routes on AWS exactly the %s methods of the routes table the local server serves',
    (fn, description) => {
      // Prepare
      const [fnId] = functionDescribedAs(description);
      const local = ROUTES.filter((r) => r.fn === fn)
        .flatMap((r) => r.methods.map((m) => `${m} ${r.resource}`))
        .sort();

      // Act
      const deployed = routesOf(fnId);

      // Assess
      expect(deployed).toEqual(local);
    },
  );
});
