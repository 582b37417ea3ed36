/**
 * Analyzes every statement a compiled Dataform project runs with ZetaSQL, BigQuery's analyzer, against a catalog
 * built from the contracts: the raw tables as the contracts define them, each model's table as its full-refresh
 * statement creates it, the changes logs, and BigQuery's APPENDS change-history function. Statements are the
 * executor's own (models/executor.ts), for a full run and an incremental run of every table, and for every
 * assertion. Script statements are analyzed one by one: a DECLARE becomes a catalog constant of its type, a SET
 * and an IF's condition are checked against theirs. Unknown columns and type errors fail, naming the model and
 * the statement.
 */
import { rawTableSchema } from '../../contracts/generators/bigquery';
import type { Contract } from '../../contracts/model';
import type { CompiledGraph, Target } from '../compile';
import { assertionStatements, tableStatements } from '../executor';
import { type Message, startZetaSql, type ZetaSqlServer, zetaSqlError, zetaSqlProtos } from './zetasql';

const EXTRA_FEATURES = [
  'FEATURE_INTERVAL_TYPE',
  'FEATURE_V_1_4_GROUPING_SETS',
  'FEATURE_V_1_4_GROUPING_BUILTIN',
];

type TypeProto = Message;
const T = (kind: string): TypeProto => ({ typeKind: `TYPE_${kind}` });
const SIMPLE: Record<string, TypeProto> = {
  STRING: T('STRING'),
  INTEGER: T('INT64'),
  INT64: T('INT64'),
  FLOAT: T('DOUBLE'),
  FLOAT64: T('DOUBLE'),
  NUMERIC: T('NUMERIC'),
  BOOLEAN: T('BOOL'),
  BOOL: T('BOOL'),
  TIMESTAMP: T('TIMESTAMP'),
  DATE: T('DATE'),
  JSON: T('JSON'),
  BYTES: T('BYTES'),
};

export interface SchemaField {
  readonly name: string;
  readonly type: string;
  readonly mode: string;
  readonly fields?: readonly SchemaField[];
}

function fieldType(f: SchemaField): TypeProto {
  const base =
    f.type === 'RECORD'
      ? {
          typeKind: 'TYPE_STRUCT',
          structType: {
            field: (f.fields ?? []).map((x) => ({ fieldName: x.name, fieldType: fieldType(x) })),
          },
        }
      : SIMPLE[f.type];
  if (!base) throw new Error(`no ZetaSQL type for BigQuery type ${f.type}`);
  return f.mode === 'REPEATED' ? { typeKind: 'TYPE_ARRAY', arrayType: { elementType: base } } : base;
}

/** The columns of a contract's raw table as ZetaSQL types. */
export function rawColumns(contract: Contract): { name: string; type: TypeProto }[] {
  return rawTableSchema(contract).map((f) => ({ name: f.name, type: fieldType(f) }));
}

const CHANGES_LOG = [
  ['changed_at', T('TIMESTAMP')],
  ['committed_through', T('TIMESTAMP')],
  ['full_refresh', T('BOOL')],
  ['_tributary_key', T('STRING')],
  ['old_position', T('STRING')],
  ['new_position', T('STRING')],
].map(([name, type]) => ({ name: name as string, type: type as TypeProto }));

export interface AnalysisProblem {
  readonly action: string;
  readonly run: 'full' | 'incremental' | 'assertion';
  readonly statement: number;
  readonly message: string;
  readonly line?: number;
  readonly column?: number;
  /** The statement, for the report. */
  readonly sql: string;
}

export interface AnalysisResult {
  /** Statements analyzed. */
  readonly statements: number;
  readonly problems: readonly AnalysisProblem[];
}

const fullName = (t: Target) => [t.database, t.schema, t.name].filter(Boolean).join('.');

