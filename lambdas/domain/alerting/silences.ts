/**
 * Silences, with Alertmanager's semantics and its API v2 shapes (`POST /api/v2/silences` body,
 * `GET /api/v2/silences` items). Pure: the caller stores the list and passes `nowMs` and ids.
 * @see https://github.com/prometheus/alertmanager/blob/main/silence/silence.go
 * @see https://github.com/prometheus/alertmanager/blob/main/api/v2/openapi.yaml
 */
import { BadRequestError } from '../errors';
import { LABEL_NAME_RE, type Labels } from '../series/labels';
import { GO_SYNTAX, RegexEngineNotLoadedError } from '../regex/re2';
import { anchoredRegex, type LabelMatcher, MatchOp } from '../series/matchers';
import { goTimeJSON, parseRfc3339Ms } from './label-set';
import { matchesAll } from './matchers';

/** Key of the silences document (`{ silences: Silence[] }`) in the alert state store. */
const SILENCES_DOC_KEY = 'silences';

/** The silences document. */
interface SilencesDoc {
  readonly silences: readonly Silence[];
}

/** Silence states (`types.SilenceState`). */
const SilenceState = { Active: 'active', Pending: 'pending', Expired: 'expired' } as const;
type SilenceState = (typeof SilenceState)[keyof typeof SilenceState];

/** Alertmanager keeps expired silences for `--data.retention` (default 120h) before GC. */
const SILENCE_RETENTION_MS = 120 * 3_600_000;

/** A stored silence (plain JSON). */
interface Silence {
  readonly id: string;
  readonly matchers: readonly LabelMatcher[];
  readonly startsAtMs: number;
  readonly endsAtMs: number;
  readonly updatedAtMs: number;
  readonly createdBy: string;
  readonly comment: string;
}

/** API v2 matcher (`isEqual` defaults to true). */
interface ApiMatcher {
  readonly name: string;
  readonly value: string;
  readonly isRegex: boolean;
  readonly isEqual?: boolean;
}

/** API v2 `PostableSilence`. */
interface PostableSilence {
  readonly id?: string;
  readonly matchers: readonly ApiMatcher[];
  readonly startsAt: string;
  readonly endsAt: string;
  readonly createdBy: string;
  readonly comment: string;
}

/** API v2 `GettableSilence`. */
interface GettableSilence {
  readonly id: string;
  readonly status: { readonly state: SilenceState };
  readonly updatedAt: string;
  readonly matchers: readonly Required<ApiMatcher>[];
  readonly startsAt: string;
  readonly endsAt: string;
  readonly createdBy: string;
  readonly comment: string;
}

/** A silence request is invalid (maps to 400, like Alertmanager's API). */
class SilenceValidationError extends BadRequestError {
  override readonly name = 'SilenceValidationError';
}

/** No silence has this id (Alertmanager answers 404). */
class SilenceNotFoundError extends Error {
  override readonly name = 'SilenceNotFoundError';
  readonly id: string;
  constructor(id: string, options?: ErrorOptions) {
    super(`silence ${id} not found`, options);
    this.id = id;
  }
}

/** `getState`: pending before `startsAt`, expired strictly after `endsAt`, else active. */
const silenceState = (s: Silence, nowMs: number): SilenceState => {
  if (nowMs < s.startsAtMs) return SilenceState.Pending;
  if (nowMs > s.endsAtMs) return SilenceState.Expired;
  return SilenceState.Active;
};

const toOp = (m: ApiMatcher): LabelMatcher['op'] => {
  const isEqual = m.isEqual ?? true;
  if (m.isRegex) return isEqual ? MatchOp.RegexMatch : MatchOp.RegexNoMatch;
  return isEqual ? MatchOp.Equal : MatchOp.NotEqual;
};

const toApiMatcher = (m: LabelMatcher): Required<ApiMatcher> => ({
  name: m.name,
  value: m.value,
  isRegex: m.op === MatchOp.RegexMatch || m.op === MatchOp.RegexNoMatch,
  isEqual: m.op === MatchOp.Equal || m.op === MatchOp.RegexMatch,
});

/** `matchesEmpty` upstream: `=""`, or a regex that matches the empty string. */
const matchesEmpty = (m: LabelMatcher): boolean =>
  (m.op === MatchOp.Equal && m.value === '') ||
  (m.op === MatchOp.RegexMatch && anchoredRegex(m.value, GO_SYNTAX).matchesFully(''));

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Validates an API v2 `PostableSilence` body (any JSON) and converts it. Messages follow
 * Alertmanager's (`validateSilence`, `validateMatcher`, the v2 POST handler).
 * @throws SilenceValidationError listing every problem in `details`
 */
