/**
 * Curated models in the style of the contract DSL: a source (a contract's staging model), a grain, measures,
 * filters, partition and cluster. `defineCuratedModel` checks everything against the source's columns and
 * throws one error naming the model, each field, the value and the rule.
 *
 *   export const factUserActivity = defineCuratedModel({
 *     name: 'fact_user_activity', description: '...', source: appEvent,
 *     grain: { user_id: grain.pseudonym('user_id'), event_date: grain.eventDate() },
 *     measures: { total_events: measure.count(), total_amount: measure.sum('metadata_amount') },
 *     partition: 'event_date', cluster: ['user_id'],
 *   });
 *
 * The models never read a PII column: a grain on one uses its pseudonym (`grain.pseudonym`), and measures and
 * filters take columns free of PII.
 */

import type { Contract } from '../contracts/model';
import { Checks } from '../core/validation';
import { type StagingColumn, stagingColumns } from './columns';
import { checkFeatureSource, type FeatureSource, type FeatureSourceSpec } from './features';
import type { JoinSpec } from './joins';
import { stagingName } from './staging';

export type GrainSpec =
  | { readonly kind: 'column'; readonly column: string }
  | { readonly kind: 'pseudonym'; readonly column: string }
  | { readonly kind: 'eventDate' };

export type MeasureSpec =
  | { readonly kind: 'count' }
  | { readonly kind: 'sum' | 'min' | 'max'; readonly column: string }
  | { readonly kind: 'sumOfItems'; readonly array: string; readonly field: string };

export type FilterOp = '=' | '!=' | 'in' | 'not in' | 'is null' | 'is not null';
export interface FilterSpec {
  readonly column: string;
  readonly op: FilterOp;
  readonly values?: readonly (string | number | boolean)[];
}

export const grain = {
  /** A column of the source (free of PII, never NULL). */
  column: (column: string): GrainSpec => ({ kind: 'column', column }),
  /** The pseudonym of a PII column of the source. */
  pseudonym: (column: string): GrainSpec => ({ kind: 'pseudonym', column }),
  /** The date of the source's event time (UTC). */
  eventDate: (): GrainSpec => ({ kind: 'eventDate' }),
};

export const measure = {
  count: (): MeasureSpec => ({ kind: 'count' }),
  sum: (column: string): MeasureSpec => ({ kind: 'sum', column }),
  min: (column: string): MeasureSpec => ({ kind: 'min', column }),
  max: (column: string): MeasureSpec => ({ kind: 'max', column }),
  /** The sum over a repeated record's items of one numeric field, e.g. the quantities of an order's line items. */
  sumOfItems: (array: string, field: string): MeasureSpec => ({ kind: 'sumOfItems', array, field }),
};

export function where(
  column: string,
  op: FilterOp,
  values?: readonly (string | number | boolean)[],
): FilterSpec {
  return { column, op, ...(values ? { values } : {}) };
}

export interface CuratedModelDefinition {
  /** snake_case; the curated table's name. */
  readonly name: string;
  readonly description: string;
  readonly source: Contract;
  readonly grain: Readonly<Record<string, GrainSpec>>;
  readonly measures: Readonly<Record<string, MeasureSpec>>;
  /** @default - every source row */
  readonly filters?: readonly FilterSpec[];
  /** A DATE grain column. @default - not partitioned */
  readonly partition?: string;
  /** Up to four grain columns. @default - not clustered */
  readonly cluster?: readonly string[];
  /** Serve the model as Vertex AI features (a feature source view and a training extract). @default - not a feature source */
  readonly features?: FeatureSourceSpec;
  /** Joins to other curated models, for the LookML explore (checked with the set of models). @default - none */
  readonly joins?: readonly JoinSpec[];
}

export interface CuratedColumn {
  readonly name: string;
  readonly type: string;
  readonly description: string;
}

export interface CuratedModel extends CuratedModelDefinition {
  readonly kind: 'tributary.curated-model';
  readonly sourceModel: string;
  /** Grain columns, then measures, with their GoogleSQL types. */
  readonly columns: readonly CuratedColumn[];
  readonly filters: readonly FilterSpec[];
  readonly cluster: readonly string[];
  readonly joins: readonly JoinSpec[];
  /** Resolved from `features`. */
  readonly featureSource?: FeatureSource;
}

const NAME = /^[a-z][a-z0-9_]{0,127}$/;
const GRAIN_TYPES = ['STRING', 'INT64', 'DATE', 'TIMESTAMP', 'BOOL'];
const isNumber = (t: string) => t === 'INT64' || t === 'FLOAT64' || t.startsWith('NUMERIC');
const isScalar = (t: string) => !t.startsWith('ARRAY<') && !t.startsWith('STRUCT<') && t !== 'JSON';

