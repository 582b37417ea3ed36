import type { PolicyResource } from './types';

/** One role and the members bound to it, as read from any IAM resource or policy document. */
export interface RoleBinding {
  readonly role: string;
  readonly members: readonly string[];
}

const PROJECT_IAM_TYPES = [
  'google_project_iam_member',
  'google_project_iam_binding',
  'google_project_iam_policy',
];

/** True for IAM resources that bind at project level. */
export function isProjectIam(resource: PolicyResource): boolean {
  return resource.mode === 'managed' && PROJECT_IAM_TYPES.includes(resource.type);
}

/**
 * Role bindings declared by `*_iam_member`, `*_iam_binding`, `*_iam_policy` (literal policy_data) and the
 * `google_iam_policy` data source. Policies that reference a data source are covered when the data source is
 * checked. Returns [] for anything else.
 */
export function roleBindings(resource: PolicyResource): RoleBinding[] {
  const c = resource.config;
  if (resource.mode === 'data') {
    if (resource.type !== 'google_iam_policy') return [];
    return asArray(c.binding).map((b) => toBinding(b));
  }
  if (resource.type.endsWith('_iam_member')) return [{ role: String(c.role), members: [String(c.member)] }];
  if (resource.type.endsWith('_iam_binding'))
    return [{ role: String(c.role), members: asArray(c.members).map(String) }];
  if (resource.type.endsWith('_iam_policy')) {
    const doc = parsePolicyData(c.policy_data);
    return doc ? asArray(doc.bindings).map((b) => toBinding(b)) : [];
  }
  return [];
}

/**
 * The strings in a config (including those inside literal JSON policy documents) for which `match` holds, with
 * their paths. Paths are built only for matches: configs are walked for every resource by several rules.
 */
export function findStrings(
  value: unknown,
  match: (s: string) => boolean,
): { path: string; value: string }[] {
  const hits: { path: string; value: string }[] = [];
  // Array indexes are kept as numbers and formatted only for a match: most strings never match.
  const parts: (string | number)[] = [];
  const pathOf = () =>
    parts.reduce<string>(
      (p, part) => (typeof part === 'number' ? `${p}[${part}]` : p === '' ? part : `${p}.${part}`),
      '',
    );
  const walk = (v: unknown): void => {
    if (typeof v === 'string') {
      const doc = parsePolicyData(v);
      if (doc) walk(doc);
      else if (match(v)) hits.push({ path: pathOf(), value: v });
    } else if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) {
        parts.push(i);
        walk(v[i]);
        parts.pop();
      }
    } else if (v !== null && typeof v === 'object') {
      for (const k in v) {
        parts.push(k);
        walk((v as Record<string, unknown>)[k]);
        parts.pop();
      }
    }
  };
  walk(value);
  return hits;
}

function parsePolicyData(value: unknown): Record<string, unknown> | undefined {
  if (typeof value !== 'string') return undefined;
  // Every string of every config comes here, so the first character after JSON whitespace is found in place.
  let at = 0;
  for (let c = value.charCodeAt(0); c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d; )
    c = value.charCodeAt(++at);
  if (value.charCodeAt(at) !== 0x7b || value.includes('${')) return undefined;
  // A literal policy document that does not parse is malformed; let the rule throw so it counts as a violation.
  return JSON.parse(value) as Record<string, unknown>;
}

function toBinding(raw: unknown): RoleBinding {
  const b = (raw ?? {}) as Record<string, unknown>;
  return { role: String(b.role), members: asArray(b.members).map(String) };
}

function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : value === undefined || value === null ? [] : [value];
}
