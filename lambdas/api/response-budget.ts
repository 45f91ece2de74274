/**
 * A size budget for response bodies, charged piece by piece while a body is encoded, so an
 * oversized result is refused as soon as it passes the limit instead of after a 50 MB string has
 * been built and measured.
 *
 * What is counted: the bytes the body takes inside the JSON document a Lambda function returns
 * to API Gateway (`{"statusCode":200,"headers":{…},"body":"…"}`). Vigil's bodies are text and
 * travel unencoded (`isBase64Encoded` is never set on a response, so the API's `*` + `/*` binary
 * media types do not apply to them), but inside that document the body is a JSON string: every
 * `"` and `\` takes two bytes, a newline two, other control characters six, and non-ASCII
 * characters their UTF-8 length. That is the size Lambda's 6 MB synchronous response payload
 * limits; a larger response fails the invocation and API Gateway answers 502.
 * Local mode counts the same way, so a request refused on AWS is refused locally too.
 * @see https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html (invocation payload, 6 MB per synchronous response)
 * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-payload-encodings.html (proxy responses are binary only when base64-encoded by the function)
 * @see https://repost.aws/knowledge-center/malformed-502-api-gateway (a failed Lambda invocation is a 502)
 */
import { ResponseTooLargeError } from '../domain/errors';

/**
 * Bytes `text` takes as part of a JSON string (without the enclosing quotes), UTF-8 encoded, as
 * `JSON.stringify` writes it: `"` `\` `\b` `\f` `\n` `\r` `\t` → 2, other C0 controls and lone
 * surrogates → 6 (`\u00XX`), a surrogate pair → 4.
 *
 * @param text - any string
 * @example jsonStringBytes('a"b') // 4
 */
const jsonStringBytes = (text: string): number => {
  let n = 0;
  const len = text.length;
  for (let i = 0; i < len; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0x20 && c < 0x7f) n += c === 0x22 || c === 0x5c ? 2 : 1;
    else if (c < 0x20) n += c === 8 || c === 9 || c === 10 || c === 12 || c === 13 ? 2 : 6;
    else if (c < 0x800) n += c === 0x7f ? 1 : 2;
    else if (c >= 0xd800 && c <= 0xdbff) {
      const next = i + 1 < len ? text.charCodeAt(i + 1) : 0;
      if (next >= 0xdc00 && next <= 0xdfff) {
        n += 4;
        i++;
      } else n += 6;
    } else if (c >= 0xdc00 && c <= 0xdfff) n += 6;
    else n += 3;
  }
  return n;
};

/** What the refusal tells the caller to do, per endpoint. */
export const ResponseHint = {
  Query: 'narrow the selector, aggregate (sum by, topk) or use the limit parameter',
  QueryRange:
    'narrow the selector, aggregate (sum by, topk), query a shorter range or use a larger step',
  Series: 'narrow the match[] selectors or the start/end range',
  Labels: 'add match[] selectors or narrow the start/end range',
  Federate: 'narrow the match[] selectors',
} as const;
export type ResponseHint = (typeof ResponseHint)[keyof typeof ResponseHint];

/**
 * Counts the bytes of a body as it is encoded and throws `ResponseTooLargeError` (422
 * `execution`) as soon as they pass `maxBytes`. Encoders call `add` for every piece they append,
 * and `progress` before each item, so the refusal can say how far encoding got.
 */
class ResponseBudget {
  readonly maxBytes: number;
  readonly #hint: ResponseHint;
  #used = 0;
  #done = 0;
  #total = 0;
  #unit = '';

  /**
   * @param maxBytes - `limits.maxResponseBytes`
   * @param hint - what to do about a refusal, named in its message
   */
  constructor(maxBytes: number, hint: ResponseHint) {
    this.maxBytes = maxBytes;
    this.#hint = hint;
  }

  /** Bytes charged so far. */
  get usedBytes(): number {
    return this.#used;
  }

  /** Records that `done` of `total` items (`unit`: series, samples, label names…) are encoded. */
  progress(done: number, total: number, unit: string): void {
    this.#done = done;
    this.#total = total;
    this.#unit = unit;
  }

  /**
   * Charges a piece of the body.
   * @throws ResponseTooLargeError when the body passes `maxBytes`
   */
  add(piece: string): void {
    this.#used += jsonStringBytes(piece);
    if (this.#used > this.maxBytes) {
      const progress =
        this.#total > 0 ? ` after ${this.#done} of ${this.#total} ${this.#unit}` : '';
      throw new ResponseTooLargeError(
        `response larger than the limit of ${this.maxBytes} bytes (limits.maxResponseBytes)${progress}: ${this.#hint}`,
        this.maxBytes,
      );
    }
  }
}

export { jsonStringBytes, ResponseBudget };
