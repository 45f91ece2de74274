/**
 * Which remote_write requests this receiver reads, decided from the headers alone — as Prometheus's
 * write handler does: `Content-Type: application/x-protobuf` (absent means 1.0, "don't break yolo
 * 1.0 clients"), an optional `proto=` parameter that must name the 1.0 message, and
 * `Content-Encoding: snappy` (absent means snappy). Remote write 2.0 (`io.prometheus.write.v2.Request`)
 * is not accepted: the answer is 415 and a 2.0 sender falls back to 1.0.
 * @see https://github.com/prometheus/prometheus/blob/main/storage/remote/write_handler.go (`parseProtoMsg`, `ServeHTTP`)
 * @see https://prometheus.io/docs/specs/prw/remote_write_spec/ ("Protocol")
 */
import { UnsupportedMediaTypeError } from '../errors';

/** The only media type remote_write uses. */
export const REMOTE_WRITE_CONTENT_TYPE = 'application/x-protobuf';
/** The only content encoding remote_write 1.0 uses (snappy block format). */
export const REMOTE_WRITE_CONTENT_ENCODING = 'snappy';
/** `proto=` value naming the remote_write 1.0 message. */
export const REMOTE_WRITE_V1_PROTO = 'prometheus.WriteRequest';
/** `proto=` value naming the remote_write 2.0 message (not accepted). */
export const REMOTE_WRITE_V2_PROTO = 'io.prometheus.write.v2.Request';

/** What to do with a request: decode it as 1.0, or refuse it as an unsupported media type (415). */
export type RemoteWriteClassification =
  | { readonly action: 'decode'; readonly protoMessage: typeof REMOTE_WRITE_V1_PROTO }
  | { readonly action: 'unsupported'; readonly reason: string };

/** HTTP headers as API Gateway passes them: any case, possibly undefined values. */
export type HttpHeaders = Readonly<Record<string, string | undefined>>;

const header = (headers: HttpHeaders, name: string): string => {
  for (const key of Object.keys(headers)) {
    if (key.toLowerCase() === name) return (headers[key] ?? '').trim();
  }
  return '';
};

const unsupported = (reason: string): RemoteWriteClassification => ({
  action: 'unsupported',
  reason,
});

/**
 * Classifies a remote_write request by its `Content-Type` and `Content-Encoding` headers.
 * Parameters are trimmed and the media type compared case-insensitively (RFC 9110 §8.3.1),
 * slightly more lenient than Prometheus, which compares bytes.
 * @param headers request headers, names in any case.
 * @example
 * classifyRemoteWriteRequest({ 'Content-Type': 'application/x-protobuf', 'Content-Encoding': 'snappy' });
 * // → { action: 'decode', protoMessage: 'prometheus.WriteRequest' }
 */
const classifyRemoteWriteRequest = (headers: HttpHeaders): RemoteWriteClassification => {
  const contentType = header(headers, 'content-type') || REMOTE_WRITE_CONTENT_TYPE;
  const [mediaType = '', ...params] = contentType.split(';');
  if (mediaType.trim().toLowerCase() !== REMOTE_WRITE_CONTENT_TYPE) {
    return unsupported(
      `expected ${REMOTE_WRITE_CONTENT_TYPE} as the media type, got content type "${contentType}"`,
    );
  }
  for (const param of params) {
    const pair = param.split('=');
    if (pair.length !== 2) {
      return unsupported(
        `content type parameters must be key=value, got "${param.trim()}" in "${contentType}"`,
      );
    }
    const [key, value] = pair as [string, string];
    if (key.trim().toLowerCase() !== 'proto') continue;
    const proto = value.trim().replace(/^"(.*)"$/, '$1');
    if (proto === REMOTE_WRITE_V1_PROTO) break;
    return unsupported(
      proto === REMOTE_WRITE_V2_PROTO
        ? `${proto} (remote write 2.0) is not accepted by this server; accepted ${REMOTE_WRITE_V1_PROTO}`
        : `unknown remote write protobuf message "${proto}"; accepted ${REMOTE_WRITE_V1_PROTO}`,
    );
  }
  const encoding = header(headers, 'content-encoding');
  if (encoding !== '' && encoding.toLowerCase() !== REMOTE_WRITE_CONTENT_ENCODING) {
    return unsupported(
      `${encoding} encoding (compression) is not accepted by this server; only ${REMOTE_WRITE_CONTENT_ENCODING} is acceptable`,
    );
  }
  return { action: 'decode', protoMessage: REMOTE_WRITE_V1_PROTO };
};

/**
 * Like {@link classifyRemoteWriteRequest}, but throws for requests that must be refused.
 * @throws UnsupportedMediaTypeError (415) with the reason.
 */
const assertRemoteWriteV1 = (headers: HttpHeaders): void => {
  const c = classifyRemoteWriteRequest(headers);
  if (c.action === 'unsupported') throw new UnsupportedMediaTypeError(c.reason);
};

export { assertRemoteWriteV1, classifyRemoteWriteRequest };
