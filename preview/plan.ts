/**
 * The preview from real plans: `terraform show -json` output of one or more stacks, read in Terraform's documented
 * JSON format (resource_changes[].change.actions, replace_paths, action_reason), turned into the same per-stack
 * preview as the offline one, and compared with it: offline findings the plan did not confirm, and plan changes
 * the offline preview did not predict.
 */
import { diffGrants } from './iam';
import type { PreviewOptions, PreviewReport, StackPreview } from './report';
import { assembleReport, stackPreview } from './report';
import { type ResourceAction, type ResourceChange, STATEFUL_TYPES, sortChanges } from './resources';
import type { SnapshotGrant, StackSnapshot } from './snapshot';

/** The actions Terraform reports (internal/command/jsonplan, format 1.2). */
const KNOWN_ACTIONS = ['no-op', 'create', 'read', 'update', 'delete', 'forget'] as const;
type PlanActionWord = (typeof KNOWN_ACTIONS)[number];

export interface PlanResourceChange {
  readonly address: string;
  readonly previousAddress?: string;
  readonly mode: 'managed' | 'data';
  readonly type: string;
  readonly actions: readonly PlanActionWord[];
  readonly before: Readonly<Record<string, unknown>> | null;
  readonly after: Readonly<Record<string, unknown>> | null;
  readonly replacePaths: readonly (readonly (string | number)[])[];
  readonly actionReason?: string;
}

export interface TerraformPlan {
  readonly source: string;
  readonly formatVersion: string;
  readonly terraformVersion?: string;
  readonly resourceChanges: readonly PlanResourceChange[];
}

/** How Terraform explains an action (action_reason); unknown reasons are shown as they are. */
const REASONS: Readonly<Record<string, string>> = {
  replace_because_cannot_update: 'the provider cannot update it in place',
  replace_because_tainted: 'the resource is tainted',
  replace_by_request: 'replacement was requested (-replace)',
  replace_by_triggers: 'replace_triggered_by fired',
  delete_because_no_resource_config: 'removed from the configuration',
  delete_because_wrong_repetition: 'count or for_each changed shape',
  delete_because_count_index: 'its count index is gone',
  delete_because_each_key: 'its for_each key is gone',
  delete_because_no_module: 'its module is gone',
  delete_because_no_move_target: 'its moved target does not exist',
};

function fail(source: string, where: string, value: unknown, rule: string): never {
  throw new Error(`${source}: ${where} is ${JSON.stringify(value)?.slice(0, 80)}; ${rule}`);
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Parses and checks `terraform show -json <planfile>` output; every error names the file, the field and the rule. */
export function parsePlan(text: string, source: string): TerraformPlan {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new Error(
      `${source}: not JSON (${(error as Error).message}); pass the output of terraform show -json <planfile>`,
    );
  }
  if (!isObject(raw))
    fail(source, 'the document', raw, 'must be an object (terraform show -json <planfile>)');
  const version = raw.format_version;
  if (typeof version !== 'string' || !/^1\.\d+$/.test(version))
    fail(source, 'format_version', version, 'must be "1.x": this reads format 1 of terraform show -json');
  if (raw.planned_values === undefined && raw.resource_changes === undefined && raw.values !== undefined)
    fail(
      source,
      'the document',
      'state',
      'is a state, not a plan: run terraform show -json on the plan file',
    );
  const list = raw.resource_changes ?? [];
  if (!Array.isArray(list)) fail(source, 'resource_changes', list, 'must be an array');
  const resourceChanges = list.map((entry: unknown, i): PlanResourceChange => {
    const at = `resource_changes[${i}]`;
    if (!isObject(entry)) fail(source, at, entry, 'must be an object');
    const { address, type, mode, change } = entry;
    if (typeof address !== 'string' || address === '')
      fail(source, `${at}.address`, address, 'must be a non-empty string');
    if (typeof type !== 'string') fail(source, `${at}.type (${address})`, type, 'must be a string');
    if (mode !== 'managed' && mode !== 'data')
      fail(source, `${at}.mode (${address})`, mode, 'must be "managed" or "data"');
    if (!isObject(change)) fail(source, `${at}.change (${address})`, change, 'must be an object');
    const actions = change.actions;
    if (
      !Array.isArray(actions) ||
      actions.length === 0 ||
      !actions.every((a) => (KNOWN_ACTIONS as readonly unknown[]).includes(a))
    )
      fail(
        source,
        `${at}.change.actions (${address})`,
        actions,
        `must list actions from ${KNOWN_ACTIONS.join(', ')}`,
      );
    const replacePaths = change.replace_paths ?? [];
    if (!Array.isArray(replacePaths) || !replacePaths.every((p) => Array.isArray(p)))
      fail(
        source,
        `${at}.change.replace_paths (${address})`,
        replacePaths,
        'must be a list of attribute paths (lists)',
      );
    const before = change.before ?? null;
    const after = change.after ?? null;
    if (before !== null && !isObject(before))
      fail(source, `${at}.change.before (${address})`, before, 'must be an object or null');
    if (after !== null && !isObject(after))
      fail(source, `${at}.change.after (${address})`, after, 'must be an object or null');
    return {
      address,
      ...(typeof entry.previous_address === 'string' ? { previousAddress: entry.previous_address } : {}),
      mode,
      type,
      actions: actions as PlanActionWord[],
      before,
      after,
      replacePaths: replacePaths as (string | number)[][],
      ...(typeof entry.action_reason === 'string' ? { actionReason: entry.action_reason } : {}),
    };
  });
  return {
    source,
    formatVersion: version,
    ...(typeof raw.terraform_version === 'string' ? { terraformVersion: raw.terraform_version } : {}),
    resourceChanges,
  };
}

