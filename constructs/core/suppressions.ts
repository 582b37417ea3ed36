import type { IConstruct } from 'constructs';
import { Checks } from '../../core/validation';

/** Accepts a rule's findings on a construct and everything under it, with a reason that lands in the report. */
export interface Suppression {
  /** Rule id, for example `TRB-GCS-1`. */
  readonly id: string;
  /** Why the finding is acceptable here; at least MIN_REASON_LENGTH (20) characters. */
  readonly reason: string;
}

export interface AppliedSuppression extends Suppression {
  /** Path of the construct the suppression is attached to. */
  readonly path: string;
}

const store = new WeakMap<IConstruct, Suppression[]>();

export const Suppressions = {
  /** Attaches suppressions to `construct`; they cover it and all its children. */
  add(construct: IConstruct, ...suppressions: Suppression[]): void {
    const checks = new Checks(`${construct.node.path} (policy suppression)`);
    suppressions.forEach((s, i) => {
      checks.rule(`suppressions[${i}].id`, s.id, 'must be a rule id such as TRB-GCS-1', (id) =>
        /^[A-Z]+(-[A-Z0-9]+)+$/.test(id),
      );
      checks.reason(`suppressions[${i}].reason`, s.reason, 'the exception');
    });
    checks.throwIfAny();
    store.set(construct, [...(store.get(construct) ?? []), ...suppressions]);
  },

  /** Suppressions attached directly to `construct`. */
  on(construct: IConstruct): readonly AppliedSuppression[] {
    return (store.get(construct) ?? []).map((s) => ({ ...s, path: construct.node.path }));
  },

  /** The nearest suppression of `ruleId` on `construct` or one of its ancestors. */
  find(construct: IConstruct, ruleId: string): AppliedSuppression | undefined {
    for (const scope of [...construct.node.scopes].reverse()) {
      const hit = store.get(scope)?.find((s) => s.id === ruleId);
      if (hit) return { ...hit, path: scope.node.path };
    }
    return undefined;
  },
};
