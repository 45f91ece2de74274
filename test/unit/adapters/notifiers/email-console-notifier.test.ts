import { EmailConsoleNotifier } from '../../../../lambdas/adapters/notifiers/email-console-notifier';
import { firingNotification } from './notification-fixture';

describe('Class: EmailConsoleNotifier', () => {
  it('prints the email body of each notification', async () => {
    // Prepare
    const lines: string[] = [];
    const notifier = new EmailConsoleNotifier({ write: (text) => lines.push(text) });

    // Act
    await notifier.send([firingNotification(2)]);

    // Assess
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^\[FIRING:2\] HighErrorRate \(critical\)\n/);
    expect(lines[0]).toContain('Runbook: https://runbooks.example.com/high-error-rate');
    expect(lines[0]).toContain('Alert 2 of 2: HighErrorRate [FIRING]');
  });
});
