import { LoggingMetric } from '@cdktf/provider-google/lib/logging-metric';
import { Construct } from 'constructs';
import { projectOf } from '../core/project';
import { checkProject, constructChecks } from '../core/validation';

/**
 * What a log-based metric measures: `count` counts matching entries; `values` records a numeric field of
 * each (a distribution, so dashboards and alerts can sum it, as for rows per file).
 */
export type LogMetricValue =
  | { readonly kind: 'count' }
  | { readonly kind: 'values'; readonly field: string; readonly unit: string };

export interface LogMetricProps {
  /** `logging.googleapis.com/user/<metricName>` */
  readonly metricName: string;
  /** @default - the project of the stack's default google provider */
  readonly project?: string;
  readonly description: string;
  /** A Cloud Logging query selecting the entries. */
  readonly filter: string;
  readonly value: LogMetricValue;
  /** Label key -> the entry field it is read from (`jsonPayload.outcome`). @default - none */
  readonly labels?: Readonly<Record<string, string>>;
}

const METRIC_NAME = /^[A-Za-z0-9_.\-/]{1,100}$/;
const FIELD = /^(jsonPayload|labels|resource\.labels)\.[A-Za-z0-9_.]+$/;

/** A log-based metric, so values a service logs (per file, per request) become Cloud Monitoring series. */
export class LogMetric extends Construct {
  public readonly resource: LoggingMetric;
  /** The metric type in Cloud Monitoring. */
  public readonly metricType: string;

  constructor(scope: Construct, id: string, props: LogMetricProps) {
    super(scope, id);
    const project = projectOf(this, props.project);
    const c = constructChecks(this);
    c.rule('metricName', props.metricName, 'must be 1-100 of [A-Za-z0-9_.-/]', (n) => METRIC_NAME.test(n));
    checkProject(c, project);
    c.rule('filter', props.filter, 'must not be empty', (f) => f.trim() !== '');
    if (props.value.kind === 'values')
      c.rule('value.field', props.value.field, 'must be a field such as jsonPayload.rowsLoaded', (f) =>
        FIELD.test(f),
      );
    for (const [key, field] of Object.entries(props.labels ?? {})) {
      c.rule(`labels.${key}`, key, 'must be a label key of [a-z0-9_]', (k) =>
        /^[a-z][a-z0-9_]{0,99}$/.test(k),
      );
      c.rule(`labels.${key}`, field, 'must be a field such as jsonPayload.outcome', (f) => FIELD.test(f));
    }
    c.throwIfAny();
    const labels = Object.entries(props.labels ?? {}).sort(([a], [b]) => (a < b ? -1 : 1));
    const values = props.value.kind === 'values' ? props.value : undefined;
    this.metricType = `logging.googleapis.com/user/${props.metricName}`;
    this.resource = new LoggingMetric(this, 'Resource', {
      name: props.metricName,
      project,
      description: props.description,
      filter: props.filter,
      metricDescriptor: {
        metricKind: 'DELTA',
        valueType: values ? 'DISTRIBUTION' : 'INT64',
        unit: values ? values.unit : '1',
        labels: labels.map(([key]) => ({ key, valueType: 'STRING' })),
      },
      ...(values
        ? {
            valueExtractor: `EXTRACT(${values.field})`,
            // 1, 4, 16, ... 4^15 (about a billion): rows per file span many orders of magnitude.
            bucketOptions: { exponentialBuckets: { numFiniteBuckets: 16, growthFactor: 4, scale: 1 } },
          }
        : {}),
      labelExtractors: labels.length
        ? Object.fromEntries(labels.map(([key, field]) => [key, `EXTRACT(${field})`]))
        : undefined,
    });
  }
}
