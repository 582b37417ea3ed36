/**
 * The staging model of a contract, `stg_<contract>`: one row per contract key, the latest version by event time,
 * then ingest time, then the row's own hash (so every engine picks the same row), read from every live raw table
 * version of the contract and from both raw writers.
 *
 * Incremental runs read only the raw rows committed since the last run (BigQuery's APPENDS change history, by
 * commit time: a streaming row that commits after a later row is not skipped), compare them with the rows staging
 * holds for the same keys, and merge only the keys whose winner changed. Each run appends what it changed (the
 * old and new position of every changed key, and the commit time it read through) to `stg_<contract>__changes`,
 * which the curated models read to recompute exactly the grains those changes touch.
 *
 * No statement reads a PII column of staging: the merge key, the ordering columns and the positions are free of
 * PII (PII columns take part through their pseudonyms), and the winning rows are written from raw.
 */
import type { Contract, FieldSpec } from '../contracts/model';
import { type StagingColumn, sqlTypeOfField, stagingColumns, TECHNICAL } from './columns';
import { q, stmt } from './sql';

export interface RawSource {
  /** Dataform declaration name, the raw table id: `<contract>_v<tableVersion>`. */
  readonly table: string;
  readonly contract: Contract;
}

export interface StagingModel {
  readonly name: string;
  readonly contract: Contract;
  readonly sources: readonly RawSource[];
  readonly columns: readonly StagingColumn[];
  /** The changes log the curated models read. */
  readonly changesLog: string;
  /** A key includes the event time: a key's row never leaves its partition, so lookups prune to partitions. */
  readonly partitionStable: boolean;
  /** Columns recorded as a key's position in the changes log: the partition, every non-PII scalar, pseudonyms. */
  readonly positionColumns: readonly StagingColumn[];
}

export const stagingName = (contract: Pick<Contract, 'name'>) => `stg_${contract.name}`;
export const changesLogName = (contract: Pick<Contract, 'name'>) => `stg_${contract.name}__changes`;

/**
 * The staging model of `contract`, reading its own raw table and those of `retired` versions of it (the contract
 * lock's retired list), newest first.
 */
export function stagingModel(contract: Contract, retired: readonly Contract[] = []): StagingModel {
  const versions = [
    contract,
    ...retired.filter((r) => r.name === contract.name && r.tableVersion < contract.tableVersion),
  ]
    .sort((a, b) => b.tableVersion - a.tableVersion)
    .filter((c, i, all) => all.findIndex((o) => o.tableVersion === c.tableVersion) === i);
  const keyPii = contract.key.some((k) => contract.fields.find((f) => f.name === k)?.pii);
  // event_id is built from the key values: it is as personal as they are.
  const columns = stagingColumns(contract).map((c) =>
    c.name === 'event_id' && keyPii
      ? { ...c, pii: true, description: `${c.description} (PII: built from the key)` }
      : c,
  );
  const scalar = (c: StagingColumn) =>
    !c.type.startsWith('ARRAY<') && !c.type.startsWith('STRUCT<') && c.type !== 'JSON';
  return {
    name: stagingName(contract),
    contract,
    sources: versions.map((c) => ({ table: `${c.name}_v${c.tableVersion}`, contract: c })),
    columns,
    changesLog: changesLogName(contract),
    partitionStable: contract.key.includes(contract.eventTime),
    positionColumns: columns.filter(
      (c) =>
        c.name === TECHNICAL.partition ||
        ((c.kind === 'business' || c.kind === 'pseudonym') && !c.pii && scalar(c)),
    ),
  };
}

/** The type of a column path in an older contract version, or undefined when the version lacks it. */
function typeInVersion(version: Contract, path: readonly string[]): string | undefined {
  let fields: readonly FieldSpec[] = version.fields;
  for (const [i, part] of path.entries()) {
    const f = fields.find((x) => x.name === part);
    if (!f) return undefined;
    if (i === path.length - 1) return sqlTypeOfField(f);
    if (f.type.kind !== 'record') return undefined;
    fields = f.type.fields;
  }
  return undefined;
}

