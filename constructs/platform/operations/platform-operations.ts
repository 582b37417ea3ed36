import { Construct } from 'constructs';
import { describeNode } from '../../core/architecture';
import { addStackReport } from '../../core/reports';
import { childChecks } from '../../core/validation';
import { AlertPolicy } from '../../monitoring/alert-policy';
import { Dashboard, type DashboardRow } from '../../monitoring/dashboard';
import { FreshnessSlo } from '../../monitoring/freshness-slo';
import { NotificationChannel } from '../../monitoring/notification-channel';
import type { DeployerRole, IPlatformFoundation } from '../foundation/foundation';
import type { EventStreams } from '../streams/event-streams';
import { DataAccessAudit } from './audit-logs';
import { type Components, componentAlerts, DATAFORM_COMPLETION, loaderRows } from './component-alerts';
import {
  type AlertThresholds,
  channelTargets,
  checkOperationsSettings,
  DEFAULT_THRESHOLDS,
  type OperationsSettings,
} from './operations-settings';
import {
  type AlertSpec,
  jobMetric,
  type OpsContext,
  streamAlerts,
  subscriptionMetric,
} from './stream-alerts';

export interface PlatformOperationsProps extends OperationsSettings, Components {
  readonly foundation: IPlatformFoundation;
  readonly streams: EventStreams;
  /** The environment's name, used in the runbooks' commands (`--env`). */
  readonly environment: string;
}

/** The report each stack with operations writes: every alert, what it watches, and its runbook's sections. */
export const ALERTS_REPORT = 'alerts.json';

/** Multi-window burn rates (SRE workbook): a fast burn pages, a slow burn opens a ticket. */
const BURNS = [
  { signal: 'freshness-fast-burn', rate: 14.4, long: 3600, short: 300, severity: 'CRITICAL' as const },
  { signal: 'freshness-slow-burn', rate: 6, long: 21_600, short: 1800, severity: 'ERROR' as const },
];

const pascal = (s: string) => s.replace(/(^|[-_])([a-z0-9])/g, (_, _sep, ch: string) => ch.toUpperCase());

/**
 * Operations for one environment: notification channels from the environment file, an alert policy per stream
 * and signal and per component (each documented by its runbook), a freshness SLO per stream with fast and slow
 * burn-rate alerts, and one generated dashboard with a row per stream and per component.
 */
export class PlatformOperations extends Construct {
  public static readonly REQUIRED_SERVICES: readonly string[] = [
    'monitoring.googleapis.com',
    'logging.googleapis.com',
  ];
  public static readonly DEPLOYER_ROLES: readonly DeployerRole[] = [
    {
      role: 'roles/monitoring.editor',
      why: 'creates alert policies, notification channels, dashboards and SLOs',
    },
  ];
  public static readonly PLANNER_ROLES: readonly DeployerRole[] = [
    { role: 'roles/monitoring.viewer', why: 'reads alert policies, channels, dashboards and SLOs' },
  ];

  public readonly channels: readonly NotificationChannel[];
  public readonly alerts: readonly AlertPolicy[];
  public readonly specs: readonly AlertSpec[];
  public readonly slos: Readonly<Record<string, FreshnessSlo>>;
  public readonly dashboard: Dashboard;
  public readonly thresholds: AlertThresholds;
  /** The Data Access audit configs, when `dataAccessAudit` is on. */
  public readonly audit?: DataAccessAudit;

