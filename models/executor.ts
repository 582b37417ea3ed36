/**
 * The SQL Dataform's executor sends to BigQuery for a compiled action, reproduced from its source so the tests
 * analyze and run exactly those statements: dataform-co/dataform cli/api/dbadapters/execution_sql.ts
 * (`createOrReplace`, `createOrReplaceView`, `mergeInto`, `insertInto`, `assertTasks`, `publishTasks`), identical
 * at f3335b29 (core 3.0.62) and in @dataform/cli 3.0.69. Pre-operations, the statement and post-operations run
 * as one BigQuery script (`tasks.concatenate()`, joined with ";\n"), so script variables and temporary tables
 * declared in pre-operations are visible to the rest.
 */
import type { CompiledAssertion, CompiledTable, Target } from './compile';

export function resolveTarget(t: Target): string {
  return `\`${[t.database, t.schema, t.name].filter(Boolean).join('.')}\``;
}

/** `create or replace table … as <query>` (execution_sql.ts createOrReplace), for tables and incrementals. */
export function createOrReplace(table: CompiledTable): string {
  const bq = table.bigquery ?? {};
  const kind = table.type === 'view' ? 'view' : 'table';
  return `create or replace ${kind} ${resolveTarget(table.target)} ${bq.partitionBy ? `partition by ${bq.partitionBy} ` : ''}${bq.clusterBy && bq.clusterBy.length > 0 ? `cluster by ${bq.clusterBy.join(', ')} ` : ''}as ${table.query ?? ''}`;
}

export function createOrReplaceView(target: Target, query: string): string {
  return `\n      create or replace view ${resolveTarget(target)} as ${query}`;
}

/** The MERGE of an incremental table with a unique key; `columns` are the existing table's, in its order. */
export function mergeInto(table: CompiledTable, columns: readonly string[]): string {
  const uniqueKey = table.uniqueKey ?? [];
  const filter = table.bigquery?.updatePartitionFilter;
  const backticked = columns.map((c) => `\`${c}\``);
  return `
merge ${resolveTarget(table.target)} DATAFORM_DEST
using (${table.incrementalQuery ?? table.query}
) DATAFORM_SOURCE
on ${uniqueKey.map((k) => `DATAFORM_DEST.${k} = DATAFORM_SOURCE.${k}`).join(' and ')} ${filter ? `and DATAFORM_DEST.${filter}` : ''}

when matched then
  update set ${columns.map((c) => `\`${c}\` = DATAFORM_SOURCE.${c}`).join(',')}
when not matched then
  insert (${backticked.join(',')}) values (${backticked.join(',')})`;
}

/** The INSERT of an incremental table without a unique key. */
export function insertInto(table: CompiledTable, columns: readonly string[]): string {
  const cols = columns.map((c) => `\`${c}\``);
  return `\t\ninsert into ${resolveTarget(table.target)}\t\n(${cols.join(',')})\t\nselect ${cols.join(',')}\t\nfrom (${table.incrementalQuery ?? table.query}) as insertions`;
}

export type RunMode = 'full' | 'incremental';

/**
 * The statements of one run of a table: a full run (first run, or a full refresh) creates or replaces it; an
 * incremental run merges (or inserts) into the existing table, whose columns are given.
 */
export function tableStatements(
  table: CompiledTable,
  mode: RunMode,
  existingColumns: readonly string[] = [],
): string[] {
  if (table.type !== 'incremental' || mode === 'full')
    return [...(table.preOps ?? []), createOrReplace(table), ...(table.postOps ?? [])];
  const dml =
    (table.uniqueKey ?? []).length > 0
      ? mergeInto(table, existingColumns)
      : insertInto(table, existingColumns);
  return [...(table.incrementalPreOps ?? []), dml, ...(table.incrementalPostOps ?? [])];
}

/** An assertion: the view of failing rows, then the count Dataform checks (a run fails when it is above 0). */
export function assertionStatements(assertion: CompiledAssertion): {
  readonly view: string;
  readonly check: string;
} {
  return {
    view: createOrReplaceView(assertion.target, assertion.query),
    check: `select sum(1) as row_count from ${resolveTarget(assertion.target)}`,
  };
}