const baseType = (t: string) => t.replace(/\(\d+, \d+\)/g, '');

/** One raw version's rows as staging's business and metadata columns; both writers' metadata normalized. */
function normalizedSelect(model: StagingModel, source: RawSource, from: string): string {
  const business = model.columns.filter((c) => c.kind === 'business');
  const exprs = business.map((c) => {
    const path = c.path ?? [c.name];
    const had = typeInVersion(source.contract, path);
    const ref = path.map(q).join('.');
    // The newest version comes first in the UNION and has every column; NULL takes its type from there.
    if (had === undefined) return `NULL AS ${q(c.name)}`;
    // Same base type: read as is. Otherwise the old version's value is converted, or NULL when it cannot be.
    return baseType(had) === baseType(c.type)
      ? `${ref} AS ${q(c.name)}`
      : `SAFE_CAST(${ref} AS ${c.type}) AS ${q(c.name)}`;
  });
  return [
    'SELECT',
    `  ${[
      ...exprs,
      // The Dataflow writer stamps these columns; the BigQuery subscription carries Pub/Sub's metadata instead.
      `COALESCE(event_id, JSON_EXTRACT_SCALAR(attributes, '$.event_id'), message_id) AS event_id`,
      'COALESCE(ingest_time, publish_time) AS ingest_time',
      `COALESCE(schema_version, JSON_EXTRACT_SCALAR(attributes, '$.schema_version')) AS schema_version`,
      `COALESCE(ingest_source, JSON_EXTRACT_SCALAR(attributes, '$.source')) AS ingest_source`,
      `'${source.table}' AS ${TECHNICAL.rawTable}`,
    ].join(',\n  ')}`,
    `FROM ${from}`,
  ].join('\n');
}

/** Hex SHA-256 of a JSON array of the values: unambiguous, whatever the values contain. */
const hashOf = (exprs: readonly string[]) =>
  `TO_HEX(SHA256(TO_JSON_STRING([${exprs.map((e) => `CAST(${e} AS STRING)`).join(', ')}])))`;

/** The derived columns (pseudonyms, key, partition, row hash) over the normalized business and metadata columns. */
function derived(model: StagingModel, input: string): string {
  const c = model.contract;
  const pseudonyms = model.columns
    .filter((x) => x.kind === 'pseudonym')
    .map((x) => `TO_HEX(SHA256(CAST(${q(x.pseudonymOf as string)} AS STRING))) AS ${q(x.name)}`);
  const partition =
    c.partitioning.granularity === 'HOUR'
      ? `TIMESTAMP_TRUNC(${q(c.eventTime)}, HOUR)`
      : `DATE(${q(c.eventTime)})`;
  const rowColumns = model.columns
    .filter((x) => x.kind === 'business' || x.kind === 'metadata')
    .map((x) => q(x.name));
  return [
    'SELECT',
    `  *,\n  ${[
      ...pseudonyms,
      `${hashOf(c.key.map(q))} AS ${TECHNICAL.key}`,
      `${partition} AS ${TECHNICAL.partition}`,
      `TO_HEX(SHA256(TO_JSON_STRING(STRUCT(${rowColumns.join(', ')})))) AS ${TECHNICAL.rowHash}`,
    ].join(',\n  ')}`,
    `FROM (\n${indent(input)}\n)`,
  ].join('\n');
}

const indent = (s: string, by = '  ') => s.replace(/^/gm, by);

/** The version order: latest event time, then latest ingest time (unknown counts as oldest), then row hash. */
export const MIN_TIMESTAMP = `TIMESTAMP '0001-01-01 00:00:00+00'`;
function orderBy(model: StagingModel, alias = ''): string {
  const a = alias ? `${alias}.` : '';
  return `${a}${q(model.contract.eventTime)} DESC, IFNULL(${a}ingest_time, ${MIN_TIMESTAMP}) DESC, ${a}${TECHNICAL.rowHash} DESC`;
}

