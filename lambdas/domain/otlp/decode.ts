/**
 * OTLP/HTTP request bodies → messages, and responses → bodies, in the request's encoding:
 * binary protobuf (`application/x-protobuf`) or OTLP/JSON (`application/json`).
 *
 * OTLP/JSON is ProtoJSON with three differences the spec makes: `traceId` and `spanId` are hex,
 * not base64; enums are integers (ProtoJSON readers accept them); unknown fields are ignored.
 * Field names in lowerCamelCase or as in the .proto are both read.
 * @see https://opentelemetry.io/docs/specs/otlp/#otlphttp
 * @see https://opentelemetry.io/docs/specs/otlp/#json-protobuf-encoding
 */
import protojson from 'protobufjs/ext/protojson.js';
import protobuf from 'protobufjs/light.js';
import { BadRequestError, UnsupportedMediaTypeError } from '../errors';
import { OTLP_SCHEMA } from './otlp-schema';
import type { ExportLogsServiceRequest, ExportMetricsServiceRequest } from './types';

/** The two encodings of OTLP/HTTP. */
export const OtlpEncoding = { Protobuf: 'protobuf', Json: 'json' } as const;
export type OtlpEncoding = (typeof OtlpEncoding)[keyof typeof OtlpEncoding];

const CONTENT_TYPES: Readonly<Record<OtlpEncoding, string>> = {
  protobuf: 'application/x-protobuf',
  json: 'application/json',
};

type Signal = 'metrics' | 'logs';
const OTEL = OTLP_SCHEMA.nested.opentelemetry.nested.proto.nested;
const PKG = 'opentelemetry.proto.collector';

/**
 * The descriptor of one signal's messages and `google.rpc.Status`: each function builds the
 * reflection types of its own signal only (the unused root is dropped from its bundle).
 */
const signalSchema = (signal: Signal): protobuf.INamespace =>
  ({
    nested: {
      opentelemetry: {
        nested: {
          proto: {
            nested: {
              collector: { nested: { [signal]: OTEL.collector.nested[signal] } },
              [signal]: OTEL[signal],
              common: OTEL.common,
              resource: OTEL.resource,
            },
          },
        },
      },
      google: OTLP_SCHEMA.nested.google,
    },
  }) as protobuf.INamespace;

const signalTypes = (signal: Signal, prefix: 'Metrics' | 'Logs') => {
  const root = protobuf.Root.fromJSON(signalSchema(signal));
  return {
    request: root.lookupType(`${PKG}.${signal}.v1.Export${prefix}ServiceRequest`),
    response: root.lookupType(`${PKG}.${signal}.v1.Export${prefix}ServiceResponse`),
    status: root.lookupType('google.rpc.Status'),
  };
};

const metricsTypes = /* @__PURE__ */ signalTypes('metrics', 'Metrics');
const logsTypes = /* @__PURE__ */ signalTypes('logs', 'Logs');

