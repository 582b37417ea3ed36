/**
 * Curated models as feature sources for Vertex AI. A model marked with `features` gets two views in the curated
 * dataset, generated next to it so they always agree with it:
 *
 * - `<model>__features`, what a Vertex AI feature view syncs: one row per entity (a feature view reading BigQuery
 *   directly takes no history, and refuses an entity on several rows), its latest by the model's time column:
 *   the entity id columns (from the grain, as STRING, what the online store keys on), `feature_timestamp` and the
 *   measures as features.
 * - `<model>__training`, a training extract for forecasting: a `series_id` over the entity columns, the date,
 *   and the measures, over a trailing window of the partition column so BigQuery prunes partitions.
 *
 * Both stay in the curated dataset, so consumers read curated data only.
 */
import { type Checks, wholeNumber } from '../core/validation';
import type { CuratedColumn, CuratedModelDefinition, GrainSpec } from './curated';
import { q } from './sql';

export interface FeatureSourceSpec {
  /** A DATE or TIMESTAMP grain column. @default - the partition column */
  readonly time?: string;
  /** STRING or INT64 grain columns naming the entity. @default - every grain column but `time` */
  readonly entity?: readonly string[];
  /** Days of history in the training extract, 1-3650. @default 730 */
  readonly trainingWindowDays?: number;
}

export interface FeatureSource {
  readonly time: string;
  readonly entity: readonly string[];
  readonly trainingWindowDays: number;
}

/** The view names the generators use for a feature-source model. */
export const featureViewName = (model: string) => `${model}__features`;
export const trainingViewName = (model: string) => `${model}__training`;

const ENTITY_TYPES = ['STRING', 'INT64'];
/** Columns the generated views add, or Vertex AI reserves. */
const RESERVED = ['feature_timestamp', 'series_id', 'entity_id'];

/** Checks a model's `features` (when present) against its grain columns; returns the resolved spec. */
export function checkFeatureSource(
  c: Checks,
  def: Pick<CuratedModelDefinition, 'partition' | 'grain'> & { readonly features?: FeatureSourceSpec },
  columns: readonly CuratedColumn[],
): FeatureSource | undefined {
  const spec = def.features;
  if (!spec) return undefined;
  const grains = Object.keys(def.grain ?? {}) as string[];
  const type = (name: string) => columns.find((x) => x.name === name)?.type;
  if (def.partition === undefined)
    c.fail('features', spec, 'needs a partition column: the training extract is pruned by date');
  const time = spec.time ?? def.partition;
  c.rule(
    'features.time',
    time,
    `must be a DATE or TIMESTAMP grain column (grain columns: ${grains.join(', ')})`,
    (t) => t !== undefined && grains.includes(t) && ['DATE', 'TIMESTAMP'].includes(type(t) ?? ''),
  );
  const entity = spec.entity ?? grains.filter((g) => g !== time);
  c.rule('features.entity', entity, 'must name at least one grain column', (e) => e.length > 0);
  c.rule('features.entity', entity, 'names a column twice', (e) => new Set(e).size === e.length);
  for (const col of columns)
    c.rule(
      'features',
      col.name,
      `is a column of the model, but the generated views add a column of that name (${RESERVED.join(', ')})`,
      (n) => !RESERVED.includes(n),
    );
  for (const e of entity) {
    c.rule('features.entity', e, `must be a grain column (${grains.join(', ')})`, (x) => grains.includes(x));
    if (grains.includes(e))
      c.rule(
        'features.entity',
        e,
        `has type ${type(e)}; entity id columns must be ${ENTITY_TYPES.join(' or ')}`,
        (x) => ENTITY_TYPES.includes(type(x) ?? ''),
      );
    c.rule(
      'features.entity',
      e,
      'is the time column; the entity id is the rest of the grain',
      (x) => x !== time,
    );
  }
  // The entity columns and the time column together must be the grain: one row per entity and time.
  const rest = grains.filter((g) => g !== time && !entity.includes(g));
  c.rule(
    'features.entity',
    entity,
    `leaves grain columns out (${rest.join(', ')}): Vertex AI would serve one arbitrary row per entity`,
    () => rest.length === 0,
  );
  const days = spec.trainingWindowDays ?? 730;
  c.check('features.trainingWindowDays', days, wholeNumber(1, 3650, 'days'));
  return { time: time ?? '', entity, trainingWindowDays: days };
}

export interface FeatureModel {
  readonly name: string;
  readonly grain: Readonly<Record<string, GrainSpec>>;
  readonly partition?: string;
  readonly columns: readonly CuratedColumn[];
  readonly featureSource?: FeatureSource;
}

export interface GeneratedView {
  readonly name: string;
  readonly description: string;
  /** With `{{ref:<model>}}` for the curated table. */
  readonly query: string;
}

const asString = (column: string, type: string | undefined) =>
  type === 'STRING' ? q(column) : `CAST(${q(column)} AS STRING) AS ${q(column)}`;

/** The two views of a feature-source model, or none. */
export function featureViews(model: FeatureModel): GeneratedView[] {
  const f = model.featureSource;
  if (!f) return [];
  const type = (name: string) => model.columns.find((x) => x.name === name)?.type;
  const measures = model.columns.filter((x) => !(x.name in model.grain)).map((x) => q(x.name));
  const timeType = type(f.time);
  const partition = model.partition as string;
  return [
    {
      name: featureViewName(model.name),
      description: `Vertex AI feature source of ${model.name}: the latest row per entity (${f.entity.join(', ')}), feature_timestamp from ${f.time}, and the measures as features.`,
      query: [
        'SELECT',
        `  ${[
          ...f.entity.map((e) => asString(e, type(e))),
          timeType === 'DATE'
            ? `TIMESTAMP(${q(f.time)}) AS feature_timestamp`
            : `${q(f.time)} AS feature_timestamp`,
          ...measures,
        ].join(',\n  ')}`,
        `FROM {{ref:${model.name}}}`,
        'WHERE TRUE',
        `QUALIFY ROW_NUMBER() OVER (PARTITION BY ${f.entity.map(q).join(', ')} ORDER BY ${q(f.time)} DESC) = 1`,
      ].join('\n'),
    },
    {
      name: trainingViewName(model.name),
      description: `Training extract of ${model.name} for forecasting: series_id (${f.entity.join(' | ')}), the entity columns, ${f.time} and the measures, for the last ${f.trainingWindowDays} days (pruned on ${partition}).`,
      query: [
        'SELECT',
        `  ${[
          `CONCAT(${f.entity.map((e) => `CAST(${q(e)} AS STRING)`).join(", '|', ")}) AS series_id`,
          ...f.entity.map(q),
          q(f.time),
          ...measures,
        ].join(',\n  ')}`,
        `FROM {{ref:${model.name}}}`,
        `WHERE ${q(partition)} >= DATE(TIMESTAMP_SUB(CURRENT_TIMESTAMP(), INTERVAL ${f.trainingWindowDays} DAY))`,
      ].join('\n'),
    },
  ];
}
