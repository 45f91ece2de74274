/**
 * Builds remote_write 1.0 requests the way Prometheus sends them, for handler tests, local smoke
 * tests and benchmarks.
 * @see https://prometheus.io/docs/specs/prw/remote_write_spec/ ("Protocol": required headers)
 */
import {
  encodeWriteRequest,
  type RemoteWriteMetadata,
  type RemoteWriteSeriesInput,
  snappyCompress,
} from '../../lambdas/domain/remote-write';

/** The headers a remote_write 1.0 sender MUST send. */
const REMOTE_WRITE_HEADERS = {
  'Content-Encoding': 'snappy',
  'Content-Type': 'application/x-protobuf',
  'User-Agent': 'vigil-test/0.1.0',
  'X-Prometheus-Remote-Write-Version': '0.1.0',
} as const;

/** A snappy-compressed protobuf WriteRequest body for these series (and optional metadata). */
const buildRemoteWriteBody = (
  series: readonly RemoteWriteSeriesInput[],
  metadata: readonly RemoteWriteMetadata[] = [],
): Uint8Array => snappyCompress(encodeWriteRequest(series, metadata));

/** Body and headers of a ready-to-send remote_write request. */
const buildRemoteWriteRequest = (
  series: readonly RemoteWriteSeriesInput[],
  metadata: readonly RemoteWriteMetadata[] = [],
): { body: Uint8Array; headers: Record<string, string> } => ({
  body: buildRemoteWriteBody(series, metadata),
  headers: { ...REMOTE_WRITE_HEADERS },
});

/** The body as base64, as API Gateway hands binary bodies to Lambda (`isBase64Encoded: true`). */
const remoteWriteBodyBase64 = (series: readonly RemoteWriteSeriesInput[]): string =>
  Buffer.from(buildRemoteWriteBody(series)).toString('base64');

export {
  buildRemoteWriteBody,
  buildRemoteWriteRequest,
  REMOTE_WRITE_HEADERS,
  remoteWriteBodyBase64,
};
