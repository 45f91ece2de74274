import {
  goTimeJSON,
  labelSetString,
  labelsFingerprint,
  parseRfc3339Ms,
} from '../../../../lambdas/domain/alerting/label-set';

describe('Function: labelsFingerprint', () => {
  it('matches Prometheus model.LabelsToSignature values', () => {
    // Prepare: values from prometheus/common model/signature_test.go
    const empty = {};
    const labels = { name: 'garland, briggs', fear: 'love is not enough' };

    // Act & Assess
    expect(labelsFingerprint(empty)).toBe(BigInt('14695981039346656037').toString(16));
    expect(labelsFingerprint(labels)).toBe(
      BigInt('5799056148416392346').toString(16).padStart(16, '0'),
    );
  });

  it('ignores label order and empty values', () => {
    // Act & Assess
    expect(labelsFingerprint({ b: '2', a: '1', c: '' })).toBe(
      labelsFingerprint({ a: '1', b: '2' }),
    );
    expect(labelsFingerprint({ a: 'bc' })).not.toBe(labelsFingerprint({ ab: 'c' }));
  });
});

describe('Function: labelSetString', () => {
  it('renders like model.LabelSet.String', () => {
    // Act & Assess
    expect(labelSetString({ job: 'api', alertname: 'X' })).toBe('{alertname="X", job="api"}');
    expect(labelSetString({})).toBe('{}');
    expect(labelSetString({ a: 'say "hi"\n\\' })).toBe('{a="say \\"hi\\"\\n\\\\"}');
  });
});

describe('Function: goTimeJSON', () => {
  it('formats like Go time.Time JSON', () => {
    // Act & Assess
    expect(goTimeJSON(0)).toBe('0001-01-01T00:00:00Z');
    expect(goTimeJSON(Date.parse('2024-05-01T12:00:00Z'))).toBe('2024-05-01T12:00:00Z');
    expect(goTimeJSON(Date.parse('2024-05-01T12:00:00.500Z'))).toBe('2024-05-01T12:00:00.5Z');
    expect(goTimeJSON(Date.parse('2024-05-01T12:00:00.123Z'))).toBe('2024-05-01T12:00:00.123Z');
  });

  it('parses RFC 3339 with offsets and rejects other formats', () => {
    // Act & Assess
    expect(parseRfc3339Ms('2024-05-01T14:00:00+02:00')).toBe(Date.parse('2024-05-01T12:00:00Z'));
    expect(parseRfc3339Ms('2024-05-01')).toBeUndefined();
    expect(parseRfc3339Ms('2024-13-45T00:00:00Z')).toBeUndefined();
  });
});
