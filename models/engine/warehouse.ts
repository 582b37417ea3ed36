/**
 * A local warehouse on DuckDB that runs a compiled Dataform project as Dataform's executor would on BigQuery:
 * raw tables created from the contracts, rows committed at a given time (the commit time APPENDS reads), and
 * runs that take each action in dependency order, fully (first run, or a full refresh) or incrementally, as one
 * script of pre-operations, the executor's statement and post-operations, then the assertions. Every statement
 * is the BigQuery SQL of the compiled graph, checked by the guard and translated mechanically (translate.ts).
 * Script statements (DECLARE, SET, IF … RAISE) are evaluated here, statement by statement, in UTC.
 */
import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { rawTableSchema } from '../../contracts/generators/bigquery';
import type { Contract } from '../../contracts/model';
import type { CompiledAssertion, CompiledGraph, CompiledTable, Target } from '../compile';
import { assertionStatements, tableStatements } from '../executor';
import { GuardError, type GuardFinding, guardStatement } from './guard';
import { initTranslator, toDuckDb } from './translate';

/** The hidden column the local warehouse stamps with each raw row's commit time. */
export const COMMIT_COLUMN = '_tributary_commit_ts';

interface SchemaField {
  readonly name: string;
  readonly type: string;
  readonly mode: string;
  readonly fields?: readonly SchemaField[];
  readonly precision?: string;
  readonly scale?: string;
}

const DUCK: Record<string, string> = {
  STRING: 'VARCHAR',
  INTEGER: 'BIGINT',
  FLOAT: 'DOUBLE',
  BOOLEAN: 'BOOLEAN',
  TIMESTAMP: 'TIMESTAMPTZ',
  DATE: 'DATE',
  JSON: 'JSON',
  BYTES: 'BLOB',
};

function duckType(f: SchemaField): string {
  const base =
    f.type === 'RECORD'
      ? `STRUCT(${(f.fields ?? []).map((x) => `"${x.name}" ${duckType(x)}`).join(', ')})`
      : f.type === 'NUMERIC'
        ? `DECIMAL(${f.precision ?? 38}, ${f.scale ?? 9})`
        : DUCK[f.type];
  if (!base) throw new Error(`no DuckDB type for BigQuery type ${f.type}`);
  return f.mode === 'REPEATED' ? `${base}[]` : base;
}

/** A DuckDB literal of a JS value for a column. */
function literal(value: unknown, f: SchemaField): string {
  if (value === undefined || value === null) return f.mode === 'REPEATED' ? '[]' : 'NULL';
  if (f.mode === 'REPEATED')
    return `[${(value as unknown[]).map((v) => literal(v, { ...f, mode: 'NULLABLE' })).join(', ')}]`;
  switch (f.type) {
    case 'RECORD': {
      const o = value as Record<string, unknown>;
      return `{${(f.fields ?? []).map((x) => `'${x.name}': ${literal(o[x.name], x)}`).join(', ')}}`;
    }
    case 'STRING':
      return `'${String(value).replace(/'/g, "''")}'`;
    case 'JSON':
      return `'${(typeof value === 'string' ? value : JSON.stringify(value)).replace(/'/g, "''")}'::JSON`;
    case 'TIMESTAMP':
      return `'${value instanceof Date ? value.toISOString() : String(value)}'::TIMESTAMPTZ`;
    case 'DATE':
      return `'${String(value)}'::DATE`;
    case 'NUMERIC':
      return `'${String(value)}'::${duckType({ ...f, mode: 'NULLABLE' })}`;
    case 'BOOLEAN':
      return value ? 'TRUE' : 'FALSE';
    default:
      return String(value);
  }
}

const bqTimestamp = (d: Date) => `TIMESTAMP '${d.toISOString().replace('T', ' ').replace('Z', '+00')}'`;
const fullName = (t: Target) => [t.schema, t.name].join('.');

