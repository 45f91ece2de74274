/**
 * Builds Loki push bodies as Promtail sends them: a `logproto.PushRequest` encoded with
 * protobufjs from push.proto's schema, snappy block-compressed (snappyjs, through the
 * remote_write test encoder).
 * @see https://github.com/grafana/loki/blob/main/pkg/push/push.proto
 */
import protobuf from 'protobufjs';
import { snappyCompress } from '../../lambdas/domain/remote-write/encode';

const PUSH_PROTO = `
syntax = "proto3";
package logproto;
message Timestamp { int64 seconds = 1; int32 nanos = 2; }
message PushRequest { repeated StreamAdapter streams = 1; }
message StreamAdapter { string labels = 1; repeated EntryAdapter entries = 2; uint64 hash = 3; }
message LabelPairAdapter { string name = 1; string value = 2; }
message EntryAdapter {
  Timestamp timestamp = 1;
  string line = 2;
  repeated LabelPairAdapter structuredMetadata = 3;
}
`;

const PushRequest = protobuf.parse(PUSH_PROTO).root.lookupType('logproto.PushRequest');

export interface PushEntry {
  /** ms since the epoch (sent as seconds + nanos). */
  readonly ms: number;
  readonly line: string;
  readonly metadata?: Record<string, string>;
}

/** The uncompressed protobuf of a push. */
const encodePushRequest = (
  streams: readonly { labels: string; entries: readonly PushEntry[] }[],
): Uint8Array =>
  PushRequest.encode(
    PushRequest.create({
      streams: streams.map((s) => ({
        labels: s.labels,
        entries: s.entries.map((e) => ({
          timestamp: { seconds: Math.floor(e.ms / 1000), nanos: (e.ms % 1000) * 1e6 + 123 },
          line: e.line,
          structuredMetadata: Object.entries(e.metadata ?? {}).map(([name, value]) => ({
            name,
            value,
          })),
        })),
      })),
    }),
  ).finish();

/** A protobuf push body, snappy-compressed, as Promtail posts it (Content-Type application/x-protobuf). */
const lokiProtobufBody = (
  streams: readonly { labels: string; entries: readonly PushEntry[] }[],
): Uint8Array => snappyCompress(encodePushRequest(streams));

/** A JSON push body (`values` of `[ns string, line, metadata?]`). */
const lokiJsonBody = (
  streams: readonly { stream: Record<string, string>; entries: readonly PushEntry[] }[],
): string =>
  JSON.stringify({
    streams: streams.map((s) => ({
      stream: s.stream,
      values: s.entries.map((e) =>
        e.metadata
          ? [`${BigInt(e.ms) * 1_000_000n}`, e.line, e.metadata]
          : [`${BigInt(e.ms) * 1_000_000n}`, e.line],
      ),
    })),
  });

export { encodePushRequest, lokiJsonBody, lokiProtobufBody };