/** The reflection types, for tests and benchmarks that build requests. */
const types = {
  get metricsRequest() {
    return metricsTypes.request;
  },
  get metricsResponse() {
    return metricsTypes.response;
  },
  get logsRequest() {
    return logsTypes.request;
  },
  get logsResponse() {
    return logsTypes.response;
  },
  get status() {
    return metricsTypes.status;
  },
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

const HEX_ID = /^(?:[0-9a-fA-F]{2})*$/;
const ID_KEYS = new Set(['traceId', 'spanId', 'trace_id', 'span_id']);

/**
 * OTLP/JSON's hex trace and span ids → the base64 ProtoJSON reads for `bytes`; anything else
 * about ids is left for the reader to refuse.
 */
const hexIdsToBase64 = (value: unknown, depth: number): void => {
  if (depth > 64 || typeof value !== 'object' || value === null) return;
  if (Array.isArray(value)) {
    for (const v of value) hexIdsToBase64(v, depth + 1);
    return;
  }
  const obj = value as Record<string, unknown>;
  for (const [k, v] of Object.entries(obj)) {
    if (ID_KEYS.has(k) && typeof v === 'string') {
      if (!HEX_ID.test(v)) throw new BadRequestError(`${k} ${JSON.stringify(v)} is not hex`);
      obj[k] = Buffer.from(v, 'hex').toString('base64');
    } else if (k !== 'attributes' && k !== 'body') hexIdsToBase64(v, depth + 1);
  }
};

const decode = (type: protobuf.Type, body: Uint8Array, encoding: OtlpEncoding, what: string) => {
  try {
    if (encoding === OtlpEncoding.Protobuf) return type.decode(body);
    const json: unknown = JSON.parse(Buffer.from(body).toString('utf8'));
    hexIdsToBase64(json, 0);
    return protojson.fromJson(type, json, { ignoreUnknownFields: true });
  } catch (e) {
    if (e instanceof BadRequestError)
      throw new BadRequestError(`invalid OTLP ${what}: ${e.message}`);
    // protobufjs and ProtoJSON throw plain Errors (truncated input, wrong wire or JSON types);
    // a body nested past the stack throws RangeError: all of them mean a malformed body.
    const msg = e instanceof Error ? e.message : String(e);
    throw new BadRequestError(
      `malformed OTLP ${what} body (${encoding === 'json' ? 'OTLP/JSON' : 'protobuf'}): ${msg}`,
      [],
      { cause: e },
    );
  }
};

/** `ExportMetricsServiceRequest` from a body; {@link BadRequestError} (400) when malformed. */
const decodeMetricsRequest = (body: Uint8Array, encoding: OtlpEncoding) =>
  decode(metricsTypes.request, body, encoding, 'metrics') as unknown as ExportMetricsServiceRequest;

/** `ExportLogsServiceRequest` from a body; {@link BadRequestError} (400) when malformed. */
const decodeLogsRequest = (body: Uint8Array, encoding: OtlpEncoding) =>
  decode(logsTypes.request, body, encoding, 'logs') as unknown as ExportLogsServiceRequest;

const encode = (type: protobuf.Type, message: Record<string, unknown>, encoding: OtlpEncoding) =>
  encoding === OtlpEncoding.Protobuf
    ? Buffer.from(type.encode(type.fromObject(message)).finish())
    : Buffer.from(JSON.stringify(protojson.toJson(type, type.fromObject(message))), 'utf8');

/** What a response carries: the body and its `Content-Type`. */
export interface OtlpResponseBody {
  readonly body: Buffer;
  readonly contentType: string;
}

/**
 * `Export{Metrics,Logs}ServiceResponse`: empty when everything was accepted, else
 * `partial_success` with the count of refused points or records and the reason.
 */
const encodeMetricsResponse = (
  rejected: number,
  message: string,
  encoding: OtlpEncoding,
): OtlpResponseBody => ({
  body: encode(
    metricsTypes.response,
    rejected === 0 && message === ''
      ? {}
      : { partialSuccess: { rejectedDataPoints: rejected, errorMessage: message } },
    encoding,
  ),
  contentType: CONTENT_TYPES[encoding],
});

/** {@link encodeMetricsResponse} for logs: `rejectedLogRecords`. */
const encodeLogsResponse = (
  rejected: number,
  message: string,
  encoding: OtlpEncoding,
): OtlpResponseBody => ({
  body: encode(
    logsTypes.response,
    rejected === 0 && message === ''
      ? {}
      : { partialSuccess: { rejectedLogRecords: rejected, errorMessage: message } },
    encoding,
  ),
  contentType: CONTENT_TYPES[encoding],
});

/** What encodes a `google.rpc.Status`, the body of every OTLP/HTTP error response. */
type StatusEncoder = (code: number, message: string, encoding: OtlpEncoding) => OtlpResponseBody;

const statusBody = (
  status: protobuf.Type,
  code: number,
  message: string,
  encoding: OtlpEncoding,
): OtlpResponseBody => ({
  body: encode(status, { code, message }, encoding),
  contentType: CONTENT_TYPES[encoding],
});

/** `google.rpc.Status` on the metrics types. */
const encodeMetricsStatus: StatusEncoder = (code, message, encoding) =>
  statusBody(metricsTypes.status, code, message, encoding);
/** `google.rpc.Status` on the logs types. */
const encodeLogsStatus: StatusEncoder = (code, message, encoding) =>
  statusBody(logsTypes.status, code, message, encoding);

export type { StatusEncoder };
export {
  decodeLogsRequest,
  decodeMetricsRequest,
  encodeLogsResponse,
  encodeMetricsResponse,
  encodeLogsStatus,
  encodeMetricsStatus,
  otlpEncodingOf,
  types as otlpTypes,
};
