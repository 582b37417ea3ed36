/**
 * The typed workflow graph: every scheduled and on-demand run of the platform as DAGs of typed tasks, built
 * from what the platform already knows (the Dataform repository and its release, the model tags, the loader
 * and its streams, the contracts' owners). Pure TypeScript: `airflow.ts` renders it as Airflow DAG files for
 * Composer, and the same graph drives Dataform workflow configs where there is no Composer.
 */
import type { Contract } from '../contracts/model';
import { Checks } from '../core/validation';
import { REBUILD_VARS } from '../models/curated-sql';

/** Retries with exponential backoff, per task. */
export interface RetryPolicy {
  readonly retries: number;
  readonly retryDelayMinutes: number;
  readonly maxRetryDelayMinutes: number;
}

/** A DAG param (Airflow `Param`), shown in the trigger form and validated by its JSON schema. */
export interface DagParam {
  readonly name: string;
  readonly type: 'string' | 'array' | 'boolean';
  /** null: no default; the run must give a value (checked by a task, as Airflow validates defaults at import). */
  readonly default: string | boolean | readonly string[] | null;
  readonly description: string;
  /** For strings: a regular expression the value must match. @default - any */
  readonly pattern?: string;
}

/** Compiles the Dataform project as the release config does (the released git ref and its variables). */
export interface CompileTask {
  readonly kind: 'dataform-compile';
  readonly id: string;
  readonly upstream: readonly string[];
  /** Compilation variables, as Jinja templates over the run's params. @default - the release's own */
  readonly vars?: Readonly<Record<string, string>>;
}

/** Starts a Dataform workflow invocation of the compiled project, selecting actions by tag or target. */
export interface InvokeTask {
  readonly kind: 'dataform-invoke';
  readonly id: string;
  readonly upstream: readonly string[];
  /** The compile task whose result is invoked. */
  readonly compilation: string;
  readonly select:
    | { readonly tags: readonly string[] }
    /** A Jinja expression rendering to a list of action names (for example from a param). */
    | { readonly targetsFromParam: string };
  /** Also run everything downstream of the selected actions. */
  readonly dependents: boolean;
  readonly fullRefresh: boolean;
}

/** Waits for an invocation to end; a failed or cancelled invocation fails the task. */
export interface WaitTask {
  readonly kind: 'dataform-wait';
  readonly id: string;
  readonly upstream: readonly string[];
  readonly invocation: string;
  readonly timeoutMinutes: number;
}

/** Fails the run before any work when its date range is missing, reversed or longer than `maxDays`. */
export interface CheckRangeTask {
  readonly kind: 'check-range';
  readonly id: string;
  readonly upstream: readonly string[];
  readonly fromParam: string;
  readonly toParam: string;
  readonly maxDays: number;
}

/** Lists landing objects under the stream prefixes that have no result record yet. */
export interface FindPendingTask {
  readonly kind: 'loader-find-pending';
  readonly id: string;
  readonly upstream: readonly string[];
  /** Only objects at least this old (a fresh upload is being handled by its trigger). */
  readonly minAgeMinutes: number;
  /** At most this many per run; the rest wait for the next run. */
  readonly limit: number;
}

/** Starts the loader job once per pending object (mapped over the find task's list). */
export interface RunLoaderTask {
  readonly kind: 'loader-run';
  readonly id: string;
  readonly upstream: readonly string[];
  /** The find task whose list is mapped. */
  readonly objects: string;
}

export type TaskSpec = CheckRangeTask | CompileTask | InvokeTask | WaitTask | FindPendingTask | RunLoaderTask;

export interface DagSpec {
  readonly dagId: string;
  readonly description: string;
  /** A cron expression, or null for runs started by hand or by API. */
  readonly schedule: string | null;
  readonly catchup: boolean;
  readonly maxActiveRuns: number;
  /** A run still going after this is failed. */
  readonly runTimeoutMinutes: number;
  readonly owner: string;
  readonly tags: readonly string[];
  readonly params: readonly DagParam[];
  readonly retry: RetryPolicy;
  readonly tasks: readonly TaskSpec[];
}

/** Where the runs act: the platform resources the DAGs name. */
export interface OrchestrationTargets {
  readonly project: string;
  readonly region: string;
  /** Names DAG ids: `<prefix>_<dag>` with hyphens as underscores. */
  readonly namePrefix: string;
  /**
   * The Dataform repository and what its release config compiles: the released git ref and the release's
   * compilation variables (a rebuild adds its date range to them).
   */
  readonly dataform: {
    readonly repository: string;
    readonly gitCommitish: string;
    readonly vars: Readonly<Record<string, string>>;
  };
  /** @default - no batch catch-up DAG */
  readonly loader?: {
    readonly jobName: string;
    readonly bucket: string;
    readonly streams: readonly string[];
  };
  /** The contracts: their owners own the DAGs, their names tag them. */
  readonly contracts: readonly Contract[];
}

