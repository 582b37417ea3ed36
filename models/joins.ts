/**
 * Joins between curated models, declared on the model that joins (`joins: [{ model, on, relationship }]`) and
 * used by the LookML explore of that model. They are checked against the whole set of models at once: the
 * joined model exists, each `on` pair names a column on each side with the same type, and a `many_to_one` or
 * `one_to_one` join covers the joined model's whole grain (otherwise it fans out and Looker's symmetric
 * aggregates would hide a modelling error).
 */
import { Checks } from '../core/validation';
import type { CuratedModel } from './curated';

export type JoinRelationship = 'many_to_one' | 'one_to_one' | 'one_to_many' | 'many_to_many';
const RELATIONSHIPS: readonly JoinRelationship[] = [
  'many_to_one',
  'one_to_one',
  'one_to_many',
  'many_to_many',
];

export interface JoinSpec {
  /** The curated model joined. */
  readonly model: string;
  /** This model's column → the joined model's column; the join matches on all pairs. */
  readonly on: Readonly<Record<string, string>>;
  readonly relationship: JoinRelationship;
}

/** Throws one error listing every problem with every model's joins. */
export function checkJoins(models: readonly CuratedModel[]): void {
  const c = new Checks('Curated model joins');
  const byName = new Map(models.map((m) => [m.name, m]));
  for (const m of models)
    for (const [i, j] of m.joins.entries()) {
      const at = `${m.name}.joins[${i}]`;
      c.rule(
        `${at}.model`,
        j.model,
        'is joined twice (LookML takes one join per view)',
        (x) => m.joins.findIndex((o) => o.model === x) === i,
      );
      const other = byName.get(j.model);
      c.rule(`${at}.relationship`, j.relationship, `must be one of ${RELATIONSHIPS.join(', ')}`, (r) =>
        RELATIONSHIPS.includes(r),
      );
      if (!other) {
        c.fail(`${at}.model`, j.model, `is not a curated model (${[...byName.keys()].join(', ')})`);
        continue;
      }
      c.rule(`${at}.model`, j.model, 'is the model itself', (x) => x !== m.name);
      const pairs = Object.entries(j.on ?? {});
      c.rule(`${at}.on`, pairs.length, 'must pair at least one column', (n) => n > 0);
      for (const [mine, theirs] of pairs) {
        const a = m.columns.find((x) => x.name === mine);
        const b = other.columns.find((x) => x.name === theirs);
        if (!a) c.fail(`${at}.on`, mine, `is not a column of ${m.name}`);
        if (!b) c.fail(`${at}.on.${mine}`, theirs, `is not a column of ${other.name}`);
        if (a && b)
          c.rule(
            `${at}.on.${mine}`,
            theirs,
            `has type ${b.type} but ${m.name}.${mine} is ${a.type}`,
            () => a.type === b.type,
          );
      }
      if (j.relationship === 'many_to_one' || j.relationship === 'one_to_one') {
        const covered = new Set(pairs.map(([, theirs]) => theirs));
        const missing = Object.keys(other.grain).filter((g) => !covered.has(g));
        c.rule(
          `${at}.on`,
          Object.values(j.on ?? {}),
          `must cover the grain of ${other.name} for ${j.relationship} (missing: ${missing.join(', ')})`,
          () => missing.length === 0,
        );
      }
    }
  c.throwIfAny();
}
