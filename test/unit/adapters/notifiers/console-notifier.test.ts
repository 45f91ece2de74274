import {
  ConsoleNotifier,
  summaryLineOf,
} from '../../../../lambdas/adapters/notifiers/console-notifier';
import type { Notification } from '../../../../lambdas/domain/alerting/types';
import { firingNotification, resolvedNotification } from './notification-fixture';

describe('Class: ConsoleNotifier', () => {
  it('writes one summary line per notification', async () => {
    // Prepare
    const lines: string[] = [];
    const notifier = new ConsoleNotifier({ write: (line) => lines.push(line) });

    // Act
    await notifier.send([firingNotification(2), resolvedNotification()]);

    // Assess
    expect(lines).toEqual([
      '[FIRING:2] HighErrorRate severity=critical group={alertname="HighErrorRate"} receiver=sns: ' +
        'Error rate above 5% on model-server-0.ml.internal:8080 | ' +
        'Error rate above 5% on model-server-1.ml.internal:8080',
      '[RESOLVED] HighErrorRate severity=critical group={alertname="HighErrorRate"} receiver=sns: ' +
        'Error rate above 5% on model-server-0.ml.internal:8080',
    ]);
  });

  it('falls back to labels, counts truncated alerts and keeps the line on one line', () => {
    // Prepare
    const n = firingNotification(1, { severity: '' });
    const alert = n.payload.alerts[0];
    if (!alert) throw new Error('fixture has one alert');
    const bare: Notification = {
      ...n,
      payload: {
        ...n.payload,
        truncatedAlerts: 4,
        alerts: [
          { ...alert, annotations: {}, labels: { alertname: 'Gpu\nHot', gpu: '0' } },
          { ...alert, annotations: { description: 'memory at 97%' }, labels: {} },
        ],
      },
    };

    // Act
    const line = summaryLineOf(bare);

    // Assess
    expect(line).toBe(
      '[FIRING:2] Gpu Hot severity=(none) group={alertname="HighErrorRate"} receiver=sns: ' +
        '{alertname="Gpu\\nHot", gpu="0"} | memory at 97% | +4 more',
    );
  });
});
