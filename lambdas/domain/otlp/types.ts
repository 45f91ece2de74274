/**
 * The decoded OTLP messages, as protobufjs hands them over and as ./protobuf.ts reads them (field
 * names in lowerCamelCase; 64-bit integers as `Long`s or `Int64Value`s, which have the same fields
 * and methods; a field left at its proto3 default is unset, so read it with `??`).
 * @see https://github.com/open-telemetry/opentelemetry-proto (./proto)
 */

/** A 64-bit integer as protobufjs reads it. */
export type Int64 = number | string | { toNumber(): number; toString(): string };

export interface AnyValue {
  readonly stringValue?: string;
  readonly boolValue?: boolean;
  readonly intValue?: Int64;
  readonly doubleValue?: number;
  readonly arrayValue?: { readonly values?: readonly AnyValue[] } | null;
  readonly kvlistValue?: { readonly values?: readonly KeyValue[] } | null;
  readonly bytesValue?: Uint8Array;
}

export interface KeyValue {
  /** Unset when empty. */
  readonly key?: string;
  readonly value?: AnyValue | null;
}

export interface Resource {
  readonly attributes?: readonly KeyValue[];
}

export interface InstrumentationScope {
  readonly name?: string;
  readonly version?: string;
}

export interface NumberDataPoint {
  readonly attributes?: readonly KeyValue[];
  readonly startTimeUnixNano?: Int64;
  readonly timeUnixNano?: Int64;
  readonly asDouble?: number;
  readonly asInt?: Int64;
  readonly flags?: number;
}

export interface HistogramDataPoint {
  readonly attributes?: readonly KeyValue[];
  readonly timeUnixNano?: Int64;
  readonly count?: Int64;
  readonly sum?: number;
  readonly bucketCounts?: readonly Int64[];
  readonly explicitBounds?: readonly number[];
  readonly flags?: number;
}

export interface SummaryDataPoint {
  readonly attributes?: readonly KeyValue[];
  readonly timeUnixNano?: Int64;
  readonly count?: Int64;
  readonly sum?: number;
  readonly quantileValues?: readonly { readonly quantile?: number; readonly value?: number }[];
  readonly flags?: number;
}

export interface Metric {
  readonly name?: string;
  readonly description?: string;
  readonly unit?: string;
  readonly gauge?: { readonly dataPoints?: readonly NumberDataPoint[] } | null;
  readonly sum?: {
    readonly dataPoints?: readonly NumberDataPoint[];
    readonly aggregationTemporality?: number;
    readonly isMonotonic?: boolean;
  } | null;
  readonly histogram?: {
    readonly dataPoints?: readonly HistogramDataPoint[];
    readonly aggregationTemporality?: number;
  } | null;
  readonly exponentialHistogram?: {
    readonly dataPoints?: readonly unknown[];
    readonly aggregationTemporality?: number;
  } | null;
  readonly summary?: { readonly dataPoints?: readonly SummaryDataPoint[] } | null;
}

export interface ExportMetricsServiceRequest {
  readonly resourceMetrics?: readonly {
    readonly resource?: Resource | null;
    readonly scopeMetrics?: readonly {
      readonly scope?: InstrumentationScope | null;
      readonly metrics?: readonly Metric[];
    }[];
  }[];
}

export interface LogRecord {
  readonly timeUnixNano?: Int64;
  readonly observedTimeUnixNano?: Int64;
  readonly severityNumber?: number;
  readonly severityText?: string;
  readonly body?: AnyValue | null;
  readonly attributes?: readonly KeyValue[];
  readonly flags?: number;
  readonly traceId?: Uint8Array;
  readonly spanId?: Uint8Array;
  readonly eventName?: string;
}

export interface ExportLogsServiceRequest {
  readonly resourceLogs?: readonly {
    readonly resource?: Resource | null;
    readonly scopeLogs?: readonly {
      readonly scope?: InstrumentationScope | null;
      readonly logRecords?: readonly LogRecord[];
    }[];
  }[];
}

/** `AggregationTemporality` (metrics.proto). */
export const Temporality = { Unspecified: 0, Delta: 1, Cumulative: 2 } as const;

/** `DataPointFlags.FLAG_NO_RECORDED_VALUE_MASK` (metrics.proto). */
export const FLAG_NO_RECORDED_VALUE = 1;
