/**
 * Turns series into WriteRecords batches: at most 100 records each, as few requests as possible
 * (exactly `ceil(records / 100)`), and as much as possible in `CommonAttributes`.
 *
 * Every series first fills whole batches of its own (one series per batch: dimensions,
 * `MeasureName`, type, unit and version all go to `CommonAttributes`, records carry only `Time`
 * and `MeasureValue`). The remainders of all series are then packed together, in series order;
 * such a mixed batch keeps in `CommonAttributes` what all its records share (the dimensions they
 * have in common, the measure name if there is one) and the rest in each record.
 */
import type { _Record, Dimension } from '@aws-sdk/client-timestream-write';
import type { RejectedSample } from '../../../domain/ports';
import type { Labels } from '../../../domain/series/labels';
import { METRIC_NAME_LABEL, normalizeLabels, seriesKey } from '../../../domain/series/labels';
import type { Sample, Series } from '../../../domain/series/sample';
import { dimensionsOf, formatDouble, SPECIAL_VALUE_DIMENSION, specialValueOf } from './encoding';
import {
  FUTURE_INGESTION_PERIOD_MS,
  MAX_DIMENSION_NAME_BYTES,
  MAX_MEASURE_NAME_BYTES,
  MAX_RECORDS_PER_WRITE,
  MAX_SERIES_DIMENSION_BYTES,
} from './limits';

/** Where a record of a batch came from, so a `RecordIndex` maps back to a series and sample. */
export interface RecordOrigin {
  readonly labels: Labels;
  readonly sample: Sample;
}

/** One WriteRecords request body (without database and table), with the origin of each record. */
export interface WriteBatch {
  readonly commonAttributes: _Record;
  readonly records: _Record[];
  readonly origins: RecordOrigin[];
}

/** What {@link planWrite} produced: the batches, and samples refused before sending. */
export interface WritePlan {
  readonly batches: WriteBatch[];
  readonly rejected: RejectedSample[];
  readonly recordCount: number;
}

interface PreparedSeries {
  readonly labels: Labels;
  readonly measureName: string;
  readonly dimensions: Dimension[];
  readonly samples: Sample[];
}

interface Item {
  readonly series: PreparedSeries;
  readonly sample: Sample;
}

const utf8Bytes = (s: string): number => Buffer.byteLength(s, 'utf8');

/** Why Timestream would refuse every record of this series, or `undefined` when it would not. */
const seriesProblem = (
  measureName: string,
  dimensions: readonly Dimension[],
): string | undefined => {
  if (measureName === '') return 'series has no metric name (__name__)';
  if (utf8Bytes(measureName) > MAX_MEASURE_NAME_BYTES) {
    return `metric name is longer than ${MAX_MEASURE_NAME_BYTES} bytes (Timestream measure name limit)`;
  }
  let total = 0;
  for (const d of dimensions) {
    const name = d.Name ?? '';
    if (utf8Bytes(name) > MAX_DIMENSION_NAME_BYTES) {
      return `label name '${name}' is longer than ${MAX_DIMENSION_NAME_BYTES} bytes as a Timestream dimension name`;
    }
    total += utf8Bytes(name) + utf8Bytes(d.Value ?? '');
  }
  if (total > MAX_SERIES_DIMENSION_BYTES) {
    return `labels take ${total} bytes, more than Timestream's ${MAX_SERIES_DIMENSION_BYTES} bytes of dimensions per series`;
  }
  return undefined;
};

