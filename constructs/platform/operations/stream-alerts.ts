/**
 * The alerts of one stream: Pub/Sub backlog on the delivery and archive subscriptions, dead-lettered messages,
 * an export subscription leaving ACTIVE, the Dataflow pipeline's lag, watermark, failure and dead-letter rows,
 * and the gateway's rejected share. Each comes with its runbook, the environment's names filled in.
 *
 * Dead-letter rows are metric-based: the Storage Write API's uploaded-row count on the stream's dead-letter
 * table (the template writes it with the Storage Write API), so the alert needs no log sink or query schedule.
 */
import type { AlertCondition, AlertSeverity } from '../../monitoring/alert-policy';
import type { Runbook, RunbookStep } from '../../monitoring/runbook';
import type { EventStream } from '../streams/event-stream';
import type { AlertThresholds } from './operations-settings';

export interface OpsContext {
  readonly env: string;
  readonly project: string;
  readonly region: string;
  readonly thresholds: AlertThresholds;
  readonly rawDataset: string;
  readonly archiveBucket: string;
  readonly landingBucket: string;
  /** The BigQuery location of the datasets (`EU`, `europe-west1`), for INFORMATION_SCHEMA queries. */
  readonly dataLocation: string;
  /** The gateway's Cloud Run service, when it exports per-stream counters (its metrics collector runs). */
  readonly gatewayService?: string;
}

export interface AlertSpec {
  /** What is watched, a label value: `pubsub-delivery-backlog`, `gateway-5xx-share`, … */
  readonly signal: string;
  readonly subject: { readonly kind: 'stream' | 'component'; readonly name: string };
  readonly displayName: string;
  readonly severity: AlertSeverity;
  readonly conditions: readonly AlertCondition[];
  readonly runbook: Runbook;
}

export const sub = (project: string, id: string) =>
  `resource.type="pubsub_subscription" AND resource.labels.project_id="${project}" AND resource.labels.subscription_id="${id}"`;

/** One metric of one subscription, for alerts, SLOs and charts alike. */
export const subscriptionMetric = (project: string, id: string, metric: string) =>
  `${sub(project, id)} AND metric.type="pubsub.googleapis.com/subscription/${metric}"`;

/** One metric of one Dataflow job, by name (a relaunched job keeps it). */
export const jobMetric = (project: string, job: string, metric: string) =>
  `resource.type="dataflow_job" AND resource.labels.project_id="${project}" AND resource.labels.job_name="${job}" AND metric.type="dataflow.googleapis.com/job/${metric}"`;

/**
 * Steps that show no event of the incident window is missing from raw, and how to fill a gap. The check compares
 * event ids, not counts or times: BigQuery reads the Avro archive of the window's day as an external table (a
 * map becomes key/value records), and every archived event_id must be in raw (the UDF's `event_id` column, or
 * the BigQuery subscription's `attributes`). Replays and late writes change times, never event ids.
 */
export function confirmNothingLost(ctx: OpsContext, stream: string, table: string): RunbookStep[] {
  const archive = `gs://${ctx.archiveBucket}/${stream}/<YYYY>/<MM>/<DD>/*`;
  const missing = [
    'SELECT COUNT(*) AS missing FROM (',
    'SELECT DISTINCT (SELECT value FROM UNNEST(attributes) WHERE key = "event_id") AS event_id FROM archive',
    'WHERE TIMESTAMP_MICROS(publish_time) >= TIMESTAMP("<start>") AND TIMESTAMP_MICROS(publish_time) < TIMESTAMP("<end>")) a',
    `WHERE NOT EXISTS (SELECT 1 FROM \`${ctx.project}.${ctx.rawDataset}.${table}\` r`,
    'WHERE COALESCE(r.event_id, JSON_VALUE(r.attributes, "$.event_id")) = a.event_id)',
  ].join(' ');
  const query = `bq query --project_id=${ctx.project} --use_legacy_sql=false --external_table_definition=archive::AVRO=${archive} '${missing}'`;
  return [
    {
      why: 'Count the archived events of the window (the day <YYYY>/<MM>/<DD>) that raw does not hold; 0 means nothing was lost.',
      command: query,
    },
    {
      why: 'If any are missing, replay the window; deduplication on the contract key absorbs what did land.',
      command: `npm run replay -- --env ${ctx.env} --stream ${stream} --from <start> --to <end>`,
    },
    {
      why: 'Run the first check again once the replay is done (and the pipeline has caught up): it must print 0.',
      command: query,
    },
  ];
}

