/**
 * Airflow DAG source for each DAG of the graph, for Composer 3 (Airflow 2, the Google provider's Dataform and
 * Cloud Run operators). One file per DAG, deterministic: the same graph always gives the same bytes, so the
 * uploaded object (named by its hash) changes exactly when the DAG does.
 */
import type { DagParam, DagSpec, OrchestrationTargets, TaskSpec } from './graph';

/** The environment variable holding release variables known only at apply, as a JSON object. */
export const RELEASE_VARS_ENV = 'TRIBUTARY_RELEASE_VARS';

/** A Python string literal (JSON's escapes are valid Python). */
function py(value: unknown): string {
  if (value === true) return 'True';
  if (value === false) return 'False';
  if (value === null || value === undefined) return 'None';
  if (typeof value === 'string' || typeof value === 'number') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(py).join(', ')}]`;
  return `{${Object.entries(value as Record<string, unknown>)
    .map(([k, v]) => `${JSON.stringify(k)}: ${py(v)}`)
    .join(', ')}}`;
}

const minutes = (n: number) => `timedelta(minutes=${n})`;
const xcomName = (task: string) =>
  `{{ task_instance.xcom_pull(task_ids=${JSON.stringify(task).replace(/"/g, "'")})['name'] }}`;

function param(p: DagParam): string {
  const schema = p.type === 'array' ? ', items={"type": "string"}' : '';
  if (p.default === null)
    return `        ${py(p.name)}: Param(None, type=["null", ${py(p.type)}], description=${py(p.description)}${p.pattern ? `, pattern=${py(p.pattern)}` : ''}${schema}),`;
  const pattern = p.pattern ? `, pattern=${py(p.pattern)}` : '';
  return `        ${py(p.name)}: Param(${py(p.default)}, type=${py(p.type)}, description=${py(p.description)}${pattern}${schema}),`;
}

function taskSource(task: TaskSpec): string {
  const common = 'project_id=PROJECT_ID, region=REGION, repository_id=REPOSITORY_ID';
  switch (task.kind) {
    case 'check-range':
      return `    ${task.id} = require_range.override(task_id=${py(task.id)})(
        start="{{ params.${task.fromParam} }}", end="{{ params.${task.toParam} }}", max_days=${task.maxDays}
    )`;
    case 'dataform-compile':
      return `    ${task.id} = DataformCreateCompilationResultOperator(
        task_id=${py(task.id)},
        ${common},
        compilation_result={
            "git_commitish": GIT_COMMITISH,
            "code_compilation_config": {"vars": {**RELEASE_VARS, **${py(task.vars ?? {})}}},
        },
    )`;
    case 'dataform-invoke': {
      const select =
        'tags' in task.select
          ? `"included_tags": ${py(task.select.tags)}`
          : `"included_targets": "{{ ${task.select.targetsFromParam} | map('dataform_target') | list }}"`;
      return `    ${task.id} = DataformCreateWorkflowInvocationOperator(
        task_id=${py(task.id)},
        ${common},
        asynchronous=True,
        workflow_invocation={
            "compilation_result": ${py(xcomName(task.compilation))},
            "invocation_config": {
                ${select},
                "transitive_dependencies_included": False,
                "transitive_dependents_included": ${py(task.dependents)},
                "fully_refresh_incremental_tables_enabled": ${py(task.fullRefresh)},
            },
        },
    )`;
    }
    case 'dataform-wait':
      return `    ${task.id} = DataformWorkflowInvocationStateSensor(
        task_id=${py(task.id)},
        ${common},
        workflow_invocation_id="{{ task_instance.xcom_pull(task_ids='${task.invocation}')['name'].split('/')[-1] }}",
        expected_statuses={WorkflowInvocation.State.SUCCEEDED},
        failure_statuses={WorkflowInvocation.State.FAILED, WorkflowInvocation.State.CANCELLED},
        mode="reschedule",
        poke_interval=60,
        timeout=${task.timeoutMinutes * 60},
    )`;
    case 'loader-find-pending':
      return `    ${task.id} = pending_uploads.override(task_id=${py(task.id)})(min_age_minutes=${task.minAgeMinutes}, limit=${task.limit})`;
    case 'loader-run':
      return `    ${task.id} = CloudRunExecuteJobOperator.partial(
        task_id=${py(task.id)},
        project_id=PROJECT_ID,
        region=REGION,
        job_name=LOADER_JOB,
    ).expand(overrides=${task.objects})`;
  }
}

/** The helpers a DAG with the batch catch-up needs: the loader's own names, computed the same way. */
const CATCHUP_HELPERS = `

def result_object(name, generation, time_created):
    """The loader's result object for one upload (contracts/loader.ts planUpload: results/<stream>/<date>/...)."""
    stream, rest = name.split("/", 1)
    return "results/%s/%s/%s.%s.json" % (stream, time_created.astimezone(timezone.utc).strftime("%Y-%m-%d"), rest, generation)


@task
def pending_uploads(min_age_minutes, limit):
    """Uploads under a stream prefix, old enough, with no result record: the loader's overrides for each."""
    client = GCSHook().get_conn()
    bucket = client.bucket(LANDING_BUCKET)
    cutoff = datetime.now(timezone.utc) - timedelta(minutes=min_age_minutes)
    pending = []
    for stream in STREAMS:
        done = {blob.name for blob in client.list_blobs(bucket, prefix="results/%s/" % stream)}
        for blob in client.list_blobs(bucket, prefix=stream + "/"):
            if blob.name.endswith("/") or blob.time_created > cutoff:
                continue
            if result_object(blob.name, blob.generation, blob.time_created) in done:
                continue
            pending.append({"container_overrides": [{"env": [
                {"name": "TRIBUTARY_OBJECT", "value": "gs://%s/%s" % (LANDING_BUCKET, blob.name)},
                {"name": "TRIBUTARY_OBJECT_GENERATION", "value": str(blob.generation)},
            ]}]})
            if len(pending) >= limit:
                return pending
    return pending
`;

const CHECK_RANGE_HELPER = `

@task
def require_range(start, end, max_days):
    """Fails the run, without retries, unless both dates are given, in order, and at most max_days apart."""
    if not start or not end or start == "None" or end == "None":
        raise AirflowFailException("start_date and end_date are required (YYYY-MM-DD)")
    first, last = date.fromisoformat(start), date.fromisoformat(end)
    if last < first or (last - first).days + 1 > max_days:
        raise AirflowFailException("start_date %s .. end_date %s must be in order and at most %d days" % (start, end, max_days))
    return {"start": start, "end": end}
`;

/** The Python source of one DAG file. */
export function dagSource(dag: DagSpec, targets: OrchestrationTargets): string {
  const kinds = new Set(dag.tasks.map((t) => t.kind));
  const dataform =
    kinds.has('dataform-compile') || kinds.has('dataform-invoke') || kinds.has('dataform-wait');
  const loader = kinds.has('loader-find-pending') || kinds.has('loader-run');
  const targetsFilter = dag.tasks.some((t) => t.kind === 'dataform-invoke' && 'targetsFromParam' in t.select);
  const checkRange = kinds.has('check-range');
  const decorated = loader || checkRange;
  const imports = [
    'import json',
    'import logging',
    ...(dataform ? ['import os'] : []),
    `from datetime import ${checkRange ? 'date, ' : ''}datetime, timedelta${loader ? ', timezone' : ''}`,
    '',
    'from airflow import DAG',
    ...(decorated ? ['from airflow.decorators import task'] : []),
    ...(checkRange ? ['from airflow.exceptions import AirflowFailException'] : []),
    ...(dag.params.length > 0 ? ['from airflow.models.param import Param'] : []),
    ...(loader ? ['from airflow.providers.google.cloud.hooks.gcs import GCSHook'] : []),
    ...(loader
      ? ['from airflow.providers.google.cloud.operators.cloud_run import CloudRunExecuteJobOperator']
      : []),
    ...(dataform
      ? [
          'from airflow.providers.google.cloud.operators.dataform import (',
          '    DataformCreateCompilationResultOperator,',
          '    DataformCreateWorkflowInvocationOperator,',
          ')',
          'from airflow.providers.google.cloud.sensors.dataform import DataformWorkflowInvocationStateSensor',
          'from google.cloud.dataform_v1beta1 import WorkflowInvocation',
        ]
      : []),
  ];
  const constants = [
    `PROJECT_ID = ${py(targets.project)}`,
    `REGION = ${py(targets.region)}`,
    ...(dataform
      ? [
          `REPOSITORY_ID = ${py(targets.dataform.repository)}`,
          `GIT_COMMITISH = ${py(targets.dataform.gitCommitish)}`,
          // Variables known only at apply (a policy tag's name) come from the environment Terraform sets.
          `RELEASE_VARS = {**${py(targets.dataform.vars)}, **json.loads(os.environ.get(${py(RELEASE_VARS_ENV)}, "{}"))}`,
        ]
      : []),
    ...(loader && targets.loader
      ? [
          `LOADER_JOB = ${py(targets.loader.jobName)}`,
          `LANDING_BUCKET = ${py(targets.loader.bucket)}`,
          `STREAMS = ${py([...targets.loader.streams].sort())}`,
        ]
      : []),
  ];
  const edges = dag.tasks.flatMap((t) => t.upstream.map((u) => `    ${u} >> ${t.id}`));
  const lines = [
    '# Generated by Tributary (orchestration/) from the typed workflow graph. Do not edit: change the graph.',
    `"""${dag.description.replace(/"""/g, "'''")}"""`,
    ...imports,
    '',
    ...constants,
    '',
    '',
    'def on_failure(context):',
    '    """One structured line per failed task attempt, for the alerting to select on (event=tributary.dag_failure)."""',
    '    ti = context["task_instance"]',
    '    logging.getLogger("tributary.alerts").error(json.dumps({',
    '        "event": "tributary.dag_failure",',
    '        "dag_id": ti.dag_id,',
    '        "task_id": ti.task_id,',
    '        "run_id": context["run_id"],',
    '        "try_number": ti.try_number,',
    '        "error": str(context.get("exception")),',
    '    }, sort_keys=True))',
    ...(targetsFilter
      ? [
          '',
          '',
          'def dataform_target(name):',
          '    """A Dataform action target from `dataset.table`."""',
          '    schema, table = name.split(".", 1)',
          '    return {"database": PROJECT_ID, "schema": schema, "name": table}',
        ]
      : []),
    ...(loader ? [CATCHUP_HELPERS.trimEnd()] : []),
    ...(checkRange ? [CHECK_RANGE_HELPER.trimEnd()] : []),
    '',
    '',
    'default_args = {',
    `    "owner": ${py(dag.owner)},`,
    `    "retries": ${dag.retry.retries},`,
    `    "retry_delay": ${minutes(dag.retry.retryDelayMinutes)},`,
    '    "retry_exponential_backoff": True,',
    `    "max_retry_delay": ${minutes(dag.retry.maxRetryDelayMinutes)},`,
    `    "execution_timeout": ${minutes(dag.runTimeoutMinutes)},`,
    '    "on_failure_callback": on_failure,',
    '}',
    '',
    'with DAG(',
    `    dag_id=${py(dag.dagId)},`,
    `    description=${py(dag.description)},`,
    `    schedule=${py(dag.schedule)},`,
    '    start_date=datetime(2026, 1, 1),',
    `    catchup=${py(dag.catchup)},`,
    `    max_active_runs=${dag.maxActiveRuns},`,
    `    dagrun_timeout=${minutes(dag.runTimeoutMinutes)},`,
    '    default_args=default_args,',
    `    tags=${py(dag.tags)},`,
    ...(dag.params.length > 0 ? ['    params={', ...dag.params.map(param), '    },'] : []),
    ...(targetsFilter
      ? [
          '    user_defined_filters={"dataform_target": dataform_target},',
          '    render_template_as_native_obj=True,',
        ]
      : []),
    ') as dag:',
    ...dag.tasks.map(taskSource),
    ...edges,
    '',
  ];
  return lines.join('\n');
}