/** The named tables and every table downstream of them; an unknown name is an error naming the known ones. */
function withDependents(tables: readonly CompiledTable[], targets: readonly string[]): Set<string> {
  const known = new Set(tables.map((t) => fullName(t.target)));
  const unknown = targets.filter((t) => !known.has(t));
  if (unknown.length > 0)
    throw new Error(`unknown targets ${unknown.join(', ')} (known: ${[...known].sort().join(', ')})`);
  const out = new Set(targets);
  for (let grew = true; grew; ) {
    grew = false;
    for (const t of tables)
      if (!out.has(fullName(t.target)) && (t.dependencyTargets ?? []).some((d) => out.has(fullName(d)))) {
        out.add(fullName(t.target));
        grew = true;
      }
  }
  return out;
}

export interface ScanStats {
  /** Rows each table scan returned (after the filters pushed into it), by table. */
  readonly rowsRead: number;
  /** Rows the scans went through (DuckDB reads row groups: coarser than BigQuery's partitions). */
  readonly rowsScanned: number;
}

export interface ActionResult {
  readonly name: string;
  readonly mode: 'full' | 'incremental' | 'view';
  readonly ms: number;
  readonly stats?: ScanStats;
}

export interface AssertionResult {
  readonly name: string;
  readonly failingRows: number;
  /** Up to ten failing rows. */
  readonly sample: readonly Record<string, unknown>[];
}

export interface RunResult {
  readonly actions: readonly ActionResult[];
  readonly assertions: readonly AssertionResult[];
  readonly ms: number;
  readonly stats?: ScanStats;
}

export interface RunOptions {
  /** The run's clock (CURRENT_TIMESTAMP()). */
  readonly at: Date;
  /** Rebuild every incremental table (Dataform's --full-refresh). @default false */
  readonly fullRefresh?: boolean;
  /** Run the assertions after the actions. @default true */
  readonly assertions?: boolean;
  /** Measure rows read with EXPLAIN ANALYZE (slower). @default false */
  readonly measure?: boolean;
  /** Called after every statement with its wall time. @default - none */
  readonly trace?: (action: string, statement: number, ms: number, sql: string) => void;
  /** Another compilation of the same project (other variables, such as a rebuild's range). @default - the warehouse's */
  readonly graph?: CompiledGraph;
  /**
   * Run only these actions (`dataset.table`) and everything downstream of them, as a Dataform invocation with
   * included targets and transitive dependents. @default - every action
   */
  readonly targets?: readonly string[];
}

/** Raised by a model's IF … RAISE (or any failing statement), naming the action and statement. */
export class RunError extends Error {}

export class LocalWarehouse {
  private constructor(
    private readonly connection: DuckDBConnection,
    private readonly graph: CompiledGraph,
    private readonly rawTables: ReadonlyMap<string, { target: Target; schema: SchemaField[] }>,
  ) {}