/** The compilation variables a rebuild passes: the curated models recompute the grains of those event dates. */
export { REBUILD_VARS } from '../models/curated-sql';

const DATE = '^\\d{4}-\\d{2}-\\d{2}$';
const STANDARD_RETRY: RetryPolicy = { retries: 3, retryDelayMinutes: 2, maxRetryDelayMinutes: 30 };

/** The DAGs of one environment. */
export function orchestrationGraph(t: OrchestrationTargets): DagSpec[] {
  const prefix = t.namePrefix.replace(/-/g, '_');
  const owner = [...new Set(t.contracts.map((c) => c.owner))].sort().join(', ') || 'data-platform';
  const tags = ['tributary', ...new Set(t.contracts.map((c) => `stream:${c.name}`))].sort();
  const dag = (d: Omit<DagSpec, 'owner' | 'retry'> & { retry?: RetryPolicy }): DagSpec => ({
    owner,
    retry: STANDARD_RETRY,
    ...d,
    tags: [...d.tags, ...tags],
  });
  const run = (
    stage: string,
    upstream: string[],
    select: InvokeTask['select'],
    extra: Partial<InvokeTask> = {},
  ) => [
    {
      kind: 'dataform-invoke',
      id: `invoke_${stage}`,
      upstream,
      compilation: 'compile',
      select,
      dependents: false,
      fullRefresh: false,
      ...extra,
    } satisfies InvokeTask,
    {
      kind: 'dataform-wait',
      id: `wait_${stage}`,
      upstream: [`invoke_${stage}`],
      invocation: `invoke_${stage}`,
      timeoutMinutes: 50,
    } satisfies WaitTask,
  ];
  const compile: CompileTask = { kind: 'dataform-compile', id: 'compile', upstream: [] };
  const dags: DagSpec[] = [
    dag({
      dagId: `${prefix}_incremental`,
      description: 'Hourly: staging then curated models, incrementally, from the released Dataform project.',
      schedule: '5 * * * *',
      catchup: false,
      // One at a time: each run consumes the changes the previous one left, in order.
      maxActiveRuns: 1,
      runTimeoutMinutes: 55,
      tags: ['models', 'incremental'],
      params: [],
      tasks: [
        compile,
        ...run('staging', ['compile'], { tags: ['staging'] }),
        ...run('curated', ['wait_staging'], { tags: ['curated'] }),
      ],
    }),
    dag({
      dagId: `${prefix}_data_quality`,
      description:
        'Daily: every assertion; results stay in the assertions dataset and the invocation record.',
      schedule: '30 2 * * *',
      catchup: false,
      maxActiveRuns: 1,
      runTimeoutMinutes: 120,
      tags: ['models', 'data-quality'],
      params: [],
      tasks: [compile, ...run('assertions', ['compile'], { tags: ['assertions'] })],
    }),
    dag({
      dagId: `${prefix}_rebuild`,
      description:
        'On demand: rebuild the given models for a date range, everything downstream included; safe to re-run.',
      schedule: null,
      catchup: false,
      // Two rebuilds of overlapping ranges would race on the same partitions.
      maxActiveRuns: 1,
      runTimeoutMinutes: 360,
      tags: ['models', 'backfill'],
      retry: { retries: 1, retryDelayMinutes: 5, maxRetryDelayMinutes: 5 },
      params: [
        {
          name: 'start_date',
          type: 'string',
          default: null,
          description: 'First day to rebuild (YYYY-MM-DD).',
          pattern: DATE,
        },
        {
          name: 'end_date',
          type: 'string',
          default: null,
          description: 'Last day to rebuild (YYYY-MM-DD).',
          pattern: DATE,
        },
        {
          name: 'models',
          type: 'array',
          default: [],
          description: 'Models to rebuild, as dataset.table; their dependents are rebuilt too.',
        },
      ],
      tasks: [
        {
          kind: 'check-range',
          id: 'check_range',
          upstream: [],
          fromParam: 'start_date',
          toParam: 'end_date',
          maxDays: 400,
        },
        {
          ...compile,
          upstream: ['check_range'],
          vars: {
            [REBUILD_VARS.from]: '{{ params.start_date }}',
            [REBUILD_VARS.to]: '{{ params.end_date }}',
          },
        },
        // Incremental: with the range variables, each curated model downstream recomputes exactly the grains of
        // those event dates from staging (models/curated-sql.ts); running it again changes nothing.
        ...run('rebuild', ['compile'], { targetsFromParam: 'params.models' }, { dependents: true }),
      ],
    }),
  ];
  if (t.loader)
    dags.push(
      dag({
        dagId: `${prefix}_batch_catchup`,
        description: 'Every 30 minutes: start the loader for uploads that have no result record yet.',
        schedule: '*/30 * * * *',
        catchup: false,
        maxActiveRuns: 1,
        runTimeoutMinutes: 25,
        tags: ['loader', 'catch-up'],
        params: [],
        tasks: [
          { kind: 'loader-find-pending', id: 'find_pending', upstream: [], minAgeMinutes: 30, limit: 100 },
          { kind: 'loader-run', id: 'run_loader', upstream: ['find_pending'], objects: 'find_pending' },
        ],
      }),
    );
  checkGraph(dags);
  return dags;
}

