/** Policy findings that appear or go away between two snapshots of a stack, and suppressions added. */
import type { SnapshotFinding, StackSnapshot } from './snapshot';

export interface PolicyChanges {
  /** Findings the head has and the base had not (suppressed or not). */
  readonly added: readonly SnapshotFinding[];
  readonly resolved: readonly SnapshotFinding[];
  readonly suppressionsAdded: readonly {
    readonly id: string;
    readonly path: string;
    readonly reason: string;
  }[];
}

const key = (f: { ruleId?: string; id?: string; path: string }) => `${f.ruleId ?? f.id}\u0000${f.path}`;

export function diffPolicy(base: StackSnapshot | undefined, head: StackSnapshot | undefined): PolicyChanges {
  const before = new Set((base?.findings ?? []).map(key));
  const after = new Set((head?.findings ?? []).map(key));
  const suppressedBefore = new Set((base?.suppressions ?? []).map(key));
  return {
    added: (head?.findings ?? []).filter((f) => !before.has(key(f))),
    resolved: (base?.findings ?? []).filter((f) => !after.has(key(f))),
    suppressionsAdded: (head?.suppressions ?? []).filter((s) => !suppressedBefore.has(key(s))),
  };
}

/** Unsuppressed error findings: synth itself fails on those. */
export const isOpenError = (f: SnapshotFinding): boolean =>
  f.level === 'error' && f.suppressedBy === undefined;