  /** A warehouse for `graph`, with an empty raw table per declared raw table of `contracts`. */
  static async create(graph: CompiledGraph, raw: ReadonlyMap<string, Contract>): Promise<LocalWarehouse> {
    const findings: GuardFinding[] = [];
    for (const t of graph.tables ?? [])
      for (const s of [
        ...(t.preOps ?? []),
        t.query ?? '',
        ...(t.postOps ?? []),
        ...(t.incrementalPreOps ?? []),
        t.incrementalQuery ?? '',
        ...(t.incrementalPostOps ?? []),
      ])
        findings.push(...guardStatement(t.target.name, s));
    for (const a of graph.assertions ?? []) findings.push(...guardStatement(a.target.name, a.query));
    const unique = findings.filter(
      (f, i) => findings.findIndex((o) => o.model === f.model && o.construct === f.construct) === i,
    );
    if (unique.length > 0) throw new GuardError(unique);
    await initTranslator();

    const instance = await DuckDBInstance.create(':memory:', {
      threads: '2',
      autoinstall_known_extensions: 'false',
      autoload_known_extensions: 'false',
    });
    const connection = await instance.connect();
    // BigQuery semantics: instants in UTC, NULLs first when ascending and last when descending.
    await connection.run(`SET TimeZone = 'UTC'`);
    await connection.run(`SET default_null_order = 'nulls_first_on_asc_last_on_desc'`);
    const schemas = new Set<string>();
    for (const t of [...(graph.tables ?? []), ...(graph.assertions ?? []), ...(graph.declarations ?? [])])
      schemas.add(t.target.schema ?? 'main');
    for (const s of schemas) await connection.run(`CREATE SCHEMA IF NOT EXISTS "${s}"`);
    const rawTables = new Map<string, { target: Target; schema: SchemaField[] }>();
    for (const d of graph.declarations ?? []) {
      const contract = raw.get(d.target.name);
      if (!contract) continue;
      const schema = rawTableSchema(contract) as unknown as SchemaField[];
      await connection.run(
        `CREATE TABLE "${d.target.schema}"."${d.target.name}" (${[...schema.map((f) => `"${f.name}" ${duckType(f)}`), `${COMMIT_COLUMN} TIMESTAMPTZ NOT NULL`].join(', ')})`,
      );
      rawTables.set(d.target.name, { target: d.target, schema });
    }
    return new LocalWarehouse(connection, graph, rawTables);
  }

  /** Commits rows (shaped like the raw table: contract fields plus metadata columns) at `commitAt`. */
  async commit(rawTable: string, rows: readonly Record<string, unknown>[], commitAt: Date): Promise<void> {
    const t = this.rawTables.get(rawTable);
    if (!t)
      throw new Error(
        `${rawTable}: not a raw table of this warehouse (${[...this.rawTables.keys()].join(', ')})`,
      );
    const unknown = rows.flatMap((r) => Object.keys(r)).filter((k) => !t.schema.some((f) => f.name === k));
    if (unknown.length > 0) throw new Error(`${rawTable}: no column ${[...new Set(unknown)].join(', ')}`);
    for (let i = 0; i < rows.length; i += 500) {
      const values = rows
        .slice(i, i + 500)
        .map(
          (r) =>
            `(${[...t.schema.map((f) => literal(r[f.name], f)), `'${commitAt.toISOString()}'::TIMESTAMPTZ`].join(', ')})`,
        );
      await this.connection.run(
        `INSERT INTO "${t.target.schema}"."${t.target.name}" VALUES ${values.join(',\n')}`,
      );
    }
  }

  /** Runs DuckDB SQL directly (bulk loads in benchmarks). */
  async sql(text: string): Promise<Record<string, unknown>[]> {
    return (await this.connection.runAndReadAll(text)).getRowObjectsJson() as Record<string, unknown>[];
  }

  private async exists(t: Target): Promise<string[] | undefined> {
    const rows = await this.sql(
      `SELECT column_name FROM information_schema.columns WHERE table_schema = '${t.schema}' AND table_name = '${t.name}' ORDER BY ordinal_position`,
    );
    return rows.length > 0 ? rows.map((r) => String(r.column_name)) : undefined;
  }