/** The SQL of every raw version's rows, normalized, read through `read(source)` (a table, or its change history). */
function arrived(model: StagingModel, read: (source: RawSource) => string): string {
  return derived(model, model.sources.map((s) => normalizedSelect(model, s, read(s))).join('\nUNION ALL\n'));
}

/** Output columns in table order, the changed-at stamp last. */
function outputList(model: StagingModel, run: string): string {
  return [
    ...model.columns.filter((c) => c.name !== TECHNICAL.changedAt).map((c) => q(c.name)),
    `${run} AS ${TECHNICAL.changedAt}`,
  ].join(',\n  ');
}

/** JSON of a row's position (the columns curated grains may use), from the row alias `a`. */
function position(model: StagingModel, a: string): string {
  return `TO_JSON_STRING(STRUCT(${model.positionColumns.map((c) => `${a}.${q(c.name)} AS ${q(c.name)}`).join(', ')}))`;
}

export interface StagingSql {
  readonly preOps: readonly string[];
  readonly query: string;
  readonly postOps: readonly string[];
  readonly incrementalPreOps: readonly string[];
  readonly incrementalQuery: string;
  readonly incrementalPostOps: readonly string[];
  readonly updatePartitionFilter?: string;
}

/**
 * The statements of the staging action. Tokens: `{{self}}`, `{{ref:<name>}}` (a declared raw table) and
 * `{{resolve:<name>}}` (the changes log), replaced by Dataform's context when the project is compiled.
 */
