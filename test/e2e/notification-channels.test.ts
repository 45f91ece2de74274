/**
 * End to end: `npm start` with `channels:` routing critical alerts to Slack and PagerDuty, both
 * pointed at local servers answering as Slack (200 `ok`) and PagerDuty (202) do. A gauge crosses
 * the threshold and comes back: Slack gets exactly one message per group notification (firing,
 * then resolved), PagerDuty a `trigger` then a `resolve` with the same `dedup_key`, and the
 * console shows the email body.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type CaptureServer, startCaptureServer } from '../unit/adapters/notifiers/capture-server';
import {
  makeTmpDir,
  removeDir,
  startVigil,
  type VigilProcess,
  waitFor,
} from './helpers/vigil-process';
import { pushTemperature } from './helpers/gpu-temperature';

interface SlackBody {
  readonly text: string;
  readonly blocks: { type: string; text?: { text: string } }[];
}

interface PagerDutyBody {
  readonly routing_key: string;
  readonly event_action: string;
  readonly dedup_key: string;
}

interface WebhookBody {
  readonly status: string;
}

const RULES = `groups:
  - name: gpu
    interval: 1s
    rules:
      - alert: GpuTooHot
        expr: gpu_temperature_celsius > 85
        for: 1s
        labels:
          severity: critical
        annotations:
          summary: "GPU {{ $labels.gpu }} is at {{ $value }}C"
          runbook_url: https://runbooks.example.com/gpu-too-hot
`;

const bodies = <T>(server: CaptureServer): T[] =>
  server.requests.map((r) => JSON.parse(r.body) as T);

describe('notification channels with npm start', () => {
  let dir: string;
  let vigil: VigilProcess | undefined;
  let slack: CaptureServer;
  let pagerduty: CaptureServer;
  let webhook: CaptureServer;

  beforeAll(async () => {
    slack = await startCaptureServer([{ status: 200, body: 'ok' }], '/services/T000/B000/XXXX');
    pagerduty = await startCaptureServer(
      [
        {
          status: 202,
          body: '{"status":"success","message":"Event processed","dedup_key":"from-request"}',
          headers: { 'Content-Type': 'application/json' },
        },
      ],
      '/v2/enqueue',
    );
    webhook = await startCaptureServer([{ status: 200 }], '/hook');
    dir = makeTmpDir('channels');
    writeFileSync(join(dir, 'gpu.rules.yml'), RULES);
    writeFileSync(
      join(dir, 'vigil.config.yaml'),
      [
        'rules:',
        '  - "*.rules.yml"',
        'evaluation:',
        '  interval: 1s',
        'alerting:',
        '  group_wait: 1s',
        '  group_interval: 1s',
        '  webhook_urls:',
        `    - ${webhook.url}`,
        'channels:',
        '  critical:',
        '    email: [oncall@example.com]',
        '    slack: true',
        '    pagerduty: true',
        '  slack:',
        `    webhookUrl: ${slack.url}`,
        '    dashboardUrl: https://console.aws.amazon.com/cloudwatch/home#dashboards:name=Vigil',
        '  pagerduty:',
        `    eventsUrl: ${pagerduty.url}`,
        '    routingKey: R0UT1NGKEY0000000000000000000000',
        '',
      ].join('\n'),
    );
    process.env.VIGIL_CONFIG = join(dir, 'vigil.config.yaml');
  });

  afterAll(async () => {
    await vigil?.stop();
    delete process.env.VIGIL_CONFIG;
    await Promise.all([slack.close(), pagerduty.close(), webhook.close()]);
    removeDir(dir);
  });

  it('sends one Slack message per notification and a PagerDuty trigger then resolve', async () => {
    // Prepare
    vigil = await startVigil({ dataDir: join(dir, 'data') });
    const v = vigil;

    // Act
    await pushTemperature(v, 92);
    await waitFor(
      'a PagerDuty trigger',
      async () => bodies<PagerDutyBody>(pagerduty).find((e) => e.event_action === 'trigger'),
      { timeoutMs: 20_000 },
    );
    await pushTemperature(v, 60);
    await waitFor(
      'a PagerDuty resolve',
      async () => bodies<PagerDutyBody>(pagerduty).find((e) => e.event_action === 'resolve'),
      { timeoutMs: 20_000 },
    );
    // Slack is paced at one message per second, and the three channels are sent concurrently:
    // wait until Slack has as many messages as the webhook got notifications.
    const notifications = await waitFor('both webhook notifications', async () => {
      const got = bodies<WebhookBody>(webhook);
      return got.some((b) => b.status === 'resolved') ? got : undefined;
    });
    const slackMessages = await waitFor('the resolved Slack message', async () => {
      const got = bodies<SlackBody>(slack);
      return got.length >= notifications.length ? got : undefined;
    });

    // Assess
    expect(notifications.map((n) => n.status)).toEqual(['firing', 'resolved']);
    expect(slackMessages).toHaveLength(2);
    expect(slackMessages[0]?.text).toContain('FIRING');
    expect(slackMessages[0]?.text).toContain('GpuTooHot');
    expect(slackMessages[1]?.text).toContain('RESOLVED');
    expect(JSON.stringify(slackMessages[0])).toContain('https://runbooks.example.com/gpu-too-hot');
    const events = bodies<PagerDutyBody>(pagerduty);
    expect(events.map((e) => e.event_action)).toEqual(['trigger', 'resolve']);
    expect(events[0]?.dedup_key).toBe(events[1]?.dedup_key);
    expect(events[0]?.routing_key).toBe('R0UT1NGKEY0000000000000000000000');
    expect(v.output()).toContain('Alert 1 of 1: GpuTooHot [FIRING]');
    expect(v.output()).toContain('Summary: GPU 0 is at 92C');
  });
});
