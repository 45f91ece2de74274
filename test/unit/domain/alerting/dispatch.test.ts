import {
  type AlertingConfig,
  DEFAULT_ALERTING_CONFIG,
  validateAlertingConfig,
} from '../../../../lambdas/domain/alerting/config';
import { dispatch, emptyDispatcherState } from '../../../../lambdas/domain/alerting/dispatch';
import { labelsFingerprint } from '../../../../lambdas/domain/alerting/label-set';
import {
  createSilence,
  expireSilence,
  type Silence,
} from '../../../../lambdas/domain/alerting/silences';
import type {
  AlertInput,
  DispatcherState,
  Notification,
} from '../../../../lambdas/domain/alerting/types';

const MIN = 60_000;
const T0 = Date.parse('2024-05-01T12:00:00Z');
const at = (minute: number): number => T0 + minute * MIN;

const firing = (labels: Record<string, string>, startMinute = 0): AlertInput => ({
  labels,
  annotations: { summary: `${labels.alertname} on ${labels.instance ?? 'all'}` },
  startsAtMs: at(startMinute),
  endsAtMs: 0,
  generatorURL: 'http://vigil/graph?g0.expr=up',
});
const resolved = (a: AlertInput, endMinute: number): AlertInput => ({
  ...a,
  endsAtMs: at(endMinute),
});

/**
 * Fake clock driver: calls dispatch once a minute from `from` to `to` with the alerts the
 * `feed` returns for that minute (rule evaluation re-sends active alerts every minute), and
 * records which minutes produced which notifications.
 */
const run = (args: {
  from: number;
  to: number;
  feed: (minute: number) => AlertInput[];
  config?: AlertingConfig;
  state?: DispatcherState;
  silences?: (minute: number) => Silence[];
  roundTrip?: boolean;
}): { state: DispatcherState; sent: { minute: number; n: Notification }[] } => {
  let state = args.state ?? emptyDispatcherState();
  const sent: { minute: number; n: Notification }[] = [];
  for (let m = args.from; m <= args.to; m++) {
    const r = dispatch(
      state,
      args.feed(m),
      at(m),
      args.config ?? DEFAULT_ALERTING_CONFIG,
      args.silences?.(m) ?? [],
    );
    state = args.roundTrip ? JSON.parse(JSON.stringify(r.state)) : r.state;
    for (const n of r.notifications) sent.push({ minute: m, n });
  }
  return { state, sent };
};

const config = (raw: unknown): AlertingConfig => {
  const { config: c, issues } = validateAlertingConfig(raw);
  expect(issues).toEqual([]);
  return c;
};

const HIGH_LATENCY = { alertname: 'HighLatency', instance: 'api-1', severity: 'warning' };

