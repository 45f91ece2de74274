import {
  buildPagerDutyEvent,
  PAGERDUTY_MAX_SUMMARY_CHARS,
  type PagerDutyTriggerEvent,
  PagerDutySeverity,
  pagerDutyDedupKey,
  pagerDutySeverity,
} from '../../../../lambdas/domain/notifications/pagerduty-event';
import {
  firingNotification,
  resolvedNotification,
} from '../../adapters/notifiers/notification-fixture';

const ROUTING_KEY = 'R0123456789abcdef0123456789abcde';

const trigger = (...args: Parameters<typeof buildPagerDutyEvent>): PagerDutyTriggerEvent => {
  const event = buildPagerDutyEvent(...args);
  if (event.event_action !== 'trigger') throw new Error('expected a trigger event');
  return event;
};

describe('Function: buildPagerDutyEvent', () => {
  it('builds a trigger with the required fields and enums', () => {
    // Prepare
    const n = firingNotification(2);

    // Act
    const event = trigger(n, {
      routingKey: ROUTING_KEY,
      dashboardUrl: 'https://dash.example.com/vigil',
    });

    // Assess
    expect(event).toEqual({
      routing_key: ROUTING_KEY,
      event_action: 'trigger',
      dedup_key: pagerDutyDedupKey(n.groupKey),
      payload: {
        summary:
          '[FIRING:2/2] HighErrorRate (critical): Error rate above 5% on model-server-0.ml.internal:8080; Error rate above 5% on model-server-1.ml.internal:8080',
        source: 'vigil',
        severity: 'critical',
        timestamp: '2024-05-01T11:58:00.000Z',
        component: 'model-server',
        group: 'sns',
        class: 'HighErrorRate',
        custom_details: expect.objectContaining({
          status: 'firing',
          firing: 2,
          resolved: 0,
          truncated_alerts: 0,
          group_key: n.groupKey,
          common_labels: n.commonLabels,
        }),
      },
      links: [
        { href: 'https://runbooks.example.com/high-error-rate', text: 'Runbook: HighErrorRate' },
        { href: 'https://dash.example.com/vigil', text: 'CloudWatch dashboard' },
        {
          href: 'http://localhost:9090/graph?g0.expr=job%3Aerrors%3Aratio5m+%3E+0.05',
          text: 'Source: HighErrorRate',
        },
      ],
      client: 'Vigil',
      client_url: 'http://localhost:9093',
    });
    expect(Object.values(PagerDutySeverity)).toContain(event.payload.severity);
    const details = event.payload.custom_details as { alerts: { labels: unknown }[] };
    expect(details.alerts).toHaveLength(2);
    expect(details.alerts[0]?.labels).toEqual(n.payload.alerts[0]?.labels);
  });

  it('resolves with the same dedup_key the trigger used', () => {
    // Prepare
    const firing = firingNotification(1);
    const resolved = resolvedNotification();

    // Act
    const t = buildPagerDutyEvent(firing, { routingKey: ROUTING_KEY });
    const r = buildPagerDutyEvent(resolved, { routingKey: ROUTING_KEY });

    // Assess
    expect(t.event_action).toBe('trigger');
    expect(r).toEqual({
      routing_key: ROUTING_KEY,
      event_action: 'resolve',
      dedup_key: t.dedup_key,
    });
  });

  it('keeps the summary within 1,024 characters, cut at a word', () => {
    // Prepare
    const n = firingNotification(1);
    const long = Array.from({ length: 400 }, (_, i) => `token${i}`).join(' ');
    const big = { ...n, commonAnnotations: { summary: long } };

    // Act
    const event = trigger(big, { routingKey: ROUTING_KEY });

    // Assess
    expect(event.payload.summary.length).toBeLessThanOrEqual(PAGERDUTY_MAX_SUMMARY_CHARS);
    expect(event.payload.summary).toMatch(/ token\d+…$/);
  });

  it('uses the common instance label as source when there is one', () => {
    // Prepare
    const n = firingNotification(1);
    const one = { ...n, commonLabels: { ...n.commonLabels, instance: 'gpu-node-7:9400' } };

    // Act
    const event = trigger(one, { routingKey: ROUTING_KEY, source: 'vigil-prod' });

    // Assess
    expect(event.payload.source).toBe('gpu-node-7:9400');
  });

  it('drops alerts from custom_details beyond the 512 KB event limit and counts them', () => {
    // Prepare
    const n = firingNotification(400);
    const padded = {
      ...n,
      payload: {
        ...n.payload,
        alerts: n.payload.alerts.map((a) => ({
          ...a,
          annotations: { ...a.annotations, description: 'x'.repeat(2_000) },
        })),
      },
    };

    // Act
    const event = trigger(padded, { routingKey: ROUTING_KEY });

    // Assess
    const bytes = new TextEncoder().encode(JSON.stringify(event)).length;
    expect(bytes).toBeLessThanOrEqual(512 * 1024);
    const details = event.payload.custom_details as { alerts: unknown[]; truncated_alerts: number };
    expect(details.alerts.length).toBeGreaterThan(0);
    expect(details.alerts.length + details.truncated_alerts).toBe(400);
  });
});

