import { OTLP_SCHEMA } from '../../../../lambdas/domain/otlp/otlp-schema';
// @ts-expect-error: a plain ES module script without types
import { otlpDescriptor } from '../../../../scripts/otlp-proto-schema.mjs';

describe('OTLP schema', () => {
  it('is the descriptor of the vendored opentelemetry-proto files (regenerate with scripts/otlp-proto-schema.mjs)', () => {
    // Act
    const fromProto = (otlpDescriptor as () => unknown)();

    // Assess
    expect(OTLP_SCHEMA).toEqual(fromProto);
  });
});
