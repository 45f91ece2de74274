import {
  correlationIdQuery,
  decodeQueryDetail,
  logsInsightsConsoleUrl,
} from '../../../../lambdas/domain/notifications/logs-insights-link';

describe('Logs Insights console links', () => {
  const start = Date.parse('2021-07-15T21:00:00.000Z');
  const end = Date.parse('2021-07-18T20:59:59.000Z');

  it('encodes the query detail the way the console writes it', () => {
    // Act
    const url = logsInsightsConsoleUrl({
      region: 'eu-west-1',
      logGroups: ['/aws/lambda/x'],
      query: 'fields @message',
      startMs: start,
      endMs: end,
    });

    // Assess: the console's own "Copy URL" form (see the module's reference)
    expect(url).toBe(
      'https://eu-west-1.console.aws.amazon.com/cloudwatch/home?region=eu-west-1#logsV2:logs-insights' +
        '$3FqueryDetail$3D$257E$2528end$257E$25272021-07-18T20*3A59*3A59.000Z' +
        '$257Estart$257E$25272021-07-15T21*3A00*3A00.000Z$257EtimeType$257E$2527ABSOLUTE' +
        '$257Etz$257E$2527UTC$257EeditorString$257E$2527fields*20*40message' +
        '$257EisLiveTail$257Efalse$257Esource$257E$2528$257E$2527*2Faws*2Flambda*2Fx$2529$2529',
    );
  });

  it('keeps every character of the query and the groups through the round trip', () => {
    // Prepare
    const query = correlationIdQuery('req-42 "quoted" ~(x)\' é');

    // Act
    const url = logsInsightsConsoleUrl({
      region: 'us-east-1',
      logGroups: ['/vigil/rx/api', '/vigil/rx/default'],
      query,
      startMs: start,
      endMs: end,
    });

    // Assess: only URL-safe characters, and the decoded detail holds the query verbatim
    expect(url).toMatch(/^[A-Za-z0-9\-._~:/?#=$*&]+$/);
    const detail = decodeQueryDetail(url);
    expect(detail).toContain(`editorString~'${query}~isLiveTail`);
    expect(detail).toContain("source~(~'/vigil/rx/api~'/vigil/rx/default)");
  });

  it('queries the three correlation keys with the id quoted', () => {
    // Act
    const query = correlationIdQuery('a"b\\c');

    // Assess
    expect(query).toBe(
      [
        'fields @timestamp, level, service, message, @message',
        '| filter correlation_id = "a\\"b\\\\c" or request_id = "a\\"b\\\\c" or trace_id = "a\\"b\\\\c"',
        '| sort @timestamp asc',
        '| limit 1000',
      ].join('\n'),
    );
  });

  it('names at most 50 log groups, the Logs Insights limit', () => {
    // Act
    const url = logsInsightsConsoleUrl({
      region: 'us-east-1',
      logGroups: Array.from({ length: 60 }, (_, i) => `/g/${i}`),
      query: 'fields @message',
      startMs: start,
      endMs: end,
    });

    // Assess
    const detail = decodeQueryDetail(url);
    expect(detail).toContain("~'/g/49)");
    expect(detail).not.toContain('/g/50');
  });
});