describe('Function: buildPagerDutyEvent (sparse notifications)', () => {
  it('fills required fields from defaults and omits optional ones it cannot fill', () => {
    // Prepare
    const base = firingNotification(2);
    const bare = {
      ...base,
      severity: '',
      groupLabels: {},
      commonLabels: { namespace: 'ml-serving' },
      commonAnnotations: {},
      payload: {
        ...base.payload,
        externalURL: '',
        alerts: base.payload.alerts.map((a, i) => ({
          ...a,
          status: i === 0 ? ('resolved' as const) : ('firing' as const),
          labels: { instance: `gpu-${i}` },
          annotations: {},
          generatorURL: 'not a url',
        })),
      },
    };

    // Act
    const event = trigger(bare, {
      routingKey: ROUTING_KEY,
      source: 'vigil-prod',
      client: 'Vigil dev',
    });

    // Assess
    expect(event.payload).toEqual({
      summary: '[FIRING:1/2] alerts',
      source: 'vigil-prod',
      severity: 'warning',
      timestamp: '2024-05-01T11:58:01.000Z',
      group: 'ml-serving',
      custom_details: expect.objectContaining({ firing: 1, resolved: 1 }),
    });
    expect(event.links).toEqual([]);
    expect(event.client).toBe('Vigil dev');
    expect(event).not.toHaveProperty('client_url');
  });

  it('omits the timestamp when no alert fires and names links of unnamed alerts', () => {
    // Prepare
    const base = firingNotification(1);
    const n = {
      ...base,
      payload: {
        ...base.payload,
        alerts: base.payload.alerts.map((a) => ({
          ...a,
          status: 'resolved' as const,
          labels: { job: 'x' },
        })),
      },
    };

    // Act
    const event = trigger(n, { routingKey: ROUTING_KEY, clientUrl: 'https://vigil.example.com' });

    // Assess
    expect(event.payload).not.toHaveProperty('timestamp');
    expect(event.links.map((l) => l.text)).toEqual(['Runbook: alert', 'Source: alert']);
    expect(event.client_url).toBe('https://vigil.example.com');
  });
});

describe('Function: pagerDutyDedupKey', () => {
  it('is stable for a group and differs between groups', () => {
    // Act
    const a1 = pagerDutyDedupKey('{}:{alertname="HighErrorRate"}');
    const a2 = pagerDutyDedupKey('{}:{alertname="HighErrorRate"}');
    const b = pagerDutyDedupKey('{}:{alertname="GpuMemoryHigh"}');

    // Assess
    expect(a1).toBe(a2);
    expect(a1).not.toBe(b);
    expect(a1).toMatch(/^vigil-[0-9a-f]{16}$/);
    expect(a1.length).toBeLessThanOrEqual(255);
  });
});

describe('Function: pagerDutySeverity', () => {
  it.each([
    ['critical', 'critical'],
    ['page', 'critical'],
    ['HIGH', 'critical'],
    ['error', 'error'],
    ['warning', 'warning'],
    ['medium', 'warning'],
    ['info', 'info'],
    ['low', 'info'],
    ['sev-unknown', 'warning'],
    [undefined, 'warning'],
  ])('maps %s to %s', (severity, expected) => {
    // Act
    const out = pagerDutySeverity(severity);

    // Assess
    expect(out).toBe(expected);
  });
});
