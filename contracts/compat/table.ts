/**
 * Whether a raw-table change updates the table in place or makes Terraform replace it (drop and recreate,
 * losing its data). Mirrors the google provider's `resourceBigQueryTableSchemaIsChangeable` and the
 * arguments it marks ForceNew:
 * - replace: a column rename, a type change (INTEGER/INT64, FLOAT/FLOAT64, BOOLEAN/BOOL are equal), a mode
 *   change other than REQUIRED -> NULLABLE, a new REQUIRED column, a dropped nested column, dropping and adding
 *   top-level columns in one change, a new partition field or granularity, a new encryption key;
 * - in place: new NULLABLE or REPEATED columns, REQUIRED -> NULLABLE, dropping top-level columns alone,
 *   descriptions, clustering, the primary key.
 */
import type { BigQueryField } from '../generators/bigquery';

export type TableImpact = 'in-place' | 'replace';

export interface TableChange {
  readonly path: string;
  readonly change: string;
  readonly impact: TableImpact;
}

export interface TableShape {
  readonly schema: readonly BigQueryField[];
  readonly partitioning: { readonly type: string; readonly field: string };
  readonly clustering: readonly string[];
  readonly primaryKey?: readonly string[];
  readonly kmsKeyName?: string;
  readonly description?: string;
}

const TYPE_ALIASES: Record<string, string> = { INT64: 'INTEGER', FLOAT64: 'FLOAT', BOOL: 'BOOLEAN' };
const normType = (t: string) => TYPE_ALIASES[t.toUpperCase()] ?? t.toUpperCase();
const normMode = (m: string | undefined) => (m ? m.toUpperCase() : 'NULLABLE');

export function diffTable(before: TableShape, after: TableShape): TableChange[] {
  const changes = diffColumns(before.schema, after.schema, '', true);
  if (before.partitioning.field !== after.partitioning.field) {
    changes.push({
      path: '(partitioning)',
      change: `partition field ${before.partitioning.field} -> ${after.partitioning.field}`,
      impact: 'replace',
    });
  }
  if (before.partitioning.type !== after.partitioning.type) {
    changes.push({
      path: '(partitioning)',
      change: `partition granularity ${before.partitioning.type} -> ${after.partitioning.type}`,
      impact: 'replace',
    });
  }
  if ((before.kmsKeyName ?? '') !== (after.kmsKeyName ?? '')) {
    changes.push({
      path: '(encryption)',
      change: `encryption key ${before.kmsKeyName ?? 'Google-managed'} -> ${after.kmsKeyName ?? 'Google-managed'}`,
      impact: 'replace',
    });
  }
  if (before.clustering.join(',') !== after.clustering.join(',')) {
    changes.push({
      path: '(clustering)',
      change: `clustering [${before.clustering.join(', ')}] -> [${after.clustering.join(', ')}]`,
      impact: 'in-place',
    });
  }
  if ((before.primaryKey ?? []).join(',') !== (after.primaryKey ?? []).join(',')) {
    changes.push({
      path: '(primary key)',
      change: `primary key [${(before.primaryKey ?? []).join(', ')}] -> [${(after.primaryKey ?? []).join(', ')}]`,
      impact: 'in-place',
    });
  }
  if ((before.description ?? '') !== (after.description ?? '')) {
    changes.push({ path: '(table)', change: 'table description changed', impact: 'in-place' });
  }
  return changes;
}

function diffColumns(
  before: readonly BigQueryField[],
  after: readonly BigQueryField[],
  prefix: string,
  topLevel: boolean,
): TableChange[] {
  const at = (name: string) => (prefix ? `${prefix}.${name}` : name);
  const oldByName = new Map(before.map((c) => [c.name.toLowerCase(), c]));
  const newByName = new Map(after.map((c) => [c.name.toLowerCase(), c]));
  const changes: TableChange[] = [];
  const added = after.filter((c) => !oldByName.has(c.name.toLowerCase()));
  const dropped = before.filter((c) => !newByName.has(c.name.toLowerCase()));
  // The provider cannot tell a rename from a drop plus an add, so it replaces the table.
  const ambiguous = topLevel && added.length > 0 && dropped.length > 0;
  for (const c of added) {
    const required = normMode(c.mode) === 'REQUIRED';
    changes.push({
      path: at(c.name),
      change: `new ${normMode(c.mode)} column ${c.type}${ambiguous ? ' alongside dropped columns (a rename?)' : ''}`,
      impact: required || ambiguous ? 'replace' : 'in-place',
    });
  }
  for (const c of dropped) {
    changes.push({
      path: at(c.name),
      change: topLevel
        ? `dropped column${ambiguous ? ' alongside new columns (a rename?)' : ''}`
        : 'dropped nested column',
      impact: topLevel && !ambiguous ? 'in-place' : 'replace',
    });
  }
  for (const c of before) {
    const n = newByName.get(c.name.toLowerCase());
    if (!n) continue;
    const path = at(c.name);
    if (normType(c.type) !== normType(n.type)) {
      changes.push({ path, change: `type ${c.type} -> ${n.type}`, impact: 'replace' });
      continue;
    }
    const [m0, m1] = [normMode(c.mode), normMode(n.mode)];
    if (m0 !== m1) {
      const relax = m0 === 'REQUIRED' && m1 === 'NULLABLE';
      changes.push({
        path,
        change: `mode ${m0} -> ${m1}${relax ? ' (relaxed)' : ''}`,
        impact: relax ? 'in-place' : 'replace',
      });
    }
    if ((c.description ?? '') !== (n.description ?? ''))
      changes.push({ path, change: 'description changed', impact: 'in-place' });
    if (c.precision !== n.precision || c.scale !== n.scale) {
      const widen =
        Number(n.scale ?? 9) >= Number(c.scale ?? 9) &&
        Number(n.precision ?? 38) - Number(n.scale ?? 9) >= Number(c.precision ?? 38) - Number(c.scale ?? 9);
      changes.push({
        path,
        change: `NUMERIC(${c.precision}, ${c.scale}) -> NUMERIC(${n.precision}, ${n.scale})${widen ? ' (widened)' : ' (narrowed: BigQuery refuses this in place)'}`,
        impact: widen ? 'in-place' : 'replace',
      });
    }
    if (normType(c.type) === 'RECORD')
      changes.push(...diffColumns(c.fields ?? [], n.fields ?? [], path, false));
  }
  return changes;
}
