import {
  deployedAlertmanagerIssues,
  referencedAlertmanagerCredentials,
} from '../../../../lambdas/domain/alerting/alertmanagers-config';
import { validateAlertingConfig } from '../../../../lambdas/domain/alerting/config';

describe('Function: validateAlertingConfig (alertmanagers)', () => {
  it('reads URLs with Prometheus defaults and mappings with timeout and credentials', () => {
    // Act
    const { config, issues } = validateAlertingConfig({
      alertmanagers: [
        'http://alertmanager:9093',
        {
          url: 'https://ops.example.com/alertmanager/',
          timeout: '3s',
          basic_auth: { username: 'vigil', password_secret: 'vigil/alertmanager' },
        },
        {
          url: 'https://am.example.com',
          authorization: { credentials_parameter: '/vigil/am-token' },
        },
      ],
    });

    // Assess
    expect(issues).toEqual([]);
    expect(config.alertmanagers).toEqual([
      {
        url: 'http://alertmanager:9093',
        alertsUrl: 'http://alertmanager:9093/api/v2/alerts',
        timeoutMs: 10_000,
      },
      {
        url: 'https://ops.example.com/alertmanager/',
        alertsUrl: 'https://ops.example.com/alertmanager/api/v2/alerts',
        timeoutMs: 3_000,
        basicAuth: {
          username: 'vigil',
          password: { kind: 'secret', secretId: 'vigil/alertmanager' },
        },
      },
      {
        url: 'https://am.example.com',
        alertsUrl: 'https://am.example.com/api/v2/alerts',
        timeoutMs: 10_000,
        authorization: {
          type: 'Bearer',
          credentials: { kind: 'parameter', name: '/vigil/am-token' },
        },
      },
    ]);
    expect(validateAlertingConfig(undefined).config.alertmanagers).toEqual([]);
  });

  it('names each entry that cannot be an Alertmanager, with the reason', () => {
    // Act
    const { issues } = validateAlertingConfig({
      alertmanagers: [
        'ftp://am',
        'http://vigil:pw@am:9093',
        'http://am:9093/api/v2/alerts',
        42,
        { url: 'http://am2', timeout: '0s' },
        { url: 'http://am3', basic_auth: { username: 'u', password: 'a', password_file: 'b' } },
        { url: 'http://am4', authorization: { type: 'Basic', credentials: 'x' } },
        { url: 'http://am5', timeot: '5s' },
        'http://am2/',
      ],
    });

    // Assess
    expect(issues).toEqual([
      { path: 'alerting.alertmanagers[0].url', message: 'not an http(s) URL: "ftp://am"' },
      {
        path: 'alerting.alertmanagers[1].url',
        message: 'must not hold credentials: use basic_auth or authorization',
      },
      {
        path: 'alerting.alertmanagers[2].url',
        message:
          "give the Alertmanager's base URL (with its path prefix, if any), without /api/v2/alerts",
      },
      {
        path: 'alerting.alertmanagers[3]',
        message: 'must be a URL or a mapping with url, timeout, basic_auth or authorization',
      },
      {
        path: 'alerting.alertmanagers[4].timeout',
        message: 'must be a positive duration like 10s, got "0s"',
      },
      {
        path: 'alerting.alertmanagers[5].basic_auth',
        message:
          'only one of password, password_file, password_secret, password_parameter may be given, got password and password_file',
      },
      {
        path: 'alerting.alertmanagers[6].authorization.type',
        message: 'authorization type cannot be set to "basic", use "basic_auth" instead',
      },
      {
        path: 'alerting.alertmanagers[7].timeot',
        message: 'unknown key, did you mean `timeout`?',
      },
    ]);
  });

  it('refuses the same Alertmanager twice', () => {
    // Act
    const { issues } = validateAlertingConfig({
      alertmanagers: ['http://am:9093', 'http://am:9093/'],
    });

    // Assess
    expect(issues).toEqual([
      {
        path: 'alerting.alertmanagers[1]',
        message: 'duplicated Alertmanager "http://am:9093/"',
      },
    ]);
  });
});

describe('Function: deployedAlertmanagerIssues', () => {
  it('refuses inline and file credentials and lists the secrets and parameters to grant', () => {
    // Prepare
    const { config } = validateAlertingConfig({
      alertmanagers: [
        { url: 'http://a', basic_auth: { username: 'u', password: 'inline' } },
        { url: 'http://b', authorization: { credentials_file: '/run/token' } },
        { url: 'http://c', basic_auth: { username: 'u', password_secret: 'am/c' } },
        { url: 'http://d', authorization: { credentials_parameter: '/am/d' } },
      ],
    });

    // Act
    const issues = deployedAlertmanagerIssues(config.alertmanagers);

    // Assess
    expect(issues.map((i) => i.path)).toEqual([
      'alerting.alertmanagers[0].basic_auth.password',
      'alerting.alertmanagers[1].authorization.credentials_file',
    ]);
    expect(issues[0]?.message).toBe(
      "use password_secret: <Secrets Manager secret name or ARN> or password_parameter: <SSM parameter name> when deployed (secrets are never stored in the function's bundle)",
    );
    expect(referencedAlertmanagerCredentials(config.alertmanagers)).toEqual({
      secrets: ['am/c'],
      parameters: ['/am/d'],
    });
  });
});
