/**
 * OTLP/JSON request bodies → messages, with protobufjs's ProtoJSON reader over `otlp-schema.ts`.
 * Loaded by `decode.ts` on the first JSON request only: a function that reads protobuf bodies
 * never loads protobufjs.
 *
 * OTLP/JSON is ProtoJSON with three differences the spec makes: `traceId` and `spanId` are hex,
 * not base64; enums are integers (ProtoJSON readers accept them); unknown fields are ignored.
 * Field names in lowerCamelCase or as in the .proto are both read.
 * @see https://opentelemetry.io/docs/specs/otlp/#json-protobuf-encoding
 */
import protojson from 'protobufjs/ext/protojson.js';
import protobuf from 'protobufjs/light.js';
import { BadRequestError } from '../errors';
import { OTLP_SCHEMA } from './otlp-schema';
import type { ExportLogsServiceRequest, ExportMetricsServiceRequest } from './types';

type Signal = 'metrics' | 'logs';
const OTEL = OTLP_SCHEMA.nested.opentelemetry.nested.proto.nested;
const PKG = 'opentelemetry.proto.collector';

/** The descriptor of one signal's messages and `google.rpc.Status`. */
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

interface SignalTypes {
  readonly request: protobuf.Type;
  readonly response: protobuf.Type;
  readonly status: protobuf.Type;
}

const signalTypes = (signal: Signal, prefix: 'Metrics' | 'Logs'): SignalTypes => {
  const root = protobuf.Root.fromJSON(signalSchema(signal));
  return {
    request: root.lookupType(`${PKG}.${signal}.v1.Export${prefix}ServiceRequest`),
    response: root.lookupType(`${PKG}.${signal}.v1.Export${prefix}ServiceResponse`),
    status: root.lookupType('google.rpc.Status'),
  };
};

// Built on first use: a function builds the reflection types of its own signal only.
let metricsTypes: SignalTypes | undefined;
let logsTypes: SignalTypes | undefined;
const metrics = () => {
  metricsTypes ??= signalTypes('metrics', 'Metrics');
  return metricsTypes;
};
const logs = () => {
  logsTypes ??= signalTypes('logs', 'Logs');
  return logsTypes;
};

/** The reflection types, for tests and benchmarks that build requests and read responses. */
const otlpTypes = {
  get metricsRequest() {
    return metrics().request;
  },
  get metricsResponse() {
    return metrics().response;
  },
  get logsRequest() {
    return logs().request;
  },
  get logsResponse() {
    return logs().response;
  },
  get status() {
    return metrics().status;
  },
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

const decode = (type: protobuf.Type, body: Uint8Array, what: string) => {
  try {
    const json: unknown = JSON.parse(Buffer.from(body).toString('utf8'));
    hexIdsToBase64(json, 0);
    return protojson.fromJson(type, json, { ignoreUnknownFields: true });
  } catch (e) {
    if (e instanceof BadRequestError)
      throw new BadRequestError(`invalid OTLP ${what}: ${e.message}`);
    // ProtoJSON throws plain Errors (wrong JSON types); a body nested past the stack throws
    // RangeError: all of them mean a malformed body.
    const msg = e instanceof Error ? e.message : String(e);
    throw new BadRequestError(`malformed OTLP ${what} body (OTLP/JSON): ${msg}`, [], {
      cause: e,
    });
  }
};

/** An OTLP/JSON `ExportMetricsServiceRequest`; {@link BadRequestError} (400) when malformed. */
const decodeMetricsJson = (body: Uint8Array) =>
  decode(metrics().request, body, 'metrics') as unknown as ExportMetricsServiceRequest;

/** An OTLP/JSON `ExportLogsServiceRequest`; {@link BadRequestError} (400) when malformed. */
const decodeLogsJson = (body: Uint8Array) =>
  decode(logs().request, body, 'logs') as unknown as ExportLogsServiceRequest;

export { decodeLogsJson, decodeMetricsJson, otlpTypes };
