import { formatFloat } from '../templates/go-float';
import type { AnyValue, Int64, KeyValue } from './types';

/** A 64-bit integer as a number (exact up to 2^53). */
const int64ToNumber = (v: Int64 | undefined | null): number => {
  if (v === undefined || v === null) return 0;
  if (typeof v === 'number') return v;
  if (typeof v === 'string') return Number(v);
  return v.toNumber();
};

/** Nanoseconds since the epoch → whole milliseconds (truncated, as Prometheus does); 0 when unset. */
const nanosToMs = (v: Int64 | undefined | null): number => {
  if (v === undefined || v === null) return 0;
  if (typeof v === 'number') return Math.trunc(v / 1e6);
  if (typeof v === 'object' && 'high' in v && 'low' in v) {
    // A Long: 2^32 = 4294 × 10^6 + 967296, so high × 2^32 + low splits into exact doubles.
    const { high, low } = v as unknown as { high: number; low: number };
    const h = high >>> 0;
    if (h < 0x80000000) return h * 4294 + Math.floor((h * 967296 + (low >>> 0)) / 1e6);
  }
  return Number(BigInt(v.toString()) / 1_000_000n);
};

const has = (o: object, key: string): boolean =>
  Object.hasOwn(o, key) &&
  (o as Record<string, unknown>)[key] !== undefined &&
  (o as Record<string, unknown>)[key] !== null;

/** The JSON form of a value, for arrays and maps. */
const anyValueJson = (v: AnyValue | null | undefined, depth = 0): unknown => {
  if (!v || depth > 32) return null;
  if (has(v, 'stringValue')) return v.stringValue;
  if (has(v, 'boolValue')) return v.boolValue;
  if (has(v, 'intValue')) return int64ToNumber(v.intValue);
  if (has(v, 'doubleValue')) return v.doubleValue;
  if (has(v, 'bytesValue')) return Buffer.from(v.bytesValue as Uint8Array).toString('base64');
  if (has(v, 'arrayValue'))
    return (v.arrayValue?.values ?? []).map((x) => anyValueJson(x, depth + 1));
  if (has(v, 'kvlistValue')) {
    const out: Record<string, unknown> = {};
    for (const kv of v.kvlistValue?.values ?? [])
      out[kv.key ?? ''] = anyValueJson(kv.value, depth + 1);
    return out;
  }
  return null;
};

/**
 * A value as a label value, as pdata's `Value.AsString` writes it: strings as they are, booleans
 * and integers in decimal, doubles in Go's shortest `'f'` form, bytes in base64, arrays and maps
 * as JSON, an empty value as `""`.
 */
const anyValueString = (v: AnyValue | null | undefined): string => {
  if (!v) return '';
  if (has(v, 'stringValue')) return v.stringValue as string;
  if (has(v, 'intValue')) return BigInt(String(v.intValue)).toString();
  if (has(v, 'doubleValue')) return formatFloat(v.doubleValue as number, 'f', -1);
  const json = anyValueJson(v);
  if (json === null) return '';
  return typeof json === 'string' ? json : JSON.stringify(json);
};

/** Attribute key → value string, the last of a repeated key winning. */
const attributeMap = (attrs: readonly KeyValue[] | undefined): Map<string, string> => {
  const out = new Map<string, string>();
  for (const kv of attrs ?? []) out.set(kv.key ?? '', anyValueString(kv.value));
  return out;
};

export { anyValueJson, anyValueString, attributeMap, has, int64ToNumber, nanosToMs };
