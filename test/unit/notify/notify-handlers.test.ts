import { DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { SNSEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import type { Notification } from '../../../lambdas/domain/alerting/types';
import { decodeQueryDetail } from '../../../lambdas/domain/notifications/logs-insights-link';
import { buildSlackMessage } from '../../../lambdas/domain/notifications/slack-message';
import { parseChannelSettings, slackMessageOptions } from '../../../lambdas/wiring/aws-notify-deps';
import { ENV } from '../../../lambdas/shared/env';
import { type CaptureServer, startCaptureServer } from '../adapters/notifiers/capture-server';
import { firingNotification } from '../adapters/notifiers/notification-fixture';

const SLACK_SECRET_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:vigil/slack-AbCdEf';
const PD_SECRET_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:vigil/pd-AbCdEf';

const eventOf = (messageId: string, n: Notification): SNSEvent => ({
  Records: [
    {
      EventSource: 'aws:sns',
      EventVersion: '1.0',
      EventSubscriptionArn: 'arn:aws:sns:eu-west-1:123456789012:vigil-critical:6f1e',
      Sns: {
        Type: 'Notification',
        MessageId: messageId,
        TopicArn: 'arn:aws:sns:eu-west-1:123456789012:vigil-critical',
        Subject: '[FIRING:1] HighErrorRate (critical)',
        Message: JSON.stringify(n.payload),
        Timestamp: '2024-05-01T12:00:00.000Z',
        SignatureVersion: '1',
        Signature: 'EXAMPLE',
        SigningCertUrl: 'https://sns.eu-west-1.amazonaws.com/cert.pem',
        UnsubscribeUrl: 'https://sns.eu-west-1.amazonaws.com/?Action=Unsubscribe',
        MessageAttributes: { severity: { Type: 'String', Value: 'critical' } },
      },
    },
  ],
});

describe('Function: parseChannelSettings', () => {
  it('reads the dashboard and PagerDuty events URLs from the channels JSON', () => {
    // Act
    const settings = parseChannelSettings(
      JSON.stringify({
        slack: { dashboardUrl: 'https://console.aws.amazon.com/cloudwatch/home#dashboards' },
        pagerduty: { eventsUrl: 'https://events.eu.pagerduty.com/v2/enqueue' },
      }),
    );

    // Assess
    expect(settings).toEqual({
      dashboardUrl: 'https://console.aws.amazon.com/cloudwatch/home#dashboards',
      eventsUrl: 'https://events.eu.pagerduty.com/v2/enqueue',
    });
  });

  it('falls back to PagerDuty public endpoint and no dashboard', () => {
    // Assess
    expect(parseChannelSettings(undefined)).toEqual({
      eventsUrl: 'https://events.pagerduty.com/v2/enqueue',
    });
    expect(parseChannelSettings('{}')).toEqual({
      eventsUrl: 'https://events.pagerduty.com/v2/enqueue',
    });
    expect(() => parseChannelSettings('{')).toThrow(`${ENV.CHANNELS} is not JSON`);
  });
});

describe('Function: slackMessageOptions', () => {
  const settings = parseChannelSettings(
    JSON.stringify({
      slack: {},
      pagerduty: {},
      logs: {
        groups: { api: '/vigil/rx/api', inference: '/vigil/rx/inference' },
        defaultGroup: '/vigil/rx/default',
      },
    }),
  );
  const withCorrelation = (labels: Record<string, string>): Notification => {
    const n = firingNotification();
    const alerts = n.payload.alerts.map((a) => ({ ...a, labels: { ...a.labels, ...labels } }));
    return { ...n, payload: { ...n.payload, alerts } };
  };
  const logsLinks = (n: Notification, region: string | undefined): string[] =>
    JSON.stringify(buildSlackMessage(n, slackMessageOptions(settings, region)).blocks).match(
      /<(https:[^|]+)\|Logs Insights>/g,
    ) ?? [];

  it('links the Logs Insights query of the correlation id in the log group of the service', () => {
    // Act
    const links = logsLinks(
      withCorrelation({ correlation_id: 'req-42', service: 'api' }),
      'eu-west-1',
    );

    // Assess
    expect(links.length).toBeGreaterThan(0);
    const url = (links[0] as string).slice(1, -'|Logs Insights>'.length).replaceAll('&amp;', '&');
    expect(
      url.startsWith(
        'https://eu-west-1.console.aws.amazon.com/cloudwatch/home?region=eu-west-1#logsV2:logs-insights$3FqueryDetail',
      ),
    ).toBe(true);
    const detail = decodeQueryDetail(url);
    expect(detail).toContain('correlation_id = "req-42"');
    expect(detail).toContain("source~(~'/vigil/rx/api)");
  });

  it('queries every log group when the alert names no known service', () => {
    // Act
    const [link] = logsLinks(withCorrelation({ trace_id: 'abc' }), 'eu-west-1');

    // Assess
    expect(decodeQueryDetail(link as string)).toContain(
      "source~(~'/vigil/rx/api~'/vigil/rx/inference~'/vigil/rx/default)",
    );
  });

  it('adds no link without log groups or a region', () => {
    // Assess
    expect(logsLinks(withCorrelation({ correlation_id: 'x' }), undefined)).toEqual([]);
    const bare = parseChannelSettings('{}');
    const blocks = buildSlackMessage(
      withCorrelation({ correlation_id: 'x' }),
      slackMessageOptions(bare, 'eu-west-1'),
    ).blocks;
    expect(JSON.stringify(blocks)).not.toContain('Logs Insights');
  });
});

describe('Handlers: notify-slack and notify-pagerduty', () => {
  const secrets = mockClient(SecretsManagerClient);
  const dynamo = mockClient(DynamoDBClient);
  let slack: CaptureServer;
  let pagerduty: CaptureServer;

  beforeAll(async () => {
    slack = await startCaptureServer([{ status: 200, body: 'ok' }], '/services/T/B/X');
    pagerduty = await startCaptureServer(
      [{ status: 202, body: '{"status":"success","message":"Event processed"}' }],
      '/v2/enqueue',
    );
    process.env.AWS_REGION = 'eu-west-1';
    process.env[ENV.ALERT_STATE_TABLE] = 'vigil-alert-state';
    process.env[ENV.SLACK_WEBHOOK_SECRET] = SLACK_SECRET_ARN;
    process.env[ENV.PAGERDUTY_ROUTING_KEY_SECRET] = PD_SECRET_ARN;
    process.env[ENV.CHANNELS] = JSON.stringify({ pagerduty: { eventsUrl: pagerduty.url } });
  });

  beforeEach(() => {
    secrets.reset();
    dynamo.reset();
    secrets
      .on(GetSecretValueCommand, { SecretId: SLACK_SECRET_ARN })
      .resolves({ SecretString: slack.url })
      .on(GetSecretValueCommand, { SecretId: PD_SECRET_ARN })
      .resolves({ SecretString: 'R0UT1NGKEY0000000000000000000000\n' });
    dynamo.on(GetItemCommand).resolves({}).on(PutItemCommand).resolves({});
  });

  afterAll(async () => {
    for (const name of [
      ENV.ALERT_STATE_TABLE,
      ENV.SLACK_WEBHOOK_SECRET,
      ENV.PAGERDUTY_ROUTING_KEY_SECRET,
      ENV.CHANNELS,
    ]) {
      delete process.env[name];
    }
    secrets.restore();
    dynamo.restore();
    await slack.close();
    await pagerduty.close();
  });

  it('notify-slack posts to the webhook from Secrets Manager and records the message id', async () => {
    // Prepare
    const { handler } = await import('../../../lambdas/handlers/notify-slack');

    // Act
    const summary = await handler(eventOf('m-slack-1', firingNotification(1)));

    // Assess
    expect(summary).toEqual({ delivered: 1, duplicates: 0 });
    expect(slack.requests).toHaveLength(1);
    expect(secrets.commandCalls(GetSecretValueCommand)[0]?.args[0].input.SecretId).toBe(
      SLACK_SECRET_ARN,
    );
    const put = dynamo.commandCalls(PutItemCommand)[0]?.args[0].input;
    expect(put?.TableName).toBe('vigil-alert-state');
    expect(put?.Item?.pk).toEqual({ S: 'sns/slack/m-slack-1' });
    expect(put?.ConditionExpression).toBe('attribute_not_exists(pk)');
  });

  it('notify-pagerduty sends a trigger with the routing key from Secrets Manager', async () => {
    // Prepare
    const { handler } = await import('../../../lambdas/handlers/notify-pagerduty');

    // Act
    await handler(eventOf('m-pd-1', firingNotification(1)));

    // Assess
    const sent = JSON.parse(pagerduty.requests[0]?.body ?? '{}') as Record<string, unknown>;
    expect(sent.event_action).toBe('trigger');
    expect(sent.routing_key).toBe('R0UT1NGKEY0000000000000000000000');
  });

  it('skips a message id that is already recorded', async () => {
    // Prepare
    const { handler } = await import('../../../lambdas/handlers/notify-slack');
    dynamo.on(GetItemCommand).resolves({
      Item: {
        pk: { S: 'sns/slack/m-slack-2' },
        state: { S: '{"at":1714564800000}' },
        version: { N: '1' },
      },
    });
    const before = slack.requests.length;

    // Act
    const summary = await handler(eventOf('m-slack-2', firingNotification(1)));

    // Assess
    expect(summary).toEqual({ delivered: 0, duplicates: 1 });
    expect(slack.requests).toHaveLength(before);
    expect(dynamo.commandCalls(PutItemCommand)).toHaveLength(0);
  });
});