  constructor(scope: Construct, id: string, props: PlatformOperationsProps) {
    const c = childChecks(scope, id, 'PlatformOperations');
    checkOperationsSettings(c, props);
    c.throwIfAny();
    super(scope, id);
    const f = props.foundation;
    this.thresholds = { ...DEFAULT_THRESHOLDS, ...(props.thresholds ?? {}) };
    this.channels = channelTargets(props).map(
      (target, i) =>
        new NotificationChannel(this, `Channel${i}`, {
          displayName: `Tributary ${props.environment}: ${target.kind === 'email' ? target.address : target.kind}`,
          target,
          project: f.projectId,
          ...(f.projectNumber ? { projectNumber: f.projectNumber } : {}),
        }),
    );
    const ctx: OpsContext = {
      env: props.environment,
      project: f.projectId,
      region: f.region,
      thresholds: this.thresholds,
      rawDataset: f.datasets.raw.datasetId,
      archiveBucket: f.buckets.archive.bucketName,
      landingBucket: f.buckets.landing.bucketName,
      dataLocation: f.dataLocation,
      ...(props.ingest?.metricsConfig ? { gatewayService: props.ingest.service.serviceName } : {}),
    };
    const streams = Object.values(props.streams.streams);
    const specs: AlertSpec[] = [
      ...streams.flatMap((s) => streamAlerts(ctx, s)),
      ...componentAlerts(ctx, props),
    ];

    // Freshness: good minutes keep the age of the oldest event not yet in raw within the bound.
    const bound = props.freshness?.boundMinutes ?? 15;
    const goal = props.freshness?.goal ?? 0.99;
    const slos: Record<string, FreshnessSlo> = {};
    for (const s of streams) {
      const name = s.contract.name;
      const ageSeries = s.pipeline
        ? jobMetric(f.projectId, s.pipeline.job.jobName, 'data_watermark_age')
        : subscriptionMetric(f.projectId, s.delivery.subscriptionName, 'oldest_unacked_message_age');
      const slo = new FreshnessSlo(this, `Freshness${pascal(name)}`, {
        serviceId: `${f.namePrefix}-${name.replace(/_/g, '-')}`,
        displayName: `${name} queryable in raw`,
        ageSeries,
        boundMinutes: bound,
        goal,
        project: f.projectId,
      });
      slos[name] = slo;
      const backlog = specs.find((x) => x.signal === 'pubsub-delivery-backlog' && x.subject.name === name);
      for (const b of BURNS)
        specs.push({
          signal: b.signal,
          subject: { kind: 'stream', name },
          displayName: `${name}: freshness SLO burning ${b.rate}x its budget`,
          severity: b.severity,
          conditions: [b.long, b.short].map((lookback) => ({
            kind: 'burn-rate' as const,
            name: `burn rate over ${lookback / 60} min above ${b.rate}`,
            slo: slo.name,
            lookbackSeconds: lookback,
            above: b.rate,
          })),
          runbook: {
            meaning: `Events of ${name} take longer than ${bound} min to be queryable in raw in more minutes than the ${goal * 100}% SLO allows: at ${b.rate}x, the 28-day error budget lasts ${Math.round((28 * 24) / b.rate)} hours.`,
            checks: backlog?.runbook.checks ?? [],
            recover: backlog?.runbook.recover ?? [],
            confirm: backlog?.runbook.confirm ?? [],
          },
        });
    }
    this.slos = slos;
    this.specs = specs;
    const links = (signal: string) => [
      {
        displayName: 'Dashboards',
        url: `https://console.cloud.google.com/monitoring/dashboards?project=${f.projectId}`,
      },
      ...(props.runbookBaseUrl
        ? [{ displayName: 'Runbook', url: `${props.runbookBaseUrl}/${signal}.md` }]
        : []),
    ];
    this.alerts = specs.map(
      (spec) =>
        new AlertPolicy(this, `${pascal(spec.subject.name)}${pascal(spec.signal)}`, {
          displayName: `[${props.environment}] ${spec.displayName}`,
          severity: spec.severity,
          conditions: spec.conditions,
          runbook: spec.runbook,
          notificationChannels: this.channels.map((ch) => ch.name),
          links: links(spec.signal),
          labels: {
            tributary_signal: spec.signal,
            [spec.subject.kind]: spec.subject.name.replace(/_/g, '-'),
          },
          project: f.projectId,
        }),
    );
    this.dashboard = new Dashboard(this, 'Dashboard', {
      displayName: `Tributary ${props.environment}`,
      rows: dashboardRows(f.projectId, streams, props),
      project: f.projectId,
    });
    if (props.dataAccessAudit)
      this.audit = new DataAccessAudit(this, 'DataAccessAudit', {
        project: f.projectId,
        exempt: [
          ...streams.flatMap((s) => [s.topic.serviceAgent, ...(s.pipeline ? [s.pipeline.job.identity] : [])]),
          ...(props.loader ? [props.loader.identity] : []),
          ...(props.models ? [props.models.identity] : []),
          ...(props.orchestration?.identity ? [props.orchestration.identity] : []),
        ],
      });
    addStackReport(
      this,
      ALERTS_REPORT,
      () =>
        `${JSON.stringify(
          this.alerts.map((a, i) => ({
            signal: specs[i]?.signal,
            [specs[i]?.subject.kind ?? 'stream']: specs[i]?.subject.name,
            severity: specs[i]?.severity,
            path: a.node.path,
          })),
          null,
          2,
        )}\n`,
    );
    describeNode(this, {
      shape: 'service',
      label: `Operations: ${this.alerts.length} alerts, ${streams.length} SLOs`,
    });
  }
}