/** The GoogleSQL type of a STRUCT field of an ARRAY<STRUCT<...>> column type. */
function itemFieldType(arrayType: string, field: string): string | undefined {
  const m = /^ARRAY<STRUCT<(.*)>>$/.exec(arrayType);
  if (!m) return undefined;
  let depth = 0;
  let start = 0;
  const parts: string[] = [];
  const body = m[1] as string;
  for (let i = 0; i < body.length; i++) {
    const ch = body[i];
    if (ch === '<' || ch === '(') depth++;
    else if (ch === '>' || ch === ')') depth--;
    else if (ch === ',' && depth === 0) {
      parts.push(body.slice(start, i).trim());
      start = i + 1;
    }
  }
  parts.push(body.slice(start).trim());
  const hit = parts.find((p) => p.split(' ')[0] === field);
  return hit?.slice(field.length + 1);
}

export function defineCuratedModel(def: CuratedModelDefinition): CuratedModel {
  const subject = `Curated model ${JSON.stringify(def.name)}`;
  const c = new Checks(subject);
  c.rule(
    'name',
    def.name,
    'must be snake_case: a lowercase letter, then lowercase letters, digits or _ (at most 128)',
    (n) => NAME.test(n),
  );
  c.rule(
    'name',
    def.name,
    'must not start with stg_ (staging models are generated)',
    (n) => !n.startsWith('stg_'),
  );
  c.rule('description', def.description, 'must describe the model', (d) => d.trim().length > 0);
  const source = def.source;
  const columns = source ? stagingColumns(source) : [];
  const byName = new Map(columns.map((x) => [x.name, x]));
  const sourceName = source ? stagingName(source) : '(no source)';
  const out: CuratedColumn[] = [];

  const grains = Object.entries(def.grain ?? {});
  c.rule('grain', grains.length, 'must name at least one column', (n) => n > 0);
  for (const [name, g] of grains) {
    const at = `grain.${name}`;
    c.rule(at, name, 'must be a snake_case column name', (n) => NAME.test(n));
    const col = g.kind === 'eventDate' ? undefined : byName.get(g.column);
    if (g.kind === 'eventDate') {
      out.push({ name, type: 'DATE', description: `Date of ${source?.eventTime} (UTC).` });
      continue;
    }
    if (!col) {
      c.fail(
        at,
        g.column,
        `is not a column of ${sourceName} (columns: ${columns
          .filter((x) => x.kind !== 'technical')
          .map((x) => x.name)
          .join(', ')})`,
      );
      continue;
    }
    if (g.kind === 'pseudonym') {
      c.rule(
        at,
        g.column,
        `must be a PII column of ${sourceName} (grain.pseudonym is for PII; use grain.column)`,
        () => col.pii && byName.has(`${g.column}_pseudonym`),
      );
      c.rule(
        at,
        g.column,
        'must be required in the contract: the merge matches grains by equality, and NULL never matches',
        () => col.required,
      );
      out.push({
        name,
        type: 'STRING',
        description: `Pseudonym of ${g.column} (hex SHA-256; the value is in ${sourceName}.${g.column} under the pii policy tag).`,
      });
      continue;
    }
    c.rule(
      at,
      g.column,
      `is PII: group by its pseudonym with grain.pseudonym(${JSON.stringify(g.column)}); the models never read PII`,
      () => !col.pii,
    );
    c.rule(
      at,
      g.column,
      `has type ${col.type}; a grain column must be one of ${GRAIN_TYPES.join(', ')}`,
      () => GRAIN_TYPES.includes(col.type),
    );
    c.rule(
      at,
      g.column,
      'must be required in the contract: the merge matches grains by equality, and NULL never matches',
      () => col.required,
    );
    out.push({ name, type: col.type, description: col.description });
  }

  const numericColumn = (at: string, column: string, check: (x: StagingColumn) => string | undefined) => {
    const col = byName.get(column);
    if (!col) return c.fail(at, column, `is not a column of ${sourceName}`);
    if (col.pii) return c.fail(at, column, 'is PII; the models never read PII');
    const problem = check(col);
    if (problem) c.fail(at, column, problem);
    return c;
  };
  for (const [name, m] of Object.entries(def.measures ?? {})) {
    const at = `measures.${name}`;
    c.rule(at, name, 'must be a snake_case column name', (n) => NAME.test(n));
    c.rule(at, name, 'names a grain column too', (n) => !(n in (def.grain ?? {})));
    if (m.kind === 'count') out.push({ name, type: 'INT64', description: 'Number of source rows.' });
    else if (m.kind === 'sumOfItems') {
      const col = byName.get(m.array);
      const t = col ? itemFieldType(col.type, m.field) : undefined;
      if (!col?.type.startsWith('ARRAY<STRUCT<'))
        c.fail(at, m.array, `is not a repeated record of ${sourceName}`);
      else if (col.pii) c.fail(at, m.array, 'is PII; the models never read PII');
      else if (!t || !isNumber(t))
        c.fail(at, `${m.array}.${m.field}`, 'must be a numeric field of the repeated record');
      out.push({
        name,
        type: t?.startsWith('NUMERIC') ? 'NUMERIC' : (t ?? 'INT64'),
        description: `Sum of ${m.array}.${m.field} over the items.`,
      });
    } else {
      numericColumn(at, m.column, (x) =>
        m.kind === 'sum' && !isNumber(x.type)
          ? `has type ${x.type}; sum needs INT64, FLOAT64 or NUMERIC`
          : !isScalar(x.type)
            ? `has type ${x.type}; ${m.kind} needs a scalar`
            : undefined,
      );
      const t = byName.get(m.column)?.type ?? 'STRING';
      out.push({
        name,
        type: t.startsWith('NUMERIC') ? 'NUMERIC' : t,
        description: `${m.kind.toUpperCase()} of ${m.column}.`,
      });
    }
  }
  c.rule(
    'measures',
    Object.keys(def.measures ?? {}).length,
    'must define at least one measure',
    (n) => n > 0,
  );

  for (const [i, f] of (def.filters ?? []).entries()) {
    const at = `filters[${i}]`;
    const col = byName.get(f.column);
    if (!col) {
      c.fail(`${at}.column`, f.column, `is not a column of ${sourceName}`);
      continue;
    }
    c.rule(`${at}.column`, f.column, 'is PII; the models never read PII', () => !col.pii);
    c.rule(`${at}.column`, f.column, `has type ${col.type}; filters take scalar columns`, () =>
      isScalar(col.type),
    );
    c.rule(`${at}.values`, f.values, 'must be a list of values', (v) => Array.isArray(v));
    if (f.values !== undefined && !Array.isArray(f.values)) continue;
    const needs = f.op === 'is null' || f.op === 'is not null' ? 0 : f.op === '=' || f.op === '!=' ? 1 : -1;
    c.rule(
      `${at}.values`,
      f.values,
      needs === 0
        ? `must be absent for ${f.op}`
        : needs === 1
          ? `must hold one value for ${f.op}`
          : `must hold at least one value for ${f.op}`,
      (v) => (needs === 0 ? v.length === 0 : needs === 1 ? v.length === 1 : v.length > 0),
    );
    if (needs !== 0 && !f.values) c.fail(`${at}.values`, f.values, `is required for ${f.op}`);
    if (col.values)
      for (const v of f.values ?? [])
        c.rule(
          `${at}.values`,
          v,
          `is not an accepted value of ${f.column} (${col.values.join(', ')})`,
          (x) => col.values?.includes(String(x)) ?? false,
        );
    for (const v of f.values ?? [])
      c.rule(
        `${at}.values`,
        v,
        `must be a ${col.type === 'STRING' ? 'string' : col.type === 'BOOL' ? 'boolean' : 'number'} for ${col.type} column ${f.column}`,
        (x) =>
          col.type === 'STRING'
            ? typeof x === 'string'
            : col.type === 'BOOL'
              ? typeof x === 'boolean'
              : isNumber(col.type)
                ? typeof x === 'number'
                : typeof x === 'string',
      );
  }

  const grainNames = Object.keys(def.grain ?? {});
  c.rule(
    'partition',
    def.partition,
    `must be a DATE grain column (grain columns: ${grainNames.join(', ')})`,
    (p) => out.some((x) => x.name === p && x.type === 'DATE' && grainNames.includes(p)),
  );
  c.rule('cluster', def.cluster, 'must list at most four columns', (cl) => cl.length <= 4);
  for (const col of def.cluster ?? [])
    c.rule('cluster', col, `must be a grain column (${grainNames.join(', ')})`, (x) =>
      grainNames.includes(x),
    );
  const featureSource = checkFeatureSource(c, def, out);
  c.require('source', def.source, 'is required: the contract whose staging model the model reads');
  c.throwIfAny();
  return Object.freeze({
    ...def,
    kind: 'tributary.curated-model' as const,
    sourceModel: sourceName,
    columns: out,
    filters: def.filters ?? [],
    cluster: def.cluster ?? [],
    joins: def.joins ?? [],
    ...(featureSource ? { featureSource } : {}),
  });
}
