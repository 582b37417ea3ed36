/**
 * What Terraform will do to each resource of a stack, offline: resources are paired by construct path (the same
 * path is the same resource), then the resources only one side has are paired by their natural identity (same
 * type and same name in GCP). A pair at a new address is a replacement: Terraform destroys the old resource and
 * creates the new one, unless a `moved` block says otherwise. A pair at the same address is changed in place, or
 * replaced when an attribute that forces replacement changed (see force-new.ts).
 */
import { FORCE_NEW, forceNewChanges } from './force-new';
import type { SnapshotResource, StackSnapshot } from './snapshot';

export type ResourceAction = 'create' | 'delete' | 'update' | 'replace';

export interface ResourceChange {
  readonly action: ResourceAction;
  readonly type: string;
  /** The address after the change (the old one for a delete). */
  readonly address: string;
  /** For a replacement at a new address (a renamed construct): the old address. */
  readonly previousAddress?: string;
  readonly path: string;
  /** Attribute paths whose values differ. */
  readonly changed: readonly string[];
  /** Why it is replaced: the attributes that force it, or the address change. */
  readonly reasons: readonly string[];
  /** What a reviewer should know about this type's updates (from the replacement table). */
  readonly notes: readonly string[];
  /** Deletion protection or prevent_destroy on the resource before the change. */
  readonly protected: boolean;
  /** A resource that holds data or configuration others depend on (tables, buckets, topics, …). */
  readonly stateful: boolean;
}

/** Types whose destruction loses data or breaks consumers; they are listed first. */
export const STATEFUL_TYPES: readonly string[] = [
  'google_bigquery_table',
  'google_bigquery_dataset',
  'google_storage_bucket',
  'google_pubsub_topic',
  'google_pubsub_schema',
  'google_pubsub_subscription',
  'google_composer_environment',
  'google_dataform_repository',
  'google_data_catalog_taxonomy',
  'google_data_catalog_policy_tag',
  'google_secret_manager_secret',
  'google_artifact_registry_repository',
  'google_service_account',
];

/** Attributes that name a resource in GCP, per type; a resource keeps its identity when these do. */
const IDENTITY: Readonly<Record<string, readonly string[]>> = {
  google_bigquery_table: ['project', 'dataset_id', 'table_id'],
  google_bigquery_dataset: ['project', 'dataset_id'],
  google_service_account: ['project', 'account_id'],
  google_project_service: ['project', 'service'],
  google_artifact_registry_repository: ['project', 'location', 'repository_id'],
  google_secret_manager_secret: ['project', 'secret_id'],
  google_iam_workload_identity_pool: ['project', 'workload_identity_pool_id'],
  google_iam_workload_identity_pool_provider: [
    'project',
    'workload_identity_pool_id',
    'workload_identity_pool_provider_id',
  ],
  google_dataflow_flex_template_job: ['project', 'region', 'name'],
  google_cloud_run_v2_service: ['project', 'location', 'name'],
};
const DEFAULT_IDENTITY = ['project', 'name'];

/** Arguments that never change the resource itself (ordering and provider plumbing). */
const IGNORED = new Set(['depends_on', 'lifecycle', 'provider', 'count', 'for_each']);

function identityOf(r: SnapshotResource): string | undefined {
  // A grant is the same grant only when everything about it is: role, member, resource and condition.
  if (r.type.endsWith('_iam_member')) {
    const { depends_on: _d, lifecycle: _l, provider: _p, ...rest } = r.config;
    return `${r.type}\u0000${JSON.stringify(rest)}`;
  }
  const keys = IDENTITY[r.type] ?? DEFAULT_IDENTITY;
  const values = keys.map((k) => r.config[k]);
  // Without a literal name there is nothing to recognise it by.
  if (keys.includes('name') && typeof r.config.name !== 'string') return undefined;
  if (values.every((v) => v === undefined)) return undefined;
  return `${r.type}\u0000${JSON.stringify(values)}`;
}

function isProtected(r: SnapshotResource): boolean {
  const lifecycle = r.config.lifecycle as { prevent_destroy?: boolean } | undefined;
  return lifecycle?.prevent_destroy === true || r.config.deletion_protection === true;
}

/** Paths of the attributes whose values differ (objects recursed, lists and scalars compared whole). */
export function changedPaths(before: unknown, after: unknown, prefix = ''): string[] {
  if (JSON.stringify(before) === JSON.stringify(after)) return [];
  const plain = (v: unknown): v is Record<string, unknown> =>
    typeof v === 'object' && v !== null && !Array.isArray(v);
  if (!plain(before) || !plain(after)) return [prefix || '(value)'];
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
  return keys.flatMap((k) =>
    prefix === '' && IGNORED.has(k) ? [] : changedPaths(before[k], after[k], prefix ? `${prefix}.${k}` : k),
  );
}

