import { BadRequestError } from '../errors';

/**
 * What went wrong while decoding a remote_write body.
 * - `snappy`: the body is not a valid snappy block (the framed format is not accepted either).
 * - `protobuf`: the decompressed bytes are not a valid `prometheus.WriteRequest`.
 * - `too_large`: the decompressed size announced by the snappy preamble exceeds the limit.
 * - `unsupported`: valid, but uses a feature Vigil does not store (native histograms).
 * - `invalid_labels`: a series has no `__name__`, an invalid or repeated label name, or a
 *   label value that is not UTF-8 (Prometheus's write handler rejects these too).
 */
export const RemoteWriteDecodeErrorKind = {
  Snappy: 'snappy',
  Protobuf: 'protobuf',
  TooLarge: 'too_large',
  Unsupported: 'unsupported',
  InvalidLabels: 'invalid_labels',
} as const;
export type RemoteWriteDecodeErrorKind =
  (typeof RemoteWriteDecodeErrorKind)[keyof typeof RemoteWriteDecodeErrorKind];

/** Where in the request an error was found. */
export interface RemoteWriteErrorLocation {
  /** Byte offset in the decompressed protobuf (or in the compressed body for `snappy`). */
  readonly offset?: number;
  /** Index of the `TimeSeries` in `WriteRequest.timeseries`. */
  readonly seriesIndex?: number;
}

/**
 * A remote_write body that cannot be accepted. Every kind is the sender's fault, so the request
 * must get a 4xx and must not be retried (remote write spec 1.0, "Retries & Backoff"): it is a
 * {@link BadRequestError} (400), except that handlers should answer `too_large` with 413.
 * @see https://prometheus.io/docs/specs/prw/remote_write_spec/
 */
class RemoteWriteDecodeError extends BadRequestError {
  override readonly name: string = 'RemoteWriteDecodeError';
  readonly kind: RemoteWriteDecodeErrorKind;
  readonly offset?: number;
  readonly seriesIndex?: number;
  constructor(
    kind: RemoteWriteDecodeErrorKind,
    message: string,
    location: RemoteWriteErrorLocation = {},
    options?: ErrorOptions,
  ) {
    super(message, [message], options);
    this.kind = kind;
    if (location.offset !== undefined) this.offset = location.offset;
    if (location.seriesIndex !== undefined) this.seriesIndex = location.seriesIndex;
  }
}

export { RemoteWriteDecodeError };
