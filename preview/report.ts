/**
 * The preview of one change: for every stack, what happens to its resources, grants, policy findings, shipped
 * code and architecture; for the contracts, the compatibility verdicts; and the verdict that gates a pull
 * request: a protected resource destroyed or replaced fails the preview unless the change is acknowledged.
 */
import type { CompatReport, ContractReport } from '../contracts/compat/index';
import { ARTIFACT_KINDS, type ArtifactChange, type ArtifactKind, diffArtifacts } from './artifacts';
import { diffGrants, type GrantChange } from './iam';
import { diffPolicy, type PolicyChanges } from './policy';
import { diffResources, isDestructive, type ResourceAction, type ResourceChange } from './resources';
import type { AppSnapshot, StackSnapshot } from './snapshot';

export interface StackPreview {
  readonly name: string;
  readonly production: boolean;
  readonly status: 'added' | 'removed' | 'changed' | 'unchanged';
  readonly counts: Readonly<Record<ResourceAction, number>>;
  readonly resources: readonly ResourceChange[];
  readonly grants: readonly GrantChange[];
  readonly policy: PolicyChanges;
  readonly artifacts: readonly ArtifactChange[];
  /** The head's architecture diagram, when it differs from the base's. */
  readonly architecture?: string;
}

export interface DestructiveChange extends ResourceChange {
  readonly stack: string;
}

export interface PreviewReport {
  readonly base: string;
  readonly head: string;
  readonly stacks: readonly StackPreview[];
  /** Contracts that changed, with their compatibility verdicts. */
  readonly contracts: readonly ContractReport[];
  readonly contractsBreaking: boolean;
  /** Every destroy and replacement, protected and stateful first. */
  readonly destructive: readonly DestructiveChange[];
  /** Destroys and replacements of protected resources: they fail the preview unless acknowledged. */
  readonly blocking: readonly DestructiveChange[];
  readonly acknowledged: boolean;
  readonly verdict: string;
  /** 0, or PREVIEW_BLOCKED_EXIT_CODE when a protected resource would be destroyed or replaced, unacknowledged. */
  readonly exitCode: number;
}

export interface PreviewOptions {
  /** How the base and head are named in the output, for example `main` and `HEAD`. */
  readonly base: string;
  readonly head: string;
  readonly contracts?: CompatReport;
  /** The author acknowledged destroying or replacing protected resources (a pull-request label in CI). */
  readonly acknowledged?: boolean;
  readonly artifactKinds?: readonly ArtifactKind[];
}

/** The exit code of a preview that destroys or replaces a protected resource without acknowledgement (1 and 2 are
 * the scripts' errors and usage errors). */
export const PREVIEW_BLOCKED_EXIT_CODE = 3;

const ACTIONS: readonly ResourceAction[] = ['create', 'update', 'replace', 'delete'];

/** What one stack's changes add up to; `resources`, `grants` and the rest are already diffed. */
export function stackPreview(
  name: string,
  sides: {
    readonly base?: Pick<StackSnapshot, 'production'>;
    readonly head?: Pick<StackSnapshot, 'production'>;
  },
  changes: Pick<StackPreview, 'resources' | 'grants' | 'policy' | 'artifacts'> & {
    readonly architecture?: string;
  },
): StackPreview {
  const { base: b, head: h } = sides;
  const { resources, grants, policy, artifacts, architecture } = changes;
  const counts = Object.fromEntries(
    ACTIONS.map((a) => [a, resources.filter((r) => r.action === a).length]),
  ) as Record<ResourceAction, number>;
  const anything =
    resources.length +
      grants.length +
      policy.added.length +
      policy.resolved.length +
      policy.suppressionsAdded.length +
      artifacts.length >
      0 || architecture !== undefined;
  return {
    name,
    production: (h ?? b)?.production ?? false,
    status: !b ? 'added' : !h ? 'removed' : anything ? 'changed' : 'unchanged',
    counts,
    resources,
    grants,
    policy,
    artifacts,
    ...(architecture !== undefined ? { architecture } : {}),
  };
}

export function buildPreview(base: AppSnapshot, head: AppSnapshot, options: PreviewOptions): PreviewReport {
  const names = [...new Set([...base.stacks.keys(), ...head.stacks.keys()])].sort();
  const stacks = names.map((name): StackPreview => {
    const b = base.stacks.get(name);
    const h = head.stacks.get(name);
    const architectureChanged = h?.architecture !== undefined && (b?.architecture ?? '') !== h.architecture;
    return stackPreview(
      name,
      { base: b, head: h },
      {
        resources: diffResources(b, h),
        grants: diffGrants(b, h),
        policy: diffPolicy(b, h),
        artifacts: diffArtifacts(b, h, options.artifactKinds ?? ARTIFACT_KINDS),
        ...(architectureChanged ? { architecture: h?.architecture } : {}),
      },
    );
  });
  return assembleReport(stacks, options);
}

/** The verdict and exit code over every stack's preview (offline or from plans). */
export function assembleReport(stacks: readonly StackPreview[], options: PreviewOptions): PreviewReport {
  const destructive = stacks
    .flatMap((s) => s.resources.filter(isDestructive).map((r) => ({ ...r, stack: s.name })))
    .sort((a, b) => Number(b.protected) - Number(a.protected) || Number(b.stateful) - Number(a.stateful));
  const blocking = destructive.filter((d) => d.protected);
  const acknowledged = options.acknowledged ?? false;
  const contracts = (options.contracts?.contracts ?? []).filter((c) => c.status !== 'unchanged');
  const breaking = options.contracts?.breaking ?? false;
  const changed = stacks.filter((s) => s.status !== 'unchanged');
  return {
    base: options.base,
    head: options.head,
    stacks,
    contracts,
    contractsBreaking: breaking,
    destructive,
    blocking,
    acknowledged,
    verdict: verdictOf(changed.length, stacks.length, destructive, blocking, acknowledged, breaking),
    exitCode: blocking.length > 0 && !acknowledged ? PREVIEW_BLOCKED_EXIT_CODE : 0,
  };
}

function verdictOf(
  changed: number,
  total: number,
  destructive: readonly DestructiveChange[],
  blocking: readonly DestructiveChange[],
  acknowledged: boolean,
  breaking: boolean,
): string {
  const parts: string[] = [];
  if (blocking.length > 0)
    parts.push(
      `${acknowledged ? 'acknowledged: ' : 'BLOCKED: '}${blocking.length} protected resource${blocking.length === 1 ? '' : 's'} destroyed or replaced (${[...new Set(blocking.map((b) => b.stack))].join(', ')})`,
    );
  const other = destructive.length - blocking.length;
  if (other > 0)
    parts.push(`${other} other destroy${other === 1 ? '' : 's'} or replacement${other === 1 ? '' : 's'}`);
  if (breaking) parts.push('a breaking contract change');
  parts.push(changed === 0 ? `no changes in ${total} stacks` : `${changed} of ${total} stacks changed`);
  return parts.join('; ');
}
