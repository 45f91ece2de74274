import type { Notifier } from '../../lambdas/domain/alerting/notifier';
import type { Notification } from '../../lambdas/domain/alerting/types';
import type { AlertStateStore } from '../../lambdas/domain/ports';

/**
 * The alert state port in memory, with the DynamoDB adapter's semantics: a save succeeds only on
 * the version it read, and documents round-trip through JSON.
 */
export class MemoryAlertStateStore implements AlertStateStore {
  readonly docs = new Map<string, { state: unknown; version: number }>();
  /** Called once before the next save, to simulate another run saving first. */
  beforeSave?: (key: string) => void;

  async load(key: string) {
    const d = this.docs.get(key);
    return d === undefined ? undefined : { state: structuredClone(d.state), version: d.version };
  }

  async save(key: string, state: unknown, expectedVersion: number) {
    const hook = this.beforeSave;
    this.beforeSave = undefined;
    hook?.(key);
    const current = this.docs.get(key)?.version ?? 0;
    if (current !== expectedVersion) return false;
    this.docs.set(key, { state: JSON.parse(JSON.stringify(state)), version: current + 1 });
    return true;
  }
}

/** A notifier that records what it is sent, or fails while `failing` is set. */
export class RecordingNotifier implements Notifier {
  readonly sent: Notification[] = [];
  failing = false;
  async send(notifications: readonly Notification[]) {
    if (this.failing) throw new Error('topic unreachable');
    this.sent.push(...notifications);
  }
}
