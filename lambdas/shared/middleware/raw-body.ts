import { gunzipSync } from 'node:zlib';
import type middy from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { BadRequestError, PayloadTooLargeError } from '../../domain/errors';

/** An API Gateway event whose body has been decoded to bytes. */
export type RawBodyEvent = APIGatewayProxyEvent & { rawBody: Buffer };

interface RawBodyOptions {
  /** Largest accepted body, bytes (after gzip decompression, when `gzip` is on). */
  readonly maxBytes: number;
  /** Decompress `Content-Encoding: gzip` bodies (the Pushgateway API allows them). @default false */
  readonly gzip?: boolean;
}

const defaults = { gzip: false };

/**
 * Decodes `event.body` (base64 when API Gateway marked it binary) into `event.rawBody`, and
 * enforces the body-size limit. Binary formats (remote_write) and text formats share it.
 */
const rawBody = (
  opts: RawBodyOptions,
): middy.MiddlewareObj<RawBodyEvent, APIGatewayProxyResult> => {
  const options = { ...defaults, ...opts };
  const rawBodyBefore: middy.MiddlewareFn<RawBodyEvent, APIGatewayProxyResult> = async (
    request,
  ) => {
    const { event } = request;
    const body = event.body ?? '';
    let buf = event.isBase64Encoded ? Buffer.from(body, 'base64') : Buffer.from(body, 'utf8');
    if (buf.length > options.maxBytes) {
      throw new PayloadTooLargeError(
        `request body is ${buf.length} bytes, more than the limit of ${options.maxBytes}`,
      );
    }
    const encoding = headerValue(event, 'content-encoding')?.toLowerCase();
    if (options.gzip && encoding === 'gzip') {
      try {
        buf = gunzipSync(buf, { maxOutputLength: options.maxBytes });
      } catch (e) {
        const err = e as NodeJS.ErrnoException;
        if (err.code === 'ERR_BUFFER_TOO_LARGE') {
          throw new PayloadTooLargeError(
            `gzip body decompresses to more than the limit of ${options.maxBytes} bytes`,
          );
        }
        throw new BadRequestError(`invalid gzip body: ${err.message}`);
      }
    }
    event.rawBody = buf;
  };
  return { before: rawBodyBefore };
};

/** A request header, case-insensitively (API Gateway keeps the client's case). */
const headerValue = (event: APIGatewayProxyEvent, name: string): string | undefined => {
  const lower = name.toLowerCase();
  for (const [k, v] of Object.entries(event.headers ?? {})) {
    if (k.toLowerCase() === lower && v !== undefined) return v;
  }
  return undefined;
};

export { headerValue, rawBody };
