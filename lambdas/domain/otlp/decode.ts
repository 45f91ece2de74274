/**
 * OTLP/HTTP request bodies → messages, and responses → bodies, in the request's encoding:
 * binary protobuf (`application/x-protobuf`), read and written by ./protobuf.ts, or OTLP/JSON
 * (`application/json`), read by ./json.ts with protobufjs, which is imported on the first JSON
 * request only. JSON responses are written here.
 * @see https://opentelemetry.io/docs/specs/otlp/#otlphttp
 * @see https://opentelemetry.io/docs/specs/otlp/#json-protobuf-encoding
 */
import { BadRequestError, UnsupportedMediaTypeError } from '../errors';
import {
  decodeLogsProtobuf,
  decodeMetricsProtobuf,
  encodePartialSuccess,
  encodeStatusProtobuf,
} from './protobuf';
import type { ExportLogsServiceRequest, ExportMetricsServiceRequest } from './types';

/** The two encodings of OTLP/HTTP. */
export const OtlpEncoding = { Protobuf: 'protobuf', Json: 'json' } as const;
export type OtlpEncoding = (typeof OtlpEncoding)[keyof typeof OtlpEncoding];

const CONTENT_TYPES: Readonly<Record<OtlpEncoding, string>> = {
  protobuf: 'application/x-protobuf',
  json: 'application/json',
};

/** The body encoding named by a `Content-Type` header; 415 for anything else. */
const otlpEncodingOf = (contentType: string | undefined): OtlpEncoding => {
  const mime = (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  if (mime === CONTENT_TYPES.protobuf) return OtlpEncoding.Protobuf;
  if (mime === CONTENT_TYPES.json) return OtlpEncoding.Json;
  throw new UnsupportedMediaTypeError(
    `Content-Type ${JSON.stringify(contentType ?? '')} is not an OTLP/HTTP encoding: send application/x-protobuf or application/json`,
  );
};

const fromProtobuf = <T>(read: (body: Uint8Array) => T, body: Uint8Array, what: string): T => {
  try {
    return read(body);
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    throw new BadRequestError(`malformed OTLP ${what} body (protobuf): ${msg}`, [], { cause: e });
  }
};

/** `ExportMetricsServiceRequest` from a body; {@link BadRequestError} (400) when malformed. */
const decodeMetricsRequest = async (
  body: Uint8Array,
  encoding: OtlpEncoding,
): Promise<ExportMetricsServiceRequest> =>
  encoding === OtlpEncoding.Protobuf
    ? fromProtobuf(decodeMetricsProtobuf, body, 'metrics')
    : (await import('./json')).decodeMetricsJson(body);

/** `ExportLogsServiceRequest` from a body; {@link BadRequestError} (400) when malformed. */
const decodeLogsRequest = async (
  body: Uint8Array,
  encoding: OtlpEncoding,
): Promise<ExportLogsServiceRequest> =>
  encoding === OtlpEncoding.Protobuf
    ? fromProtobuf(decodeLogsProtobuf, body, 'logs')
    : (await import('./json')).decodeLogsJson(body);

/** What a response carries: the body and its `Content-Type`. */
export interface OtlpResponseBody {
  readonly body: Buffer;
  readonly contentType: string;
}

/** The ProtoJSON of `partial_success`: int64 as a decimal string, defaults left out. */
const partialSuccessJson = (countField: string, rejected: number, message: string) =>
  rejected === 0 && message === ''
    ? {}
    : {
        partialSuccess: {
          ...(rejected !== 0 && { [countField]: String(rejected) }),
          ...(message !== '' && { errorMessage: message }),
        },
      };

const responseBody = (
  countField: string,
  rejected: number,
  message: string,
  encoding: OtlpEncoding,
): OtlpResponseBody => ({
  body:
    encoding === OtlpEncoding.Protobuf
      ? Buffer.from(encodePartialSuccess(rejected, message))
      : Buffer.from(JSON.stringify(partialSuccessJson(countField, rejected, message)), 'utf8'),
  contentType: CONTENT_TYPES[encoding],
});

/**
 * `ExportMetricsServiceResponse`: empty when everything was accepted, else `partial_success`
 * with the count of refused points and the reason.
 */
const encodeMetricsResponse = (
  rejected: number,
  message: string,
  encoding: OtlpEncoding,
): OtlpResponseBody => responseBody('rejectedDataPoints', rejected, message, encoding);

/** {@link encodeMetricsResponse} for logs: `rejectedLogRecords`. */
const encodeLogsResponse = (
  rejected: number,
  message: string,
  encoding: OtlpEncoding,
): OtlpResponseBody => responseBody('rejectedLogRecords', rejected, message, encoding);

/**
 * `google.rpc.Status`, the body of every OTLP/HTTP error response: `code` (a `google.rpc.Code`)
 * and `message`, defaults left out.
 */
const encodeStatus = (code: number, message: string, encoding: OtlpEncoding): OtlpResponseBody => ({
  body:
    encoding === OtlpEncoding.Protobuf
      ? Buffer.from(encodeStatusProtobuf(code, message))
      : Buffer.from(
          JSON.stringify({ ...(code !== 0 && { code }), ...(message !== '' && { message }) }),
          'utf8',
        ),
  contentType: CONTENT_TYPES[encoding],
});

export {
  decodeLogsRequest,
  decodeMetricsRequest,
  encodeLogsResponse,
  encodeMetricsResponse,
  encodeStatus,
  otlpEncodingOf,
};
