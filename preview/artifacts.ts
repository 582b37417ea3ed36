/**
 * Code and content the stacks ship, whose changes a reviewer wants to see even when Terraform only updates a
 * path: UDFs, template specs, the gateway manifest, runtime images. Each kind is one extractor over a stack's
 * resources; a capability adds its own (Dataform models, DAG files, LookML) by adding an entry to
 * ARTIFACT_KINDS, and the preview picks it up.
 */
import {
  CONTENT_SHA256_KEY,
  INGEST_MANIFEST_ROLE,
  OBJECT_ROLE_KEY,
  TEMPLATE_SPEC_ROLE,
  UDF_OBJECT_ROLE,
} from '../core/markers';
import type { SnapshotResource, StackSnapshot } from './snapshot';

/** One kind of artifact: a title, and each artifact of the kind in a stack with its version. */
export interface ArtifactKind {
  readonly kind: string;
  /** Artifact name (stable across versions) -> version (a content hash, an image reference). */
  readonly extract: (resources: readonly SnapshotResource[]) => ReadonlyMap<string, string>;
}

/** Content-addressed bucket objects of one role, named by their folder, versioned by their content hash. */
function hashedObjects(role: string): ArtifactKind['extract'] {
  return (resources) => {
    const out = new Map<string, string>();
    for (const r of resources) {
      if (r.type !== 'google_storage_bucket_object') continue;
      const metadata = (r.config.metadata ?? {}) as Record<string, string>;
      if (metadata[OBJECT_ROLE_KEY] !== role) continue;
      const name = String(r.config.name ?? r.address);
      out.set(
        name.slice(0, name.lastIndexOf('/') + 1) || name,
        (metadata[CONTENT_SHA256_KEY] ?? name).slice(0, 16),
      );
    }
    return out;
  };
}

export const ARTIFACT_KINDS: ArtifactKind[] = [
  { kind: 'Dataflow UDF', extract: hashedObjects(UDF_OBJECT_ROLE) },
  { kind: 'Flex Template spec', extract: hashedObjects(TEMPLATE_SPEC_ROLE) },
  { kind: 'Gateway manifest', extract: hashedObjects(INGEST_MANIFEST_ROLE) },
  {
    kind: 'Runtime image',
    extract: (resources) => {
      const out = new Map<string, string>();
      for (const r of resources) {
        if (r.type !== 'google_cloud_run_v2_service' && r.type !== 'google_cloud_run_v2_job') continue;
        const template = r.config.template as
          | { containers?: { name?: string; image?: string }[] }
          | undefined;
        for (const c of template?.containers ?? [])
          if (c.image)
            out.set(
              `${String(r.config.name)}/${c.name ?? c.image.split('/').pop()?.split(/[:@]/)[0]}`,
              c.image,
            );
      }
      return out;
    },
  },
];

export interface ArtifactChange {
  readonly kind: string;
  readonly name: string;
  readonly change: 'added' | 'removed' | 'changed';
  readonly before?: string;
  readonly after?: string;
}

export function diffArtifacts(
  base: StackSnapshot | undefined,
  head: StackSnapshot | undefined,
  kinds: readonly ArtifactKind[] = ARTIFACT_KINDS,
): ArtifactChange[] {
  const changes: ArtifactChange[] = [];
  for (const kind of kinds) {
    const before = kind.extract([...(base?.resources.values() ?? [])]);
    const after = kind.extract([...(head?.resources.values() ?? [])]);
    for (const [name, version] of after) {
      const was = before.get(name);
      if (was === undefined) changes.push({ kind: kind.kind, name, change: 'added', after: version });
      else if (was !== version)
        changes.push({ kind: kind.kind, name, change: 'changed', before: was, after: version });
    }
    for (const [name, version] of before)
      if (!after.has(name)) changes.push({ kind: kind.kind, name, change: 'removed', before: version });
  }
  return changes;
}
