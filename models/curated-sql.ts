/**
 * The statements of a curated model. A full refresh aggregates the whole staging model. An incremental run reads
 * the staging changes log since the last run it consumed, takes every grain a changed key left or entered (the
 * old and new position of each change), recomputes exactly those grains from staging, merges them, and deletes
 * the grains that became empty. A full refresh of staging (a marker in the log) makes every grain touched.
 */
import { TECHNICAL } from './columns';
import type { CuratedModel, FilterSpec, GrainSpec, MeasureSpec } from './curated';
import { q, stmt, str } from './sql';
import type { StagingModel } from './staging';

/** The compilation variables of a rebuild: the event dates whose grains a run recomputes from staging. */
export const REBUILD_VARS = { from: 'rebuild_from', to: 'rebuild_to' } as const;

const rebuildDate = (v: string) =>
  `CASE WHEN '{{date:${v}}}' = '' THEN NULL ELSE CAST('{{date:${v}}}' AS DATE) END`;

export const CURATED_TECHNICAL = {
  /** Source rows in the grain; 0 marks a grain that became empty (deleted at the end of the run). */
  rows: '_tributary_rows',
  /** The staging changes the row reflects: everything logged up to this time. */
  through: '_tributary_changes_through',
} as const;

const hourly = (s: StagingModel) => s.contract.partitioning.granularity === 'HOUR';

/** A grain value read from a staging row `s`. */
function fromRow(g: GrainSpec, staging: StagingModel): string {
  if (g.kind === 'eventDate')
    return hourly(staging) ? `DATE(s.${TECHNICAL.partition})` : `s.${TECHNICAL.partition}`;
  return g.kind === 'pseudonym' ? `s.${q(`${g.column}_pseudonym`)}` : `s.${q(g.column)}`;
}

/** A grain value read from a position (JSON) `p` in the changes log. */
function fromPosition(g: GrainSpec, staging: StagingModel, type: string): string {
  const path = (c: string) => `JSON_EXTRACT_SCALAR(p, ${str(`$.${c}`)})`;
  if (g.kind === 'eventDate')
    return hourly(staging)
      ? `DATE(CAST(${path(TECHNICAL.partition)} AS TIMESTAMP))`
      : `CAST(${path(TECHNICAL.partition)} AS DATE)`;
  const raw = path(g.kind === 'pseudonym' ? `${g.column}_pseudonym` : g.column);
  return type === 'STRING' ? raw : `CAST(${raw} AS ${type})`;
}

function measureSql(m: MeasureSpec): string {
  switch (m.kind) {
    case 'count':
      return 'COUNT(*)';
    case 'sumOfItems':
      return `SUM((SELECT SUM(item.${q(m.field)}) FROM UNNEST(s.${q(m.array)}) AS item))`;
    default:
      return `${m.kind.toUpperCase()}(s.${q(m.column)})`;
  }
}

function literal(v: string | number | boolean): string {
  return typeof v === 'string' ? str(v) : String(v);
}

function filterSql(f: FilterSpec): string {
  const col = `s.${q(f.column)}`;
  const values = (f.values ?? []).map(literal);
  switch (f.op) {
    case 'is null':
      return `${col} IS NULL`;
    case 'is not null':
      return `${col} IS NOT NULL`;
    case 'in':
      return `${col} IN (${values.join(', ')})`;
    case 'not in':
      return `${col} NOT IN (${values.join(', ')})`;
    default:
      return `${col} ${f.op} ${values[0]}`;
  }
}

export interface CuratedSql {
  readonly preOps: readonly string[];
  readonly query: string;
  readonly postOps: readonly string[];
  readonly incrementalPreOps: readonly string[];
  readonly incrementalQuery: string;
  readonly incrementalPostOps: readonly string[];
  readonly uniqueKey: readonly string[];
  readonly updatePartitionFilter?: string;
}