/** The APPENDS change-history function: the input table's columns plus _CHANGE_TIMESTAMP. */
function appendsTvf(): Message {
  const relation = zetaSqlProtos().lookupType('zetasql.TVFRelationProto');
  const bytes = relation
    .encode(relation.fromObject({ column: [{ name: '_CHANGE_TIMESTAMP', type: { typeKind: 19 } }] }))
    .finish();
  if (bytes.some((b) => b >= 0x80)) throw new Error('APPENDS custom context is not ASCII-safe');
  const ts = (name: string) => ({
    kind: 'ARG_TYPE_FIXED',
    type: T('TIMESTAMP'),
    numOccurrences: -1,
    options: { cardinality: 'OPTIONAL', argumentName: name, defaultValue: {} },
  });
  return {
    namePath: ['APPENDS'],
    type: 'FORWARD_INPUT_SCHEMA_TO_OUTPUT_SCHEMA_WITH_APPENDED_COLUMNS',
    customContext: Buffer.from(bytes).toString('latin1'),
    signature: {
      // numOccurrences must be -1 (not concrete): 0 crashes the server.
      argument: [
        { kind: 'ARG_TYPE_RELATION', numOccurrences: -1, options: { cardinality: 'REQUIRED' } },
        ts('start_timestamp'),
        ts('end_timestamp'),
      ],
      returnType: { kind: 'ARG_TYPE_RELATION', numOccurrences: -1 },
      contextId: 0,
    },
  };
}

/** The warehouse as ZetaSQL sees it; re-registered whenever a table or a script variable appears. */
class Catalog {
  readonly tables = new Map<string, { name: string; type: TypeProto }[]>();
  readonly constants = new Map<string, TypeProto>();
  private id: string | undefined;

  constructor(
    private readonly server: ZetaSqlServer,
    private readonly languageOptions: Message,
  ) {}

  private build(): Message {
    const root: Message = {
      name: 'root',
      table: [],
      catalog: [],
      constant: [],
      customTvf: [appendsTvf()],
      builtinFunctionOptions: { languageOptions: this.languageOptions },
    };
    for (const [name, columns] of this.tables) {
      const parts = name.split('.');
      const table = (n: string) => ({
        name: n,
        fullName: name,
        column: columns.map((c) => ({ name: c.name, type: c.type, isWritableColumn: true })),
      });
      // Both nested (project → dataset → table) and flat (`p.d.t` in one pair of backticks), as BigQuery resolves both.
      root.table.push(table(name));
      if (parts.length === 1) continue;
      let at = root;
      for (const p of parts.slice(0, -1)) {
        let sub = at.catalog.find((c: Message) => c.name === p);
        if (!sub) {
          sub = { name: p, table: [], catalog: [] };
          at.catalog.push(sub);
        }
        at = sub;
      }
      at.table.push(table(parts[parts.length - 1] as string));
    }
    root.constant = [...this.constants].map(([name, type]) => ({ namePath: [name], type }));
    return root;
  }

  async register(): Promise<string> {
    const { registeredId } = await this.server.client.registerCatalog({ simpleCatalog: this.build() });
    if (this.id !== undefined) await this.server.client.unregisterCatalog({ registeredId: this.id });
    this.id = registeredId as string;
    return this.id;
  }

  get registeredId(): string {
    if (this.id === undefined) throw new Error('catalog not registered');
    return this.id;
  }
}

const DECLARE = /^DECLARE\s+(\w+)\s+(.+?)(?:\s+DEFAULT\s+([\s\S]+))?$/i;
const SET = /^SET\s+(\w+)\s*=\s*([\s\S]+)$/i;
const IF_RAISE = /^IF\s+([\s\S]+?)\s+THEN\s+RAISE\s+USING\s+MESSAGE\s*=\s*([\s\S]+?);\s*END\s+IF$/i;
const TEMP_TABLE = /^CREATE\s+TEMP(?:ORARY)?\s+TABLE\s+(\w+)\s+AS\s+([\s\S]+)$/i;

export class WarehouseAnalyzer {
  private constructor(
    private readonly server: ZetaSqlServer,
    private readonly catalog: Catalog,
    private readonly options: Message,
  ) {}

