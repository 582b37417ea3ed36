import { ProjectIamMember } from '@cdktf/provider-google/lib/project-iam-member';
import { ProjectService } from '@cdktf/provider-google/lib/project-service';
import { TerraformStack } from 'cdktf';
import { Construct, type IConstruct } from 'constructs';
import { PROJECT_ID } from '../../core/gcp';
import { projectOf } from '../core/project';
import { Suppressions } from '../core/suppressions';
import { constructChecks } from '../core/validation';
import { type Grant, grantOn, type IGrantTarget } from './grants';
import type { IPrincipal } from './principal';
import { BASIC_ROLES, IMPERSONATION_ROLES, PROJECT_ONLY_ROLES } from './roles';

export interface GcpProjectProps {
  /** @default - the project of the stack's default google provider */
  readonly projectId?: string;
}

/** A project as capabilities use it: the target of grants that exist only at project level. */
export interface IGcpProject extends IGrantTarget {
  readonly projectId: string;
  /** Grants a role that exists only at project level (for example `roles/dataflow.worker`). */
  grant(principal: IPrincipal, role: string): Grant;
  /**
   * Grants a resource-scopable role project-wide, where no narrower resource can be named; the justification
   * goes into the IAM matrix and the TRB-IAM-5 suppression.
   */
  grantProjectWide(principal: IPrincipal, role: string, justification: string): Grant;
}

// The first GcpProject of each project id in a stack; `of` reuses it so all project grants share one target.
const projectsByStack = new WeakMap<TerraformStack, Map<string, GcpProject>>();

/**
 * A project as a grant target. Project-level grants are the exception: `grant` accepts only roles that exist
 * only at project level, and `grantProjectWide` (for deployers that must create resources) demands a
 * justification that is written into the IAM matrix and the policy report.
 */
export class GcpProject extends Construct implements IGcpProject {
  /** The stack's GcpProject for `projectId`: the first one created, or a new one at the stack root. */
  public static of(scope: IConstruct, projectId: string): GcpProject {
    const stack = TerraformStack.of(scope);
    return (
      projectsByStack.get(stack)?.get(projectId) ??
      new GcpProject(stack, `Project-${projectId}`, { projectId })
    );
  }

  public readonly projectId: string;
  public readonly grantResourceType = 'google_project';
  public readonly grantResourceLabel: string;

  constructor(scope: Construct, id: string, props: GcpProjectProps = {}) {
    super(scope, id);
    const projectId = projectOf(this, props.projectId);
    const checks = constructChecks(this);
    checks.require(
      'projectId',
      projectId,
      'is required: pass props.projectId or configure a default google provider',
    );
    checks.rule('projectId', projectId, PROJECT_ID.text, PROJECT_ID.test);
    checks.throwIfAny();
    this.projectId = projectId as string;
    this.grantResourceLabel = this.projectId;
    const stack = TerraformStack.of(this);
    const known = projectsByStack.get(stack) ?? new Map<string, GcpProject>();
    if (!known.has(this.projectId)) known.set(this.projectId, this);
    projectsByStack.set(stack, known);
  }

  /** Grants a role that exists only at project level (for example `roles/dataflow.worker`). */
  public grant(principal: IPrincipal, role: string): Grant {
    const checks = constructChecks(this);
    checks.rule(
      'role',
      role,
      `is not a project-only role; bind it on the resource instead (project-only roles: ${PROJECT_ONLY_ROLES.join(', ')})`,
      (r) => PROJECT_ONLY_ROLES.includes(r),
    );
    checks.throwIfAny();
    return this.bind(principal, role);
  }

  /**
   * Grants a resource-scopable role on the whole project. Only for identities that create the resources
   * (deployers); the justification is recorded in the IAM matrix and as the TRB-IAM-5 suppression reason.
   * Basic and impersonation roles are refused outright.
   */
  public grantProjectWide(principal: IPrincipal, role: string, justification: string): Grant {
    const checks = constructChecks(this);
    checks.rule('role', role, 'basic roles are never granted', (r) => !BASIC_ROLES.includes(r));
    checks.rule(
      'role',
      role,
      'impersonation roles are granted on one service account, never project-wide',
      (r) => !IMPERSONATION_ROLES.includes(r),
    );
    checks.reason('justification', justification, 'the project-wide grant');
    checks.throwIfAny();
    const grant = this.bind(principal, role, justification);
    if (!PROJECT_ONLY_ROLES.includes(role))
      Suppressions.add(grant.member, { id: 'TRB-IAM-5', reason: justification });
    return grant;
  }

  /** Enables APIs. Disabling on destroy is off: other workloads in the project may depend on them. */
  public enableServices(services: readonly string[]): ProjectService[] {
    return services.map(
      (service) =>
        (this.node.tryFindChild(`Service-${service}`) as ProjectService | undefined) ??
        new ProjectService(this, `Service-${service}`, {
          project: this.projectId,
          service,
          disableOnDestroy: false,
          disableDependentServices: false,
        }),
    );
  }

  private bind(principal: IPrincipal, role: string, justification?: string): Grant {
    return grantOn(
      this,
      principal,
      role,
      (id, member) => new ProjectIamMember(this, id, { project: this.projectId, role, member }),
      { scope: 'project', ...(justification ? { justification } : {}) },
    );
  }
}
