/**
 * Pieces of cdktf's TerraformStack.toTerraform and TerraformResource.toTerraform that TributaryStack uses to
 * build the same document with less work. cdktf is archived, so the steps copied here no longer move; a test
 * compares every stack, and resources with every kind of meta-argument, with cdktf's own output.
 */
import { TerraformElement, TerraformResource, TerraformStack } from 'cdktf';
import { deepMerge, processDynamicAttributes } from 'cdktf/lib/util';
import type { IConstruct } from 'constructs';

/**
 * deepMerge for the common fragment `{ resource|data: { <type>: { <id>: config } } }` whose id is new: the
 * config is attached as is instead of being copied key by key. Anything else goes to cdktf's deepMerge.
 */
export function mergeFragment(tf: Record<string, unknown>, fragment: unknown): void {
  const f = fragment as Record<string, Record<string, Record<string, unknown>>>;
  const keys = Object.keys(f);
  const block = keys[0];
  if (keys.length === 1 && (block === 'resource' || block === 'data')) {
    const types = Object.keys(f[block] as object);
    const type = types[0] as string;
    const ids = types.length === 1 ? Object.keys((f[block] as Record<string, object>)[type] as object) : [];
    if (ids.length === 1 && mergeNew(tf, block, type, ids[0] as string, f[block]?.[type]?.[ids[0] as string]))
      return;
  }
  deepMerge(tf, fragment);
}

/** Adds a resource's config, merging as deepMerge would when the id is already taken. */
export function mergeResource(tf: Record<string, unknown>, type: string, id: string, config: unknown): void {
  if (!mergeNew(tf, 'resource', type, id, config)) deepMerge(tf, { resource: { [type]: { [id]: config } } });
}

/** Attaches `config` under block/type/id when that id is new (true); false leaves the merge to deepMerge. */
function mergeNew(
  tf: Record<string, unknown>,
  block: string,
  type: string,
  id: string,
  config: unknown,
): boolean {
  if (tf[block] === undefined) tf[block] = {};
  const blocks = tf[block] as Record<string, Record<string, unknown>>;
  const byType = blocks[type] ?? {};
  if (id in byType) return false;
  byType[id] = config;
  blocks[type] = byType;
  return true;
}

interface ResourceInternals {
  readonly _hasMoved: boolean;
  readonly _imported?: unknown;
  readonly rawOverrides: Record<string, unknown>;
  synthesizeAttributes(): Record<string, unknown>;
}

/**
 * TerraformResource.toTerraform for a resource with no meta-argument but `provider` and `dependsOn`, and no
 * move, import or provisioner (every resource Tributary creates), with the construct path taken from the
 * walk instead of recomputed from the node's scopes; undefined for anything else, which cdktf then renders.
 */
export function plainResource(
  e: TerraformElement,
  path: string,
): { type: string; id: string; attributes: Record<string, unknown> } | undefined {
  if (!TerraformResource.isTerraformResource(e)) return undefined;
  const r = e as TerraformResource;
  const internals = e as unknown as ResourceInternals;
  if (
    r.count !== undefined ||
    r.forEach !== undefined ||
    r.lifecycle !== undefined ||
    r.connection !== undefined ||
    r.provisioners !== undefined ||
    internals._hasMoved ||
    internals._imported !== undefined ||
    r.hasResourceMove()
  )
    return undefined;
  // keysToSnakeCase(terraformMetaArguments) with the other meta-arguments absent: deepMerge deletes keys whose
  // value is undefined, so they are listed as cdktf lists them. It copies the depends_on array (of strings).
  const meta = {
    depends_on: r.dependsOn && [...r.dependsOn],
    count: undefined,
    provider: r.provider?.fqn,
    lifecycle: undefined,
    for_each: undefined,
    connection: undefined,
  };
  const attributes = deepMerge(
    processDynamicAttributes(internals.synthesizeAttributes()),
    meta,
    { provisioner: undefined },
    internals.rawOverrides,
  );
  attributes['//'] = {
    ...(attributes['//'] ?? {}),
    metadata: {
      path,
      uniqueId: r.friendlyUniqueId,
      stackTrace: r.node.metadata.find((m) => m.type === 'stacktrace')?.trace,
    },
  };
  return { type: r.terraformResourceType, id: r.friendlyUniqueId, attributes };
}

/** A Terraform element and its construct path. */
export interface PlacedElement {
  readonly element: TerraformElement;
  readonly path: string;
}

/**
 * The stack's elements in construct order, not descending into nested stacks (as cdktf collects them), each
 * with its construct path built along the walk (the path getter walks all scopes on every call).
 */
export function terraformElements(
  node: IConstruct,
  path: string = node.node.path,
  into: PlacedElement[] = [],
): PlacedElement[] {
  if (TerraformElement.isTerraformElement(node)) into.push({ element: node, path });
  for (const child of node.node.children) {
    if (TerraformStack.isStack(child)) continue;
    const id = child.node.id;
    terraformElements(child, path === '' ? id : id === '' ? path : `${path}/${id}`, into);
  }
  return into;
}
