import { MultiNotifier } from '../../../../lambdas/adapters/notifiers/multi-notifier';
import type { Notification } from '../../../../lambdas/domain/alerting/types';
import { NotifierError } from '../../../../lambdas/domain/errors';
import type { Notifier } from '../../../../lambdas/domain/alerting/notifier';
import { firingNotification } from './notification-fixture';

/** Records what it receives, then fails as told. */
class ScriptedNotifier implements Notifier {
  readonly received: (readonly Notification[])[] = [];
  readonly #failure: Error | undefined;
  constructor(failure?: Error) {
    this.#failure = failure;
  }
  async send(notifications: readonly Notification[]): Promise<void> {
    this.received.push(notifications);
    if (this.#failure) throw this.#failure;
  }
}

const batch = [
  firingNotification(1, { groupKey: 'g-1' }),
  firingNotification(1, { groupKey: 'g-2' }),
  firingNotification(1, { groupKey: 'g-3' }),
];

describe('Class: MultiNotifier', () => {
  it('sends every notification to every notifier', async () => {
    // Prepare
    const a = new ScriptedNotifier();
    const b = new ScriptedNotifier();

    // Act
    await new MultiNotifier([a, b]).send(batch);

    // Assess
    expect(a.received).toEqual([batch]);
    expect(b.received).toEqual([batch]);
  });

  it('still sends to the others when one fails, and merges the failed group keys', async () => {
    // Prepare
    const sns = new ScriptedNotifier(new NotifierError('sns down', ['g-2']));
    const webhook = new ScriptedNotifier(new NotifierError('webhook refused', ['g-2', 'g-3']));
    const console = new ScriptedNotifier();

    // Act
    const error = await new MultiNotifier([sns, webhook, console])
      .send(batch)
      .catch((e: unknown) => e);

    // Assess
    expect(console.received).toEqual([batch]);
    expect(error).toBeInstanceOf(NotifierError);
    expect((error as NotifierError).failed).toEqual(['g-2', 'g-3']);
    expect((error as Error).message).toBe('2 of 3 notifier(s) failed: sns down; webhook refused');
    expect((error as Error).cause).toHaveLength(2);
  });

  it('counts the whole batch as failed when a notifier throws something else', async () => {
    // Prepare
    const broken = new ScriptedNotifier(new TypeError('cannot read properties of undefined'));

    // Act
    const error = await new MultiNotifier([broken, new ScriptedNotifier()])
      .send(batch)
      .catch((e: unknown) => e);

    // Assess
    expect((error as NotifierError).failed).toEqual(['g-1', 'g-2', 'g-3']);
    expect((error as Error).cause).toBeInstanceOf(TypeError);
  });

  it('does nothing with no notifiers', async () => {
    // Act & Assess
    await expect(new MultiNotifier([]).send(batch)).resolves.toBeUndefined();
  });
});
