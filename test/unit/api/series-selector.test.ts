import { parseSeriesSelector, plainSelector } from '../../../lambdas/api/series-selector';
import { BadRequestError } from '../../../lambdas/domain/errors';
import { parseExpr } from '../../../lambdas/domain/promql/parser';

/** The matchers the PromQL parser gives a selector. */
const parserMatchers = (raw: string) => {
  const expr = parseExpr(raw);
  if (expr.type !== 'VectorSelector') throw new Error(`${raw} is not a selector`);
  return [...expr.matchers];
};

describe('series selectors (match[])', () => {
  it.each([
    'up',
    'job:requests:rate5m',
    ' up { job = "api" , instance!~"db-.*" , } ',
    '{job="api"}',
    "{job='a\\'b', path=`C:\\dir`}",
    '{__name__="up", job!="", env=~"prod|staging"}',
    'http_requests_total{code="5\\u00e9x", le="+Inf"}',
    'rate',
  ])('reads %s as the PromQL parser does', (raw) => {
    // Act / Assess
    expect(plainSelector(raw)).toEqual(parserMatchers(raw));
  });

  it.each([
    '{}',
    '{job=""}',
    '{job=~".*"}',
    'up{__name__="x"}',
    'sum',
    'Inf',
    'up offset 5m',
    'up[5m]',
    'rate(up[5m])',
    '{job=~"a("}',
    '{"job"="a"}',
    'up # comment',
  ])('leaves %s to the PromQL parser', (raw) => {
    // Act / Assess
    expect(plainSelector(raw)).toBeUndefined();
  });

  it('refuses what is no series selector with 400, naming the parameter', async () => {
    // Act / Assess
    await expect(parseSeriesSelector('rate(up[5m])')).rejects.toThrow(
      new BadRequestError('invalid parameter "match[]": "rate(up[5m])" is not a series selector'),
    );
    await expect(parseSeriesSelector('{job=~"a("}')).rejects.toThrow(
      /invalid parameter "match\[\]"/,
    );
    await expect(parseSeriesSelector('{}')).rejects.toBeInstanceOf(BadRequestError);
  });

  it('answers the same matchers on both paths', async () => {
    // Act / Assess
    expect(await parseSeriesSelector('up{job="a"}')).toEqual([
      { name: '__name__', op: '=', value: 'up' },
      { name: 'job', op: '=', value: 'a' },
    ]);
    expect(await parseSeriesSelector('{job=~".+"}')).toEqual([
      { name: 'job', op: '=~', value: '.+' },
    ]);
  });
});
