import { LogMetric } from '../../constructs/logging/log-metric';
import { errorOf, only, synth, testStack } from '../helpers';

describe('LogMetric', () => {
  test('counts entries with labels, or records a field as a distribution', () => {
    const stack = testStack();
    new LogMetric(stack, 'Files', {
      metricName: 'tributary/files',
      description: 'Files',
      filter: 'jsonPayload.outcome:*',
      value: { kind: 'count' },
      labels: { outcome: 'jsonPayload.outcome' },
    });
    const json = synth(stack);
    expect(only(json, 'google_logging_metric')).toMatchObject({
      name: 'tributary/files',
      metric_descriptor: {
        metric_kind: 'DELTA',
        value_type: 'INT64',
        labels: [{ key: 'outcome', value_type: 'STRING' }],
      },
      label_extractors: { outcome: 'EXTRACT(jsonPayload.outcome)' },
    });
    expect(only(json, 'google_logging_metric')).not.toHaveProperty('value_extractor');
  });

  test('fails a bad name, an empty filter, and fields that are not log entry fields', () => {
    const stack = testStack();
    const message = errorOf(
      () =>
        new LogMetric(stack, 'Bad', {
          metricName: 'bad name',
          description: 'x',
          filter: ' ',
          value: { kind: 'values', field: 'rowsLoaded', unit: '1' },
          labels: { Outcome: 'outcome' },
        }),
    ).message;
    for (const part of [
      'metricName = "bad name": must be 1-100 of',
      'filter = " ": must not be empty',
      'value.field = "rowsLoaded": must be a field such as jsonPayload.rowsLoaded',
      'labels.Outcome = "Outcome": must be a label key',
      'labels.Outcome = "outcome": must be a field such as jsonPayload.outcome',
    ])
      expect(message).toContain(part);
  });
});