export function curatedSql(model: CuratedModel, staging: StagingModel): CuratedSql {
  const grains = Object.entries(model.grain);
  const measures = Object.entries(model.measures);
  const typeOf = (name: string) => model.columns.find((c) => c.name === name)?.type ?? 'STRING';
  const log = `{{resolve:${staging.changesLog}}}`;
  const stg = `{{ref:${staging.name}}}`;
  const where = model.filters.length > 0 ? `WHERE ${model.filters.map(filterSql).join('\n  AND ')}` : '';
  const grainSelect = grains.map(([name, g]) => `${fromRow(g, staging)} AS ${q(name)}`);
  const groupBy = grains.map((_, i) => i + 1).join(', ');
  const outputs = [
    ...measures.map(([name, m]) => `${measureSql(m)} AS ${q(name)}`),
    `COUNT(*) AS ${CURATED_TECHNICAL.rows}`,
  ];

  const partition = model.partition;
  // Staging is partitioned by event date: with the date in the grain, only the touched dates are read.
  const dateGrain = grains.find(([, g]) => g.kind === 'eventDate');
  const prune = dateGrain
    ? hourly(staging)
      ? `DATE(s.${TECHNICAL.partition}) IN UNNEST(tributary_dates)`
      : `s.${TECHNICAL.partition} IN UNNEST(tributary_dates)`
    : '';
  const touchedCols = grains.map(([name]) => q(name)).join(', ');
  const matches = grains.map(([name, g]) => `t.${q(name)} = ${fromRow(g, staging)}`).join(' AND ');
  const incrementalPreOps = [
    stmt(
      'DECLARE tributary_since TIMESTAMP DEFAULT (SELECT MAX(' +
        CURATED_TECHNICAL.through +
        ') FROM {{self}})',
    ),
    stmt(`DECLARE tributary_through TIMESTAMP DEFAULT (SELECT MAX(changed_at) FROM ${log})`),
    stmt('DECLARE tributary_all BOOL DEFAULT FALSE'),
    stmt('DECLARE tributary_partitions ARRAY<DATE> DEFAULT []'),
    stmt('DECLARE tributary_dates ARRAY<DATE> DEFAULT []'),
    // A rebuild (both variables set) also recomputes every grain with source rows in its event dates.
    stmt(`DECLARE tributary_rebuild_from DATE DEFAULT ${rebuildDate(REBUILD_VARS.from)}`),
    stmt(`DECLARE tributary_rebuild_to DATE DEFAULT ${rebuildDate(REBUILD_VARS.to)}`),
    stmt(
      `IF tributary_through IS NULL THEN RAISE USING MESSAGE = '${model.name}: ${staging.changesLog} is empty; run ${staging.name} first'; END IF`,
    ),
    // Nothing consumed yet (the table holds no row), or staging was rebuilt since: every grain may have changed.
    stmt(
      `SET tributary_all = tributary_since IS NULL OR IFNULL((SELECT LOGICAL_OR(full_refresh) FROM ${log} WHERE changed_at > tributary_since AND changed_at <= tributary_through), FALSE)`,
    ),
    stmt(`CREATE TEMP TABLE tributary_touched AS
SELECT DISTINCT ${grains.map(([name, g]) => `${fromPosition(g, staging, typeOf(name))} AS ${q(name)}`).join(', ')}
FROM ${log}, UNNEST([old_position, new_position]) AS p
WHERE NOT tributary_all AND changed_at > tributary_since AND changed_at <= tributary_through AND p IS NOT NULL
UNION DISTINCT
SELECT ${touchedCols} FROM {{self}} WHERE tributary_all
UNION DISTINCT
SELECT DISTINCT ${grainSelect.join(', ')} FROM ${stg} AS s WHERE tributary_all
UNION DISTINCT
SELECT DISTINCT ${grainSelect.join(', ')} FROM ${stg} AS s
WHERE tributary_rebuild_from IS NOT NULL AND tributary_rebuild_to IS NOT NULL
  AND ${hourly(staging) ? `DATE(s.${TECHNICAL.partition})` : `s.${TECHNICAL.partition}`} BETWEEN tributary_rebuild_from AND tributary_rebuild_to${
    dateGrain
      ? `
UNION DISTINCT
SELECT ${touchedCols} FROM {{self}}
WHERE tributary_rebuild_from IS NOT NULL AND tributary_rebuild_to IS NOT NULL
  AND ${q(dateGrain[0])} BETWEEN tributary_rebuild_from AND tributary_rebuild_to`
      : ''
  }`),
    ...(partition
      ? [
          stmt(
            `SET tributary_partitions = (SELECT ARRAY_AGG(DISTINCT ${q(partition)}) FROM tributary_touched)`,
          ),
        ]
      : []),
    ...(dateGrain
      ? [stmt(`SET tributary_dates = (SELECT ARRAY_AGG(DISTINCT ${q(dateGrain[0])}) FROM tributary_touched)`)]
      : []),
  ];
  const recompute = [
    'WITH recomputed AS (',
    indent(
      [
        'SELECT',
        `  ${[...grainSelect, ...outputs].join(',\n  ')}`,
        `FROM ${stg} AS s`,
        `JOIN tributary_touched AS t ON ${matches}`,
        model.filters.length > 0 || prune
          ? `WHERE ${[...model.filters.map(filterSql), ...(prune ? [prune] : [])].join('\n  AND ')}`
          : '',
        `GROUP BY ${groupBy}`,
      ]
        .filter(Boolean)
        .join('\n'),
    ),
    ')',
    `SELECT ${[...grains.map(([n]) => q(n)), ...measures.map(([n]) => q(n)), CURATED_TECHNICAL.rows].join(', ')}, tributary_through AS ${CURATED_TECHNICAL.through}`,
    'FROM recomputed',
    'UNION ALL',
    // The touched grains with no source row left: written with 0 rows, then deleted.
    `SELECT ${[...grains.map(([n]) => `t.${q(n)}`), ...measures.map(([n]) => `NULL AS ${q(n)}`), `0 AS ${CURATED_TECHNICAL.rows}`].join(', ')}, tributary_through AS ${CURATED_TECHNICAL.through}`,
    'FROM tributary_touched AS t',
    `LEFT JOIN recomputed AS r ON ${grains.map(([n]) => `r.${q(n)} = t.${q(n)}`).join(' AND ')}`,
    `WHERE r.${CURATED_TECHNICAL.rows} IS NULL`,
  ].join('\n');

  return {
    preOps: [],
    query: [
      'SELECT',
      `  ${[...grainSelect, ...outputs, `(SELECT MAX(changed_at) FROM ${log}) AS ${CURATED_TECHNICAL.through}`].join(',\n  ')}`,
      `FROM ${stg} AS s`,
      ...(where ? [where] : []),
      `GROUP BY ${groupBy}`,
    ].join('\n'),
    postOps: [],
    incrementalPreOps,
    incrementalQuery: recompute,
    incrementalPostOps: [
      stmt(
        `DELETE FROM {{self}} WHERE ${CURATED_TECHNICAL.rows} = 0${partition ? ` AND ${q(partition)} IN UNNEST(tributary_partitions)` : ''}`,
      ),
    ],
    uniqueKey: grains.map(([n]) => n),
    ...(partition ? { updatePartitionFilter: `${q(partition)} IN UNNEST(tributary_partitions)` } : {}),
  };
}

const indent = (s: string) => s.replace(/^/gm, '  ');