  static async start(): Promise<WarehouseAnalyzer> {
    const server = await startZetaSql();
    const max = await server.client.getLanguageOptions({ maximumFeatures: true });
    const languageOptions = {
      enabledLanguageFeatures: [
        ...new Set([...(max.enabledLanguageFeatures as string[]), ...EXTRA_FEATURES]),
      ],
      // BigQuery's type names (FLOAT64); every statement kind (the defaults allow queries only).
      productMode: 'PRODUCT_EXTERNAL',
      supportedStatementKinds: [],
    };
    const options = {
      languageOptions,
      defaultTimezone: 'UTC',
      errorMessageMode: 'ERROR_MESSAGE_ONE_LINE',
      parameterMode: 'PARAMETER_NAMED',
    };
    return new WarehouseAnalyzer(server, new Catalog(server, languageOptions), options);
  }

  stop(): Promise<void> {
    return this.server.stop();
  }

  /** Analyzes a statement; returns the output columns of a query or CREATE … AS. */
  private async analyze(sql: string, extra: Message = {}): Promise<{ name: string; type: TypeProto }[]> {
    const r = await this.server.client.analyze({
      sqlStatement: sql,
      registeredCatalogId: this.catalog.registeredId,
      options: { ...this.options, ...extra },
    });
    const stmt = r.resolvedStatement;
    const node =
      stmt.resolvedQueryStmtNode ??
      stmt.resolvedCreateStatementNode?.resolvedCreateTableStmtBaseNode
        ?.resolvedCreateTableAsSelectStmtNode ??
      stmt.resolvedCreateStatementNode?.resolvedCreateViewBaseNode?.resolvedCreateViewStmtNode;
    const out = (node?.outputColumnList ?? node?.parent?.outputColumnList ?? []) as Message[];
    return out.map((c: Message) => ({ name: c.name as string, type: c.column.type as TypeProto }));
  }

  private async typeOf(text: string): Promise<TypeProto> {
    const r = await this.server.client.analyze({
      sqlExpression: `CAST(NULL AS ${text})`,
      registeredCatalogId: this.catalog.registeredId,
      options: this.options,
    });
    let node = r.resolvedExpression;
    while (node?.node && node[node.node]) node = node[node.node];
    return node.parent.type as TypeProto;
  }

  /** One statement of a script, keeping track of its variables and temporary tables. */
  private async statement(sql: string): Promise<{ name: string; type: TypeProto }[]> {
    const text = sql.trim();
    const declare = DECLARE.exec(text);
    if (declare) {
      const [, name, typeText, def] = declare as unknown as [string, string, string, string | undefined];
      const type = await this.typeOf(typeText);
      if (def) await this.analyze(`SELECT (${def})`, { targetColumnTypes: [type] });
      this.catalog.constants.set(name.toLowerCase(), type);
      await this.catalog.register();
      return [];
    }
    const set = SET.exec(text);
    if (set) {
      const type = this.catalog.constants.get((set[1] as string).toLowerCase());
      if (!type) throw new Error(`SET of undeclared variable ${set[1]}`);
      await this.analyze(`SELECT (${set[2]})`, { targetColumnTypes: [type] });
      return [];
    }
    const raise = IF_RAISE.exec(text);
    if (raise) {
      await this.analyze(`SELECT (${raise[1]})`, { targetColumnTypes: [T('BOOL')] });
      await this.analyze(`SELECT (${raise[2]})`, { targetColumnTypes: [T('STRING')] });
      return [];
    }
    const temp = TEMP_TABLE.exec(text);
    if (temp) {
      const columns = await this.analyze(temp[2] as string);
      this.catalog.tables.set(temp[1] as string, columns);
      await this.catalog.register();
      return columns;
    }
    return this.analyze(text);
  }

