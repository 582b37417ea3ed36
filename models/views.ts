/**
 * Repeated records stay arrays in the staging model (one row per key), and each gets a child view,
 * `stg_<contract>__<field>`: one row per item, keyed by the parent's key and the item's position (0-based), with
 * the item's fields as columns. A view, not a table: it always agrees with its parent, so it needs no
 * incremental logic of its own.
 */
import { TECHNICAL } from './columns';
import { q } from './sql';
import type { StagingModel } from './staging';

export interface ChildView {
  readonly name: string;
  readonly description: string;
  readonly query: string;
}

/** Top-level field names of an `ARRAY<STRUCT<…>>` type, or undefined for arrays of scalars. */
function structFields(type: string): string[] | undefined {
  const m = /^ARRAY<STRUCT<(.*)>>$/.exec(type);
  if (!m) return undefined;
  const body = m[1] as string;
  const names: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i <= body.length; i++) {
    const ch = body[i];
    if (ch === '<' || ch === '(') depth++;
    else if (ch === '>' || ch === ')') depth--;
    else if ((ch === ',' || ch === undefined) && depth === 0) {
      names.push((body.slice(start, i).trim().split(' ')[0] ?? '').trim());
      start = i + 1;
    }
  }
  return names.filter(Boolean);
}

export function childViews(model: StagingModel): ChildView[] {
  const keys = model.contract.key.map((k) => {
    const col = model.columns.find((c) => c.name === k);
    return col?.pii ? `${k}_pseudonym` : k;
  });
  return model.columns
    .filter((c) => c.kind === 'business' && c.type.startsWith('ARRAY<'))
    .map((c) => {
      const fields = structFields(c.type);
      const columns = fields
        ? fields.map((f) => `item.${q(f)} AS ${q(f)}`)
        : [`item AS ${q(`${c.name}_item`)}`];
      return {
        name: `${model.name}__${c.name}`,
        description: `One row per item of ${model.contract.name}.${c.name}: the parent's key, the item's position (0-based) and its fields.${c.pii ? ' The items are PII (under the pii policy tag in the parent).' : ''}`,
        query: [
          'SELECT',
          `  ${[TECHNICAL.key, ...keys.map(q), 'item_index', ...columns].join(',\n  ')}`,
          'FROM (',
          `  SELECT s.${TECHNICAL.key}, ${keys.map((k) => `s.${q(k)}`).join(', ')}, item_index, s.${q(c.name)}[SAFE_OFFSET(item_index)] AS item`,
          `  FROM {{ref:${model.name}}} AS s, UNNEST(GENERATE_ARRAY(0, ARRAY_LENGTH(s.${q(c.name)}) - 1)) AS item_index`,
          ')',
        ].join('\n'),
      };
    });
}