describe('Feature: notification timing (fake clock, minute by minute)', () => {
  it('delays the first notification by group_wait', () => {
    // Prepare
    const cfg = config({ group_wait: '2m' });

    // Act
    const { sent } = run({ from: 0, to: 5, feed: () => [firing(HIGH_LATENCY)], config: cfg });

    // Assess
    expect(sent.map((s) => s.minute)).toEqual([2]);
    expect(sent[0]?.n.groupKey).toBe('{}:{alertname="HighLatency"}');
    expect(sent[0]?.n.status).toBe('firing');
  });

  it('flushes at once an alert that started longer than group_wait ago', () => {
    // Prepare: the alert began 10 minutes before Vigil first saw it (aggrGroup.insert)
    const alert = firing(HIGH_LATENCY, -10);

    // Act
    const { sent } = run({ from: 0, to: 1, feed: () => [alert] });

    // Assess
    expect(sent.map((s) => s.minute)).toEqual([0]);
  });

  it('holds a new alert in an already notified group until group_interval', () => {
    // Prepare: default group_wait 30s (first run at minute 1), group_interval 5m
    const a1 = firing({ alertname: 'HighLatency', instance: 'api-1' });
    const a2 = firing({ alertname: 'HighLatency', instance: 'api-2' }, 2);

    // Act
    const { sent } = run({
      from: 0,
      to: 12,
      feed: (m) => (m < 2 ? [a1] : [a1, a2]),
    });

    // Assess: 0+30s → flushed at minute 1; a2 (minute 2) waits for the flush at minute 6
    expect(sent.map((s) => s.minute)).toEqual([1, 6]);
    expect(sent[1]?.n.alerts.map((a) => a.labels.instance)).toEqual(['api-1', 'api-2']);
  });

  it('repeats an unchanged firing group after repeat_interval, not before', () => {
    // Prepare
    const cfg = config({ group_wait: '1m', group_interval: '5m', repeat_interval: '30m' });

    // Act
    const { sent } = run({ from: 0, to: 70, feed: () => [firing(HIGH_LATENCY)], config: cfg });

    // Assess: flushes every 5m from minute 1; the log entry must be strictly older than 30m
    expect(sent.map((s) => s.minute)).toEqual([1, 36, 71].filter((m) => m <= 70));
  });

  it('sends the resolved notification once, then forgets the group', () => {
    // Prepare
    const cfg = config({ group_wait: '1m', group_interval: '2m' });
    const a = firing(HIGH_LATENCY);

    // Act
    const { sent, state } = run({
      from: 0,
      to: 20,
      feed: (m) => (m < 4 ? [a] : m < 8 ? [resolved(a, 4)] : []),
      config: cfg,
    });

    // Assess: fired at 1; resolved at 4 → next flush at 5
    expect(sent.map((s) => [s.minute, s.n.status])).toEqual([
      [1, 'firing'],
      [5, 'resolved'],
    ]);
    const payload = sent[1]?.n.payload;
    expect(payload?.alerts[0]?.endsAt).toBe('2024-05-01T12:04:00Z');
    expect(state.groups).toEqual({});
  });

  it('resolves an alert that is no longer re-sent after resolve_timeout', () => {
    // Prepare
    const cfg = config({ group_wait: '1m', group_interval: '1m', resolve_timeout: '5m' });
    const a = firing(HIGH_LATENCY);

    // Act: sent at minutes 0..2 only
    const { sent } = run({ from: 0, to: 12, feed: (m) => (m <= 2 ? [a] : []), config: cfg });

    // Assess: last refresh at 2 → ends at 7
    expect(sent.map((s) => [s.minute, s.n.status])).toEqual([
      [1, 'firing'],
      [7, 'resolved'],
    ]);
  });

  it('does not notify an alert that fired and resolved within group_wait', () => {
    // Prepare
    const cfg = config({ group_wait: '3m' });
    const a = firing(HIGH_LATENCY);

    // Act
    const { sent, state } = run({
      from: 0,
      to: 6,
      feed: (m) => (m < 1 ? [a] : [resolved(a, 1)]),
      config: cfg,
    });

    // Assess
    expect(sent).toEqual([]);
    expect(state.groups).toEqual({});
  });

  it('groups by every label with "..."', () => {
    // Prepare
    const cfg = config({ group_by: ['...'], group_wait: '0s' });

    // Act
    const { sent } = run({
      from: 0,
      to: 0,
      feed: () => [
        firing({ alertname: 'A', instance: 'x' }),
        firing({ alertname: 'A', instance: 'y' }),
      ],
      config: cfg,
    });

    // Assess
    expect(sent.map((s) => s.n.groupKey)).toEqual([
      '{}:{alertname="A", instance="x"}',
      '{}:{alertname="A", instance="y"}',
    ]);
  });
});

describe('Feature: inhibition', () => {
  const cfg = (): AlertingConfig =>
    config({
      group_by: ['alertname', 'severity'],
      group_wait: '1m',
      group_interval: '1m',
      inhibit_rules: [
        {
          source_matchers: ['severity="critical"'],
          target_matchers: ['severity="warning"'],
          equal: ['alertname', 'instance'],
        },
      ],
    });

  it('mutes a warning while a critical alert with the same alertname and instance fires', () => {
    // Prepare
    const crit = firing({ alertname: 'DiskFull', instance: 'db-1', severity: 'critical' });
    const warn1 = firing({ alertname: 'DiskFull', instance: 'db-1', severity: 'warning' });
    const warn2 = firing({ alertname: 'DiskFull', instance: 'db-2', severity: 'warning' });

    // Act: critical fires minutes 0..4, then resolves
    const { sent } = run({
      from: 0,
      to: 8,
      feed: (m) => [m < 5 ? crit : resolved(crit, 5), warn1, warn2],
      config: cfg(),
    });

    // Assess
    const warnings = sent.filter((s) => s.n.severity === 'warning');
    expect(warnings.map((s) => [s.minute, s.n.alerts.map((a) => a.labels.instance)])).toEqual([
      [1, ['db-2']],
      [5, ['db-1', 'db-2']],
    ]);
    const critical = sent.filter((s) => s.n.severity === 'critical');
    expect(critical.map((s) => [s.minute, s.n.status])).toEqual([
      [1, 'firing'],
      [5, 'resolved'],
    ]);
  });

  it('never lets an alert inhibit itself', () => {
    // Prepare: a rule whose source and target both match the same alert
    const c = config({
      group_wait: '0s',
      inhibit_rules: [
        { source_matchers: ['team="ml"'], target_matchers: ['team="ml"'], equal: [] },
      ],
    });

    // Act
    const { sent } = run({
      from: 0,
      to: 0,
      feed: () => [firing({ alertname: 'X', team: 'ml' })],
      config: c,
    });

    // Assess
    expect(sent).toHaveLength(1);
  });
});

