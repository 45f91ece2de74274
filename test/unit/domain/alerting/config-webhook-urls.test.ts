import { validateAlertingConfig } from '../../../../lambdas/domain/alerting/config';

describe('Function: validateAlertingConfig (webhook_urls)', () => {
  it('keeps http and https webhook URLs', () => {
    // Act
    const { config, issues } = validateAlertingConfig({
      webhook_urls: ['http://127.0.0.1:9000/hook', 'https://hooks.example.com/vigil'],
    });

    // Assess
    expect(issues).toEqual([]);
    expect(config.webhookUrls).toEqual([
      'http://127.0.0.1:9000/hook',
      'https://hooks.example.com/vigil',
    ]);
  });

  it('names each URL that is not http(s) by its path', () => {
    // Act
    const { issues } = validateAlertingConfig({
      webhook_urls: ['ftp://files.example.com', 'not a url', 42],
    });
    const notList = validateAlertingConfig({ webhook_urls: 'http://x' }).issues;

    // Assess
    expect(issues.map((i) => i.path)).toEqual([
      'alerting.webhook_urls[0]',
      'alerting.webhook_urls[1]',
      'alerting.webhook_urls[2]',
    ]);
    expect(notList).toEqual([{ path: 'alerting.webhook_urls', message: 'must be a list of URLs' }]);
  });

  it('defaults to no webhook', () => {
    // Assess
    expect(validateAlertingConfig(undefined).config.webhookUrls).toEqual([]);
  });
});
