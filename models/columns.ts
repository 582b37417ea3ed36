/**
 * Staging columns from a contract: records flattened into `parent_child` columns, repeated fields kept as arrays
 * (their child views unnest them), a pseudonym beside every PII column, the normalized platform metadata, and the
 * technical columns the incremental logic keeps. Types are GoogleSQL type names.
 */
import { METADATA_COLUMNS } from '../contracts/metadata';
import type { Contract, FieldSpec, ItemSpec } from '../contracts/model';

/** A GoogleSQL type, as written in DDL and casts. */
export type SqlType = string;

export interface StagingColumn {
  readonly name: string;
  readonly type: SqlType;
  readonly description: string;
  /** Carries the PII policy tag (its value is never read by the models). */
  readonly pii: boolean;
  /** The field path in the contract (for business columns), e.g. ['metadata', 'amount']. */
  readonly path?: readonly string[];
  /** Set for the pseudonym column of a PII column: the column it pseudonymizes. */
  readonly pseudonymOf?: string;
  readonly required: boolean;
  /** For enums: the accepted values. */
  readonly values?: readonly string[];
  readonly kind: 'business' | 'pseudonym' | 'metadata' | 'technical';
}

export const TECHNICAL = {
  /** SHA-256 of the key values: the merge key, readable without reading any PII. */
  key: '_tributary_key',
  /** The event date (or hour) the row is partitioned by. */
  partition: '_tributary_partition',
  /** SHA-256 of the whole normalized row: the last tie-breaker, so every engine picks the same row. */
  rowHash: '_tributary_row_hash',
  /** The raw table the row came from. */
  rawTable: '_tributary_raw_table',
  /** When the models last changed the row. */
  changedAt: '_tributary_changed_at',
} as const;

const SCALAR: Record<Exclude<ItemSpec['kind'], 'record'>, SqlType> = {
  string: 'STRING',
  int64: 'INT64',
  float64: 'FLOAT64',
  numeric: 'NUMERIC',
  bool: 'BOOL',
  timestamp: 'TIMESTAMP',
  date: 'DATE',
  json: 'JSON',
  bytes: 'BYTES',
  enum: 'STRING',
};

/** The GoogleSQL type of a contract item, parameterized for NUMERIC (the raw column's own precision). */
export function sqlTypeOf(item: ItemSpec): SqlType {
  if (item.kind === 'record')
    return `STRUCT<${item.fields.map((f) => `${f.name} ${sqlTypeOfField(f)}`).join(', ')}>`;
  if (item.kind === 'numeric') return `NUMERIC(${item.precision}, ${item.scale})`;
  return SCALAR[item.kind];
}

export function sqlTypeOfField(f: FieldSpec): SqlType {
  return f.type.kind === 'repeated' ? `ARRAY<${sqlTypeOf(f.type.items)}>` : sqlTypeOf(f.type);
}

/** Flattens records (not repeated ones) into `parent_child` columns; PII and optionality are inherited. */
export function businessColumns(
  fields: readonly FieldSpec[],
  prefix: string[] = [],
  inherited = { pii: false, optional: false },
): StagingColumn[] {
  return fields.flatMap((f): StagingColumn[] => {
    const path = [...prefix, f.name];
    const pii = inherited.pii || f.pii;
    const optional = inherited.optional || f.optional;
    if (f.type.kind === 'record') return businessColumns(f.type.fields, path, { pii, optional });
    return [
      {
        name: path.join('_'),
        type: sqlTypeOfField(f),
        description: `${f.description}${pii ? ' (PII: under the pii policy tag)' : ''}`,
        pii,
        path,
        required: !optional && f.type.kind !== 'repeated',
        ...(f.type.kind === 'enum' ? { values: f.type.values } : {}),
        kind: 'business',
      },
    ];
  });
}

/** The pseudonym column of a PII scalar column: SHA-256 of its value, hex. */
export const pseudonymName = (column: string) => `${column}_pseudonym`;

const METADATA_TYPES: Record<string, SqlType> = { STRING: 'STRING', TIMESTAMP: 'TIMESTAMP', JSON: 'JSON' };

/** The metadata staging keeps, normalized across both raw writers. */
export const STAGING_METADATA = ['event_id', 'ingest_time', 'schema_version', 'ingest_source'] as const;

export function stagingColumns(contract: Contract): StagingColumn[] {
  const business = businessColumns(contract.fields);
  const pseudonyms = business
    .filter((c) => c.pii && !c.type.startsWith('ARRAY<') && !c.type.startsWith('STRUCT<'))
    .map(
      (c): StagingColumn => ({
        name: pseudonymName(c.name),
        type: 'STRING',
        description: `Pseudonym of ${c.name}: hex SHA-256 of its value. Joinable and readable without the pii policy tag; not anonymous.`,
        pii: false,
        pseudonymOf: c.name,
        required: c.required,
        kind: 'pseudonym',
      }),
    );
  const metadata = STAGING_METADATA.map((name): StagingColumn => {
    const m = METADATA_COLUMNS.find((x) => x.name === name);
    return {
      name,
      type: METADATA_TYPES[m?.type ?? 'STRING'] ?? 'STRING',
      description: (m?.description ?? name).replace(
        'Platform metadata: ',
        'Platform metadata (either writer): ',
      ),
      pii: false,
      required: false,
      kind: 'metadata',
    };
  });
  const technical: StagingColumn[] = [
    {
      name: TECHNICAL.key,
      type: 'STRING',
      description: 'Hex SHA-256 of the contract key values: the merge key.',
      pii: false,
      required: true,
      kind: 'technical',
    },
    {
      name: TECHNICAL.partition,
      type: contract.partitioning.granularity === 'HOUR' ? 'TIMESTAMP' : 'DATE',
      description: `The ${contract.partitioning.granularity === 'HOUR' ? 'hour' : 'date'} of ${contract.eventTime} (UTC): the partition.`,
      pii: false,
      required: true,
      kind: 'technical',
    },
    {
      name: TECHNICAL.rowHash,
      type: 'STRING',
      description: 'Hex SHA-256 of the normalized row: the last tie-breaker between versions.',
      pii: false,
      required: true,
      kind: 'technical',
    },
    {
      name: TECHNICAL.rawTable,
      type: 'STRING',
      description: 'The raw table version the row was read from.',
      pii: false,
      required: true,
      kind: 'technical',
    },
    {
      name: TECHNICAL.changedAt,
      type: 'TIMESTAMP',
      description: 'When the models last wrote this row.',
      pii: false,
      required: true,
      kind: 'technical',
    },
  ];
  return [...business, ...pseudonyms, ...metadata, ...technical];
}