  /** Analyzes a script; returns each statement's output columns (undefined from the first failure on). */
  private async script(
    action: string,
    run: AnalysisProblem['run'],
    statements: readonly string[],
    problems: AnalysisProblem[],
  ): Promise<({ name: string; type: TypeProto }[] | undefined)[]> {
    const savedConstants = new Map(this.catalog.constants);
    const savedTables = new Set(this.catalog.tables.keys());
    const outputs: ({ name: string; type: TypeProto }[] | undefined)[] = [];
    try {
      for (const [i, sql] of statements.entries()) {
        try {
          outputs.push(await this.statement(sql));
        } catch (error) {
          const e = zetaSqlError(error);
          problems.push({
            action,
            run,
            statement: i,
            message: e.message,
            ...(e.line ? { line: e.line, column: e.column } : {}),
            sql,
          });
          break;
        }
      }
    } finally {
      // Variables and temporary tables live for one script.
      this.catalog.constants.clear();
      for (const [k, v] of savedConstants) this.catalog.constants.set(k, v);
      for (const k of [...this.catalog.tables.keys()]) if (!savedTables.has(k)) this.catalog.tables.delete(k);
      await this.catalog.register();
    }
    return outputs;
  }

  /** Analyzes every statement of a compiled project: each table's full and incremental run, each assertion. */
  /**
   * Analyzes one query against tables given by BigQuery schema, by the names the query uses (queries outside the
   * project, such as the runbooks' checks). Returns the analyzer's error, or undefined when it accepts it.
   */
  async analyzeQuery(
    sql: string,
    tables: Readonly<Record<string, readonly SchemaField[]>>,
  ): Promise<string | undefined> {
    for (const [name, fields] of Object.entries(tables))
      this.catalog.tables.set(
        name,
        fields.map((f) => ({ name: f.name, type: fieldType(f) })),
      );
    await this.catalog.register();
    try {
      await this.analyze(sql);
      return undefined;
    } catch (error) {
      return (error as Error).message;
    }
  }

  async analyzeProject(
    graph: CompiledGraph,
    rawTables: ReadonlyMap<string, Contract>,
  ): Promise<AnalysisResult> {
    const problems: AnalysisProblem[] = [];
    let statements = 0;
    for (const d of graph.declarations ?? []) {
      const name = fullName(d.target);
      const contract = rawTables.get(d.target.name);
      if (contract) this.catalog.tables.set(name, rawColumns(contract));
      else if (d.target.name.endsWith('__changes')) this.catalog.tables.set(name, CHANGES_LOG);
    }
    await this.catalog.register();
    const tables = [...(graph.tables ?? [])];
    const done = new Set<string>();
    // Dependency order: a model is analyzed once the tables it reads exist in the catalog.
    while (done.size < tables.length) {
      const ready = tables.filter(
        (t) =>
          !done.has(fullName(t.target)) &&
          (t.dependencyTargets ?? []).every(
            (d) => done.has(fullName(d)) || this.catalog.tables.has(fullName(d)),
          ),
      );
      if (ready.length === 0)
        throw new Error(
          `dependency cycle among ${tables
            .filter((t) => !done.has(fullName(t.target)))
            .map((t) => t.target.name)
            .join(', ')}`,
        );
      for (const table of ready) {
        const name = fullName(table.target);
        const full = tableStatements(table, 'full');
        statements += full.length;
        // The table as its full run creates it: the output columns of its create statement.
        const columns = (await this.script(table.target.name, 'full', full, problems))[
          (table.preOps ?? []).length
        ];
        if (columns) {
          this.catalog.tables.set(name, columns);
          await this.catalog.register();
          if (table.type === 'incremental') {
            const inc = tableStatements(
              table,
              'incremental',
              columns.map((c) => c.name),
            );
            statements += inc.length;
            await this.script(table.target.name, 'incremental', inc, problems);
          }
        }
        done.add(name);
      }
    }
    for (const a of graph.assertions ?? []) {
      const { view, check } = assertionStatements(a);
      statements += 2;
      const [columns] = await this.script(a.target.name, 'assertion', [view], problems);
      if (columns) {
        this.catalog.tables.set(fullName(a.target), columns);
        await this.catalog.register();
        await this.script(a.target.name, 'assertion', [check], problems);
      }
    }
    return { statements, problems };
  }
}
