/**
 * BigQuery schemas in exactly the form the BigQuery API returns (RECORD, INTEGER, FLOAT, BOOLEAN, NUMERIC,
 * mode REPEATED, precision and scale as strings). Any other spelling (STRUCT, INT64, DECIMAL) is accepted by
 * the API but read back differently, which Terraform reports as a change on every plan.
 */
import { METADATA_COLUMNS } from '../metadata';
import type { Contract, FieldSpec, ItemSpec, TypeSpec } from '../model';
import { perContract } from './memo';
import { describe } from './names';

export type BigQueryMode = 'NULLABLE' | 'REQUIRED' | 'REPEATED';

export interface BigQueryField {
  readonly name: string;
  readonly type: string;
  readonly mode: BigQueryMode;
  readonly description?: string;
  readonly fields?: readonly BigQueryField[];
  readonly precision?: string;
  readonly scale?: string;
}

const SCALAR_TYPES: Record<Exclude<ItemSpec['kind'], 'record'>, string> = {
  string: 'STRING',
  int64: 'INTEGER',
  float64: 'FLOAT',
  numeric: 'NUMERIC',
  bool: 'BOOLEAN',
  timestamp: 'TIMESTAMP',
  date: 'DATE',
  json: 'JSON',
  bytes: 'BYTES',
  enum: 'STRING',
};

export function bigQueryFields(fields: readonly FieldSpec[]): BigQueryField[] {
  return fields.map((f) => {
    const mode: BigQueryMode = f.type.kind === 'repeated' ? 'REPEATED' : f.optional ? 'NULLABLE' : 'REQUIRED';
    const type: ItemSpec = f.type.kind === 'repeated' ? f.type.items : f.type;
    return column(f.name, type, mode, describe(f.description, f.pii));
  });
}

function column(name: string, type: ItemSpec, mode: BigQueryMode, description: string): BigQueryField {
  const base = { name, type: type.kind === 'record' ? 'RECORD' : SCALAR_TYPES[type.kind], mode };
  const withFields = type.kind === 'record' ? { ...base, fields: bigQueryFields(type.fields) } : base;
  const withDescription = description ? { ...withFields, description } : withFields;
  if (type.kind === 'numeric')
    return { ...withDescription, precision: String(type.precision), scale: String(type.scale) };
  return withDescription;
}

/** The raw table's columns: the contract's fields, then the platform metadata columns. */
export function rawTableSchema(contract: Contract): BigQueryField[] {
  return [
    ...bigQueryFields(contract.fields),
    ...METADATA_COLUMNS.map((c) => ({
      name: c.name,
      type: c.type,
      mode: 'NULLABLE' as const,
      description: c.description,
    })),
  ];
}

export interface RawTableSpec {
  readonly tableId: string;
  readonly description: string;
  readonly schema: readonly BigQueryField[];
  readonly partitioning: { readonly type: 'DAY' | 'HOUR'; readonly field: string };
  readonly clustering: readonly string[];
  readonly primaryKey: readonly string[];
}

export function rawTableId(contract: Pick<Contract, 'name' | 'tableVersion'>): string {
  return `${contract.name}_v${contract.tableVersion}`;
}

export const rawTableSpec = perContract((contract: Contract): RawTableSpec => {
  return {
    tableId: rawTableId(contract),
    // No version here: a version bump alone must not touch the table (rows carry schema_version).
    description: `Raw ${contract.name} events (owner ${contract.owner}). ${contract.description}`,
    schema: rawTableSchema(contract),
    partitioning: { type: contract.partitioning.granularity, field: contract.partitioning.field },
    clustering: [...contract.clustering],
    primaryKey: [...contract.key],
  };
});

/** The kind a BigQuery type would be read back as; used to explain type changes. */
export function kindOfType(type: TypeSpec): string {
  return type.kind === 'repeated'
    ? `ARRAY<${kindOfType(type.items)}>`
    : type.kind === 'record'
      ? 'RECORD'
      : SCALAR_TYPES[type.kind];
}
