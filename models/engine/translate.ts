/**
 * BigQuery SQL to DuckDB, mechanically: @polyglot-sql/sdk does the translation; this file does only what it
 * cannot, each a documented rewrite:
 *
 * - `project.dataset.table` names become `dataset`.`table` (the local warehouse has one schema per dataset;
 *   polyglot would read one pair of backticks as a single name);
 * - BigQuery's APPENDS change history becomes a read of the raw table's commit-time column, which the local
 *   warehouse stamps on every row it commits;
 * - script variables (already evaluated) become literals, and `x IN UNNEST([literals])` a plain IN list, so the
 *   engine can push the filter into its scans as BigQuery prunes partitions on it;
 * - CURRENT_TIMESTAMP() becomes the run's clock;
 * - parameterized NUMERIC(p, s) keeps its precision and scale (polyglot would drop them: DECIMAL(18,3));
 * - TIMESTAMP as a type becomes TIMESTAMPTZ (BigQuery's TIMESTAMP is an instant; DuckDB's is a wall clock);
 * - CREATE TABLE statements lose their storage clauses (PARTITION BY, CLUSTER BY, OPTIONS): DuckDB has no use
 *   for them, and polyglot cannot parse them after a column list or drops the query after some partition
 *   expressions.
 *
 * Constructs that polyglot translates into something that runs but computes another result are refused by the
 * guard (guard.ts) before they get here.
 */
import { Dialect, init, isInitialized, transpile } from '@polyglot-sql/sdk';

/** Loads polyglot's WebAssembly (once; the CommonJS build does not on import). */
export async function initTranslator(): Promise<void> {
  if (!isInitialized()) await init();
}

export interface TranslateContext {
  /** Script variables, already as BigQuery literals. */
  readonly variables?: ReadonlyMap<string, string>;
  /** The run's clock, as a BigQuery TIMESTAMP literal. */
  readonly now: string;
  /** The hidden commit-time column of raw tables. */
  readonly commitColumn: string;
}

/** Applies `fn` to the SQL outside string literals and comments. */
function outsideStrings(sql: string, fn: (code: string) => string): string {
  const parts: string[] = [];
  let i = 0;
  let code = '';
  while (i < sql.length) {
    const ch = sql[i] as string;
    const next = sql[i + 1];
    if (ch === "'" || ch === '"') {
      parts.push(fn(code));
      code = '';
      const triple = sql.startsWith(ch.repeat(3), i);
      const end = triple ? ch.repeat(3) : ch;
      let j = i + end.length;
      while (j < sql.length && !sql.startsWith(end, j)) j += sql[j] === '\\' ? 2 : 1;
      parts.push(sql.slice(i, j + end.length));
      i = j + end.length;
    } else if ((ch === '-' && next === '-') || ch === '#') {
      const j = sql.indexOf('\n', i);
      parts.push(fn(code));
      code = '';
      parts.push(j < 0 ? sql.slice(i) : sql.slice(i, j));
      i = j < 0 ? sql.length : j;
    } else {
      code += ch;
      i++;
    }
  }
  parts.push(fn(code));
  return parts.join('');
}

/** `project.dataset.table` (in one pair of backticks, or per part) → `dataset`.`table`. */
function localNames(code: string): string {
  return code
    .replace(/`([^`.]+)\.([^`.]+)\.([^`.]+)`/g, '`$2`.`$3`')
    .replace(/`([^`]+)`\.`([^`]+)`\.`([^`]+)`/g, '`$2`.`$3`');
}

function substitute(code: string, ctx: TranslateContext): string {
  let out = code.replace(/\bCURRENT_TIMESTAMP\s*\(\s*\)/gi, ctx.now);
  for (const [name, literal] of ctx.variables ?? [])
    out = out.replace(new RegExp(`(?<![\\w.\`])${name}(?![\\w\`])`, 'g'), literal);
  return out;
}

const TABLE_REF = '(`[^`]+`(?:\\.`[^`]+`)*|[\\w.]+)';

