import { BadRequestError } from '../errors';

/**
 * Decodes one percent-encoded URL path segment (`%2F` → `/`, `%E2%9C%93` → `✓`). A `%` not
 * followed by two hex digits, or bytes that are not UTF-8, are the caller's mistake: they become a
 * `BadRequestError` (400) naming `what` was malformed, never the `URIError` of
 * `decodeURIComponent` (which would surface as a 500).
 * @example decodePathSegment('a%2Fb', 'path parameter "id"') // 'a/b'
 */
const decodePathSegment = (raw: string, what: string): string => {
  try {
    return decodeURIComponent(raw);
  } catch {
    throw new BadRequestError(
      `invalid percent-encoding in ${what}: ${JSON.stringify(raw)} (a "%" must start a UTF-8 byte written as two hex digits, e.g. %2F)`,
    );
  }
};

export { decodePathSegment };
