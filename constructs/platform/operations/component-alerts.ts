/**
 * The alerts of the platform's components: the ingest gateway (5xx share, p99 latency), the batch loader (failed
 * runs, reject share), the warehouse models (failed Dataform invocations, failed assertions) and Composer (failed
 * DAG runs, from the structured `tributary.dag_failure` line the DAGs log). Dataform has no metrics; its
 * invocation-completion log is what Cloud Monitoring matches.
 */
import type { PlatformIngest } from '../ingest/platform-ingest';
import type { PlatformLoader } from '../loader/platform-loader';
import type { PlatformModels } from '../models/platform-models';
import type { PlatformOrchestration } from '../orchestration/platform-orchestration';
import type { AlertSpec, OpsContext } from './stream-alerts';

export const DATAFORM_COMPLETION =
  'jsonPayload.@type="type.googleapis.com/google.cloud.dataform.logging.v1.WorkflowInvocationCompletionLogEntry"';

/**
 * The PromQL name of a Cloud Monitoring metric type: the first `/` becomes `:`, every other character outside
 * `[A-Za-z0-9_:]` becomes `_` (Cloud Monitoring's PromQL mapping).
 */
export function promqlName(metricType: string): string {
  return metricType.replace('/', ':').replace(/[^A-Za-z0-9_:]/g, '_');
}

/**
 * Rows a loader log metric counted over `window`: the metrics are distributions (rows per file), and PromQL reads
 * their `_sum` series as counters.
 */
export function loaderRows(metricType: string, window: string): string {
  return `sum(increase(${promqlName(metricType)}_sum{monitored_resource="cloud_run_job"}[${window}]))`;
}

export interface Components {
  readonly ingest?: PlatformIngest;
  readonly loader?: PlatformLoader;
  readonly models?: PlatformModels;
  readonly orchestration?: PlatformOrchestration;
}

