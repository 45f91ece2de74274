/**
 * In-memory twins of the log ports (LogSink, EventStore, CounterStore) for the log pipeline's
 * tests: they remember what they were given and can refuse items or fail on demand.
 */
import type { LogEvent } from '../../lambdas/domain/logs/log-event';
import type {
  BatchResult,
  CounterStore,
  EventStore,
  PredictionQuery,
  PredictionRecord,
  RejectedItem,
} from '../../lambdas/domain/ports';
import type { LogSink } from '../../lambdas/domain/logs/log-store';

/** Refuses the events `refuse` returns a reason for; stores the others. */
class InMemoryLogSink implements LogSink {
  readonly stored: LogEvent[] = [];
  calls = 0;
  constructor(
    private readonly refuse: (e: LogEvent) => string | undefined = () => undefined,
    private readonly fail?: Error,
  ) {}

  async put(events: readonly LogEvent[]): Promise<BatchResult> {
    this.calls++;
    if (this.fail) throw this.fail;
    const rejected: RejectedItem[] = [];
    events.forEach((e, index) => {
      const reason = this.refuse(e);
      if (reason === undefined) this.stored.push(e);
      else rejected.push({ index, reason });
    });
    return { accepted: events.length - rejected.length, rejected };
  }
}

class InMemoryEventStore implements EventStore {
  readonly records: PredictionRecord[] = [];
  constructor(
    private readonly refuse: (r: PredictionRecord) => string | undefined = () => undefined,
    private readonly fail?: Error,
  ) {}

  async write(records: readonly PredictionRecord[]): Promise<BatchResult> {
    if (this.fail) throw this.fail;
    const rejected: RejectedItem[] = [];
    records.forEach((r, index) => {
      const reason = this.refuse(r);
      if (reason === undefined) this.records.push(r);
      else rejected.push({ index, reason });
    });
    return { accepted: records.length - rejected.length, rejected };
  }

  async query(query: PredictionQuery): Promise<PredictionRecord[]> {
    return this.records.filter(
      (r) =>
        r.timestampMs >= query.range.startMs &&
        r.timestampMs <= query.range.endMs &&
        (query.service === undefined || r.service === query.service),
    );
  }
}

class InMemoryCounterStore implements CounterStore {
  readonly totals = new Map<string, number>();
  constructor(private readonly fail?: Error) {}

  async add(increments: readonly { key: string; delta: number }[]): Promise<number[]> {
    if (this.fail) throw this.fail;
    return increments.map(({ key, delta }) => {
      const total = (this.totals.get(key) ?? 0) + delta;
      this.totals.set(key, total);
      return total;
    });
  }
}

export { InMemoryCounterStore, InMemoryEventStore, InMemoryLogSink };