function dashboardRows(
  project: string,
  streams: EventStreams['streams'][string][],
  c: Components,
): DashboardRow[] {
  const age = (id: string) => ({
    kind: 'chart' as const,
    title: `Oldest unacked (s): ${id}`,
    filter: subscriptionMetric(project, id, 'oldest_unacked_message_age'),
    aggregation: { alignmentSeconds: 60, aligner: 'ALIGN_MAX' },
  });
  const rows: DashboardRow[] = streams.map((s) => ({
    title: `Stream ${s.contract.name}`,
    subtitle: `${s.topic.topicName} → ${s.table.tableId}`,
    widgets: [
      age(s.delivery.subscriptionName),
      age(s.archive.subscriptionName),
      {
        kind: 'chart',
        title: 'Dead-lettered messages',
        filter: `resource.type="pubsub_subscription" AND resource.labels.subscription_id=one_of("${s.delivery.subscriptionName}", "${s.archive.subscriptionName}") AND metric.type="pubsub.googleapis.com/subscription/dead_letter_message_count"`,
        aggregation: { alignmentSeconds: 300, aligner: 'ALIGN_SUM', reducer: 'REDUCE_SUM' },
      },
      ...(s.pipeline
        ? [
            {
              kind: 'chart' as const,
              title: 'Dataflow watermark age (s)',
              filter: `resource.type="dataflow_job" AND resource.labels.job_name="${s.pipeline.job.jobName}" AND metric.type="dataflow.googleapis.com/job/data_watermark_age"`,
              aggregation: { alignmentSeconds: 60, aligner: 'ALIGN_MAX' },
            },
          ]
        : []),
    ],
  }));
  if (c.ingest) {
    const revision = `resource.type="cloud_run_revision" AND resource.labels.service_name="${c.ingest.service.serviceName}"`;
    rows.push({
      title: 'Component: ingest gateway',
      widgets: [
        {
          kind: 'chart',
          title: 'Requests by response class',
          filter: `${revision} AND metric.type="run.googleapis.com/request_count"`,
          aggregation: {
            alignmentSeconds: 60,
            aligner: 'ALIGN_RATE',
            reducer: 'REDUCE_SUM',
            groupBy: ['metric.labels.response_code_class'],
          },
        },
        {
          kind: 'chart',
          title: 'p99 latency (ms)',
          filter: `${revision} AND metric.type="run.googleapis.com/request_latencies"`,
          aggregation: { alignmentSeconds: 60, aligner: 'ALIGN_DELTA', reducer: 'REDUCE_PERCENTILE_99' },
        },
      ],
    });
  }
  if (c.loader) {
    const metric = (m: 'rowsAccepted' | 'rowsRejected', title: string) => ({
      kind: 'promql' as const,
      title,
      query: loaderRows(c.loader?.metrics[m].metricType as string, '5m'),
    });
    rows.push({
      title: 'Component: batch loader',
      widgets: [
        metric('rowsAccepted', 'Rows accepted'),
        metric('rowsRejected', 'Rows rejected (quarantined)'),
      ],
    });
  }
  if (c.models)
    rows.push({
      title: 'Component: warehouse models',
      widgets: [
        {
          kind: 'logs',
          title: 'Dataform invocations',
          filter: `resource.type="dataform.googleapis.com/Repository" AND resource.labels.repository_id="${c.models.repository.repositoryId}" AND ${DATAFORM_COMPLETION}`,
        },
      ],
    });
  const env = c.orchestration?.environment;
  if (env)
    rows.push({
      title: 'Component: orchestration',
      widgets: [
        {
          kind: 'logs',
          title: 'DAG failures',
          filter: `resource.type="cloud_composer_environment" AND resource.labels.environment_name="${env.environmentName}" AND textPayload:"tributary.dag_failure"`,
        },
      ],
    });
  return rows;
}
