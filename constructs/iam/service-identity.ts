import { ServiceAccount } from '@cdktf/provider-google/lib/service-account';
import { ServiceAccountIamMember } from '@cdktf/provider-google/lib/service-account-iam-member';
import { Construct } from 'constructs';
import { SERVICE_ACCOUNT_ID } from '../../core/gcp';
import { deterministicName } from '../../core/names';
import { projectOf } from '../core/project';
import { checkProject, constructChecks } from '../core/validation';
import { type Grant, grantOn, type IGrantTarget } from './grants';
import type { IPrincipal, PrincipalKind } from './principal';

/** A workload identity (service account) managed by this app. */
export interface IServiceIdentity extends IPrincipal {
  readonly accountId: string;
  /** The account's email; a token until apply. */
  readonly email: string;
  /** `projects/<project>/serviceAccounts/<email>`; a token until apply. */
  readonly serviceAccountName: string;
  /** Mint this account's tokens (`roles/iam.serviceAccountTokenCreator` on it only). */
  grantTokenCreator(principal: IPrincipal): Grant;
  /** Any role on this account only (for example a service agent's role a managed service documents). */
  grant(principal: IPrincipal, role: string): Grant;
}

export interface ServiceIdentityProps {
  /** Logical name, for example `ingest`. Lowercase letters, digits and hyphens. */
  readonly name: string;
  /**
   * Prepended to `name` to form the account id, for example `trb-dev`.
   * @default - no prefix
   */
  readonly prefix?: string;
  /**
   * Exact account id. Validated, never altered.
   * @default - `<prefix>-<name>`, shortened deterministically (prefix plus a hash) to GCP's 30-character limit
   */
  readonly accountId?: string;
  /** @default - `Tributary <name>` */
  readonly displayName?: string;
  /** @default - no description */
  readonly description?: string;
  /** @default - the project of the stack's default google provider */
  readonly project?: string;
}

const MAX_ACCOUNT_ID = 30;

/**
 * A service account for one workload. It never gets keys (policy TRB-IAM-3 forbids them); workloads use it
 * through attached identity or Workload Identity Federation.
 */
export class ServiceIdentity extends Construct implements IServiceIdentity, IGrantTarget {
  public readonly resource: ServiceAccount;
  public readonly accountId: string;
  public readonly email: string;
  public readonly serviceAccountName: string;
  public readonly iamMember: string;
  public readonly principalLabel: string;
  public readonly principalKind: PrincipalKind = 'serviceAccount';
  public readonly grantResourceType = 'google_service_account';
  public readonly grantResourceLabel: string;

  constructor(scope: Construct, id: string, props: ServiceIdentityProps) {
    super(scope, id);
    const project = projectOf(this, props.project);
    const accountId = props.accountId ?? deterministicName([props.prefix ?? '', props.name], MAX_ACCOUNT_ID);

    const checks = constructChecks(this);
    checks.rule('name', props.name, 'must be lowercase letters, digits and hyphens', (n) =>
      /^[a-z0-9][a-z0-9-]*$/.test(n),
    );
    checks.rule(
      'prefix',
      props.prefix,
      'must be lowercase letters, digits and hyphens, starting with a letter',
      (p) => /^[a-z][a-z0-9-]*$/.test(p),
    );
    checks.rule(
      props.accountId === undefined ? 'accountId (derived)' : 'accountId',
      accountId,
      SERVICE_ACCOUNT_ID.text,
      SERVICE_ACCOUNT_ID.test,
    );
    checks.rule('displayName', props.displayName, 'must be at most 100 characters', (d) => d.length <= 100);
    checks.rule('description', props.description, 'must be at most 256 characters', (d) => d.length <= 256);
    checkProject(checks, project);
    checks.throwIfAny();

    this.resource = new ServiceAccount(this, 'Resource', {
      accountId,
      displayName: props.displayName ?? `Tributary ${props.name}`,
      description: props.description,
      project,
    });
    this.accountId = accountId;
    this.email = this.resource.email;
    this.serviceAccountName = this.resource.name;
    this.iamMember = `serviceAccount:${this.resource.email}`;
    this.principalLabel = `serviceAccount:${accountId}@${project}.iam.gserviceaccount.com`;
    this.grantResourceLabel = `${accountId}@${project}.iam.gserviceaccount.com`;
  }

  /** Lets `principal` attach this identity to workloads it deploys (`roles/iam.serviceAccountUser` on this SA). */
  public grantActAs(principal: IPrincipal): Grant {
    return this.grant(principal, 'roles/iam.serviceAccountUser');
  }

  /** Lets `principal` mint tokens for this identity (`roles/iam.serviceAccountTokenCreator` on this SA). */
  public grantTokenCreator(principal: IPrincipal): Grant {
    return this.grant(principal, 'roles/iam.serviceAccountTokenCreator');
  }

  /** Lets federated identities (for example CI) impersonate this identity through Workload Identity Federation. */
  public grantWorkloadIdentityUser(principal: IPrincipal): Grant {
    return this.grant(principal, 'roles/iam.workloadIdentityUser');
  }

  /** Grants `role` on this service account only. */
  public grant(principal: IPrincipal, role: string): Grant {
    return grantOn(
      this,
      principal,
      role,
      (id, member) =>
        new ServiceAccountIamMember(this, id, { serviceAccountId: this.serviceAccountName, role, member }),
    );
  }
}
