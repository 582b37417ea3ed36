import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { planUpload } from '../../contracts/loader';
import { dagSource } from '../../orchestration/airflow';
import {
  checkGraph,
  type DagSpec,
  type OrchestrationTargets,
  orchestrationGraph,
  orchestrationMermaid,
  type TaskSpec,
} from '../../orchestration/graph';
import { CONTRACTS } from '../../stacks/contracts/index';
import { errorOf } from '../helpers';
import { describeWithTool } from '../system-tools';
import { type LoadedDag, loadDags } from './airflow-stand-in';

const TARGETS: OrchestrationTargets = {
  project: 'trb-test-project',
  region: 'europe-west1',
  namePrefix: 'trb-tst',
  dataform: {
    repository: 'trb-tst-models',
    gitCommitish: 'dataform/test',
    vars: { pii_policy_tag: 'projects/p/x' },
  },
  loader: {
    jobName: 'trb-tst-loader',
    bucket: 'trb-test-project-landing',
    streams: CONTRACTS.map((c) => c.name),
  },
  contracts: CONTRACTS,
};

const GRAPH = orchestrationGraph(TARGETS);

function writeDags(dags: readonly DagSpec[]): string[] {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tributary-dags-'));
  return dags.map((d) => {
    const file = path.join(dir, `${d.dagId}.py`);
    fs.writeFileSync(file, dagSource(d, TARGETS));
    return file;
  });
}

const OPERATOR: Readonly<Record<TaskSpec['kind'], string>> = {
  'check-range': '_Decorated',
  'dataform-compile': 'DataformCreateCompilationResultOperator',
  'dataform-invoke': 'DataformCreateWorkflowInvocationOperator',
  'dataform-wait': 'DataformWorkflowInvocationStateSensor',
  'loader-find-pending': '_Decorated',
  'loader-run': 'CloudRunExecuteJobOperator',
};

describe('the workflow graph', () => {
  test('has the incremental, data-quality, rebuild and batch catch-up DAGs, each with deliberate limits', () => {
    expect(GRAPH.map((d) => [d.dagId, d.schedule, d.catchup, d.maxActiveRuns])).toEqual([
      ['trb_tst_incremental', '5 * * * *', false, 1],
      ['trb_tst_data_quality', '30 2 * * *', false, 1],
      ['trb_tst_rebuild', null, false, 1],
      ['trb_tst_batch_catchup', '*/30 * * * *', false, 1],
    ]);
    for (const d of GRAPH) {
      expect(d.retry.retries).toBeGreaterThan(0);
      expect(d.runTimeoutMinutes).toBeGreaterThan(0);
      expect(d.tags).toEqual(expect.arrayContaining(['tributary', 'stream:order']));
      expect(d.owner).toContain('orders-team@example.com');
    }
    const incremental = GRAPH[0] as DagSpec;
    expect(incremental.tasks.map((t) => [t.id, t.upstream])).toEqual([
      ['compile', []],
      ['invoke_staging', ['compile']],
      ['wait_staging', ['invoke_staging']],
      ['invoke_curated', ['wait_staging']],
      ['wait_curated', ['invoke_curated']],
    ]);
  });

  test('without a loader there is no catch-up DAG', () => {
    const { loader: _l, ...rest } = TARGETS;
    expect(orchestrationGraph(rest).map((d) => d.dagId)).not.toContain('trb_tst_batch_catchup');
  });

  test('fails duplicate ids, unknown upstreams, results used before they exist, and cycles, listing each', () => {
    const dag = GRAPH[0] as DagSpec;
    const broken: DagSpec = {
      ...dag,
      tasks: [
        { kind: 'dataform-compile', id: 'compile', upstream: ['wait_curated'] },
        {
          kind: 'dataform-wait',
          id: 'wait_curated',
          upstream: ['compile'],
          invocation: 'invoke_x',
          timeoutMinutes: 5,
        },
        {
          kind: 'dataform-wait',
          id: 'orphan',
          upstream: ['nothing'],
          invocation: 'compile',
          timeoutMinutes: 5,
        },
        { kind: 'dataform-compile', id: 'Bad-Id', upstream: [] },
      ],
    };
    const message = errorOf(() => checkGraph([dag, broken])).message;
    for (const part of [
      'dagId = "trb_tst_incremental": appears twice',
      'trb_tst_incremental.wait_curated = "invoke_x": must run after the task whose result it uses',
      'trb_tst_incremental.orphan.upstream = "nothing": names no task of this DAG',
      'trb_tst_incremental.tasks = "Bad-Id": must be a lowercase identifier',
      'form a cycle',
    ])
      expect(message).toContain(part);
  });
});

