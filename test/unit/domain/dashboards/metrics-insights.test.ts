import {
  checkMetricsInsightsAlarm,
  checkMetricsInsightsQuery,
  isMetricsInsightsQuery,
  METRICS_INSIGHTS_RESERVED_KEYWORDS,
  miIdentifier,
  miQuery,
} from '../../../../lambdas/domain/dashboards/metrics-insights';

describe('Feature: Metrics Insights queries checked offline', () => {
  describe('valid queries', () => {
    it.each([
      ['the documentation’s first example', 'SELECT AVG(CPUUtilization) FROM "AWS/EC2"'],
      ['SCHEMA with the namespace only', 'SELECT AVG(CPUUtilization) FROM SCHEMA("AWS/EC2")'],
      [
        'the full example of every clause',
        `SELECT SUM(RequestCount) FROM SCHEMA("AWS/ApplicationELB", LoadBalancer, AvailabilityZone) WHERE LoadBalancer = 'app/load-balancer-1' GROUP BY AvailabilityZone ORDER BY MAX() DESC LIMIT 5`,
      ],
      ['lowercase keywords', 'select max(CPUUtilization) from "AWS/EC2" group by InstanceId'],
      [
        'a quoted reserved keyword',
        'SELECT AVG("LIMIT") FROM CWAgent GROUP BY InstanceId, "index"',
      ],
      [
        'an escaped quotation mark in a quoted name',
        'SELECT AVG("Bytes\\"Input\\"") FROM "My.App"',
      ],
      [
        'AND, OR, != and parentheses in WHERE',
        `SELECT MAX(x) FROM Vigil WHERE (job = 'api' OR job = 'worker') AND env != 'dev'`,
      ],
      ['LIMIT 500, the most', 'SELECT MAX(x) FROM Vigil GROUP BY job LIMIT 500'],
      ['ORDER BY without a direction', 'SELECT COUNT(x) FROM Vigil GROUP BY job ORDER BY SUM()'],
    ])('accepts %s', (_name, query) => {
      // Act
      const problems = checkMetricsInsightsQuery(query);

      // Assess
      expect(problems).toEqual([]);
    });
  });

  describe('invalid queries', () => {
    it.each([
      [
        'a reserved keyword as a label key (the GPU alarms’ old query)',
        'SELECT MAX(nvidia_smi_temperature_gpu) FROM "CWAgent" GROUP BY InstanceId, index',
        'GROUP BY: index is a reserved keyword of Metrics Insights at 76: write "index"',
      ],
      [
        'a reserved keyword as a metric name, in any case',
        'SELECT AVG(Limit) FROM Vigil',
        'SELECT metric: Limit is a reserved keyword of Metrics Insights at 12: write "Limit"',
      ],
      [
        'a namespace with a slash, unquoted',
        'SELECT AVG(CPUUtilization) FROM AWS/EC2',
        'FROM namespace: AWS/EC2 at 33 has characters other than letters, digits and _ or starts with a digit: write "AWS/EC2"',
      ],
      [
        'a label key starting with a digit',
        'SELECT MAX(x) FROM Vigil GROUP BY 5xx',
        'GROUP BY: 5xx at 35 has characters other than letters, digits and _ or starts with a digit: write "5xx"',
      ],
      [
        'a label value in double quotes',
        'SELECT MAX(x) FROM Vigil WHERE job = "api"',
        'WHERE: a label value must be in single quotes, found "api" at 38',
      ],
      [
        'an aggregation Metrics Insights does not have',
        'SELECT P99(Latency) FROM "AWS/ApiGateway"',
        'SELECT: expected one of AVG, COUNT, MAX, MIN, SUM, found "P99" at 8',
      ],
      [
        'LIMIT above 500 time series',
        'SELECT MAX(x) FROM Vigil GROUP BY job LIMIT 501',
        'LIMIT 501: must be 1 to 500',
      ],
      [
        'ORDER BY with an argument',
        'SELECT MAX(x) FROM Vigil GROUP BY job ORDER BY MAX(x) DESC',
        'ORDER BY: expected ), found "x" at 52',
      ],
      [
        'clauses out of order',
        'SELECT MAX(x) FROM Vigil LIMIT 5 GROUP BY job',
        'unexpected "GROUP" at 34',
      ],
      [
        'an operator the grammar does not have',
        "SELECT MAX(x) FROM Vigil WHERE job LIKE 'a%'",
        'WHERE: expected = or !=, found "LIKE" at 36',
      ],
      ['a missing FROM', 'SELECT MAX(x) GROUP BY job', 'FROM: expected FROM, found "GROUP" at 15'],
      [
        'an unterminated quoted name',
        'SELECT MAX("x) FROM Vigil',
        'unterminated quoted name at 12',
      ],
      [
        'a query longer than 2,048 characters',
        `SELECT MAX(x) FROM Vigil WHERE ${Array.from({ length: 200 }, (_, i) => `job != 'j${i}'`).join(' AND ')}`,
        '3516 characters; a query holds at most 2048',
      ],
    ])('refuses %s', (_name, query, problem) => {
      // Act
      const problems = checkMetricsInsightsQuery(query);

      // Assess
      expect(problems).toContain(problem);
    });
  });

  describe('building queries', () => {
    it('quotes exactly the names that need it, with one function', () => {
      // Act
      const quoted = [
        'InstanceId',
        'index',
        'INDEX',
        'AWS/EC2',
        '5xx',
        'gpu_index',
        'say "hi"',
      ].map(miIdentifier);

      // Assess
      expect(quoted).toEqual([
        'InstanceId',
        '"index"',
        '"INDEX"',
        '"AWS/EC2"',
        '"5xx"',
        'gpu_index',
        '"say \\"hi\\""',
      ]);
    });

    it('writes every clause and the result passes the checker', () => {
      // Act
      const query = miQuery({
        fn: 'MAX',
        metric: 'nvidia_smi_temperature_gpu',
        namespace: 'CWAgent',
        schema: ['InstanceId', 'index', 'name'],
        where: [{ key: 'name', op: '!=', value: "NVIDIA A10G's twin" }],
        groupBy: ['InstanceId', 'index'],
        orderBy: { fn: 'MAX', direction: 'DESC' },
        limit: 500,
      });

      // Assess
      expect(query).toBe(
        `SELECT MAX(nvidia_smi_temperature_gpu) FROM SCHEMA(CWAgent, InstanceId, "index", name) WHERE name != 'NVIDIA A10G\\'s twin' GROUP BY InstanceId, "index" ORDER BY MAX() DESC LIMIT 500`,
      );
      expect(checkMetricsInsightsQuery(query)).toEqual([]);
    });

    it('holds the documented reserved keywords, not case sensitive', () => {
      // Assess
      expect(METRICS_INSIGHTS_RESERVED_KEYWORDS.size).toBe(917);
      for (const kw of ['INDEX', 'SCHEMA', 'LIMIT', 'FALLBACK', 'ZONE']) {
        expect(METRICS_INSIGHTS_RESERVED_KEYWORDS.has(kw)).toBe(true);
      }
      expect(METRICS_INSIGHTS_RESERVED_KEYWORDS.has('INSTANCEID')).toBe(false);
      expect(miIdentifier('host')).toBe('host');
    });

    it('tells Metrics Insights queries from metric math and SEARCH', () => {
      // Assess
      expect(isMetricsInsightsQuery(' select MAX(x) FROM Vigil')).toBe(true);
      expect(isMetricsInsightsQuery("SEARCH('{Vigil,job} MetricName=\"x\"', 'Average', 60)")).toBe(
        false,
      );
      expect(isMetricsInsightsQuery('100 * d1 / 3000')).toBe(false);
    });
  });

  describe('alarms', () => {
    const query = 'SELECT MAX(x) FROM Vigil GROUP BY job';

    it.each([
      ['5 one-minute periods', { query, periodSeconds: 60, evaluationPeriods: 5 }, []],
      ['3 hours of 5-minute periods', { query, periodSeconds: 300, evaluationPeriods: 36 }, []],
      [
        'a sub-minute period',
        { query, periodSeconds: 30, evaluationPeriods: 5 },
        [
          'period 30 s: a Metrics Insights alarm period is a multiple of 60 s (no high-resolution data)',
        ],
      ],
      [
        'a window beyond the latest 3 hours',
        { query, periodSeconds: 300, evaluationPeriods: 37 },
        [
          '37 periods of 300 s = 185 min: a Metrics Insights alarm evaluates only the latest 3 hours',
        ],
      ],
      [
        'more datapoints to alarm than periods',
        { query, periodSeconds: 60, evaluationPeriods: 3, datapointsToAlarm: 4 },
        ['datapoints to alarm 4: must be 1 to the 3 evaluation periods'],
      ],
    ])('%s', (_name, alarm, problems) => {
      // Act
      const found = checkMetricsInsightsAlarm(alarm);

      // Assess
      expect(found).toEqual(problems);
    });
  });
});
