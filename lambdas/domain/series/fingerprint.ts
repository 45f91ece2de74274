import type { Labels } from './labels';

const FNV_OFFSET_64 = 0xcbf29ce484222325n;
const FNV_PRIME_64 = 0x100000001b3n;
const MASK_64 = 0xffffffffffffffffn;
/** `model.SeparatorByte`: never valid UTF-8, so `a=bc` and `ab=c` hash differently. */
const SEPARATOR_BYTE = 0xff;
const utf8 = new TextEncoder();

/**
 * The fingerprint of a label set, as Prometheus's `model.LabelSet.Fingerprint()`: FNV-1a 64 over
 * `name 0xff value 0xff` for every label, names sorted; printed as 16 lower-case hex digits
 * (`model.Fingerprint.String()`, `%016x`). Labels with an empty value are absent and skipped.
 * @see https://github.com/prometheus/common/blob/main/model/signature.go (LabelsToSignature)
 * @example labelsFingerprint({}) // 'cbf29ce484222325'
 */
const labelsFingerprint = (labels: Labels): string => {
  let h = FNV_OFFSET_64;
  const add = (b: number): void => {
    h ^= BigInt(b);
    h = (h * FNV_PRIME_64) & MASK_64;
  };
  for (const name of Object.keys(labels).sort()) {
    const value = labels[name];
    if (value === undefined || value === '') continue;
    for (const b of utf8.encode(name)) add(b);
    add(SEPARATOR_BYTE);
    for (const b of utf8.encode(value)) add(b);
    add(SEPARATOR_BYTE);
  }
  return h.toString(16).padStart(16, '0');
};

export { labelsFingerprint };