const parsePostableSilence = (
  body: unknown,
): {
  id?: string;
  matchers: LabelMatcher[];
  startsAtMs: number;
  endsAtMs: number;
  createdBy: string;
  comment: string;
} => {
  if (!isObj(body)) throw new SilenceValidationError('silence must be a JSON object');
  const errs: string[] = [];
  const matchers: LabelMatcher[] = [];
  if (!Array.isArray(body.matchers) || body.matchers.length === 0) {
    errs.push('at least one matcher required');
  } else {
    body.matchers.forEach((m: unknown, i) => {
      if (
        !isObj(m) ||
        typeof m.name !== 'string' ||
        typeof m.value !== 'string' ||
        typeof m.isRegex !== 'boolean' ||
        (m.isEqual !== undefined && typeof m.isEqual !== 'boolean')
      ) {
        errs.push(`invalid label matcher ${i}: needs name, value (strings) and isRegex (boolean)`);
        return;
      }
      const matcher: LabelMatcher = {
        name: m.name,
        value: m.value,
        op: toOp(m as unknown as ApiMatcher),
      };
      if (!LABEL_NAME_RE.test(m.name)) {
        errs.push(`invalid label matcher ${i}: invalid label name ${JSON.stringify(m.name)}`);
        return;
      }
      if (m.isRegex) {
        try {
          anchoredRegex(m.value, GO_SYNTAX);
        } catch (e) {
          if (e instanceof RegexEngineNotLoadedError) throw e;
          errs.push(
            `invalid label matcher ${i}: invalid regular expression ${JSON.stringify(m.value)}`,
          );
          return;
        }
      }
      matchers.push(matcher);
    });
    if (errs.length === 0 && matchers.every(matchesEmpty)) {
      errs.push('at least one matcher must not match the empty string');
    }
  }
  const time = (key: 'startsAt' | 'endsAt'): number => {
    const v = body[key];
    const ms = typeof v === 'string' ? parseRfc3339Ms(v) : undefined;
    if (ms === undefined) errs.push(`${key} must be an RFC 3339 timestamp`);
    return ms ?? Number.NaN;
  };
  const startsAtMs = time('startsAt');
  const endsAtMs = time('endsAt');
  if (!(startsAtMs < endsAtMs) && !Number.isNaN(startsAtMs) && !Number.isNaN(endsAtMs)) {
    errs.push('start time must be before end time');
  }
  for (const key of ['createdBy', 'comment'] as const) {
    if (typeof body[key] !== 'string' || body[key] === '') errs.push(`${key} is required`);
  }
  if (body.id !== undefined && typeof body.id !== 'string') errs.push('id must be a string');
  if (errs.length > 0) throw new SilenceValidationError(`invalid silence: ${errs[0]}`, errs);
  const out = {
    matchers,
    startsAtMs,
    endsAtMs,
    createdBy: body.createdBy as string,
    comment: body.comment as string,
  };
  return typeof body.id === 'string' && body.id !== '' ? { ...out, id: body.id } : out;
};

/** `canUpdate`: same matchers, and only changes that keep the history of what was silenced. */
const canUpdate = (
  a: Silence,
  b: { matchers: readonly LabelMatcher[]; startsAtMs: number; endsAtMs: number },
  nowMs: number,
): boolean => {
  if (JSON.stringify(a.matchers) !== JSON.stringify(b.matchers)) return false;
  switch (silenceState(a, nowMs)) {
    case SilenceState.Active:
      return (
        Math.floor(b.startsAtMs / 1000) === Math.floor(a.startsAtMs / 1000) && b.endsAtMs >= nowMs
      );
    case SilenceState.Pending:
      return b.startsAtMs >= nowMs;
    default:
      return false;
  }
};

const expireOne = (s: Silence, nowMs: number): Silence => {
  switch (silenceState(s, nowMs)) {
    case SilenceState.Active:
      return { ...s, endsAtMs: nowMs, updatedAtMs: nowMs };
    case SilenceState.Pending:
      return { ...s, startsAtMs: nowMs, endsAtMs: nowMs, updatedAtMs: nowMs };
    default:
      return s;
  }
};

/**
 * Creates or updates a silence from a `POST /api/v2/silences` body (`Silences.Set`):
 * - without `id`: a new silence with `newId()`;
 * - with an unknown `id`: {@link SilenceNotFoundError};
 * - with an `id` whose change keeps history (`canUpdate`): updated in place;
 * - otherwise the old silence is expired and a new one created.
 * A new silence never starts in the past: `startsAt` is raised to `nowMs`. A silence ending
 * before `nowMs` is refused ("end time can't be in the past").
 * @returns the new list and `{ silenceID }`, the API's response body
 * @example createSilence([], body, now, () => crypto.randomUUID())
 */