export function componentAlerts(ctx: OpsContext, c: Components): AlertSpec[] {
  const p = ctx.project;
  const t = ctx.thresholds;
  const out: AlertSpec[] = [];
  if (c.ingest) {
    const service = c.ingest.service.serviceName;
    const subject = { kind: 'component' as const, name: 'gateway' };
    const revision = `resource.type="cloud_run_revision" AND resource.labels.project_id="${p}" AND resource.labels.service_name="${service}"`;
    const checks = [
      {
        why: 'Read the gateway’s errors of the last hour.',
        command: `gcloud logging read '${revision} AND severity>=ERROR' --project=${p} --freshness=1h --limit=20`,
      },
      {
        why: 'See the serving revisions and their traffic.',
        command: `gcloud run services describe ${service} --region=${ctx.region} --project=${p} --format="yaml(status.traffic,status.conditions)"`,
      },
      {
        why: 'See whether Pub/Sub refuses or times out publishes (the gateway answers 503 then).',
        command: `gcloud logging read '${revision} AND jsonPayload.publishError:*' --project=${p} --freshness=1h --limit=10`,
      },
    ];
    const confirm = [
      'The gateway answers 500/503 for events it did not publish, and producers resend those; an event answered 200/207-accepted was acknowledged by Pub/Sub first. Confirm the producers resent the 5xx window (their logs), then run the archive-against-raw check of each stream alert (it compares event ids).',
    ];
    out.push(
      {
        signal: 'gateway-5xx-share',
        subject,
        displayName: `gateway: more than ${t.gateway5xxShare * 100}% of requests fail (5xx)`,
        severity: 'CRITICAL',
        conditions: [
          {
            kind: 'ratio',
            name: `5xx share of ${service}`,
            numerator: `${revision} AND metric.type="run.googleapis.com/request_count" AND metric.labels.response_code_class="5xx"`,
            denominator: `${revision} AND metric.type="run.googleapis.com/request_count"`,
            aggregation: {
              alignmentSeconds: 300,
              aligner: 'ALIGN_RATE',
              reducer: 'REDUCE_SUM',
              groupBy: ['resource.labels.service_name'],
            },
            above: t.gateway5xxShare,
            forSeconds: 300,
          },
        ],
        runbook: {
          meaning: `More than ${t.gateway5xxShare * 100}% of the gateway's requests end in 5xx: events are not being accepted. Producers get 503 with Retry-After for what can be retried.`,
          checks,
          recover: [
            `A bad revision: roll back with \`gcloud run services update-traffic ${service} --to-revisions=<previous>=100 --region=${ctx.region} --project=${p}\`.`,
            'Pub/Sub errors: see the topic and its quota; the gateway recovers when publishing does.',
          ],
          confirm,
        },
      },
      {
        signal: 'gateway-latency-p99',
        subject,
        displayName: `gateway: p99 latency above ${t.gatewayP99Ms} ms`,
        severity: 'WARNING',
        conditions: [
          {
            kind: 'threshold',
            name: `p99 latency of ${service}`,
            filter: `${revision} AND metric.type="run.googleapis.com/request_latencies"`,
            aggregation: {
              alignmentSeconds: 300,
              aligner: 'ALIGN_DELTA',
              reducer: 'REDUCE_PERCENTILE_99',
              groupBy: ['resource.labels.service_name'],
            },
            above: t.gatewayP99Ms,
            forSeconds: 600,
          },
        ],
        runbook: {
          meaning: `One request in a hundred takes longer than ${t.gatewayP99Ms} ms: the gateway is short of instances, or Pub/Sub publishing is slow.`,
          checks,
          recover: [
            'Raise ingest.minInstances / maxInstances in the environment file and deploy, or wait out a Pub/Sub slowdown (the publisher retries within its deadline).',
          ],
          confirm,
        },
      },
    );
  }
  if (c.loader) {
    const job = c.loader.job.jobName;
    const subject = { kind: 'component' as const, name: 'loader' };
    const checks = [
      {
        why: 'List the latest executions and their results.',
        command: `gcloud run jobs executions list --job=${job} --region=${ctx.region} --project=${p} --limit=10`,
      },
      {
        why: 'Read the loader’s final lines (one per file, with the counts and any refusal reason).',
        command: `gcloud logging read 'resource.type="cloud_run_job" AND resource.labels.job_name="${job}" AND jsonPayload.outcome:*' --project=${p} --freshness=6h --limit=20`,
      },
      {
        why: 'Read the errors.',
        command: `gcloud logging read 'resource.type="cloud_run_job" AND resource.labels.job_name="${job}" AND severity>=ERROR' --project=${p} --freshness=6h --limit=20`,
      },
    ];
    const rows = (m: 'rowsRejected' | 'rowsAccepted') =>
      loaderRows(c.loader?.metrics[m].metricType as string, '30m');
    const share = t.loaderRejectShare;
    out.push(
      {
        signal: 'loader-failed-runs',
        subject,
        displayName: 'loader: a run failed',
        severity: 'ERROR',
        conditions: [
          {
            kind: 'threshold',
            name: `failed executions of ${job}`,
            filter: `resource.type="cloud_run_job" AND resource.labels.project_id="${p}" AND resource.labels.job_name="${job}" AND metric.type="run.googleapis.com/job/completed_execution_count" AND metric.labels.result="failed"`,
            aggregation: { alignmentSeconds: 300, aligner: 'ALIGN_SUM', reducer: 'REDUCE_SUM' },
            above: 0,
            forSeconds: 0,
          },
        ],
        runbook: {
          meaning: `A loader execution failed: a file was not loaded (exit 1 retries; exit 2 is a configuration error). The file stays in the landing bucket; nothing of it was loaded twice.`,
          checks,
          recover: [
            'Fix the cause; then run the file again: the batch catch-up DAG does it every 30 minutes, or re-upload the object (a new generation is a new file).',
          ],
          confirm: [
            'Each file ends with a result object under results/ in the landing bucket: every row is loaded or quarantined, and the counts are in it.',
            {
              why: 'List the result objects of the day.',
              command: `gcloud storage ls 'gs://${ctx.landingBucket}/results/**' --project=${p}`,
            },
          ],
        },
      },
      {
        signal: 'loader-reject-share',
        subject,
        displayName: `loader: more than ${share * 100}% of rows rejected`,
        severity: 'WARNING',
        conditions: [
          {
            kind: 'promql',
            name: 'rejected / all rows over 30 minutes',
            // All rejected (no accepted series at all) still fires: the denominator is the sum of both.
            query: `${rows('rowsRejected')} / (${rows('rowsRejected')} + (${rows('rowsAccepted')} or vector(0))) > ${share}`,
            forSeconds: 0,
          },
        ],
        runbook: {
          meaning: `Over the last 30 minutes more than ${share * 100}% of uploaded rows failed their contract and went to quarantine/ with their reasons. Files over the environment's maxRejectShare are refused whole.`,
          checks,
          recover: [
            'Send the quarantined rows back to the uploader (each line holds the row, its errors and the text), or fix the contract if it is too strict.',
          ],
          confirm: [
            'Rejected rows are never dropped: each is in quarantine/<stream>/<date>/ with its reasons.',
          ],
        },
      },
    );
  }
  if (c.models) {
    const repo = c.models.repository.repositoryId;
    const subject = { kind: 'component' as const, name: 'models' };
    const base = `resource.type="dataform.googleapis.com/Repository" AND resource.labels.repository_id="${repo}" AND ${DATAFORM_COMPLETION} AND jsonPayload.terminalState="FAILED"`;
    const checks = [
      {
        why: 'List the latest invocations and their states.',
        command: `gcloud logging read '${base}' --project=${p} --freshness=1d --limit=10`,
      },
      {
        why: "Read the errors of the models' BigQuery jobs of the last day (each failed table or assertion is one).",
        command: `bq query --project_id=${p} --use_legacy_sql=false 'SELECT creation_time, error_result.message, SUBSTR(query, 1, 200) AS query FROM \`region-${ctx.dataLocation.toLowerCase()}\`.INFORMATION_SCHEMA.JOBS WHERE user_email = "${c.models.identity.email}" AND error_result IS NOT NULL AND creation_time > TIMESTAMP_SUB(CURRENT_TIMESTAMP(), INTERVAL 1 DAY) ORDER BY creation_time DESC'`,
      },
      {
        why: 'See the rows a failing assertion found (each assertion is a view listing them).',
        command: `bq ls --project_id=${p} --max_results=100 ${c.models.assertions.datasetId}`,
      },
    ];
    const recover = [
      'Fix the model or the data, push the models (`npm run dataform:push`), and run again: the next scheduled run picks up from the changes log, so no window is skipped.',
    ];
    const confirm = [
      'Incremental models recompute exactly the grains their changes touched, and the rebuild DAG recomputes a date range: a failed run leaves nothing half-applied (each model is one MERGE). Run the rebuild for the failed window if a run was skipped.',
    ];
    out.push({
      signal: 'dataform-failed-invocations',
      subject,
      displayName: 'models: a Dataform invocation failed',
      severity: 'ERROR',
      conditions: [{ kind: 'log-match', name: `failed invocation in ${repo}`, filter: base }],
      runbook: {
        meaning: `A Dataform run of the warehouse models in ${repo} failed: staging or curated tables did not advance.`,
        checks,
        recover,
        confirm,
      },
    });
    const quality = c.orchestration?.graph.find((d) => d.tags.includes('data-quality'));
    const composer = c.orchestration?.environment;
    const configId = quality ? c.orchestration?.workflowConfigIds[quality.dagId] : undefined;
    const assertionFilter =
      composer && quality
        ? `resource.type="cloud_composer_environment" AND resource.labels.environment_name="${composer.environmentName}" AND textPayload:"tributary.dag_failure" AND textPayload:"${quality.dagId}"`
        : configId
          ? `${base} AND jsonPayload.workflowConfigId="${configId}"`
          : undefined;
    if (assertionFilter)
      out.push({
        signal: 'dataform-failed-assertions',
        subject,
        displayName: 'models: data-quality assertions failed',
        severity: 'WARNING',
        conditions: [{ kind: 'log-match', name: 'failed data-quality run', filter: assertionFilter }],
        runbook: {
          meaning: `The daily data-quality run failed: at least one assertion found rows (freshness, uniqueness, accepted values, curated totals). Its view in ${c.models.assertions.datasetId} lists them.`,
          checks,
          recover: [
            'Find the cause in the failing rows: late data past the bound, a producer bug, or a model bug. Fix it, then run the rebuild DAG for the affected dates.',
          ],
          confirm,
        },
      });
  }
  const env = c.orchestration?.environment;
  if (env) {
    const filter = `resource.type="cloud_composer_environment" AND resource.labels.environment_name="${env.environmentName}" AND textPayload:"tributary.dag_failure"`;
    out.push({
      signal: 'composer-failed-dag-runs',
      subject: { kind: 'component', name: 'orchestration' },
      displayName: 'orchestration: a DAG task failed',
      severity: 'ERROR',
      conditions: [{ kind: 'log-match', name: `dag failure in ${env.environmentName}`, filter }],
      runbook: {
        meaning: `A task of a platform DAG in ${env.environmentName} failed after its retries; the structured line names the DAG, task, run and error.`,
        checks: [
          {
            why: 'Read the failure lines.',
            command: `gcloud logging read '${filter}' --project=${p} --freshness=1d --limit=10`,
          },
          {
            why: 'See the environment is healthy.',
            command: `gcloud composer environments describe ${env.environmentName} --location=${ctx.region} --project=${p} --format="yaml(state,config.softwareConfig.imageVersion)"`,
          },
          {
            why: 'List the DAG runs of the failing DAG.',
            command: `gcloud composer environments run ${env.environmentName} --location=${ctx.region} --project=${p} dags list-runs -- -d <dag_id>`,
          },
        ],
        recover: [
          'Fix the cause and clear the failed task in the Airflow UI (or `gcloud composer environments run … tasks clear`); catchup is off, so the next scheduled run carries on from the changes log.',
        ],
        confirm: [
          'The model runs are incremental from the changes log and the loader catch-up re-lists pending files, so a failed run is picked up by the next one. For a skipped date range, trigger the rebuild DAG with that range.',
        ],
      },
    });
  }
  return out;
}
