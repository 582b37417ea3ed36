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
import { DAGS_REPORT, type DagsReport } from '../orchestration/graph';
import type { SnapshotResource, StackSnapshot } from './snapshot';

/** One kind of artifact: a title, and each artifact of the kind in a stack with its version. */
export interface ArtifactKind {
  readonly kind: string;
  /**
   * Artifact name (stable across versions) -> version (a content hash, an image reference), from the stack's
   * resources or the reports it wrote (models.json, …).
   */
  readonly extract: (
    resources: readonly SnapshotResource[],
    reports: ReadonlyMap<string, string>,
  ) => ReadonlyMap<string, string>;
  /** What a change of the artifact sets off, from the head's reports (the tables a changed model rebuilds). */
  readonly consequence?: (
    name: string,
    reports: ReadonlyMap<string, string>,
    change: 'added' | 'changed',
  ) => string | undefined;
}

interface ModelEntry {
  readonly name: string;
  readonly kind: string;
  readonly target: string;
  readonly dependsOn: readonly string[];
  readonly sha256: string;
}

function modelsOf(reports: ReadonlyMap<string, string>): readonly ModelEntry[] {
  const text = reports.get('models.json');
  return text ? ((JSON.parse(text) as { models?: ModelEntry[] }).models ?? []) : [];
}

/** The warehouse models (models.json): a changed definition, and the tables it and its dependents rebuild. */
export const WAREHOUSE_MODELS: ArtifactKind = {
  kind: 'Warehouse model',
  extract: (_resources, reports) => new Map(modelsOf(reports).map((m) => [m.name, m.sha256.slice(0, 16)])),
  consequence: (name, reports, change) => {
    const models = modelsOf(reports);
    const downstream = new Set<string>();
    const visit = (n: string) => {
      for (const m of models)
        if (m.dependsOn.includes(n) && !downstream.has(m.name)) {
          downstream.add(m.name);
          visit(m.name);
        }
    };
    visit(name);
    const self = models.find((m) => m.name === name);
    const tables = [self, ...models.filter((m) => downstream.has(m.name))].filter(
      (m): m is ModelEntry => m !== undefined && m.kind !== 'assertion',
    );
    const verb =
      change === 'added' ? 'builds' : 'rebuilds (a full refresh applies the new definition to past data)';
    return tables.length > 0
      ? `${verb} ${tables.map((m) => `${m.target} (${m.kind})`).join(', ')}`
      : undefined;
  },
};

function dagsOf(reports: ReadonlyMap<string, string>): DagsReport | undefined {
  const text = reports.get(DAGS_REPORT);
  return text ? (JSON.parse(text) as DagsReport) : undefined;
}

/** The orchestration's DAGs (dags.json): a changed source or schedule, and where and when it runs. */
export const ORCHESTRATION_DAGS: ArtifactKind = {
  kind: 'Orchestration DAG',
  extract: (_resources, reports) =>
    new Map(
      (dagsOf(reports)?.dags ?? []).map((d) => [
        d.dagId,
        `${d.sha256.slice(0, 16)} @ ${d.schedule ?? 'on demand'}`,
      ]),
    ),
  consequence: (name, reports) => {
    const report = dagsOf(reports);
    const dag = report?.dags.find((d) => d.dagId === name);
    if (!report || !dag) return undefined;
    const runner = report.runner === 'composer' ? 'on Composer' : 'as a Dataform workflow config';
    return `runs ${runner}, ${dag.schedule ? `on schedule ${dag.schedule}` : 'on demand'}: ${dag.description}`;
  },
};

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
  WAREHOUSE_MODELS,
  ORCHESTRATION_DAGS,
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
  /** What the change sets off (for example the tables a changed model rebuilds). */
  readonly consequence?: string;
}

export function diffArtifacts(
  base: StackSnapshot | undefined,
  head: StackSnapshot | undefined,
  kinds: readonly ArtifactKind[] = ARTIFACT_KINDS,
): ArtifactChange[] {
  const changes: ArtifactChange[] = [];
  const none = new Map<string, string>();
  for (const kind of kinds) {
    const headReports = head?.reports ?? none;
    const before = kind.extract([...(base?.resources.values() ?? [])], base?.reports ?? none);
    const after = kind.extract([...(head?.resources.values() ?? [])], headReports);
    const why = (name: string, change: 'added' | 'changed') => {
      const c = kind.consequence?.(name, headReports, change);
      return c ? { consequence: c } : {};
    };
    for (const [name, version] of after) {
      const was = before.get(name);
      if (was === undefined)
        changes.push({ kind: kind.kind, name, change: 'added', after: version, ...why(name, 'added') });
      else if (was !== version)
        changes.push({
          kind: kind.kind,
          name,
          change: 'changed',
          before: was,
          after: version,
          ...why(name, 'changed'),
        });
    }
    for (const [name, version] of before)
      if (!after.has(name)) changes.push({ kind: kind.kind, name, change: 'removed', before: version });
  }
  return changes;
}