/** Merges series with the same labels and keeps the last sample per timestamp (last write wins). */
const prepare = (
  input: readonly Series[],
  nowMs: number,
  rejected: RejectedSample[],
): PreparedSeries[] => {
  const byKey = new Map<string, { labels: Labels; samples: Map<number, Sample> }>();
  for (const s of input) {
    const labels = normalizeLabels(s.labels);
    const key = seriesKey(labels);
    let entry = byKey.get(key);
    if (!entry) {
      entry = { labels, samples: new Map() };
      byKey.set(key, entry);
    }
    for (const sample of s.samples) {
      const t = Math.trunc(sample.t);
      entry.samples.set(t, t === sample.t ? sample : { t, v: sample.v });
    }
  }
  const out: PreparedSeries[] = [];
  for (const { labels, samples } of byKey.values()) {
    const measureName = labels[METRIC_NAME_LABEL] ?? '';
    const dimensions = dimensionsOf(labels);
    const problem = seriesProblem(measureName, dimensions);
    const kept: Sample[] = [];
    for (const sample of samples.values()) {
      if (problem) rejected.push({ labels, sample, reason: problem });
      else if (sample.t > nowMs + FUTURE_INGESTION_PERIOD_MS) {
        rejected.push({
          labels,
          sample,
          reason:
            'timestamp is more than 15 minutes in the future (Timestream future ingestion period)',
        });
      } else kept.push(sample);
    }
    kept.sort((a, b) => a.t - b.t);
    if (kept.length > 0) out.push({ labels, measureName, dimensions, samples: kept });
  }
  return out;
};

/** The record of one sample, with the fields `CommonAttributes` does not already carry. */
const recordOf = (item: Item, commonDims: ReadonlySet<string>, sharedName: boolean): _Record => {
  const special = specialValueOf(item.sample.v);
  const dims: Dimension[] = item.series.dimensions.filter((d) => !commonDims.has(d.Name ?? ''));
  if (special) dims.push({ Name: SPECIAL_VALUE_DIMENSION, Value: special });
  const record: _Record = {};
  if (dims.length > 0) record.Dimensions = dims;
  if (!sharedName) record.MeasureName = item.series.measureName;
  record.MeasureValue = special ? '0' : formatDouble(item.sample.v);
  record.Time = String(item.sample.t);
  return record;
};

const batchOf = (items: readonly Item[], version: number): WriteBatch => {
  const distinct = [...new Set(items.map((i) => i.series))];
  const first = distinct[0] as PreparedSeries;
  const common = first.dimensions.filter((d) =>
    distinct.every((s) => s.dimensions.some((o) => o.Name === d.Name && o.Value === d.Value)),
  );
  const sharedName = distinct.every((s) => s.measureName === first.measureName);
  const commonAttributes: _Record = {};
  if (common.length > 0) commonAttributes.Dimensions = common;
  if (sharedName) commonAttributes.MeasureName = first.measureName;
  commonAttributes.MeasureValueType = 'DOUBLE';
  commonAttributes.TimeUnit = 'MILLISECONDS';
  commonAttributes.Version = version;
  const commonNames = new Set(common.map((d) => d.Name ?? ''));
  return {
    commonAttributes,
    records: items.map((i) => recordOf(i, commonNames, sharedName)),
    origins: items.map((i) => ({ labels: i.series.labels, sample: i.sample })),
  };
};

/**
 * Plans the WriteRecords requests for `input`.
 * @param input series to write (labels need not be normalized; duplicates are merged)
 * @param version the `Version` every record is written with (last write wins)
 * @param nowMs the current time, for the 15-minute future-ingestion limit
 */
const planWrite = (input: readonly Series[], version: number, nowMs: number): WritePlan => {
  const rejected: RejectedSample[] = [];
  const prepared = prepare(input, nowMs, rejected);
  const batches: WriteBatch[] = [];
  const rest: Item[] = [];
  let recordCount = 0;
  for (const series of prepared) {
    recordCount += series.samples.length;
    const whole = series.samples.length - (series.samples.length % MAX_RECORDS_PER_WRITE);
    for (let i = 0; i < whole; i += MAX_RECORDS_PER_WRITE) {
      const chunk = series.samples
        .slice(i, i + MAX_RECORDS_PER_WRITE)
        .map((sample) => ({ series, sample }));
      batches.push(batchOf(chunk, version));
    }
    for (const sample of series.samples.slice(whole)) rest.push({ series, sample });
  }
  for (let i = 0; i < rest.length; i += MAX_RECORDS_PER_WRITE) {
    batches.push(batchOf(rest.slice(i, i + MAX_RECORDS_PER_WRITE), version));
  }
  return { batches, rejected, recordCount };
};

export { planWrite };