/** Unique ids, known upstreams and references, and no cycles; throws listing every problem. */
export function checkGraph(dags: readonly DagSpec[]): void {
  const c = new Checks('workflow graph');
  const ids = new Set<string>();
  for (const d of dags) {
    if (ids.has(d.dagId)) c.fail('dagId', d.dagId, 'appears twice');
    ids.add(d.dagId);
    c.rule(`${d.dagId}.dagId`, d.dagId, 'must be letters, digits and underscores', (x) =>
      /^[A-Za-z0-9_]+$/.test(x),
    );
    for (const task of d.tasks)
      c.rule(
        `${d.dagId}.tasks`,
        task.id,
        'must be a lowercase identifier (it names a Python variable)',
        (x) => /^[a-z][a-z0-9_]*$/.test(x),
      );
    const tasks = new Map(d.tasks.map((x) => [x.id, x]));
    if (tasks.size !== d.tasks.length)
      c.fail(
        `${d.dagId}.tasks`,
        d.tasks.map((x) => x.id),
        'ids must be unique',
      );
    for (const task of d.tasks) {
      for (const u of task.upstream)
        if (!tasks.has(u)) c.fail(`${d.dagId}.${task.id}.upstream`, u, 'names no task of this DAG');
      const ref =
        task.kind === 'dataform-invoke'
          ? task.compilation
          : task.kind === 'dataform-wait'
            ? task.invocation
            : undefined;
      if (ref !== undefined && !task.upstream.includes(ref) && !reaches(tasks, task.id, ref))
        c.fail(`${d.dagId}.${task.id}`, ref, 'must run after the task whose result it uses');
    }
    const cycle = findCycle(d.tasks);
    if (cycle) c.fail(`${d.dagId}.tasks`, cycle, 'form a cycle');
  }
  c.throwIfAny();
}

function reaches(tasks: ReadonlyMap<string, TaskSpec>, from: string, to: string): boolean {
  const seen = new Set<string>();
  const stack = [...(tasks.get(from)?.upstream ?? [])];
  while (stack.length > 0) {
    const id = stack.pop() as string;
    if (id === to) return true;
    if (seen.has(id)) continue;
    seen.add(id);
    stack.push(...(tasks.get(id)?.upstream ?? []));
  }
  return false;
}

function findCycle(tasks: readonly TaskSpec[]): string[] | undefined {
  const byId = new Map(tasks.map((t) => [t.id, t]));
  const state = new Map<string, 'open' | 'done'>();
  const path: string[] = [];
  const visit = (id: string): string[] | undefined => {
    if (state.get(id) === 'done') return undefined;
    if (state.get(id) === 'open') return [...path.slice(path.indexOf(id)), id];
    state.set(id, 'open');
    path.push(id);
    for (const u of byId.get(id)?.upstream ?? []) {
      const found = visit(u);
      if (found) return found;
    }
    path.pop();
    state.set(id, 'done');
    return undefined;
  };
  for (const t of tasks) {
    const found = visit(t.id);
    if (found) return found;
  }
  return undefined;
}

/** The report each stack with orchestration writes (`dags.json`), read by the PR preview. */
export const DAGS_REPORT = 'dags.json';

export interface DagReportEntry {
  readonly dagId: string;
  readonly schedule: string | null;
  readonly description: string;
  /** SHA-256 of the DAG's generated source: a change means the DAG changed. */
  readonly sha256: string;
}

export interface DagsReport {
  /** Where the DAGs run: Composer, or Dataform workflow configs (scheduled model runs only). */
  readonly runner: 'composer' | 'dataform-workflow-configs';
  readonly dags: readonly DagReportEntry[];
}

/** The graph as a Mermaid flowchart: one box per DAG (its schedule), its tasks and their order inside. */
export function orchestrationMermaid(dags: readonly DagSpec[]): string {
  const lines = ['flowchart LR'];
  for (const d of dags) {
    lines.push(`  subgraph ${d.dagId}["${d.dagId} (${d.schedule ?? 'on demand'})"]`);
    for (const t of d.tasks) lines.push(`    ${d.dagId}__${t.id}["${t.id}: ${t.kind}"]`);
    for (const t of d.tasks)
      for (const u of t.upstream) lines.push(`    ${d.dagId}__${u} --> ${d.dagId}__${t.id}`);
    lines.push('  end');
  }
  return `${lines.join('\n')}\n`;
}