export function stagingSql(model: StagingModel, options: { readonly timeTravelHours: number }): StagingSql {
  const log = `{{resolve:${model.changesLog}}}`;
  const partitionType = model.contract.partitioning.granularity === 'HOUR' ? 'TIMESTAMP' : 'DATE';
  const createLog = stmt(`
CREATE TABLE IF NOT EXISTS ${log} (
  changed_at TIMESTAMP NOT NULL,
  committed_through TIMESTAMP NOT NULL,
  full_refresh BOOL NOT NULL,
  ${TECHNICAL.key} STRING,
  old_position STRING,
  new_position STRING
)
PARTITION BY DATE(changed_at)
OPTIONS(description = 'What each run of ${model.name} changed, read by the curated models: changed_at (the run start), committed_through (raw rows committed before it were read), full_refresh (every grain may have changed), the key hash (NULL on the row recording the run), old_position and new_position (JSON; old NULL for a new key). Written by the models only.')`);
  const run = 'DECLARE tributary_run TIMESTAMP DEFAULT CURRENT_TIMESTAMP()';
  const full = arrived(model, (s) => `{{ref:${s.table}}}`);
  const since = `tributary_since`;
  const guard = [
    stmt(`DECLARE ${since} TIMESTAMP DEFAULT (SELECT MAX(committed_through) FROM ${log})`),
    stmt(`DECLARE tributary_partitions ARRAY<${partitionType}> DEFAULT []`),
    stmt(
      `IF ${since} IS NULL THEN RAISE USING MESSAGE = '${model.name}: ${model.changesLog} records no earlier run; run a full refresh of ${model.name}'; END IF`,
    ),
    stmt(
      `IF ${since} < TIMESTAMP_SUB(tributary_run, INTERVAL ${options.timeTravelHours} HOUR) THEN RAISE USING MESSAGE = CONCAT('${model.name}: the last run read raw rows through ', CAST(${since} AS STRING), ', beyond the ${options.timeTravelHours}-hour time travel window of the raw tables; run a full refresh of ${model.name}'); END IF`,
    ),
  ];
  const current = `tributary_current`;
  const arrivedRows = arrived(model, (s) => `APPENDS(TABLE {{ref:${s.table}}}, ${since}, tributary_run)`);
  const ordering = [model.contract.eventTime, 'ingest_time', TECHNICAL.rowHash];
  const newer = (a: string, b: string) =>
    `(${a}.${q(model.contract.eventTime)} > ${b}.${q(model.contract.eventTime)} OR (${a}.${q(model.contract.eventTime)} = ${b}.${q(model.contract.eventTime)} AND (IFNULL(${a}.ingest_time, ${MIN_TIMESTAMP}) > IFNULL(${b}.ingest_time, ${MIN_TIMESTAMP}) OR (IFNULL(${a}.ingest_time, ${MIN_TIMESTAMP}) = IFNULL(${b}.ingest_time, ${MIN_TIMESTAMP}) AND ${a}.${TECHNICAL.rowHash} > ${b}.${TECHNICAL.rowHash}))))`;
  const prune = model.partitionStable ? `\n  AND ${TECHNICAL.partition} IN UNNEST(tributary_partitions)` : '';
  const incrementalPreOps = [
    stmt(run),
    ...guard,
    stmt(`CREATE TEMP TABLE tributary_arrived AS\n${arrivedRows}`),
    ...(model.partitionStable
      ? [
          stmt(
            `SET tributary_partitions = (SELECT ARRAY_AGG(DISTINCT ${TECHNICAL.partition}) FROM tributary_arrived)`,
          ),
        ]
      : []),
    // What staging holds for the keys that arrived: only columns free of PII.
    stmt(`CREATE TEMP TABLE ${current} AS
SELECT ${[
      TECHNICAL.key,
      ...ordering.filter((o) => o !== TECHNICAL.rowHash),
      TECHNICAL.rowHash,
      ...model.positionColumns.map((c) => c.name),
    ]
      .filter((c, i, all) => all.indexOf(c) === i)
      .map(q)
      .join(', ')}
FROM {{self}}
WHERE ${TECHNICAL.key} IN (SELECT ${TECHNICAL.key} FROM tributary_arrived)${prune}`),
    // The keys whose winner changes: the best arrived row beats what staging holds (or staging has none).
    stmt(`CREATE TEMP TABLE tributary_winners AS
SELECT a.*, ${position(model, 'c')} AS tributary_old_position, c.${TECHNICAL.key} IS NOT NULL AS tributary_existed
FROM (
  SELECT * FROM tributary_arrived
  WHERE TRUE
  QUALIFY ROW_NUMBER() OVER (PARTITION BY ${TECHNICAL.key} ORDER BY ${orderBy(model)}) = 1
) AS a
LEFT JOIN ${current} AS c ON c.${TECHNICAL.key} = a.${TECHNICAL.key}
WHERE c.${TECHNICAL.key} IS NULL OR ${newer('a', 'c')}`),
  ];
  const incrementalQuery = `SELECT\n  ${outputList(model, 'tributary_run')}\nFROM tributary_winners`;
  const incrementalPostOps = [
    stmt(`INSERT INTO ${log} (changed_at, committed_through, full_refresh, ${TECHNICAL.key}, old_position, new_position)
SELECT tributary_run, tributary_run, FALSE, w.${TECHNICAL.key}, IF(w.tributary_existed, w.tributary_old_position, NULL), ${position(model, 'w')}
FROM tributary_winners AS w
UNION ALL
SELECT tributary_run, tributary_run, FALSE, NULL, NULL, NULL`),
  ];
  return {
    preOps: [stmt(run), createLog],
    query: `SELECT\n  ${outputList(model, 'tributary_run')}\nFROM (\n${indent(full)}\n)\nWHERE TRUE\nQUALIFY ROW_NUMBER() OVER (PARTITION BY ${TECHNICAL.key} ORDER BY ${orderBy(model)}) = 1`,
    postOps: [
      stmt(
        `INSERT INTO ${log} (changed_at, committed_through, full_refresh) VALUES (tributary_run, tributary_run, TRUE)`,
      ),
    ],
    incrementalPreOps,
    incrementalQuery,
    incrementalPostOps,
    ...(model.partitionStable
      ? { updatePartitionFilter: `${TECHNICAL.partition} IN UNNEST(tributary_partitions)` }
      : {}),
  };
}
