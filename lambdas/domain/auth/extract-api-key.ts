/**
 * Pure extraction of a Vigil API key from request headers. The authorizer Lambda hands the key to
 * API Gateway as `usageIdentifierKey`; API Gateway itself then checks the key exists, is enabled
 * and belongs to a usage plan of the stage, and applies that plan's throttling and quota.
 */

/** Where a key was found. */
export const ApiKeySource = {
  /** `x-api-key: <key>` (API Gateway's own header, prom-client / curl users). */
  Header: 'x-api-key',
  /** `Authorization: Bearer <key>` (Prometheus `authorization` / `bearer_token`). */
  Bearer: 'bearer',
  /** `Authorization: Basic base64(user:key)` (Prometheus `basic_auth`, prometheus_client's `basic_auth_handler`). */
  Basic: 'basic',
} as const;

export type ApiKeySource = (typeof ApiKeySource)[keyof typeof ApiKeySource];

/** A key and the header form it came in. */
export interface ExtractedApiKey {
  readonly key: string;
  readonly source: ApiKeySource;
}

/** Header map as API Gateway delivers it: names in any case, values possibly absent. */
export type HeaderMap = Readonly<Record<string, string | undefined>> | null | undefined;

/**
 * API Gateway key values are printable ASCII without spaces (generated keys are 40 alphanumeric
 * characters; imported ones must be at least 20 characters). Anything else cannot match a key, so
 * it is rejected here rather than sent on.
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-api-key-source.html
 */
const KEY_PATTERN = /^[\x21-\x7e]+$/;

/** RFC 7235 §2.1: `auth-scheme 1*SP token68`; the scheme is case-insensitive. */
const CREDENTIALS_PATTERN = /^([A-Za-z][A-Za-z0-9!#$%&'*+.^_`|~-]*) +(\S+)\s*$/;

/** Base64 alphabet with optional padding (RFC 4648 §4). */
const BASE64_PATTERN = /^[A-Za-z0-9+/]+={0,2}$/;

/** Looks a header up by name, case-insensitively (RFC 9110 §5.1). Empty values count as absent. */
const findHeader = (headers: HeaderMap, name: string): string | undefined => {
  if (!headers) return undefined;
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() === name && value !== undefined && value.trim() !== '') {
      return value.trim();
    }
  }
  return undefined;
};

const asKey = (candidate: string, source: ApiKeySource): ExtractedApiKey | undefined =>
  KEY_PATTERN.test(candidate) ? { key: candidate, source } : undefined;

/**
 * Decodes Basic credentials and returns the password (RFC 7617 §2: the user-id cannot contain a
 * colon, so the first colon separates it from the password).
 */
const basicPassword = (token: string): string | undefined => {
  if (!BASE64_PATTERN.test(token) || token.length % 4 === 1) return undefined;
  let decoded: string;
  try {
    const binary = atob(token);
    const bytes = Uint8Array.from(binary, (c) => c.charCodeAt(0));
    decoded = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return undefined;
  }
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  const password = decoded.slice(colon + 1);
  return password === '' ? undefined : password;
};

/**
 * Finds the API key in request headers, trying in order:
 * 1. `x-api-key: <key>`;
 * 2. `Authorization: Bearer <key>`;
 * 3. `Authorization: Basic base64(<user>:<key>)` — the password is the key, the user name is ignored.
 *
 * Header names and the auth scheme are case-insensitive. A malformed or empty value yields
 * `undefined` (the authorizer then answers 401); it never throws.
 *
 * @param headers - the request headers, as in API Gateway's REQUEST authorizer event
 * @returns the key and its source, or `undefined` when no usable key is present
 * @example
 * extractApiKey({ Authorization: 'Bearer abcdefghijklmnopqrstuvwxyz' });
 * // → { key: 'abcdefghijklmnopqrstuvwxyz', source: 'bearer' }
 */
const extractApiKey = (headers: HeaderMap): ExtractedApiKey | undefined => {
  const header = findHeader(headers, 'x-api-key');
  if (header !== undefined) return asKey(header, ApiKeySource.Header);

  const authorization = findHeader(headers, 'authorization');
  if (authorization === undefined) return undefined;
  const match = CREDENTIALS_PATTERN.exec(authorization);
  if (!match) return undefined;
  const scheme = match[1].toLowerCase();
  const token = match[2];
  if (scheme === 'bearer') return asKey(token, ApiKeySource.Bearer);
  if (scheme === 'basic') {
    const password = basicPassword(token);
    return password === undefined ? undefined : asKey(password, ApiKeySource.Basic);
  }
  return undefined;
};

/**
 * Widens an authorizer `methodArn` to every method and path of the same stage
 * (`arn:aws:execute-api:<region>:<account>:<api-id>/<stage>/*`), so a returned policy is valid for
 * the whole API should caching ever be turned on.
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-control-access-using-iam-policies-to-invoke-api.html
 *
 * @param methodArn - `arn:aws:execute-api:<region>:<account>:<api-id>/<stage>/<METHOD>/<path>`
 * @returns the stage-wide ARN, or `methodArn` unchanged if it does not have that shape
 * @example
 * stageWildcardArn('arn:aws:execute-api:eu-west-1:123456789012:abc123/prod/GET/health');
 * // → 'arn:aws:execute-api:eu-west-1:123456789012:abc123/prod/*'
 */
const stageWildcardArn = (methodArn: string): string => {
  const parts = methodArn.split('/');
  if (parts.length < 3 || !parts[0].startsWith('arn:') || parts[1] === '') return methodArn;
  return `${parts[0]}/${parts[1]}/*`;
};

export { extractApiKey, stageWildcardArn };
