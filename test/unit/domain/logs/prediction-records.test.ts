import { parseLogEvents } from '../../../../lambdas/domain/logs/parse-log-events';
import { validateLogsConfig } from '../../../../lambdas/domain/logs/logs-config';
import { predictionRecordOf, valueAt } from '../../../../lambdas/domain/logs/prediction-records';

const eventOf = (o: Record<string, unknown>) => {
  const { events } = parseLogEvents(JSON.stringify(o), {
    receivedAtMs: 1_000,
    headers: {},
    maxEvents: 1,
    maxEventBytes: 10_000,
  });
  if (!events[0]) throw new Error('not an event');
  return events[0];
};

const CONFIG = validateLogsConfig({
  measures: [
    'context.confidence',
    { field: 'context.prediction', type: 'VARCHAR' },
    { field: 'context.inference_time_ms', name: 'latency_ms' },
    { field: 'context.boxes', type: 'VARCHAR' },
  ],
}).config;

describe('prediction records', () => {
  it("takes the example service's context fields as declared measures, model version from context", () => {
    // Prepare
    const event = eventOf({
      timestamp: '2024-07-30T10:30:00Z',
      service: 'pneumonia-detector',
      event: 'prediction',
      context: {
        model_version: 'v2.1',
        image_id: 'chest_xray_001.jpg',
        prediction: 'pneumonia',
        confidence: 0.95,
        inference_time_ms: 120,
      },
    });

    // Act
    const record = predictionRecordOf(event, CONFIG);

    // Assess
    expect(record).toEqual({
      timestampMs: Date.UTC(2024, 6, 30, 10, 30),
      service: 'pneumonia-detector',
      model: 'pneumonia-detector',
      modelVersion: 'v2.1',
      measures: { confidence: 0.95, prediction: 'pneumonia', latency_ms: 120 },
    });
  });

  it('reads numeric strings as DOUBLE, drops non-numbers, keeps objects as JSON text for VARCHAR', () => {
    // Prepare
    const event = eventOf({
      model: 'yolo',
      model_version: 7,
      context: { confidence: '0.5', inference_time_ms: 'fast', boxes: [{ x: 1 }], prediction: '' },
    });

    // Act
    const record = predictionRecordOf(event, CONFIG);

    // Assess
    expect(record).toMatchObject({
      model: 'yolo',
      modelVersion: '7',
      measures: { confidence: 0.5, boxes: '[{"x":1}]' },
    });
    expect(Object.keys(record?.measures ?? {})).toEqual(['confidence', 'boxes']);
  });

  it('has no record when no declared measure is present, and model_version unknown when absent', () => {
    // Act / Assess
    expect(predictionRecordOf(eventOf({ message: 'x' }), CONFIG)).toBeUndefined();
    expect(predictionRecordOf(eventOf({ context: { confidence: 1 } }), CONFIG)?.modelVersion).toBe(
      'unknown',
    );
  });

  it('finds dotted keys written flat by log shippers', () => {
    // Act / Assess
    expect(valueAt({ 'context.confidence': 0.3 }, 'context.confidence')).toBe(0.3);
    expect(valueAt({ context: { a: [1] } }, 'context.a.0')).toBeUndefined();
  });
});
