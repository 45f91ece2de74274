import type { Notification, WebhookAlert } from '../../../../lambdas/domain/alerting/types';
import {
  buildSlackMessage,
  escapeMrkdwn,
  SLACK_MAX_BLOCKS,
  SLACK_MAX_HEADER_CHARS,
  SLACK_MAX_SECTION_CHARS,
  type SlackBlock,
} from '../../../../lambdas/domain/notifications/slack-message';
import {
  firingNotification,
  resolvedNotification,
} from '../../adapters/notifiers/notification-fixture';

const textOf = (b: SlackBlock | undefined): string => {
  if (b === undefined) return '';
  if (b.type === 'header' || b.type === 'section') return b.text.text;
  if (b.type === 'context') return b.elements.map((e) => e.text).join(' ');
  return b.elements.map((e) => e.text.text).join(' ');
};

const sections = (blocks: readonly SlackBlock[]): SlackBlock[] =>
  blocks.filter((b) => b.type === 'section');

/** The notification with its payload alerts rewritten by `f`. */
const withAlerts = (
  n: Notification,
  f: (a: WebhookAlert, i: number) => WebhookAlert,
): Notification => ({ ...n, payload: { ...n.payload, alerts: n.payload.alerts.map(f) } });

describe('Function: buildSlackMessage', () => {
  it('marks a firing group in the header with count, alert name and severity', () => {
    // Prepare
    const n = firingNotification(3);

    // Act
    const msg = buildSlackMessage(n);

    // Assess
    expect(msg.blocks[0]).toEqual({
      type: 'header',
      text: { type: 'plain_text', text: '🔥 FIRING: 3 × HighErrorRate (critical)', emoji: true },
    });
    expect(msg.text).toBe(
      '🔥 FIRING: 3 × HighErrorRate (critical) — Error rate above 5% on model-server-0.ml.internal:8080',
    );
    expect(sections(msg.blocks)).toHaveLength(3);
  });

  it('marks a resolved group as RESOLVED', () => {
    // Act
    const msg = buildSlackMessage(resolvedNotification());

    // Assess
    expect(textOf(msg.blocks[0])).toBe('✅ RESOLVED: 1 × HighErrorRate (critical)');
    expect(textOf(sections(msg.blocks)[0])).toMatch(/^✅ \*HighErrorRate\*/);
    expect(textOf(sections(msg.blocks)[0])).toContain('*Ended:* 2024-05-01T12:10:00.000Z');
  });

  it('lists each alert with its labels, annotations and a runbook link', () => {
    // Prepare
    const n = withAlerts(firingNotification(1), (a) => ({
      ...a,
      annotations: { ...a.annotations, value: '0.07' },
    }));

    // Act
    const text = textOf(sections(buildSlackMessage(n).blocks)[0]);

    // Assess
    expect(text).toContain('🔥 *HighErrorRate* — Error rate above 5% on model-server-0');
    expect(text).toContain('5xx ratio is 0.07 over the last 5m.');
    expect(text).toContain('*value:* 0.07');
    expect(text).toContain(
      '*Labels:* `instance=model-server-0.ml.internal:8080` `job=model-server` `severity=critical`',
    );
    expect(text).toContain('<https://runbooks.example.com/high-error-rate|Runbook>');
    expect(text).toContain(
      '<http://localhost:9090/graph?g0.expr=job%3Aerrors%3Aratio5m+%3E+0.05|Source>',
    );
  });

  it('adds dashboard and group runbook buttons', () => {
    // Prepare
    const dashboardUrl =
      'https://console.aws.amazon.com/cloudwatch/home?region=eu-west-1#dashboards/dashboard/vigil';

    // Act
    const msg = buildSlackMessage(firingNotification(1), { dashboardUrl });

    // Assess
    expect(msg.blocks.find((b) => b.type === 'actions')).toEqual({
      type: 'actions',
      elements: [
        {
          type: 'button',
          text: { type: 'plain_text', text: 'Dashboard' },
          url: dashboardUrl,
          action_id: 'dashboard',
        },
        {
          type: 'button',
          text: { type: 'plain_text', text: 'Runbook' },
          url: 'https://runbooks.example.com/high-error-rate',
          action_id: 'runbook',
        },
      ],
    });
  });

  it('links a Logs Insights query when an alert carries a correlation id', () => {
    // Prepare
    const n = withAlerts(firingNotification(2), (a, i) =>
      i === 0 ? { ...a, labels: { ...a.labels, correlation_id: 'req-42' } } : a,
    );
    const logsInsightsUrl = (id: string): string =>
      `https://console.aws.amazon.com/cloudwatch/home#logsV2:logs-insights?q=${encodeURIComponent(id)}`;

    // Act
    const [first, second] = sections(buildSlackMessage(n, { logsInsightsUrl }).blocks);

    // Assess
    expect(textOf(first)).toContain(
      '<https://console.aws.amazon.com/cloudwatch/home#logsV2:logs-insights?q=req-42|Logs Insights>',
    );
    expect(textOf(second)).not.toContain('Logs Insights');
  });

  it('escapes &, < and > in mrkdwn text', () => {
    // Prepare
    const n = withAlerts(firingNotification(1), (a) => ({
      ...a,
      annotations: { ...a.annotations, summary: 'p99 > 2s & queue <full>' },
    }));

    // Act
    const text = textOf(sections(buildSlackMessage(n).blocks)[0]);

    // Assess
    expect(escapeMrkdwn('a & <b>')).toBe('a &amp; &lt;b&gt;');
    expect(text).toContain('p99 &gt; 2s &amp; queue &lt;full&gt;');
  });

  it('stays within 50 blocks and counts the alerts left out', () => {
    // Prepare
    const n = firingNotification(120);

    // Act
    const msg = buildSlackMessage(n, { dashboardUrl: 'https://dash.example.com/vigil' });

    // Assess
    expect(msg.blocks).toHaveLength(SLACK_MAX_BLOCKS);
    const shown = sections(msg.blocks).length;
    expect(msg.blocks.at(-1)).toEqual({
      type: 'context',
      elements: [{ type: 'mrkdwn', text: `…and ${120 - shown} more alerts` }],
    });
    expect(textOf(msg.blocks[0])).toBe('🔥 FIRING: 120 × HighErrorRate (critical)');
  });

  it('sends exactly 50 blocks without a count when every alert fits', () => {
    // Prepare: header + context + 47 sections + actions (group runbook) = 50.
    const n = firingNotification(47);

    // Act
    const msg = buildSlackMessage(n);

    // Assess
    expect(msg.blocks).toHaveLength(SLACK_MAX_BLOCKS);
    expect(sections(msg.blocks)).toHaveLength(47);
    expect(textOf(msg.blocks.at(-1))).not.toMatch(/more alert/);
  });

  it('counts alerts the payload already dropped', () => {
    // Prepare
    const n = firingNotification(2);
    const truncated = { ...n, payload: { ...n.payload, truncatedAlerts: 1 } };

    // Act
    const msg = buildSlackMessage(truncated);

    // Assess
    expect(textOf(msg.blocks.at(-1))).toBe('…and 1 more alert');
    expect(textOf(msg.blocks[0])).toBe('🔥 FIRING: 3 × HighErrorRate (critical)');
  });

  it('cuts a long section at a word boundary within 3,000 characters, keeping its links whole', () => {
    // Prepare
    const words = Array.from({ length: 900 }, (_, i) => `word${i}`).join(' ');
    const n = withAlerts(firingNotification(1), (a) => ({
      ...a,
      annotations: { ...a.annotations, description: words },
    }));

    // Act
    const text = textOf(sections(buildSlackMessage(n).blocks)[0]);

    // Assess
    expect(text.length).toBeLessThanOrEqual(SLACK_MAX_SECTION_CHARS);
    const [body, links] = [
      text.slice(0, text.lastIndexOf('\n')),
      text.slice(text.lastIndexOf('\n') + 1),
    ];
    expect(body).toMatch(/ word\d+…$/);
    const lastWord = /(word\d+)…$/.exec(body)?.[1] as string;
    expect(words.split(' ')).toContain(lastWord);
    expect(links).toBe(
      '<https://runbooks.example.com/high-error-rate|Runbook> • <http://localhost:9090/graph?g0.expr=job%3Aerrors%3Aratio5m+%3E+0.05|Source>',
    );
  });

  it('keeps the header within 150 characters, cut at a word', () => {
    // Prepare
    const long = Array.from({ length: 40 }, () => 'Very').join(' ');
    const n = { ...firingNotification(1), commonLabels: { alertname: long } };

    // Act
    const header = textOf(buildSlackMessage(n).blocks[0]);

    // Assess
    expect(header.length).toBeLessThanOrEqual(SLACK_MAX_HEADER_CHARS);
    expect(header).toMatch(/ Very…$/);
  });

  it('falls back to neutral names when labels, severity and annotations are missing', () => {
    // Prepare
    const base = firingNotification(2);
    const bare: Notification = {
      ...base,
      severity: '',
      groupLabels: {},
      commonLabels: {},
      commonAnnotations: {},
      payload: {
        ...base.payload,
        alerts: base.payload.alerts.map(
          (a, i): WebhookAlert => ({
            ...a,
            status: i === 0 ? 'firing' : 'resolved',
            labels: { instance: `gpu-${i}` },
            annotations: i === 0 ? { trace_id: 'abc123', empty: '' } : { trace_id: 'def456' },
            generatorURL: '',
          }),
        ),
      },
    };
    const logsInsightsUrl = (id: string): string =>
      id === 'abc123' ? `https://logs.example.com/?q=${id}` : 'not a url';

    // Act
    const msg = buildSlackMessage(bare, { logsInsightsUrl });

    // Assess
    expect(textOf(msg.blocks[0])).toBe('🔥 FIRING: 2 × alerts');
    expect(msg.text).toBe('🔥 FIRING: 2 × alerts');
    expect(textOf(msg.blocks[1])).toBe('*Group:* (all)  *Receiver:* sns');
    expect(msg.blocks.some((b) => b.type === 'actions')).toBe(false);
    const [first, second] = sections(msg.blocks).map(textOf);
    expect(first).toBe(
      '🔥 *alert*\n*Labels:* `instance=gpu-0`\n*Started:* 2024-05-01T11:58:00.000Z\n<https://logs.example.com/?q=abc123|Logs Insights>',
    );
    expect(second).toContain('✅ *alert*');
    expect(second).not.toContain('Logs Insights');
  });

  it('drops a link line too long to share a section with the text', () => {
    // Prepare
    const hugeUrl = `https://runbooks.example.com/${'a'.repeat(2_000)}`;
    const n = withAlerts(firingNotification(1), (a) => ({
      ...a,
      annotations: { ...a.annotations, runbook_url: hugeUrl },
    }));

    // Act
    const text = textOf(sections(buildSlackMessage(n).blocks)[0]);

    // Assess
    expect(text).not.toContain('|Runbook>');
    expect(text.length).toBeLessThanOrEqual(SLACK_MAX_SECTION_CHARS);
  });
});