export function streamAlerts(ctx: OpsContext, s: EventStream): AlertSpec[] {
  const name = s.contract.name;
  const p = ctx.project;
  const t = ctx.thresholds;
  const subject = { kind: 'stream' as const, name };
  const delivery = s.delivery.subscriptionName;
  const archive = s.archive.subscriptionName;
  const dlq = s.topic.deadLetterSubscription.subscriptionName;
  const table = s.table.tableId;
  const confirm = confirmNothingLost(ctx, name, table);
  const describe = (id: string) => ({
    why: `See the subscription's state and configuration (an export subscription names its problem in state).`,
    command: `gcloud pubsub subscriptions describe ${id} --project=${p}`,
  });
  const logs = (id: string) => ({
    why: 'Read what Pub/Sub logged about the subscription in the last hour.',
    command: `gcloud logging read 'resource.type="pubsub_subscription" AND resource.labels.subscription_id="${id}" AND severity>=WARNING' --project=${p} --freshness=1h --limit=20`,
  });
  const newest = {
    why: `See how recent the newest row in raw is.`,
    command: `bq query --project_id=${p} --use_legacy_sql=false 'SELECT MAX(COALESCE(publish_time, ingest_time)) AS newest FROM \`${p}.${ctx.rawDataset}.${table}\`'`,
  };
  const redrive = `Once the cause is fixed, move dead-lettered messages back: \`npm run dlq:redrive -- --env ${ctx.env} --stream ${name}\` (it acknowledges each only after its republish is acknowledged).`;
  const pipeline = s.pipeline;
  const out: AlertSpec[] = [
    {
      signal: 'pubsub-delivery-backlog',
      subject,
      displayName: `${name}: delivery backlog older than ${t.deliveryBacklogSeconds} s`,
      severity: 'ERROR',
      conditions: [
        {
          kind: 'threshold',
          name: `oldest unacked on ${delivery}`,
          filter: subscriptionMetric(p, delivery, 'oldest_unacked_message_age'),
          aggregation: { alignmentSeconds: 60, aligner: 'ALIGN_MAX' },
          above: t.deliveryBacklogSeconds,
          forSeconds: 300,
        },
      ],
      runbook: {
        meaning: `Events of stream ${name} wait more than ${t.deliveryBacklogSeconds} s on ${delivery} before they reach raw table ${table}: delivery to BigQuery is slow or stopped. Nothing is lost while the backlog stays within the topic's retention.`,
        checks: [
          pipeline
            ? {
                why: 'Check the Dataflow job is running.',
                command: `gcloud dataflow jobs list --project=${p} --region=${ctx.region} --status=active --filter="name=${pipeline.job.jobName}"`,
              }
            : describe(delivery),
          logs(delivery),
          newest,
        ],
        recover: [
          pipeline
            ? `If the job failed or was drained, re-deploy it: \`cdktf deploy ${ctx.env}\` recreates it from the same template and subscription, which kept the backlog.`
            : 'Fix what the subscription state names (permission, missing table, schema mismatch); the subscription resumes on its own.',
          redrive,
        ],
        confirm,
      },
    },
    {
      signal: 'pubsub-archive-backlog',
      subject,
      displayName: `${name}: archive backlog older than ${t.archiveBacklogSeconds} s`,
      severity: 'WARNING',
      conditions: [
        {
          kind: 'threshold',
          name: `oldest unacked on ${archive}`,
          filter: subscriptionMetric(p, archive, 'oldest_unacked_message_age'),
          aggregation: { alignmentSeconds: 60, aligner: 'ALIGN_MAX' },
          above: t.archiveBacklogSeconds,
          forSeconds: 300,
        },
      ],
      runbook: {
        meaning: `The Cloud Storage archive of ${name} is behind by more than ${t.archiveBacklogSeconds} s: Pub/Sub cannot write Avro files to the archive bucket. Replays of this period need the archive.`,
        checks: [
          describe(archive),
          logs(archive),
          {
            why: 'List the newest archive files (one folder per hour).',
            command: `gcloud storage ls --project=${p} 'gs://${ctx.archiveBucket}/${name}/**' | tail -5`,
          },
        ],
        recover: [
          "Restore the archive writer's access to the bucket (roles/storage.objectCreator for the Pub/Sub agent) or the bucket itself; the subscription catches up from its backlog.",
        ],
        confirm: [
          {
            why: 'List the archive files written for the incident window once the subscription caught up (each hour folder holds files again).',
            command: `gcloud storage ls 'gs://${ctx.archiveBucket}/${name}/<YYYY>/<MM>/<DD>/**' --project=${p}`,
          },
        ],
      },
    },
    {
      signal: 'pubsub-dead-lettered',
      subject,
      displayName: `${name}: messages dead-lettered`,
      severity: 'ERROR',
      conditions: [
        {
          kind: 'threshold',
          name: `dead-lettered from ${delivery} or ${archive}`,
          filter: `resource.type="pubsub_subscription" AND resource.labels.project_id="${p}" AND resource.labels.subscription_id=one_of("${delivery}", "${archive}") AND metric.type="pubsub.googleapis.com/subscription/dead_letter_message_count"`,
          aggregation: { alignmentSeconds: 300, aligner: 'ALIGN_SUM', reducer: 'REDUCE_SUM' },
          above: 0,
          forSeconds: 0,
        },
      ],
      runbook: {
        meaning: `Pub/Sub gave up delivering some ${name} messages after the maximum attempts and moved them to ${dlq}. They are kept there (7 days) until redriven or exported.`,
        checks: [
          {
            why: "Look at a few dead-lettered messages without acknowledging them: the CloudPubSubDeadLetterSource* attributes name the subscription that gave up and the delivery count; the cause is in that subscription's state and logs.",
            command: `gcloud pubsub subscriptions pull ${dlq} --project=${p} --limit=5 --format=json`,
          },
          describe(delivery),
          logs(delivery),
        ],
        recover: [
          'Fix the cause (a contract or table change, a permission).',
          redrive,
          `Or keep them for later: \`npm run dlq:redrive -- --env ${ctx.env} --stream ${name} --export dlq-${name}.ndjson\`.`,
        ],
        confirm: [
          {
            why: 'The dead-letter subscription must be empty: a dry run pulls one page and reports it (an empty pull can hide a backlog, so also check the dashboard row of the stream).',
            command: `npm run dlq:redrive -- --env ${ctx.env} --stream ${name} --dry-run`,
          },
          ...confirm,
        ],
      },
    },
  ];
  // Export subscriptions (BigQuery, Cloud Storage) report their state; any state but ACTIVE stops delivery.
  const exportSubs = [archive, ...(pipeline ? [] : [delivery])];
  const states = ['PERMISSION_DENIED', 'NOT_FOUND', 'SCHEMA_MISMATCH', 'IN_TRANSIT_LOCATION_RESTRICTION'];
  out.push({
    signal: 'pubsub-export-state',
    subject,
    displayName: `${name}: export subscription not ACTIVE`,
    severity: 'CRITICAL',
    conditions: [
      {
        kind: 'threshold',
        name: `state of ${exportSubs.join(', ')}`,
        filter: `resource.type="pubsub_subscription" AND resource.labels.project_id="${p}" AND resource.labels.subscription_id=one_of(${exportSubs.map((x) => `"${x}"`).join(', ')}) AND metric.type="pubsub.googleapis.com/subscription/export_push_subscription_details" AND metric.labels.subscription_state=one_of(${[...states, ...states.map((x) => x.toLowerCase())].map((x) => `"${x}"`).join(', ')})`,
        aggregation: { alignmentSeconds: 60, aligner: 'ALIGN_MAX' },
        above: 0,
        forSeconds: 300,
      },
    ],
    runbook: {
      meaning: `A ${name} export subscription (${exportSubs.join(', ')}) left ACTIVE: Pub/Sub stopped writing to ${pipeline ? 'the archive bucket' : 'BigQuery or the archive bucket'}. Messages wait in the subscription, then dead-letter.`,
      checks: [describe(exportSubs[0] as string), logs(exportSubs[0] as string), newest],
      recover: [
        'PERMISSION_DENIED: restore the Pub/Sub agent grant on the table or bucket (`cdktf deploy` re-applies it). NOT_FOUND: re-create the table or bucket (`cdktf deploy`). SCHEMA_MISMATCH: the table and the contract disagree; run `npm run contracts:check` and deploy the contract change.',
        redrive,
      ],
      confirm,
    },
  });
  if (pipeline) {
    const jobChecks: RunbookStep[] = [
      {
        why: 'Check the job is running and see its current state.',
        command: `gcloud dataflow jobs list --project=${p} --region=${ctx.region} --filter="name=${pipeline.job.jobName}"`,
      },
      {
        why: 'Read the job’s errors of the last hour.',
        command: `gcloud logging read 'resource.type="dataflow_step" AND resource.labels.job_name="${pipeline.job.jobName}" AND severity>=ERROR' --project=${p} --freshness=1h --limit=20`,
      },
      newest,
    ];
    const dataflow = (
      signal: string,
      metric: string,
      above: number,
      title: string,
      meaning: string,
      severity: AlertSeverity,
    ): AlertSpec => ({
      signal,
      subject,
      displayName: `${name}: ${title}`,
      severity,
      conditions: [
        {
          kind: 'threshold',
          name: `${metric} of ${pipeline.job.jobName}`,
          filter: jobMetric(p, pipeline.job.jobName, metric),
          aggregation: { alignmentSeconds: 60, aligner: 'ALIGN_MAX' },
          above,
          forSeconds: signal === 'dataflow-failed' ? 0 : 300,
        },
      ],
      runbook: {
        meaning,
        checks: jobChecks,
        recover: [
          `A failed or stuck job: re-deploy with \`cdktf deploy ${ctx.env}\`; the subscription ${delivery} kept every unacknowledged message.`,
          'A slow job: raise maxWorkers in the environment file, or look for a hot key in the job graph.',
        ],
        confirm,
      },
    });
    out.push(
      dataflow(
        'dataflow-system-lag',
        'system_lag',
        t.dataflowSystemLagSeconds,
        `Dataflow system lag above ${t.dataflowSystemLagSeconds} s`,
        `Elements of ${name} wait more than ${t.dataflowSystemLagSeconds} s inside ${pipeline.job.jobName}: the job is short of workers or stuck on an element.`,
        'ERROR',
      ),
      dataflow(
        'dataflow-watermark-age',
        'data_watermark_age',
        t.dataflowWatermarkAgeSeconds,
        `Dataflow data watermark older than ${t.dataflowWatermarkAgeSeconds} s`,
        `The watermark of ${pipeline.job.jobName} is more than ${t.dataflowWatermarkAgeSeconds} s behind: events of ${name} are not yet in raw for that long.`,
        'ERROR',
      ),
      dataflow(
        'dataflow-failed',
        'is_failed',
        0,
        'Dataflow job failed',
        `The Dataflow job ${pipeline.job.jobName} failed: nothing of ${name} reaches raw through it. The subscription keeps the messages.`,
        'CRITICAL',
      ),
    );
    const deadTable = s.deadLetterTable?.tableId;
    if (deadTable)
      out.push({
        signal: 'dataflow-dead-letter-rows',
        subject,
        displayName: `${name}: rows written to the dead-letter table`,
        severity: 'ERROR',
        conditions: [
          {
            kind: 'threshold',
            name: `rows into ${ctx.rawDataset}.${deadTable}`,
            filter: `metric.type="bigquerystorage.googleapis.com/write/uploaded_row_count" AND resource.labels.project_id="${p}" AND metric.labels.dataset_id="${ctx.rawDataset}" AND metric.labels.table_id="${deadTable}"`,
            aggregation: { alignmentSeconds: 300, aligner: 'ALIGN_SUM', reducer: 'REDUCE_SUM' },
            above: 0,
            forSeconds: 0,
          },
        ],
        runbook: {
          meaning: `The pipeline could not write some ${name} events to ${table} (a UDF error or a row BigQuery refused) and wrote them to ${deadTable} with the error instead.`,
          checks: [
            {
              why: 'See the newest dead-letter rows and their errors.',
              command: `bq query --project_id=${p} --use_legacy_sql=false 'SELECT timestamp, errorMessage, SUBSTR(payloadString, 1, 200) AS payload FROM \`${p}.${ctx.rawDataset}.${deadTable}\` ORDER BY timestamp DESC LIMIT 20'`,
            },
            jobChecks[1] as RunbookStep,
            {
              why: 'Count them per error.',
              command: `bq query --project_id=${p} --use_legacy_sql=false 'SELECT errorMessage, COUNT(*) AS n FROM \`${p}.${ctx.rawDataset}.${deadTable}\` WHERE timestamp > TIMESTAMP_SUB(CURRENT_TIMESTAMP(), INTERVAL 1 DAY) GROUP BY 1 ORDER BY 2 DESC'`,
            },
          ],
          recover: [
            'Fix the cause (the contract, the UDF or the table schema) and deploy it.',
            `Replay the affected window from the archive: \`npm run replay -- --env ${ctx.env} --stream ${name} --from <start> --to <end>\`; deduplication absorbs the events that did land.`,
          ],
          confirm,
        },
      });
  }
  if (ctx.gatewayService) {
    const service = ctx.gatewayService;
    const rejections = `resource.type="cloud_run_revision" AND resource.labels.service_name="${service}" AND jsonPayload.stream="${name}" AND jsonPayload.rejected>0`;
    const share = t.gatewayRejectedShare;
    out.push({
      signal: 'gateway-rejected-share',
      subject,
      displayName: `${name}: gateway rejects more than ${share * 100}% of events`,
      severity: 'WARNING',
      conditions: [
        {
          kind: 'promql',
          name: `rejected share of ${name}`,
          query: `sum(rate(tributary_ingest_events_total{stream="${name}",outcome="rejected"}[5m])) / sum(rate(tributary_ingest_events_total{stream="${name}"}[5m])) > ${share}`,
          forSeconds: 300,
        },
      ],
      runbook: {
        meaning: `More than ${share * 100}% of the ${name} events producers send fail the contract or Pub/Sub's limits and are refused (207 or 422, with the field and rule of each); nothing refused is published. A producer is sending a shape the contract does not accept.`,
        checks: [
          {
            why: "Read the gateway's rejections: stream, source and counts (reasons only, never event content).",
            command: `gcloud logging read '${rejections}' --project=${p} --freshness=1h --limit=20`,
          },
          {
            why: 'See which producers (sources) they come from.',
            command: `gcloud logging read '${rejections}' --project=${p} --freshness=1h --format="value(jsonPayload.source)"`,
          },
          {
            why: 'See whether a new revision of the gateway (a new contract) started at the same time.',
            command: `gcloud run revisions list --service=${service} --region=${ctx.region} --project=${p} --limit=3`,
          },
        ],
        recover: [
          'A producer bug: the producer fixes and resends; refused events were never accepted, so it still has them.',
          'A contract that is too strict: change the contract (a compatible change), deploy, and let the producer resend.',
        ],
        confirm: [
          'Refused events are answered 207 or 422 to the producer, each with its reason, and never published: nothing the platform accepted is lost. Confirm with the producer that it resent the refused window.',
        ],
      },
    });
  }
  return out;
}