function pairChange(
  before: SnapshotResource,
  after: SnapshotResource,
  moves: ReadonlyMap<string, string>,
): ResourceChange | undefined {
  const changed = changedPaths(before.config, after.config);
  const moved = before.address !== after.address && moves.get(before.address) === after.address;
  const renamed = before.address !== after.address && !moved;
  if (changed.length === 0 && !renamed && !moved) return undefined;
  const reasons = [
    ...(renamed
      ? [
          `address changed from ${before.address} (a renamed or moved construct; a moved block, cdktf's moveTo/moveFromId, keeps the resource)`,
        ]
      : []),
    ...forceNewChanges(after.type, before.config, after.config),
  ];
  const rule = FORCE_NEW[after.type];
  const notes =
    changed.length === 0
      ? []
      : rule
        ? rule.note
          ? [rule.note]
          : []
        : [
            `${after.type} has no replacement rule in preview/force-new.ts: an update may still be a replacement`,
          ];
  return {
    action: reasons.length > 0 ? 'replace' : 'update',
    type: after.type,
    address: after.address,
    ...(before.address !== after.address ? { previousAddress: before.address } : {}),
    path: after.path,
    changed,
    reasons,
    notes: moved ? [`moved from ${before.address} by a moved block`, ...notes] : notes,
    protected: isProtected(before),
    stateful: STATEFUL_TYPES.includes(after.type),
  };
}

