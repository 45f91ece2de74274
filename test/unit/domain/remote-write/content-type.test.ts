import {
  assertRemoteWriteV1,
  classifyRemoteWriteRequest,
} from '../../../../lambdas/domain/remote-write';
import { UnsupportedMediaTypeError } from '../../../../lambdas/domain/errors';
import { REMOTE_WRITE_HEADERS } from '../../../helpers/remote-write-client';

const DECODE = { action: 'decode', protoMessage: 'prometheus.WriteRequest' };

describe('Function: classifyRemoteWriteRequest', () => {
  it.each([
    ['the headers Prometheus sends', { ...REMOTE_WRITE_HEADERS }],
    [
      'lower-case header names',
      { 'content-type': 'application/x-protobuf', 'content-encoding': 'snappy' },
    ],
    ['no Content-Type (assumed 1.0, like Prometheus)', { 'Content-Encoding': 'snappy' }],
    ['an empty Content-Type', { 'Content-Type': '', 'Content-Encoding': 'snappy' }],
    [
      'no Content-Encoding (assumed snappy, like Prometheus)',
      { 'Content-Type': 'application/x-protobuf' },
    ],
    ['no headers at all', {}],
    ['an undefined header value', { 'Content-Type': undefined }],
    ['Content-Encoding in upper case', { 'Content-Encoding': 'SNAPPY' }],
    [
      'the 1.0 proto parameter',
      { 'Content-Type': 'application/x-protobuf;proto=prometheus.WriteRequest' },
    ],
    [
      'a spaced, quoted proto parameter',
      { 'Content-Type': 'application/x-protobuf; proto="prometheus.WriteRequest"' },
    ],
    ['an unrelated parameter', { 'Content-Type': 'application/x-protobuf; charset=binary' }],
    ['a media type in another case', { 'Content-Type': 'Application/X-Protobuf' }],
  ])('decodes a request with %s', (_name, headers) => {
    // Act
    const result = classifyRemoteWriteRequest(headers);

    // Assess
    expect(result).toEqual(DECODE);
  });

  it.each([
    [
      'remote write 2.0',
      { 'Content-Type': 'application/x-protobuf;proto=io.prometheus.write.v2.Request' },
      'io.prometheus.write.v2.Request (remote write 2.0) is not accepted by this server; accepted prometheus.WriteRequest',
    ],
    [
      'an unknown proto message',
      { 'Content-Type': 'application/x-protobuf;proto=foo.Bar' },
      'unknown remote write protobuf message "foo.Bar"; accepted prometheus.WriteRequest',
    ],
    [
      'JSON',
      { 'Content-Type': 'application/json' },
      'expected application/x-protobuf as the media type, got content type "application/json"',
    ],
    [
      'a malformed parameter',
      { 'Content-Type': 'application/x-protobuf; proto' },
      'content type parameters must be key=value, got "proto" in "application/x-protobuf; proto"',
    ],
    [
      'gzip encoding',
      { 'Content-Type': 'application/x-protobuf', 'Content-Encoding': 'gzip' },
      'gzip encoding (compression) is not accepted by this server; only snappy is acceptable',
    ],
    [
      'zstd encoding',
      { 'content-encoding': 'zstd' },
      'zstd encoding (compression) is not accepted by this server; only snappy is acceptable',
    ],
  ])('refuses %s', (_name, headers, reason) => {
    // Act
    const result = classifyRemoteWriteRequest(headers);

    // Assess
    expect(result).toEqual({ action: 'unsupported', reason });
  });
});

describe('Function: assertRemoteWriteV1', () => {
  it('passes a 1.0 request', () => {
    // Act & Assess
    expect(() => assertRemoteWriteV1(REMOTE_WRITE_HEADERS)).not.toThrow();
  });

  it('throws UnsupportedMediaTypeError (415) for a 2.0 request', () => {
    // Prepare
    const headers = {
      'Content-Type': 'application/x-protobuf;proto=io.prometheus.write.v2.Request',
    };

    // Act & Assess
    expect(() => assertRemoteWriteV1(headers)).toThrow(UnsupportedMediaTypeError);
    expect(() => assertRemoteWriteV1(headers)).toThrow('remote write 2.0');
  });
});
