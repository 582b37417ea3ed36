/**
 * Grants added and removed, from the stacks' IAM matrices, with widening called out: a principal that had no
 * grant before, a broader role on a resource the principal already had a role on, and project scope.
 */
import type { SnapshotGrant, StackSnapshot } from './snapshot';

export type Widening = 'new principal' | 'broader role' | 'project scope';

export interface GrantChange {
  readonly change: 'added' | 'removed';
  readonly principal: string;
  readonly role: string;
  readonly resourceType: string;
  readonly resource: string;
  readonly scope: 'resource' | 'project';
  readonly widening: readonly Widening[];
  readonly justification?: string;
}

const key = (g: SnapshotGrant) => `${g.principal}\u0000${g.resourceType}\u0000${g.resource}\u0000${g.role}`;

/**
 * How much a predefined role allows, from its name's last word: viewers and readers read, users and creators
 * and publishers use, editors and writers change, admins and owners control. Unknown words rank as users.
 */
export function roleBreadth(role: string): number {
  const word = (role.split('/').pop() ?? role).split('.').pop()?.toLowerCase() ?? '';
  if (/(viewer|reader|browser|lister|getter)$/.test(word)) return 1;
  if (/(admin|owner)$/.test(word)) return 4;
  if (/(editor|writer|developer)$/.test(word)) return 3;
  return 2;
}

export function diffGrants(
  base: Pick<StackSnapshot, 'grants'> | undefined,
  head: Pick<StackSnapshot, 'grants'> | undefined,
): GrantChange[] {
  const before = base?.grants ?? [];
  const after = head?.grants ?? [];
  const beforeKeys = new Set(before.map(key));
  const afterKeys = new Set(after.map(key));
  const principalsBefore = new Set(before.map((g) => g.principal));
  const changes: GrantChange[] = [];
  for (const g of after) {
    if (beforeKeys.has(key(g))) continue;
    const widening: Widening[] = [];
    if (!principalsBefore.has(g.principal)) widening.push('new principal');
    else {
      const onSame = before.filter(
        (b) => b.principal === g.principal && b.resource === g.resource && b.resourceType === g.resourceType,
      );
      if (onSame.length > 0 && onSame.every((b) => roleBreadth(b.role) < roleBreadth(g.role)))
        widening.push('broader role');
    }
    if (g.scope === 'project') widening.push('project scope');
    changes.push({
      change: 'added',
      principal: g.principal,
      role: g.role,
      resourceType: g.resourceType,
      resource: g.resource,
      scope: g.scope,
      widening,
      ...(g.justification ? { justification: g.justification } : {}),
    });
  }
  for (const g of before)
    if (!afterKeys.has(key(g)))
      changes.push({
        change: 'removed',
        principal: g.principal,
        role: g.role,
        resourceType: g.resourceType,
        resource: g.resource,
        scope: g.scope,
        widening: [],
      });
  // Widenings first, then additions, then removals.
  return changes.sort(
    (a, b) =>
      Number(b.widening.length > 0) - Number(a.widening.length > 0) ||
      (a.change === b.change ? 0 : a.change === 'added' ? -1 : 1) ||
      `${a.principal} ${a.role}`.localeCompare(`${b.principal} ${b.role}`),
  );
}