  /** Executes one BigQuery script (a list of statements) with its own variables. */
  private async script(
    action: string,
    statements: readonly string[],
    at: Date,
    measure: boolean,
    stats: { read: number; scanned: number },
    trace?: RunOptions['trace'],
  ): Promise<void> {
    const variables = new Map<string, string>();
    const types = new Map<string, string>();
    const temps: string[] = [];
    const ctx = () => ({ variables, now: bqTimestamp(at), commitColumn: COMMIT_COLUMN });
    const evaluate = async (expr: string, type: string): Promise<string> => {
      const [sql] = toDuckDb(`SELECT (${expr}) AS v`, ctx());
      const rows = await this.sql(sql as string);
      return bqLiteral(rows[0]?.v, type);
    };
    try {
      for (const [i, raw] of statements.entries()) {
        const text = raw.trim();
        const where = `${action}, statement ${i + 1}`;
        const started = performance.now();
        try {
          const declare = /^DECLARE\s+(\w+)\s+(.+?)(?:\s+DEFAULT\s+([\s\S]+))?$/i.exec(text);
          const set = /^SET\s+(\w+)\s*=\s*([\s\S]+)$/i.exec(text);
          const raise =
            /^IF\s+([\s\S]+?)\s+THEN\s+RAISE\s+USING\s+MESSAGE\s*=\s*([\s\S]+?);\s*END\s+IF$/i.exec(text);
          if (declare) {
            const [, name, type, def] = declare as unknown as [string, string, string, string | undefined];
            types.set(name, type.trim());
            variables.set(
              name,
              def ? await evaluate(def, type.trim()) : type.trim().startsWith('ARRAY') ? '[]' : 'NULL',
            );
          } else if (set) {
            const name = set[1] as string;
            variables.set(name, await evaluate(set[2] as string, types.get(name) ?? 'STRING'));
          } else if (raise) {
            if ((await evaluate(raise[1] as string, 'BOOL')) === 'TRUE') {
              const message = await evaluate(raise[2] as string, 'STRING');
              throw new RunError(
                JSON.parse(`"${message.slice(1, -1).replace(/\\'/g, "'").replace(/"/g, '\\"')}"`),
              );
            }
          } else {
            const temp = /^CREATE\s+TEMP(?:ORARY)?\s+TABLE\s+(\w+)/i.exec(text);
            if (temp) temps.push(temp[1] as string);
            for (const s of toDuckDb(text, ctx())) {
              if (measure) {
                const r = await this.connection.runAndReadAll(`EXPLAIN (ANALYZE, FORMAT JSON) ${s}`);
                const plan = JSON.parse(String(r.getRowObjects()[0]?.explain_value ?? '[]'));
                const walk = (n: {
                  operator_type?: string;
                  operator_rows_scanned?: number;
                  operator_cardinality?: number;
                  children?: unknown[];
                }) => {
                  if (n.operator_type === 'TABLE_SCAN') {
                    stats.read += Number(n.operator_cardinality ?? 0);
                    stats.scanned += Number(n.operator_rows_scanned ?? 0);
                  }
                  for (const c of n.children ?? []) walk(c as typeof n);
                };
                for (const n of Array.isArray(plan) ? plan : [plan]) walk(n);
              } else await this.connection.run(s);
            }
          }
          trace?.(action, i + 1, performance.now() - started, text);
        } catch (error) {
          if (error instanceof RunError) throw error;
          throw new RunError(
            `${where} failed: ${(error as Error).message}\n--- statement (BigQuery) ---\n${text}`,
          );
        }
      }
    } finally {
      for (const t of temps)
        await this.connection.run(`DROP TABLE IF EXISTS temp.main."${t}"`).catch(() => undefined);
    }
  }

  /** Runs every action in dependency order, then the assertions. A failing action stops the run (it throws). */
  async run(options: RunOptions): Promise<RunResult> {
    const started = performance.now();
    const graph = options.graph ?? this.graph;
    const all = [...(graph.tables ?? [])];
    const selected = options.targets ? withDependents(all, options.targets) : undefined;
    const tables = selected ? all.filter((t) => selected.has(fullName(t.target))) : all;
    const done = new Set<string>();
    const actions: ActionResult[] = [];
    const total = { read: 0, scanned: 0 };
    while (done.size < tables.length) {
      const ready = tables.filter(
        (t) =>
          !done.has(fullName(t.target)) &&
          (t.dependencyTargets ?? []).every(
            (d) =>
              done.has(fullName(d)) ||
              this.rawTables.has(d.name) ||
              !tables.some((x) => fullName(x.target) === fullName(d)),
          ),
      );
      if (ready.length === 0) throw new Error('dependency cycle');
      for (const table of ready.sort((a, b) => (a.target.name < b.target.name ? -1 : 1))) {
        actions.push(await this.runTable(table, options, total));
        done.add(fullName(table.target));
      }
    }
    const assertions =
      options.assertions === false
        ? []
        : await Promise.all((graph.assertions ?? []).map((a) => this.assert(a, options.at)));
    return {
      actions,
      assertions: assertions.sort((a, b) => (a.name < b.name ? -1 : 1)),
      ms: performance.now() - started,
      ...(options.measure ? { stats: { rowsRead: total.read, rowsScanned: total.scanned } } : {}),
    };
  }

