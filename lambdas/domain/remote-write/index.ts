/** Prometheus remote_write 1.0: request classification, decoding, and an encoder for tests. */
export type {
  HttpHeaders,
  RemoteWriteClassification,
} from './content-type';
export {
  assertRemoteWriteV1,
  classifyRemoteWriteRequest,
  REMOTE_WRITE_CONTENT_ENCODING,
  REMOTE_WRITE_CONTENT_TYPE,
  REMOTE_WRITE_V1_PROTO,
  REMOTE_WRITE_V2_PROTO,
} from './content-type';
export type {
  RemoteWriteDecodeOptions,
  RemoteWriteMetadata,
  RemoteWriteMetricType,
  RemoteWriteRequest,
} from './decode';
export { decodeWriteRequest, decodeWriteRequestProto } from './decode';
export type { RemoteWriteSeriesInput } from './encode';
export { encodeWriteRequest, snappyCompress } from './encode';
export { DEFAULT_LABEL_CACHE_ENTRIES, RemoteWriteLabelCache } from './label-cache';
export type { RemoteWriteErrorLocation } from './errors';
export { RemoteWriteDecodeError, RemoteWriteDecodeErrorKind } from './errors';
export { readSnappyPreamble, snappyDecompress } from './snappy';
