import { type TerraformResource, TerraformStack } from 'cdktf';
import { Construct, type IConstruct } from 'constructs';
import { constructChecks } from '../core/validation';
import type { IPrincipal, PrincipalKind } from './principal';
import { BASIC_ROLES, isPublicMember, ROLE_NAME } from './roles';

/** Where a grant applies: one resource, or the whole project. */
export type GrantScope = 'resource' | 'project';

/** Implemented by constructs that accept grants; describes them in the IAM matrix. */
export interface IGrantTarget extends IConstruct {
  /** Terraform type of the resource the role is bound on, for example `google_storage_bucket`. */
  readonly grantResourceType: string;
  /** Token-free name of the resource, for example the bucket name. */
  readonly grantResourceLabel: string;
}

/** One row of the IAM matrix. */
export interface GrantRecord {
  readonly principal: string;
  readonly principalKind: PrincipalKind;
  readonly resourceType: string;
  readonly resource: string;
  readonly role: string;
  readonly scope: GrantScope;
  /** Construct path of the `*_iam_member` resource. */
  readonly path: string;
  /** Why a resource-scopable role was granted project-wide. */
  readonly justification?: string;
  /** The IAM condition limiting the grant, for example to object-name prefixes. */
  readonly condition?: string;
}

/** An IAM condition (CEL) on a grant. */
export interface GrantCondition {
  /** Short and stable: it names the grant's resource. */
  readonly title: string;
  readonly expression: string;
  readonly description?: string;
}

/** What a grant created: the additive `*_iam_member` resource, plus what it means. */
export class Grant {
  constructor(
    public readonly principal: IPrincipal,
    public readonly role: string,
    public readonly target: IGrantTarget,
    public readonly member: TerraformResource,
  ) {}
}

export interface GrantOptions {
  readonly scope?: GrantScope;
  readonly justification?: string;
  /**
   * Allows a public principal (allUsers) for this grant, with the reason; it becomes the grant's
   * justification. Without it public principals are refused. @default - public principals are refused
   */
  readonly publicReason?: string;
  /** Limits the grant with an IAM condition (recorded in the matrix). @default - unconditional */
  readonly condition?: GrantCondition;
}

/** Creates the `*_iam_member` resource under the target, given its construct id and the IAM member string. */
export type MemberFactory = (id: string, iamMember: string) => TerraformResource;

const grantsByTarget = new WeakMap<IConstruct, Map<string, Grant>>();

/**
 * The single path every grant takes: checks the role and principal, creates one additive member resource
 * under the target (reusing it if the same role was already granted to the same principal), and records it
 * in the stack's ledger.
 */
export function grantOn(
  target: IGrantTarget,
  principal: IPrincipal,
  role: string,
  create: MemberFactory,
  options: GrantOptions = {},
): Grant {
  const checks = constructChecks(target);
  checks.rule('role', role, ROLE_NAME.text, ROLE_NAME.test);
  checks.rule(
    'role',
    role,
    'basic roles (owner, editor, viewer) are never granted; use a predefined role',
    (r) => !BASIC_ROLES.includes(r),
  );
  if (options.publicReason === undefined)
    checks.rule(
      'principal',
      principal.iamMember,
      'public principals (allUsers, allAuthenticatedUsers) are never granted without a public-access reason',
      (m) => !isPublicMember(m),
    );
  else checks.reason('publicReason', options.publicReason, 'public access');
  checks.rule(
    'condition.title',
    options.condition?.title,
    'must be 1-100 characters of [A-Za-z0-9 _.-]',
    (t) => /^[A-Za-z0-9 _.-]{1,100}$/.test(t),
  );
  checks.throwIfAny();

  const id = `Grant-${role.replace(/^roles\//, '').replace(/\//g, '|')}-${principal.principalLabel.replace(/\//g, '|')}${
    options.condition ? `-if|${options.condition.title}` : ''
  }`;
  let grants = grantsByTarget.get(target);
  if (!grants) {
    grants = new Map();
    grantsByTarget.set(target, grants);
  }
  const existing = grants.get(id);
  if (existing) return existing;

  const member = create(id, principal.iamMember);
  const grant = new Grant(principal, role, target, member);
  grants.set(id, grant);
  GrantLedger.of(target).record({
    principal: principal.principalLabel,
    principalKind: principal.principalKind,
    resourceType: target.grantResourceType,
    resource: target.grantResourceLabel,
    role,
    scope: options.scope ?? 'resource',
    path: member.node.path,
    ...(options.condition ? { condition: options.condition.expression } : {}),
    ...(options.justification || options.publicReason
      ? { justification: options.justification ?? options.publicReason }
      : {}),
  });
  return grant;
}

const LEDGER_ID = 'GrantLedger';

/**
 * Every grant made in a stack, rendered as `iam-matrix.md` and `iam-matrix.json` (written next to the stack's
 * `cdk.tf.json`), so the matrix is generated from what was actually granted, never written by hand.
 */
export class GrantLedger extends Construct {
  public static of(scope: IConstruct): GrantLedger {
    const stack = TerraformStack.of(scope);
    return (
      (stack.node.tryFindChild(LEDGER_ID) as GrantLedger | undefined) ?? new GrantLedger(stack, LEDGER_ID)
    );
  }

  private readonly rows: GrantRecord[] = [];

  private constructor(scope: TerraformStack, id: string) {
    super(scope, id);
  }

  /** `iam-matrix.md` and `iam-matrix.json`. */
  public reportFiles(): Readonly<Record<string, string>> {
    return {
      'iam-matrix.md': this.toMarkdown(),
      'iam-matrix.json': `${JSON.stringify(this.records, null, 2)}\n`,
    };
  }

  public record(row: GrantRecord): void {
    this.rows.push(row);
  }

  /** Rows sorted by principal, resource and role, so the matrix diff in a PR shows only real changes. */
  public get records(): readonly GrantRecord[] {
    const keyed = this.rows.map((r) => ({
      r,
      key: `${r.principal}\u0000${r.resourceType}\u0000${r.resource}\u0000${r.role}`,
    }));
    keyed.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    return keyed.map((k) => k.r);
  }

  public toMarkdown(): string {
    const stack = TerraformStack.of(this).node.id;
    const rows = this.records;
    const principals = new Set(rows.map((r) => r.principal));
    const lines = [
      `# IAM matrix: ${stack}`,
      '',
      `Generated on synth from every grant made in the stack: ${rows.length} grants to ${principals.size} principals.`,
      'Each row is one additive `*_iam_member` resource. Project-scope rows are marked; a resource-scopable role',
      'granted project-wide carries its justification; a conditional grant names its condition.',
      '',
      '| Principal | Kind | Resource | Role | Scope | Justification |',
      '| --- | --- | --- | --- | --- | --- |',
      ...rows.map(
        (r) =>
          `| \`${r.principal}\` | ${r.principalKind} | ${r.resourceType.replace(/^google_/, '')} \`${r.resource}\` | \`${r.role}\` | ${r.scope} | ${escapeCell(
            [r.justification, r.condition ? `if ${r.condition}` : undefined].filter(Boolean).join('; '),
          )} |`,
      ),
      '',
    ];
    return lines.join('\n');
  }
}

function escapeCell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}