describe('Feature: silences', () => {
  it('mutes a matching alert while the silence is active, and notifies after it expires', () => {
    // Prepare
    const cfg = config({ group_wait: '1m', group_interval: '2m' });
    let silences: Silence[] = createSilence(
      [],
      {
        matchers: [{ name: 'alertname', value: 'HighLatency', isRegex: false }],
        startsAt: '2024-05-01T12:00:00Z',
        endsAt: '2024-05-01T13:00:00Z',
        createdBy: 'oncall',
        comment: 'deploy',
      },
      at(0),
      () => 'sil-1',
    ).silences;

    // Act: expire the silence at minute 6
    const { sent } = run({
      from: 0,
      to: 10,
      feed: () => [firing(HIGH_LATENCY)],
      config: cfg,
      silences: (m) => {
        if (m === 6) silences = expireSilence(silences, 'sil-1', at(6));
        return silences;
      },
    });

    // Assess: flushes at 1,3,5 are muted; expired at 6 (endsAt 6, expired strictly after) → 7
    expect(sent.map((s) => s.minute)).toEqual([7]);
  });

  it('does not mute with a pending silence', () => {
    // Prepare
    const { silences } = createSilence(
      [],
      {
        matchers: [{ name: 'instance', value: 'api-.*', isRegex: true }],
        startsAt: '2024-05-01T14:00:00Z',
        endsAt: '2024-05-01T15:00:00Z',
        createdBy: 'oncall',
        comment: 'later',
      },
      at(0),
      () => 'sil-2',
    );

    // Act
    const { sent } = run({
      from: 0,
      to: 1,
      feed: () => [firing(HIGH_LATENCY)],
      silences: () => silences,
    });

    // Assess
    expect(sent).toHaveLength(1);
  });
});

describe('Feature: state survives a cold start', () => {
  it('does not re-notify inside repeat_interval after a JSON round trip', () => {
    // Prepare
    const cfg = config({ group_wait: '1m', group_interval: '5m', repeat_interval: '1h' });
    const feed = (): AlertInput[] => [firing(HIGH_LATENCY)];
    const first = run({ from: 0, to: 10, feed, config: cfg });

    // Act: "cold start" — the state is serialised, loaded, and every later call round-trips
    const loaded = JSON.parse(JSON.stringify(first.state)) as DispatcherState;
    const second = run({ from: 11, to: 70, feed, config: cfg, state: loaded, roundTrip: true });

    // Assess
    expect(first.sent.map((s) => s.minute)).toEqual([1]);
    expect(second.sent.map((s) => s.minute)).toEqual([66]);
  });
});

describe('Feature: webhook payload', () => {
  it('is Alertmanager webhook version 4', () => {
    // Prepare
    const cfg = config({ group_wait: '0s', external_url: 'https://vigil.example.com' });
    const labels = { alertname: 'HighLatency', instance: 'api-1', severity: 'critical' };

    // Act
    const { notifications } = dispatch(emptyDispatcherState(), [firing(labels)], at(0), cfg);

    // Assess
    expect(notifications).toHaveLength(1);
    expect(notifications[0]?.severity).toBe('critical');
    expect(notifications[0]?.payload).toEqual({
      version: '4',
      groupKey: '{}:{alertname="HighLatency"}',
      truncatedAlerts: 0,
      status: 'firing',
      receiver: 'vigil',
      groupLabels: { alertname: 'HighLatency' },
      commonLabels: labels,
      commonAnnotations: { summary: 'HighLatency on api-1' },
      externalURL: 'https://vigil.example.com',
      alerts: [
        {
          status: 'firing',
          labels,
          annotations: { summary: 'HighLatency on api-1' },
          startsAt: '2024-05-01T12:00:00Z',
          endsAt: '0001-01-01T00:00:00Z',
          generatorURL: 'http://vigil/graph?g0.expr=up',
          fingerprint: labelsFingerprint(labels),
        },
      ],
    });
  });

  it('uses the default severity when alerts disagree, and rejects alerts without labels', () => {
    // Prepare
    const cfg = config({ group_wait: '0s', default_severity: 'info' });

    // Act
    const r = dispatch(
      emptyDispatcherState(),
      [
        firing({ alertname: 'A', severity: 'critical', instance: '1' }),
        firing({ alertname: 'A', severity: 'warning', instance: '2' }),
        { ...firing({}), labels: {} },
      ],
      at(0),
      cfg,
    );

    // Assess
    expect(r.notifications[0]?.severity).toBe('info');
    expect(r.notifications[0]?.commonLabels).toEqual({ alertname: 'A' });
    expect(r.rejected.map((x) => x.reason)).toEqual(['at least one label pair required']);
  });
});
