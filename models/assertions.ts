/**
 * Data-quality assertions, generated from the contracts and the model definitions. Each is a query that returns
 * the offending rows: Dataform fails the run when it returns any, and keeps the view in the assertion dataset,
 * so the failing rows stay queryable.
 *
 * None reads a PII column: uniqueness is checked on the key hash, not-null and accepted values of a PII column on
 * its pseudonym (NULL exactly when the value is NULL; an accepted value's pseudonym is its SHA-256).
 */
import { createHash } from 'node:crypto';
import { TECHNICAL } from './columns';
import type { CuratedModel } from './curated';
import { CURATED_TECHNICAL } from './curated-sql';
import { q, str } from './sql';
import type { StagingModel } from './staging';

export interface AssertionSpec {
  readonly name: string;
  readonly description: string;
  /** GoogleSQL with {{ref:…}} / {{resolve:…}} tokens. */
  readonly query: string;
  readonly tags: readonly string[];
}

export interface AssertionOptions {
  /** Hours within which the newest event must be, per stream. */
  readonly freshnessHours: number;
  /** Days of raw rows the partition check looks back over. */
  readonly lookbackDays: number;
}

const sha256 = (v: string) => createHash('sha256').update(v, 'utf8').digest('hex');

export function stagingAssertions(model: StagingModel, options: AssertionOptions): AssertionSpec[] {
  const stg = `{{ref:${model.name}}}`;
  const tags = ['tributary', 'assertions', `stream_${model.contract.name}`];
  const out: AssertionSpec[] = [
    {
      name: `${model.name}__unique_key`,
      description: `Every key of ${model.contract.name} (${model.contract.key.join(', ')}) has one row in ${model.name}.`,
      query: `SELECT ${TECHNICAL.key}, COUNT(*) AS rows_with_key\nFROM ${stg}\nGROUP BY ${TECHNICAL.key}\nHAVING COUNT(*) > 1`,
      tags,
    },
  ];
  const required = model.columns.filter(
    (c) => c.kind === 'business' && c.required && !c.type.startsWith('ARRAY<'),
  );
  if (required.length > 0) {
    const checks = required.map((c) => {
      const col = c.pii ? `${c.name}_pseudonym` : c.name;
      return `SELECT ${str(c.name)} AS column_name, ${TECHNICAL.key} FROM ${stg} WHERE ${q(col)} IS NULL`;
    });
    out.push({
      name: `${model.name}__not_null`,
      description: `Required fields of ${model.contract.name} are never NULL in ${model.name}.`,
      query: checks.join('\nUNION ALL\n'),
      tags,
    });
  }
  const enums = model.columns.filter((c) => c.kind === 'business' && c.values);
  if (enums.length > 0) {
    const checks = enums.map((c) => {
      const values = c.values ?? [];
      const [col, list] = c.pii
        ? [`${c.name}_pseudonym`, values.map((v) => str(sha256(v)))]
        : [c.name, values.map((v) => str(v))];
      return `SELECT ${str(c.name)} AS column_name, ${TECHNICAL.key} FROM ${stg} WHERE ${q(col)} NOT IN (${list.join(', ')})`;
    });
    out.push({
      name: `${model.name}__accepted_values`,
      description: `Enum fields of ${model.contract.name} hold only their accepted values in ${model.name}.`,
      query: checks.join('\nUNION ALL\n'),
      tags,
    });
  }
  const ts = q(model.contract.eventTime);
  out.push({
    name: `${model.name}__freshness`,
    description: `The newest ${model.contract.name} event is at most ${options.freshnessHours} hours old.`,
    query: `SELECT MAX(${ts}) AS newest_event\nFROM ${stg}\nHAVING MAX(${ts}) IS NULL OR MAX(${ts}) < TIMESTAMP_SUB(CURRENT_TIMESTAMP(), INTERVAL ${options.freshnessHours} HOUR)`,
    tags,
  });
  // Raw rows read by staging (ingested before its last run's watermark, with an hour for commit lag) whose
  // event date has no staging row.
  const rawDays = model.sources
    .map(
      (s) =>
        `SELECT DISTINCT DATE(${ts}) AS event_date FROM {{ref:${s.table}}}\nWHERE ${ts} >= TIMESTAMP_SUB(CURRENT_TIMESTAMP(), INTERVAL ${options.lookbackDays * 24} HOUR)\n  AND COALESCE(ingest_time, publish_time) < TIMESTAMP_SUB((SELECT MAX(committed_through) FROM {{resolve:${model.changesLog}}}), INTERVAL 1 HOUR)`,
    )
    .join('\nUNION DISTINCT\n');
  const stagedDays =
    model.contract.partitioning.granularity === 'HOUR'
      ? `SELECT DISTINCT DATE(${TECHNICAL.partition}) AS event_date FROM ${stg}`
      : `SELECT DISTINCT ${TECHNICAL.partition} AS event_date FROM ${stg}`;
  out.push({
    name: `${model.name}__partitions`,
    description: `Every day of the last ${options.lookbackDays} with raw ${model.contract.name} rows has rows in ${model.name}.`,
    query: `SELECT event_date FROM (\n${rawDays}\n)\nEXCEPT DISTINCT\n${stagedDays}\nWHERE ${TECHNICAL.partition} >= ${model.contract.partitioning.granularity === 'HOUR' ? `TIMESTAMP_SUB(CURRENT_TIMESTAMP(), INTERVAL ${(options.lookbackDays + 1) * 24} HOUR)` : `DATE(TIMESTAMP_SUB(CURRENT_TIMESTAMP(), INTERVAL ${(options.lookbackDays + 1) * 24} HOUR))`}`,
    tags,
  });
  return out;
}