/** References to other resources in a synthesized value: `${type.name.attribute…}`. */
const REFERENCE = /\$\{([a-z0-9_]+\.[A-Za-z0-9_-]+)(?:\.([A-Za-z0-9_]+))?/g;

/** The config with references to renamed resources pointing at their new addresses. */
function renamed(config: Readonly<Record<string, unknown>>, renames: ReadonlyMap<string, string>) {
  if (renames.size === 0) return config;
  const text = JSON.stringify(config).replace(REFERENCE, (whole, address: string, attribute?: string) => {
    const to = renames.get(address);
    return to ? `\${${to}${attribute ? `.${attribute}` : ''}` : whole;
  });
  return JSON.parse(text) as Record<string, unknown>;
}

const created = (r: SnapshotResource): ResourceChange => ({
  action: 'create',
  type: r.type,
  address: r.address,
  path: r.path,
  changed: [],
  reasons: [],
  notes: [],
  protected: false,
  stateful: STATEFUL_TYPES.includes(r.type),
});

const deleted = (r: SnapshotResource): ResourceChange => ({
  action: 'delete',
  type: r.type,
  address: r.address,
  path: r.path,
  changed: [],
  reasons: [],
  notes: [],
  protected: isProtected(r),
  stateful: STATEFUL_TYPES.includes(r.type),
});

/** Every resource change between two snapshots of one stack; unchanged resources are left out. */
export function diffResources(
  base: StackSnapshot | undefined,
  head: StackSnapshot | undefined,
): ResourceChange[] {
  const before = [...(base?.resources.values() ?? [])].filter((r) => r.mode === 'managed');
  const after = [...(head?.resources.values() ?? [])].filter((r) => r.mode === 'managed');
  const beforeByPath = new Map(before.map((r) => [r.path, r]));
  const pairs: [SnapshotResource, SnapshotResource][] = [];
  const unmatchedAfter: SnapshotResource[] = [];
  const matched = new Set<SnapshotResource>();
  for (const r of after) {
    const old = beforeByPath.get(r.path);
    if (old && old.type === r.type) {
      matched.add(old);
      pairs.push([old, r]);
    } else unmatchedAfter.push(r);
  }
  // The rest: a resource only one side has may be the same GCP resource under a new construct path.
  const unmatchedBefore = before.filter((r) => !matched.has(r));
  const byIdentity = new Map<string, SnapshotResource>();
  for (const r of unmatchedBefore) {
    const id = identityOf(r);
    if (id !== undefined) byIdentity.set(id, r);
  }
  const creates: SnapshotResource[] = [];
  for (const r of unmatchedAfter) {
    const id = identityOf(r);
    const old = id === undefined ? undefined : byIdentity.get(id);
    if (old && id !== undefined) {
      byIdentity.delete(id);
      matched.add(old);
      pairs.push([old, r]);
    } else creates.push(r);
  }
  const renames = new Map(
    pairs.filter(([o, n]) => o.address !== n.address).map(([o, n]) => [o.address, n.address]),
  );
  const changes: ResourceChange[] = [];
  for (const [old, now] of pairs) {
    const c = pairChange({ ...old, config: renamed(old.config, renames) }, now, head?.moves ?? new Map());
    if (c) changes.push(c);
  }
  changes.push(...creates.map(created), ...before.filter((r) => !matched.has(r)).map(deleted));
  propagateReplacements(after, changes);
  return sortChanges(changes);
}

/** Destroys and replacements first (protected, then stateful), then updates, then creates; by address within. */
export function sortChanges(changes: ResourceChange[]): ResourceChange[] {
  return changes.sort(
    (a, b) => rank(a) - rank(b) || (a.address < b.address ? -1 : a.address > b.address ? 1 : 0),
  );
}

/** Whether changing top-level attribute `key` of `type` replaces the resource. */
function forcesReplacement(type: string, key: string): boolean {
  if (type.endsWith('_iam_member')) return true;
  const rule = FORCE_NEW[type];
  if (!rule) return false;
  const hits = (p: string) => p === key || p.startsWith(`${key}.`);
  return rule.replaceOn.some(hits) || (rule.replaceWhenAddedOrRemoved ?? []).some(hits);
}

/**
 * A resource that refers to an attribute of a replaced one gets a new value when that attribute is computed
 * (an id, an email: unknown until apply) or changes with the replacement; an attribute set in configuration and
 * unchanged keeps its value. Terraform then replaces the referring resource when its attribute forces
 * replacement (an IAM member on a replaced topic), and updates it otherwise. Repeated until nothing more
 * changes, since replacements cascade.
 */
function propagateReplacements(resources: readonly SnapshotResource[], changes: ResourceChange[]): void {
  const byAddress = new Map(changes.map((c) => [c.address, c]));
  const configs = new Map(resources.map((r) => [r.address, r.config]));
  const newValue = (target: string, attribute: string | undefined): boolean => {
    const change = byAddress.get(target);
    if (change?.action !== 'replace') return false;
    const set = attribute === undefined ? undefined : configs.get(target)?.[attribute];
    if (set === undefined || JSON.stringify(set).includes('${')) return true;
    return change.changed.some((p) => p === attribute || p.startsWith(`${attribute}.`));
  };
  for (let round = 0, grew = true; grew && round < resources.length; round++) {
    grew = false;
    for (const r of resources) {
      const previous = byAddress.get(r.address);
      if (previous && previous.action !== 'update') continue;
      const keys = Object.entries(r.config).flatMap(([key, value]) => {
        if (IGNORED.has(key)) return [];
        const targets = [...JSON.stringify(value).matchAll(REFERENCE)]
          .filter((m) => newValue(m[1] as string, m[2]))
          .map((m) => m[1] as string);
        return targets.length > 0 && !previous?.changed.includes(key)
          ? [{ key, target: targets[0] as string }]
          : [];
      });
      if (keys.length === 0) continue;
      const forcing = keys.filter((k) => forcesReplacement(r.type, k.key));
      const describe = (k: { key: string; target: string }) => `${k.key} takes a new value from ${k.target}`;
      const change: ResourceChange = {
        action: forcing.length > 0 ? 'replace' : 'update',
        type: r.type,
        address: r.address,
        path: r.path,
        changed: [...new Set([...(previous?.changed ?? []), ...keys.map((k) => k.key)])].sort(),
        reasons: [
          ...(previous?.reasons ?? []),
          ...forcing.map((k) => `${describe(k)}, which is replaced, and forces replacement`),
        ],
        notes: [
          ...(previous?.notes ?? []),
          ...keys.filter((k) => !forcing.includes(k)).map((k) => `${describe(k)}, known after apply`),
        ],
        protected: isProtected(r),
        stateful: STATEFUL_TYPES.includes(r.type),
      };
      if (previous) changes.splice(changes.indexOf(previous), 1, change);
      else changes.push(change);
      byAddress.set(r.address, change);
      grew = true;
    }
  }
}

/** Destroys and replacements first, stateful before stateless, then updates and creates. */
function rank(c: ResourceChange): number {
  const base = { delete: 0, replace: 0, update: 4, create: 6 }[c.action];
  return base + (c.protected ? 0 : c.stateful ? 1 : 2);
}

/** Whether the change loses the resource as it is (a destroy or a replacement). */
export const isDestructive = (c: ResourceChange): boolean => c.action === 'delete' || c.action === 'replace';