/** APPENDS(TABLE t, start, end) → the rows committed in [start, end), with _CHANGE_TIMESTAMP. */
function appends(code: string, commit: string): string {
  return code.replace(
    new RegExp(`APPENDS\\s*\\(\\s*TABLE\\s+${TABLE_REF}\\s*,\\s*([^,()]+?)\\s*,\\s*([^,()]+?)\\s*\\)`, 'gi'),
    (_, table: string, start: string, end: string) => {
      const conditions = [
        ...(/^NULL$/i.test(start) ? [] : [`${commit} >= ${start}`]),
        ...(/^NULL$/i.test(end) ? [] : [`${commit} < ${end}`]),
      ];
      return `(SELECT *, ${commit} AS _CHANGE_TIMESTAMP FROM ${table}${conditions.length ? ` WHERE ${conditions.join(' AND ')}` : ''})`;
    },
  );
}

/** `x IN UNNEST([a, b])` → `x IN (a, b)`; an empty array → FALSE. */
function inUnnest(code: string): string {
  return code.replace(/(\S+)\s+IN\s+UNNEST\s*\(\s*\[([^\][]*)\]\s*\)/gi, (_, left: string, items: string) =>
    items.trim() === '' ? 'FALSE' : `${left} IN (${items})`,
  );
}

export class TranslationError extends Error {}

/**
 * The executor's MERGE is translated in two parts, its USING query alone (polyglot mistranslates some
 * constructs inside a MERGE, e.g. the alias of an UNNEST) and the MERGE around a placeholder.
 */
const MERGE = /^(\s*merge\s+[\s\S]*?\busing\s*\()([\s\S]*)(\n\)\s*DATAFORM_SOURCE\b[\s\S]*)$/i;

/** Translates one BigQuery statement (after the rewrites above) into DuckDB statements. */
export function toDuckDb(sql: string, ctx: TranslateContext): string[] {
  const merge = MERGE.exec(sql);
  if (merge) {
    const [, head, query, tail] = merge as unknown as [string, string, string, string];
    const [using] = toDuckDb(query, ctx);
    const [outer] = translateOne(`${head}SELECT 1 AS tributary_placeholder${tail}`, ctx);
    const marker = /\(SELECT 1 AS tributary_placeholder\)/i;
    if (!outer || !marker.test(outer))
      throw new TranslationError(`cannot splice the MERGE's USING query into:\n${outer}`);
    return [outer.replace(marker, () => `(${using})`)];
  }
  return translateOne(sql, ctx);
}

function translateOne(sql: string, ctx: TranslateContext): string[] {
  // Variables are substituted everywhere (they may sit inside string concatenations too, never inside literals).
  const prepared = outsideStrings(sql, (code) =>
    inUnnest(appends(localNames(substitute(code, ctx)), ctx.commitColumn)).replace(
      /\bNUMERIC\s*\(\s*(\d+)\s*,\s*(\d+)\s*\)/gi,
      'BIGDECIMAL($1, $2)',
    ),
  );
  const ddl = /^\s*CREATE\s+(?:OR\s+REPLACE\s+)?TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?\S+\s*\(/i.test(prepared);
  const statement = ddl
    ? prepared.replace(/\)\s*(?:PARTITION\s+BY|CLUSTER\s+BY|OPTIONS\s*\()[\s\S]*$/i, ')')
    : prepared.replace(
        /^(\s*create\s+or\s+replace\s+table\s+\S+)\s+(?:partition\s+by|cluster\s+by|OPTIONS\s*\()[\s\S]*?\bas\s/i,
        '$1 as ',
      );
  const r = transpile(statement, Dialect.BigQuery, Dialect.DuckDB, {
    complexityGuard: { maxParserDepth: 256 },
  });
  if (!r.success)
    throw new TranslationError(
      `polyglot cannot translate: ${r.error}${r.errorLine ? ` [at ${r.errorLine}:${r.errorColumn}]` : ''}\n${statement}`,
    );
  return (r.sql ?? []).map((s) =>
    outsideStrings(s, (code) =>
      code
        .replace(/\bBIGDECIMAL\s*\(/gi, 'DECIMAL(')
        .replace(/\bTIMESTAMP\b(?!TZ| WITH)(?!\s*')/g, 'TIMESTAMPTZ'),
    ),
  );
}