/**
 * Reconciliation of a curated model with its source, for the dates the last day of staging changes touched:
 * per date, the row count and every additive measure (counts and sums) agree.
 */
export function curatedAssertions(model: CuratedModel, staging: StagingModel): AssertionSpec[] {
  const dateGrain = Object.entries(model.grain).find(([, g]) => g.kind === 'eventDate')?.[0];
  const additive = Object.entries(model.measures).filter(
    ([, m]) => m.kind === 'count' || m.kind === 'sum' || m.kind === 'sumOfItems',
  );
  if (!dateGrain) return [];
  const hourly = staging.contract.partitioning.granularity === 'HOUR';
  const day = hourly ? `DATE(s.${TECHNICAL.partition})` : `s.${TECHNICAL.partition}`;
  const where = model.filters.length > 0 ? model.filters : [];
  const filterSql = where
    .map((f) => {
      const col = `s.${q(f.column)}`;
      const vals = (f.values ?? []).map((v) => (typeof v === 'string' ? str(v) : String(v)));
      return f.op === 'is null'
        ? `${col} IS NULL`
        : f.op === 'is not null'
          ? `${col} IS NOT NULL`
          : f.op === 'in'
            ? `${col} IN (${vals.join(', ')})`
            : f.op === 'not in'
              ? `${col} NOT IN (${vals.join(', ')})`
              : `${col} ${f.op} ${vals[0]}`;
    })
    .map((x) => `\n    AND ${x}`)
    .join('');
  const sourceMeasure = ([, m]: [string, (typeof additive)[number][1]]) =>
    m.kind === 'count'
      ? 'COUNT(*)'
      : m.kind === 'sum'
        ? `SUM(s.${q(m.column)})`
        : `SUM((SELECT SUM(item.${q((m as { field: string }).field)}) FROM UNNEST(s.${q((m as { array: string }).array)}) AS item))`;
  const partitionPath = `$.${TECHNICAL.partition}`;
  const touched = hourly
    ? `DATE(CAST(JSON_EXTRACT_SCALAR(p, ${str(partitionPath)}) AS TIMESTAMP))`
    : `CAST(JSON_EXTRACT_SCALAR(p, ${str(partitionPath)}) AS DATE)`;
  const measures = additive.map(([n]) => q(n));
  return [
    {
      name: `${model.name}__reconciles`,
      description: `For the dates touched by the last day of ${staging.name} changes (every date after a full refresh), ${model.name} holds the same row count${additive.length > 0 ? ` and totals (${additive.map(([n]) => n).join(', ')})` : ''} as its source.`,
      query: `WITH recent AS (
  SELECT * FROM {{resolve:${staging.changesLog}}}
  WHERE changed_at >= TIMESTAMP_SUB((SELECT MAX(changed_at) FROM {{resolve:${staging.changesLog}}}), INTERVAL 24 HOUR)
),
touched AS (
  SELECT DISTINCT ${touched} AS event_date
  FROM recent, UNNEST([old_position, new_position]) AS p
  WHERE p IS NOT NULL
  UNION DISTINCT
  -- A full refresh touched every day.
  SELECT DISTINCT ${day} AS event_date
  FROM {{ref:${staging.name}}} AS s
  WHERE EXISTS (SELECT 1 FROM recent WHERE full_refresh)
),
source AS (
  SELECT ${day} AS event_date, COUNT(*) AS source_rows${additive.map((m) => `, ${sourceMeasure(m)} AS ${q(m[0])}`).join('')}
  FROM {{ref:${staging.name}}} AS s
  WHERE ${day} IN (SELECT event_date FROM touched)${filterSql}
  GROUP BY 1
),
curated AS (
  SELECT ${q(dateGrain)} AS event_date, SUM(${CURATED_TECHNICAL.rows}) AS source_rows${measures.map((m) => `, SUM(${m}) AS ${m}`).join('')}
  FROM {{ref:${model.name}}}
  WHERE ${q(dateGrain)} IN (SELECT event_date FROM touched)
  GROUP BY 1
)
SELECT event_date, s.source_rows AS staging_rows, c.source_rows AS curated_rows${measures.map((m) => `, s.${m} AS staging_${m.replace(/`/g, '')}, c.${m} AS curated_${m.replace(/`/g, '')}`).join('')}
FROM source AS s
FULL OUTER JOIN curated AS c USING (event_date)
WHERE s.source_rows IS DISTINCT FROM c.source_rows${measures.map((m) => ` OR s.${m} IS DISTINCT FROM c.${m}`).join('')}`,
      tags: ['tributary', 'assertions', 'curated'],
    },
  ];
}
