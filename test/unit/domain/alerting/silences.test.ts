import {
  createSilence,
  expireSilence,
  gcSilences,
  listSilences,
  parsePostableSilence,
  SilenceNotFoundError,
  SilenceValidationError,
  silencedBy,
} from '../../../../lambdas/domain/alerting/silences';
import { BadRequestError } from '../../../../lambdas/domain/errors';

const NOW = Date.parse('2024-05-01T12:00:00Z');
const HOUR = 3_600_000;
const body = (over: Record<string, unknown> = {}): Record<string, unknown> => ({
  matchers: [{ name: 'alertname', value: 'HighLatency', isRegex: false, isEqual: true }],
  startsAt: '2024-05-01T12:00:00Z',
  endsAt: '2024-05-01T14:00:00Z',
  createdBy: 'alice',
  comment: 'deploy window',
  ...over,
});
let ids = 0;
const newId = (): string => `id-${++ids}`;

describe('Function: parsePostableSilence', () => {
  it.each([
    [body({ matchers: [] }), 'invalid silence: at least one matcher required'],
    [
      body({ matchers: [{ name: 'a', value: '.*', isRegex: true }] }),
      'invalid silence: at least one matcher must not match the empty string',
    ],
    [
      body({ matchers: [{ name: 'a-b', value: 'x', isRegex: false }] }),
      'invalid silence: invalid label matcher 0: invalid label name "a-b"',
    ],
    [
      body({ matchers: [{ name: 'a', value: '(', isRegex: true }] }),
      'invalid silence: invalid label matcher 0: invalid regular expression "("',
    ],
    [
      body({ endsAt: '2024-05-01T12:00:00Z' }),
      'invalid silence: start time must be before end time',
    ],
    [body({ startsAt: 'tomorrow' }), 'invalid silence: startsAt must be an RFC 3339 timestamp'],
    [body({ createdBy: '' }), 'invalid silence: createdBy is required'],
    ['nope', 'silence must be a JSON object'],
  ])('rejects an invalid body (%#)', (input, message) => {
    // Act
    const act = (): unknown => parsePostableSilence(input);

    // Assess
    expect(act).toThrow(SilenceValidationError);
    expect(act).toThrow(BadRequestError);
    expect(act).toThrow(message);
  });
});

describe('Function: createSilence', () => {
  it('creates a silence and lists it in API v2 shape', () => {
    // Act
    const { silences, silenceID } = createSilence([], body(), NOW, () => 'abc');

    // Assess
    expect(silenceID).toBe('abc');
    expect(listSilences(silences, NOW)).toEqual([
      {
        id: 'abc',
        status: { state: 'active' },
        updatedAt: '2024-05-01T12:00:00Z',
        matchers: [{ name: 'alertname', value: 'HighLatency', isRegex: false, isEqual: true }],
        startsAt: '2024-05-01T12:00:00Z',
        endsAt: '2024-05-01T14:00:00Z',
        createdBy: 'alice',
        comment: 'deploy window',
      },
    ]);
  });

  it('refuses an end time in the past and an unknown id', () => {
    // Act & Assess
    expect(() =>
      createSilence(
        [],
        body({ startsAt: '2024-05-01T09:00:00Z', endsAt: '2024-05-01T10:00:00Z' }),
        NOW,
        newId,
      ),
    ).toThrow("end time can't be in the past");
    expect(() => createSilence([], body({ id: 'nope' }), NOW, newId)).toThrow(SilenceNotFoundError);
  });

  it('updates an active silence in place when only its end changes', () => {
    // Prepare
    const first = createSilence([], body(), NOW, () => 's1');

    // Act
    const second = createSilence(
      first.silences,
      body({ id: 's1', endsAt: '2024-05-01T16:00:00Z' }),
      NOW + HOUR,
      newId,
    );

    // Assess
    expect(second.silenceID).toBe('s1');
    expect(second.silences).toHaveLength(1);
    expect(second.silences[0]?.endsAtMs).toBe(NOW + 4 * HOUR);
  });

  it('expires the old silence and creates a new one when the matchers change', () => {
    // Prepare
    const first = createSilence([], body(), NOW, () => 's1');

    // Act
    const second = createSilence(
      first.silences,
      body({ id: 's1', matchers: [{ name: 'job', value: 'api', isRegex: false }] }),
      NOW + HOUR,
      () => 's2',
    );

    // Assess
    expect(second.silenceID).toBe('s2');
    expect(
      listSilences(second.silences, NOW + HOUR + 1).map((s) => [s.id, s.status.state]),
    ).toEqual([
      ['s2', 'active'],
      ['s1', 'expired'],
    ]);
  });
});

describe('Function: expireSilence', () => {
  it('expires active and pending silences, idempotently, and unmutes', () => {
    // Prepare
    const a = createSilence([], body(), NOW, () => 'active').silences;
    const both = createSilence(
      a,
      body({ startsAt: '2024-05-01T13:00:00Z', endsAt: '2024-05-01T15:00:00Z' }),
      NOW,
      () => 'pending',
    ).silences;
    const labels = { alertname: 'HighLatency', instance: 'api-1' };
    expect(silencedBy(labels, both, NOW + 1)).toEqual(['active']);

    // Act
    let after = expireSilence(both, 'active', NOW + 1);
    after = expireSilence(after, 'pending', NOW + 1);
    const again = expireSilence(after, 'active', NOW + 2);

    // Assess
    expect(again).toEqual(after);
    expect(silencedBy(labels, after, NOW + 2)).toEqual([]);
    expect(listSilences(after, NOW + 2).map((s) => s.status.state)).toEqual(['expired', 'expired']);
    expect(() => expireSilence(after, 'missing', NOW)).toThrow(SilenceNotFoundError);
  });
});

describe('Function: listSilences and gcSilences', () => {
  it('orders active, pending, expired; filters like the API; drops old expired silences', () => {
    // Prepare
    let s = createSilence([], body({ endsAt: '2024-05-01T18:00:00Z' }), NOW, () => 'late').silences;
    s = createSilence(
      s,
      body({ matchers: [{ name: 'job', value: 'api', isRegex: false }] }),
      NOW,
      () => 'soon',
    ).silences;
    s = createSilence(
      s,
      body({ startsAt: '2024-05-02T00:00:00Z', endsAt: '2024-05-02T01:00:00Z' }),
      NOW,
      () => 'pend',
    ).silences;

    // Act
    const all = listSilences(s, NOW + 1).map((x) => x.id);
    const filtered = listSilences(s, NOW + 1, [{ name: 'job', op: '=', value: 'api' }]).map(
      (x) => x.id,
    );
    const kept = gcSilences(s, NOW + 2 * HOUR + 121 * HOUR).map((x) => x.id);

    // Assess
    expect(all).toEqual(['soon', 'late', 'pend']);
    expect(filtered).toEqual(['soon']);
    expect(kept).toEqual(['late', 'pend']);
  });
});