const createSilence = (
  silences: readonly Silence[],
  body: unknown,
  nowMs: number,
  newId: () => string,
): { silences: Silence[]; silenceID: string } => {
  const p = parsePostableSilence(body);
  if (p.endsAtMs < nowMs) {
    throw new SilenceValidationError("invalid silence: end time can't be in the past", [
      "end time can't be in the past",
    ]);
  }
  const prev = p.id === undefined ? undefined : silences.find((s) => s.id === p.id);
  if (p.id !== undefined && prev === undefined) throw new SilenceNotFoundError(p.id);
  if (prev !== undefined && canUpdate(prev, p, nowMs)) {
    const updated: Silence = { ...prev, ...p, id: prev.id, updatedAtMs: nowMs };
    return { silences: silences.map((s) => (s.id === prev.id ? updated : s)), silenceID: prev.id };
  }
  const created: Silence = {
    id: newId(),
    matchers: p.matchers,
    startsAtMs: Math.max(p.startsAtMs, nowMs),
    endsAtMs: p.endsAtMs,
    updatedAtMs: nowMs,
    createdBy: p.createdBy,
    comment: p.comment,
  };
  const kept = silences.map((s) =>
    prev !== undefined && s.id === prev.id ? expireOne(s, nowMs) : s,
  );
  return { silences: [...kept, created], silenceID: created.id };
};

/**
 * Expires a silence now (`DELETE /api/v2/silence/{id}`); idempotent on an expired silence.
 * @throws SilenceNotFoundError
 */
const expireSilence = (silences: readonly Silence[], id: string, nowMs: number): Silence[] => {
  if (!silences.some((s) => s.id === id)) throw new SilenceNotFoundError(id);
  return silences.map((s) => (s.id === id ? expireOne(s, nowMs) : s));
};

/** Drops silences expired for longer than the retention (Alertmanager's GC). */
const gcSilences = (
  silences: readonly Silence[],
  nowMs: number,
  retentionMs = SILENCE_RETENTION_MS,
): Silence[] => silences.filter((s) => s.endsAtMs + retentionMs >= nowMs);

/** One silence in the API's `GettableSilence` shape. */
const toGettableSilence = (s: Silence, nowMs: number): GettableSilence => ({
  id: s.id,
  status: { state: silenceState(s, nowMs) },
  updatedAt: goTimeJSON(s.updatedAtMs),
  matchers: s.matchers.map(toApiMatcher),
  startsAt: goTimeJSON(s.startsAtMs),
  endsAt: goTimeJSON(s.endsAtMs),
  createdBy: s.createdBy,
  comment: s.comment,
});

const STATE_ORDER: Readonly<Record<SilenceState, number>> = { active: 0, pending: 1, expired: 2 };

/**
 * `filter=` of `GET /api/v2/silences` (`CheckSilenceMatchesFilterLabels`): each filter matcher is
 * applied to the pattern of the silence's matcher with the same name, as if it were a label value.
 */
const matchesFilter = (s: Silence, filter: readonly LabelMatcher[]): boolean => {
  const patterns = new Map(s.matchers.map((m) => [m.name, m.value]));
  return filter.every((f) => {
    const v = patterns.get(f.name);
    const negative = f.op === MatchOp.NotEqual || f.op === MatchOp.RegexNoMatch;
    if (f.value === '' && (negative ? v !== undefined : v === undefined)) return true;
    return matchesAll([f], { [f.name]: v ?? '' });
  });
};

/**
 * `GET /api/v2/silences`: active first (soonest end first), then pending (soonest start first),
 * then expired (latest end first), as Alertmanager's `SortSilences`.
 * @param filter matchers of the API's `filter=` parameter
 */
const listSilences = (
  silences: readonly Silence[],
  nowMs: number,
  filter: readonly LabelMatcher[] = [],
): GettableSilence[] =>
  silences
    .filter((s) => matchesFilter(s, filter))
    .map((s) => toGettableSilence(s, nowMs))
    .sort((a, b) => {
      const d = STATE_ORDER[a.status.state] - STATE_ORDER[b.status.state];
      if (d !== 0) return d;
      const ms = (t: string): number => Date.parse(t);
      if (a.status.state === SilenceState.Active) return ms(a.endsAt) - ms(b.endsAt);
      if (a.status.state === SilenceState.Pending) return ms(a.startsAt) - ms(b.startsAt);
      return ms(b.endsAt) - ms(a.endsAt);
    });

/** The ids of active silences whose every matcher matches the labels (`Silencer.Mutes`). */
const silencedBy = (labels: Labels, silences: readonly Silence[], nowMs: number): string[] =>
  silences
    .filter((s) => silenceState(s, nowMs) === SilenceState.Active && matchesAll(s.matchers, labels))
    .map((s) => s.id);

export type { ApiMatcher, GettableSilence, PostableSilence, Silence, SilencesDoc };
export {
  SILENCES_DOC_KEY,
  createSilence,
  expireSilence,
  gcSilences,
  listSilences,
  parsePostableSilence,
  SILENCE_RETENTION_MS,
  SilenceNotFoundError,
  SilenceState,
  SilenceValidationError,
  silencedBy,
  silenceState,
  toGettableSilence,
};
