import {
  MonitoringAlertPolicy,
  type MonitoringAlertPolicyConditions,
} from '@cdktf/provider-google/lib/monitoring-alert-policy';
import { Construct } from 'constructs';
import { checkLabels } from '../../core/gcp';
import { constructChecks } from '../core/validation';
import { type Runbook, renderRunbook, runbookProblems } from './runbook';

/** One series aggregation, as Cloud Monitoring takes it. */
export interface Aggregation {
  readonly alignmentSeconds: number;
  readonly aligner: string;
  readonly reducer?: string;
  readonly groupBy?: readonly string[];
}

/** What fires the alert. Unions, one per condition family the platform uses. */
export type AlertCondition =
  | {
      readonly kind: 'threshold';
      readonly name: string;
      readonly filter: string;
      readonly aggregation: Aggregation;
      readonly above: number;
      /** How long the value must stay above before the alert opens. */
      readonly forSeconds: number;
    }
  | {
      readonly kind: 'ratio';
      readonly name: string;
      readonly numerator: string;
      readonly denominator: string;
      readonly aggregation: Aggregation;
      readonly above: number;
      readonly forSeconds: number;
    }
  | { readonly kind: 'log-match'; readonly name: string; readonly filter: string }
  | {
      readonly kind: 'promql';
      readonly name: string;
      readonly query: string;
      readonly forSeconds: number;
    }
  | {
      readonly kind: 'burn-rate';
      readonly name: string;
      /** `projects/<p>/services/<s>/serviceLevelObjectives/<id>` */
      readonly slo: string;
      readonly lookbackSeconds: number;
      readonly above: number;
    };

export type AlertSeverity = 'CRITICAL' | 'ERROR' | 'WARNING';

export interface AlertPolicyProps {
  readonly displayName: string;
  readonly severity: AlertSeverity;
  /** All must hold together (AND) when there are several, as a multi-window burn rate needs. */
  readonly conditions: readonly AlertCondition[];
  /** The policy's documentation: what it means, three first checks, recovery, and how to confirm nothing was lost. */
  readonly runbook: Runbook;
  /** `projects/<p>/notificationChannels/<id>` of each channel. */
  readonly notificationChannels: readonly string[];
  /** Up to three links shown with the incident (the dashboard, for example). @default - none */
  readonly links?: readonly { readonly displayName: string; readonly url: string }[];
  /** Labels that say what the policy watches (`signal`, `stream` or `component`). */
  readonly labels: Readonly<Record<string, string>>;
  /** @default - the project of the stack's default google provider */
  readonly project?: string;
}

const MAX_CONDITIONS = 6;
const MAX_LINKS = 3;

/** Cloud Monitoring takes durations as `<seconds>s`; alerting durations are whole minutes. */
const seconds = (s: number) => `${s}s`;

function condition(c: AlertCondition): MonitoringAlertPolicyConditions {
  const agg = (a: Aggregation) => [
    {
      alignmentPeriod: seconds(a.alignmentSeconds),
      perSeriesAligner: a.aligner,
      ...(a.reducer ? { crossSeriesReducer: a.reducer } : {}),
      ...(a.groupBy ? { groupByFields: [...a.groupBy] } : {}),
    },
  ];
  switch (c.kind) {
    case 'threshold':
      return {
        displayName: c.name,
        conditionThreshold: {
          filter: c.filter,
          aggregations: agg(c.aggregation),
          comparison: 'COMPARISON_GT',
          thresholdValue: c.above,
          duration: seconds(c.forSeconds),
          evaluationMissingData: 'EVALUATION_MISSING_DATA_INACTIVE',
        },
      };
    case 'ratio':
      return {
        displayName: c.name,
        conditionThreshold: {
          filter: c.numerator,
          denominatorFilter: c.denominator,
          aggregations: agg(c.aggregation),
          denominatorAggregations: agg(c.aggregation),
          comparison: 'COMPARISON_GT',
          thresholdValue: c.above,
          duration: seconds(c.forSeconds),
          evaluationMissingData: 'EVALUATION_MISSING_DATA_INACTIVE',
        },
      };
    case 'log-match':
      return { displayName: c.name, conditionMatchedLog: { filter: c.filter } };
    case 'promql':
      return {
        displayName: c.name,
        conditionPrometheusQueryLanguage: {
          query: c.query,
          duration: seconds(c.forSeconds),
          evaluationInterval: '60s',
        },
      };
    case 'burn-rate':
      return {
        displayName: c.name,
        conditionThreshold: {
          filter: `select_slo_burn_rate("${c.slo}", "${c.lookbackSeconds}s")`,
          comparison: 'COMPARISON_GT',
          thresholdValue: c.above,
          duration: '0s',
        },
      };
  }
}

/**
 * A Cloud Monitoring alert policy whose documentation is its runbook (Markdown, checked for the four sections and
 * Cloud Monitoring's size limit), sent to the given channels. Log-match policies get the notification rate limit
 * Cloud Monitoring requires of them and stand alone, as it also requires.
 */
export class AlertPolicy extends Construct {
  public readonly resource: MonitoringAlertPolicy;
  public readonly labels: Readonly<Record<string, string>>;
  public readonly runbook: Runbook;

  constructor(scope: Construct, id: string, props: AlertPolicyProps) {
    super(scope, id);
    const c = constructChecks(this);
    const content = renderRunbook(props.displayName, props.runbook);
    c.rule(
      'displayName',
      props.displayName,
      'must be 1-512 characters',
      (n) => n.length > 0 && n.length <= 512,
    );
    c.rule(
      'conditions',
      props.conditions.length,
      `must hold 1 to ${MAX_CONDITIONS} conditions`,
      (n) => n >= 1 && n <= MAX_CONDITIONS,
    );
    const logMatch = props.conditions.some((x) => x.kind === 'log-match');
    c.rule(
      'conditions',
      props.conditions.length,
      'a log-match condition must be the only one',
      (n) => !logMatch || n === 1,
    );
    for (const [i, x] of props.conditions.entries())
      if ('forSeconds' in x)
        c.rule(
          `conditions[${i}].forSeconds`,
          x.forSeconds,
          'must be a whole number of minutes, in seconds',
          (s) => Number.isInteger(s) && s >= 0 && s % 60 === 0,
        );
    for (const problem of runbookProblems(props.runbook, content))
      c.fail('runbook', props.displayName, problem);
    c.rule(
      'notificationChannels',
      props.notificationChannels.length,
      'must name at least one channel',
      (n) => n > 0,
    );
    c.rule('links', props.links?.length, `must hold at most ${MAX_LINKS} links`, (n) => n <= MAX_LINKS);
    checkLabels(c, props.labels);
    c.throwIfAny();
    this.labels = props.labels;
    this.runbook = props.runbook;
    this.resource = new MonitoringAlertPolicy(this, 'Resource', {
      displayName: props.displayName,
      ...(props.project ? { project: props.project } : {}),
      combiner: 'AND',
      severity: props.severity,
      conditions: props.conditions.map(condition),
      notificationChannels: [...props.notificationChannels],
      userLabels: { ...props.labels },
      documentation: {
        content,
        mimeType: 'text/markdown',
        subject: `[${props.severity}] ${props.displayName}`,
        ...(props.links
          ? { links: props.links.map((l) => ({ displayName: l.displayName, url: l.url })) }
          : {}),
      },
      alertStrategy: logMatch
        ? { notificationRateLimit: { period: '300s' }, autoClose: '86400s' }
        : { autoClose: '86400s' },
    });
  }
}