describeWithTool('python3', 'the generated DAG files', () => {
  const files = writeDags(GRAPH);

  test('compile with py_compile', () => {
    for (const file of files) {
      const run = spawnSync('python3', ['-m', 'py_compile', file], { encoding: 'utf8' });
      expect({ file, status: run.status, stderr: run.stderr }).toEqual({ file, status: 0, stderr: '' });
    }
  });

  test('declare exactly the typed graph: tasks, dependencies, schedule, params and retries', () => {
    const { dags } = loadDags(files);
    expect(dags.map((d) => d.dag_id)).toEqual(GRAPH.map((d) => d.dagId));
    for (const spec of GRAPH) {
      const dag = dags.find((d) => d.dag_id === spec.dagId) as LoadedDag;
      expect(dag.kwargs).toMatchObject({
        schedule: spec.schedule,
        catchup: spec.catchup,
        max_active_runs: spec.maxActiveRuns,
        dagrun_timeout: { minutes: spec.runTimeoutMinutes },
        tags: spec.tags,
        description: spec.description,
      });
      expect(dag.default_args).toEqual({
        owner: spec.owner,
        retries: spec.retry.retries,
        retry_delay: { minutes: spec.retry.retryDelayMinutes },
        retry_exponential_backoff: true,
        max_retry_delay: { minutes: spec.retry.maxRetryDelayMinutes },
        execution_timeout: { minutes: spec.runTimeoutMinutes },
        on_failure_callback: 'callable:on_failure',
      });
      expect(Object.keys(dag.params)).toEqual(spec.params.map((p) => p.name));
      for (const p of spec.params) expect(dag.params[p.name]?.default).toEqual(p.default);
      expect(Object.keys(dag.tasks)).toEqual(spec.tasks.map((t) => t.id));
      for (const t of spec.tasks) {
        const loaded = dag.tasks[t.id];
        expect({ id: t.id, class: loaded?.class, upstream: loaded?.upstream }).toEqual({
          id: t.id,
          class: OPERATOR[t.kind],
          upstream: [...t.upstream].sort(),
        });
      }
    }
  });

  test('invoke Dataform with the release, the tags and the rebuild range, and start the loader per pending object', () => {
    const { dags } = loadDags(files);
    const byId = new Map(dags.map((d) => [d.dag_id, d]));
    const incremental = byId.get('trb_tst_incremental') as LoadedDag;
    expect(incremental.tasks.compile?.kwargs).toMatchObject({
      project_id: 'trb-test-project',
      region: 'europe-west1',
      repository_id: 'trb-tst-models',
      compilation_result: {
        git_commitish: 'dataform/test',
        code_compilation_config: { vars: { pii_policy_tag: 'projects/p/x' } },
      },
    });
    expect(incremental.tasks.invoke_curated?.kwargs).toMatchObject({
      asynchronous: true,
      workflow_invocation: {
        compilation_result: "{{ task_instance.xcom_pull(task_ids='compile')['name'] }}",
        invocation_config: { included_tags: ['curated'], transitive_dependents_included: false },
      },
    });
    expect(incremental.tasks.wait_curated?.kwargs).toMatchObject({
      expected_statuses: ['State.SUCCEEDED'],
      failure_statuses: ['State.CANCELLED', 'State.FAILED'],
    });
    const rebuild = byId.get('trb_tst_rebuild') as LoadedDag;
    expect(rebuild.kwargs).toMatchObject({ render_template_as_native_obj: true });
    expect(rebuild.tasks.compile?.kwargs).toMatchObject({
      compilation_result: {
        code_compilation_config: {
          vars: {
            pii_policy_tag: 'projects/p/x',
            rebuild_from: '{{ params.start_date }}',
            rebuild_to: '{{ params.end_date }}',
          },
        },
      },
    });
    expect(rebuild.tasks.invoke_rebuild?.kwargs).toMatchObject({
      workflow_invocation: {
        invocation_config: {
          included_targets: "{{ params.models | map('dataform_target') | list }}",
          transitive_dependents_included: true,
          fully_refresh_incremental_tables_enabled: false,
        },
      },
    });
    expect(rebuild.tasks.check_range?.function).toBe('require_range');
    const catchup = byId.get('trb_tst_batch_catchup') as LoadedDag;
    expect(catchup.tasks.run_loader).toMatchObject({
      class: 'CloudRunExecuteJobOperator',
      kwargs: { job_name: 'trb-tst-loader', region: 'europe-west1' },
      mapped: { overrides: 'find_pending' },
    });
    expect(catchup.tasks.find_pending).toMatchObject({
      function: 'pending_uploads',
      kwargs: { min_age_minutes: 30, limit: 100 },
    });
  });

  test("the catch-up names each upload's result object exactly as the loader does", () => {
    const uploads: [string, string, string][] = [
      ['order/2026/11/a.csv', '1764460800000001', '2026-11-29T23:59:59.999Z'],
      ['app_event/x y/ü€.ndjson.gz', '9', '2026-11-30T00:00:00.000Z'],
      ['user_activity/deep/a/b/c.jsonl', '1764460800123456', '2027-01-01T00:30:00+01:00'],
    ];
    const catchup = files.find((f) => f.endsWith('_batch_catchup.py')) as string;
    const { results } = loadDags([catchup], uploads);
    const streams = new Set(CONTRACTS.map((c) => c.name));
    expect(results).toEqual(
      uploads.map(([name, generation, created]) => {
        const plan = planUpload({ bucket: 'b', name, generation }, new Date(created), streams);
        if ('problem' in plan) throw new Error(plan.problem);
        return plan.resultObject;
      }),
    );
  });
});

describeWithTool('pyflakes3', 'the generated DAG files under pyflakes', () => {
  test('have no undefined, unused or shadowed names', () => {
    const files = writeDags(GRAPH);
    const run = spawnSync('pyflakes3', files, { encoding: 'utf8' });
    expect({ status: run.status, stdout: run.stdout, stderr: run.stderr }).toEqual({
      status: 0,
      stdout: '',
      stderr: '',
    });
  });
});

test('the README shows the current graph', () => {
  const readme = fs.readFileSync(path.resolve(__dirname, '../../README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Orchestration'));
  const block = /```mermaid\n([\s\S]*?)```/.exec(section)?.[1];
  const graph = orchestrationGraph({ ...TARGETS, namePrefix: 'trb-prod' });
  expect(block).toBe(orchestrationMermaid(graph));
});