  private async runTable(
    table: CompiledTable,
    options: RunOptions,
    total: { read: number; scanned: number },
  ): Promise<ActionResult> {
    const started = performance.now();
    const existing = await this.exists(table.target);
    const mode =
      table.type === 'view'
        ? 'view'
        : table.type === 'incremental' && existing && !options.fullRefresh
          ? 'incremental'
          : 'full';
    const stats = { read: 0, scanned: 0 };
    await this.script(
      table.target.name,
      tableStatements(table, mode === 'incremental' ? 'incremental' : 'full', existing ?? []),
      options.at,
      options.measure ?? false,
      stats,
      options.trace,
    );
    total.read += stats.read;
    total.scanned += stats.scanned;
    return {
      name: table.target.name,
      mode,
      ms: performance.now() - started,
      ...(options.measure ? { stats: { rowsRead: stats.read, rowsScanned: stats.scanned } } : {}),
    };
  }

  private async assert(a: CompiledAssertion, at: Date): Promise<AssertionResult> {
    const { view, check } = assertionStatements(a);
    await this.script(a.target.name, [view], at, false, { read: 0, scanned: 0 });
    const [count] = toDuckDb(check, { now: bqTimestamp(at), commitColumn: COMMIT_COLUMN });
    const n = Number((await this.sql(count as string))[0]?.row_count ?? 0);
    return {
      name: a.target.name,
      failingRows: n,
      sample: n > 0 ? await this.sql(`SELECT * FROM "${a.target.schema}"."${a.target.name}" LIMIT 10`) : [],
    };
  }

  /** The rows of a model's table (as JSON values), sorted for comparison. */
  async rows(
    target: string,
    options: { readonly exclude?: readonly string[] } = {},
  ): Promise<Record<string, unknown>[]> {
    const [schema, name] = target.split('.') as [string, string];
    const cols = (await this.exists({ schema, name })) ?? [];
    const keep = cols.filter((c) => !(options.exclude ?? []).includes(c));
    const rows = await this.sql(
      `SELECT ${keep.map((c) => `"${c}"`).join(', ')} FROM "${schema}"."${name}" ORDER BY ALL`,
    );
    return rows;
  }

  close(): void {
    this.connection.closeSync();
  }
}

/** A value DuckDB returned (as JSON) as a BigQuery literal of `type`. */
function bqLiteral(value: unknown, type: string): string {
  const t = type.toUpperCase();
  if (value === null || value === undefined) return t.startsWith('ARRAY') ? '[]' : 'NULL';
  if (t.startsWith('ARRAY')) {
    const inner = /^ARRAY<(.+)>$/.exec(t)?.[1] ?? 'STRING';
    const items = Array.isArray(value) ? value : JSON.parse(String(value));
    return `[${(items as unknown[]).map((v) => bqLiteral(v, inner)).join(', ')}]`;
  }
  if (t === 'TIMESTAMP') return `TIMESTAMP '${String(value)}'`;
  if (t === 'DATE') return `DATE '${String(value)}'`;
  if (t === 'BOOL') return value === true || value === 'true' ? 'TRUE' : 'FALSE';
  if (t === 'INT64' || t.startsWith('NUMERIC') || t === 'FLOAT64') return String(value);
  return `'${String(value).replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}
