import {
  type FetchFn,
  MAX_RETRY_AFTER_MS,
  parseRetryAfter,
  WebhookNotifier,
} from '../../../../lambdas/adapters/notifiers/webhook-notifier';
import { NotifierError } from '../../../../lambdas/domain/errors';
import { firingNotification } from './notification-fixture';

const URL = 'http://127.0.0.1:9099/alerts';
const NOW_MS = Date.UTC(2024, 4, 1, 12, 0, 0);

interface Call {
  readonly url: string;
  readonly init: RequestInit;
}

/** A fetch stub answering with the given responses in turn (the last one repeats). */
const fetchStub = (answers: readonly (Response | Error)[]): { fetch: FetchFn; calls: Call[] } => {
  const calls: Call[] = [];
  const fetch: FetchFn = async (url, init) => {
    const answer = answers[Math.min(calls.length, answers.length - 1)] as Response | Error;
    calls.push({ url, init });
    if (!(answer instanceof Response)) throw answer;
    return answer;
  };
  return { fetch, calls };
};

const notifier = (fetch: FetchFn, sleeps: number[] = []): WebhookNotifier =>
  new WebhookNotifier({
    url: URL,
    fetch,
    headers: { Authorization: 'Bearer local-test' },
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    now: () => NOW_MS,
  });

describe('Class: WebhookNotifier', () => {
  describe('Method: send', () => {
    it('POSTs the webhook payload as JSON with the configured headers', async () => {
      // Prepare
      const n = firingNotification(2);
      const { fetch, calls } = fetchStub([new Response('ok', { status: 200 })]);

      // Act
      await notifier(fetch).send([n]);

      // Assess
      expect(calls).toHaveLength(1);
      expect(calls[0]?.url).toBe(URL);
      expect(calls[0]?.init.method).toBe('POST');
      expect(calls[0]?.init.headers).toEqual({
        'Content-Type': 'application/json',
        Authorization: 'Bearer local-test',
      });
      expect(JSON.parse(calls[0]?.init.body as string)).toEqual(n.payload);
      expect(calls[0]?.init.signal).toBeInstanceOf(AbortSignal);
    });

    it('retries 5xx with doubling backoff', async () => {
      // Prepare
      const sleeps: number[] = [];
      const { fetch, calls } = fetchStub([
        new Response('upstream down', { status: 502 }),
        new Response('still down', { status: 500 }),
        new Response(null, { status: 204 }),
      ]);

      // Act
      await notifier(fetch, sleeps).send([firingNotification(1)]);

      // Assess
      expect(calls).toHaveLength(3);
      expect(sleeps).toEqual([500, 1000]);
    });

    it('waits for Retry-After on 429, in seconds or as an HTTP date', async () => {
      // Prepare
      const sleeps: number[] = [];
      const { fetch, calls } = fetchStub([
        new Response('slow down', { status: 429, headers: { 'Retry-After': '3' } }),
        new Response('slow down', {
          status: 429,
          headers: { 'Retry-After': new Date(NOW_MS + 7000).toUTCString() },
        }),
        new Response('ok', { status: 200 }),
      ]);

      // Act
      await notifier(fetch, sleeps).send([firingNotification(1)]);

      // Assess
      expect(calls).toHaveLength(3);
      expect(sleeps).toEqual([3000, 7000]);
    });

    it('retries network failures and timeouts', async () => {
      // Prepare
      const timeout = new DOMException('The operation was aborted due to timeout', 'TimeoutError');
      const { fetch, calls } = fetchStub([
        new TypeError('fetch failed'),
        timeout,
        new Response('ok', { status: 200 }),
      ]);

      // Act
      const sleeps: number[] = [];
      await notifier(fetch, sleeps).send([firingNotification(1)]);

      // Assess
      expect(calls).toHaveLength(3);
      expect(sleeps).toEqual([500, 1000]);
    });

    it('does not retry a 4xx other than 429 and quotes the response body', async () => {
      // Prepare
      const { fetch, calls } = fetchStub([
        new Response('invalid_payload', { status: 400 }),
        new Response('ok', { status: 200 }),
      ]);

      // Act
      const error = await notifier(fetch)
        .send([firingNotification(1, { groupKey: 'g-1' })])
        .catch((e: unknown) => e);

      // Assess
      expect(calls).toHaveLength(1);
      expect(error).toBeInstanceOf(NotifierError);
      expect((error as NotifierError).failed).toEqual(['g-1']);
      expect((error as Error).message).toBe(
        `webhook ${URL} failed for 1 of 1 notification(s): g-1: HTTP 400: invalid_payload`,
      );
    });

    it('gives up after the last attempt, naming only the groups that failed', async () => {
      // Prepare
      const sleeps: number[] = [];
      const calls: string[] = [];
      const fetch: FetchFn = async (_url, init) => {
        const groupKey = (JSON.parse(init.body as string) as { groupKey: string }).groupKey;
        calls.push(groupKey);
        return groupKey === 'g-bad'
          ? new Response('timeout talking to backend', { status: 503 })
          : new Response('ok', { status: 200 });
      };

      // Act
      const error = await notifier(fetch, sleeps)
        .send([
          firingNotification(1, { groupKey: 'g-good' }),
          firingNotification(1, { groupKey: 'g-bad' }),
        ])
        .catch((e: unknown) => e);

      // Assess
      expect((error as NotifierError).failed).toEqual(['g-bad']);
      expect((error as Error).message).toContain('g-bad: HTTP 503: timeout talking to backend');
      expect(calls.filter((k) => k === 'g-bad')).toHaveLength(4);
      expect(calls.filter((k) => k === 'g-good')).toHaveLength(1);
      expect(sleeps).toEqual([500, 1000, 2000]);
    });

    it('sends nothing for an empty batch', async () => {
      // Prepare
      const { fetch, calls } = fetchStub([new Response('ok')]);

      // Act
      await notifier(fetch).send([]);

      // Assess
      expect(calls).toHaveLength(0);
    });
  });
});

describe('Function: parseRetryAfter', () => {
  it.each([
    [null, undefined],
    ['0', 0],
    ['12', 12_000],
    ['86400', MAX_RETRY_AFTER_MS],
    ['Wed, 01 May 2024 12:00:05 GMT', 5000],
    ['Wed, 01 May 2024 11:00:00 GMT', 0],
    ['soon', undefined],
    ['1.5', undefined],
    ['-3', undefined],
  ])('reads %p as %p ms', (value, expected) => {
    // Act & Assess
    expect(parseRetryAfter(value, NOW_MS)).toBe(expected);
  });
});