/** The one action a resource change amounts to, or undefined for no-op, read and forget. */
export function actionOf(actions: readonly PlanActionWord[]): ResourceAction | undefined {
  const has = (a: PlanActionWord) => actions.includes(a);
  if (has('delete') && has('create')) return 'replace';
  if (has('create') && has('forget')) return 'replace';
  if (has('delete')) return 'delete';
  if (has('create')) return 'create';
  if (has('update')) return 'update';
  return undefined;
}

function changedKeys(
  before: Record<string, unknown> | null,
  after: Record<string, unknown> | null,
): string[] {
  if (!before || !after) return [];
  return [...new Set([...Object.keys(before), ...Object.keys(after)])]
    .filter((k) => JSON.stringify(before[k]) !== JSON.stringify(after[k]))
    .sort();
}

function isProtected(rc: PlanResourceChange, head?: StackSnapshot): boolean {
  if (rc.before?.deletion_protection === true) return true;
  const lifecycle = head?.resources.get(rc.address)?.config.lifecycle as
    | { prevent_destroy?: boolean }
    | undefined;
  return lifecycle?.prevent_destroy === true;
}

/** The resource changes of one plan, in the offline preview's shape. */
export function planResourceChanges(plan: TerraformPlan, head?: StackSnapshot): ResourceChange[] {
  const out: ResourceChange[] = [];
  for (const rc of plan.resourceChanges) {
    if (rc.mode !== 'managed') continue;
    const action = actionOf(rc.actions);
    if (!action) continue;
    const forced = rc.replacePaths.map((p) => `${p.join('.')} forces replacement`);
    const why = rc.actionReason ? (REASONS[rc.actionReason] ?? rc.actionReason) : undefined;
    out.push({
      action,
      type: rc.type,
      address: rc.address,
      ...(rc.previousAddress ? { previousAddress: rc.previousAddress } : {}),
      path: head?.resources.get(rc.address)?.path ?? rc.address,
      changed: changedKeys(rc.before, rc.after),
      reasons: action === 'replace' ? [...forced, ...(why ? [why] : [])] : [],
      notes: action !== 'replace' && why ? [why] : [],
      protected: isProtected(rc, head),
      stateful: STATEFUL_TYPES.includes(rc.type),
    });
  }
  return out;
}

/** The attributes that name the resource an `_iam_member` grants on, per type. */
function grantOf(type: string, values: Record<string, unknown>, path: string): SnapshotGrant | undefined {
  if (!type.endsWith('_iam_member') || typeof values.member !== 'string' || typeof values.role !== 'string')
    return undefined;
  const project = type === 'google_project_iam_member';
  const parents = Object.entries(values)
    .filter(
      ([k, v]) =>
        !['member', 'role', 'condition', 'etag', 'id', 'project'].includes(k) && typeof v === 'string',
    )
    .map(([, v]) => String(v));
  return {
    principal: values.member,
    principalKind: values.member.split(':')[0] ?? 'unknown',
    resourceType: project ? 'google_project' : type.replace(/_iam_member$/, ''),
    resource: project ? String(values.project) : parents.join('/'),
    role: values.role,
    scope: project ? 'project' : 'resource',
    path,
  };
}

