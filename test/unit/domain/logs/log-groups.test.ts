import {
  defaultLogGroupName,
  LogGroupNameError,
  logGroupName,
  logGroupResolver,
} from '../../../../lambdas/domain/logs/log-groups';

describe('log group names', () => {
  it('names a service group /vigil/<project>/<service> and the default group /vigil/<project>/default', () => {
    // Act / Assess
    expect(logGroupName('shop', 'inference')).toBe('/vigil/shop/inference');
    expect(defaultLogGroupName('shop')).toBe('/vigil/shop/default');
  });

  it('sends configured services to their group and every other service to the default group', () => {
    // Prepare
    const groupOf = logGroupResolver('shop', ['api', 'inference']);

    // Act / Assess
    expect(groupOf('api')).toBe('/vigil/shop/api');
    expect(groupOf('billing')).toBe('/vigil/shop/default');
    expect(groupOf('../../etc')).toBe('/vigil/shop/default');
  });

  it('refuses names CloudWatch Logs would refuse, or that nest a level', () => {
    // Act / Assess
    expect(() => logGroupName('shop', 'a b')).toThrow(LogGroupNameError);
    expect(() => logGroupName('shop', 'a/b')).toThrow(LogGroupNameError);
    expect(() => logGroupName('shop', '')).toThrow(LogGroupNameError);
    expect(() => logGroupName('shop', 'x'.repeat(600))).toThrow(
      /not a valid CloudWatch Logs group name/,
    );
  });
});