function grantsOf(plan: TerraformPlan, side: 'before' | 'after'): SnapshotGrant[] {
  return plan.resourceChanges.flatMap((rc) => {
    const values = rc[side];
    const g =
      values && rc.mode === 'managed'
        ? grantOf(rc.type, values as Record<string, unknown>, rc.address)
        : undefined;
    return g ? [g] : [];
  });
}

/** Where the offline preview and a plan disagree about one resource. */
export interface PlanDisagreement {
  readonly stack: string;
  readonly address: string;
  readonly offline: ResourceAction | 'none';
  readonly plan: ResourceAction | 'none';
}

/** Offline changes as actions per address; a replacement at a new address is a destroy and a create. */
function actionsByAddress(changes: readonly ResourceChange[]): Map<string, ResourceAction> {
  const out = new Map<string, ResourceAction>();
  for (const c of changes) {
    if (c.action === 'replace' && c.previousAddress && c.previousAddress !== c.address) {
      out.set(c.previousAddress, 'delete');
      out.set(c.address, 'create');
    } else out.set(c.address, c.action);
  }
  return out;
}

/** Every address where the two previews name a different action. */
export function comparePlan(
  stack: string,
  offline: readonly ResourceChange[],
  planned: readonly ResourceChange[],
): PlanDisagreement[] {
  const a = actionsByAddress(offline);
  const b = actionsByAddress(planned);
  const out: PlanDisagreement[] = [];
  for (const address of [...new Set([...a.keys(), ...b.keys()])].sort()) {
    const o = a.get(address) ?? 'none';
    const p = b.get(address) ?? 'none';
    if (o !== p) out.push({ stack, address, offline: o, plan: p });
  }
  // What could lose data first.
  const weight = (d: PlanDisagreement) =>
    [d.offline, d.plan].some((x) => x === 'delete' || x === 'replace') ? 0 : 1;
  return out.sort((x, y) => weight(x) - weight(y));
}

export interface PlanPreview {
  readonly report: PreviewReport;
  /** Per stack that had an offline preview: where it and the plan disagree. */
  readonly disagreements: readonly PlanDisagreement[];
  /** Stacks whose plan was given but that the offline preview does not know (or the other way round). */
  readonly unmatchedStacks: readonly string[];
}

/**
 * The plan-based preview of the given stacks. `offline` is the offline preview of the same change, when there is
 * one, to compare with; `heads` the synthesized stacks, for construct paths and prevent_destroy.
 */
export function buildPlanPreview(
  plans: ReadonlyMap<string, TerraformPlan>,
  options: PreviewOptions & {
    readonly offline?: Pick<PreviewReport, 'stacks'>;
    readonly heads?: ReadonlyMap<string, StackSnapshot>;
  },
): PlanPreview {
  const stacks: StackPreview[] = [];
  const disagreements: PlanDisagreement[] = [];
  const unmatched: string[] = [];
  for (const [name, plan] of [...plans].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const head = options.heads?.get(name);
    const resources = sortChanges(planResourceChanges(plan, head));
    const grants = diffGrants({ grants: grantsOf(plan, 'before') }, { grants: grantsOf(plan, 'after') });
    const production =
      head?.production ?? plan.resourceChanges.some((rc) => rc.before?.deletion_protection === true);
    stacks.push(
      stackPreview(
        name,
        { base: { production }, head: { production } },
        { resources, grants, policy: { added: [], resolved: [], suppressionsAdded: [] }, artifacts: [] },
      ),
    );
    const offline = options.offline?.stacks.find((s) => s.name === name);
    if (options.offline && !offline) unmatched.push(name);
    if (offline) disagreements.push(...comparePlan(name, offline.resources, resources));
  }
  return { report: assembleReport(stacks, options), disagreements, unmatchedStacks: unmatched };
}
