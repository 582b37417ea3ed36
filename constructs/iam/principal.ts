import { DataGoogleProject } from '@cdktf/provider-google/lib/data-google-project';
import { TerraformStack } from 'cdktf';
import type { IConstruct } from 'constructs';
import { IAM_MEMBER, PROJECT_NUMBER } from '../../core/gcp';
import { Checks } from '../../core/validation';
import { projectOf } from '../core/project';

export type PrincipalKind =
  | 'serviceAccount'
  | 'group'
  | 'user'
  | 'domain'
  | 'serviceAgent'
  | 'principalSet'
  | 'public';

/** Anything that can be granted a role. */
export interface IPrincipal {
  /** The IAM member as Terraform receives it; may contain tokens (for example a service account's email). */
  readonly iamMember: string;
  /** A token-free, human-readable member, stable across synths; used for construct ids and the IAM matrix. */
  readonly principalLabel: string;
  readonly principalKind: PrincipalKind;
}

const EMAIL = /^[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}$/;
const DOMAIN = /^([a-z0-9-]+\.)+[a-z]{2,}$/;

/** Principals that are not created by this app: Google groups, users, domains and external identities. */
export class Principal implements IPrincipal {
  public static group(email: string): Principal {
    Principal.check('Principal.group', 'email', email, 'must be a group email address', EMAIL.test(email));
    return new Principal(`group:${email}`, 'group');
  }

  public static user(email: string): Principal {
    Principal.check('Principal.user', 'email', email, 'must be a user email address', EMAIL.test(email));
    return new Principal(`user:${email}`, 'user');
  }

  public static domain(domain: string): Principal {
    Principal.check(
      'Principal.domain',
      'domain',
      domain,
      'must be a DNS domain such as example.com',
      DOMAIN.test(domain),
    );
    return new Principal(`domain:${domain}`, 'domain');
  }

  /** A service account this app does not manage, identified by its email. */
  public static serviceAccount(email: string): Principal {
    const ok = EMAIL.test(email) && email.endsWith('.gserviceaccount.com');
    Principal.check(
      'Principal.serviceAccount',
      'email',
      email,
      'must be a service account email ending in .gserviceaccount.com',
      ok,
    );
    return new Principal(`serviceAccount:${email}`, 'serviceAccount');
  }

  /**
   * A Workload Identity Federation principal set. `poolName` may be a token (the pool's `name` attribute);
   * `label` names it in the IAM matrix.
   */
  public static principalSet(poolName: string, attribute: string, value: string, label: string): Principal {
    return new Principal(
      `principalSet://iam.googleapis.com/${poolName}/attribute.${attribute}/${value}`,
      'principalSet',
      `principalSet:${label}/attribute.${attribute}/${value}`,
    );
  }

  /**
   * Everyone on the internet. Grants to it are refused unless made with an explicit public-access reason
   * (see grantOn's `publicReason`), which the IAM matrix and the policy report then carry.
   */
  public static allUsers(): Principal {
    return new Principal('allUsers', 'public');
  }

  /** A principal written as an IAM member string, as environment files hold them (`group:x@example.com`). */
  public static fromMember(member: string): Principal {
    const [kind, ...rest] = member.split(':');
    const value = rest.join(':');
    switch (kind) {
      case 'group':
        return Principal.group(value);
      case 'user':
        return Principal.user(value);
      case 'domain':
        return Principal.domain(value);
      case 'serviceAccount':
        return Principal.serviceAccount(value);
      default:
        Principal.check('Principal.fromMember', 'member', member, IAM_MEMBER.text, false);
        throw new Error('unreachable');
    }
  }

  private static check(subject: string, field: string, value: string, rule: string, ok: boolean): void {
    const checks = new Checks(subject);
    if (!ok) checks.fail(field, value, rule);
    checks.throwIfAny();
  }

  private constructor(
    public readonly iamMember: string,
    public readonly principalKind: PrincipalKind,
    public readonly principalLabel: string = iamMember,
  ) {}
}

/** Google-managed service agents, by the email pattern Google documents for each. */
const SERVICE_AGENTS = {
  pubsub: (n: string) => `service-${n}@gcp-sa-pubsub.iam.gserviceaccount.com`,
  storage: (n: string) => `service-${n}@gs-project-accounts.iam.gserviceaccount.com`,
  bigquery: (n: string) => `bq-${n}@bigquery-encryption.iam.gserviceaccount.com`,
  dataflow: (n: string) => `service-${n}@dataflow-service-producer-prod.iam.gserviceaccount.com`,
  composer: (n: string) => `service-${n}@cloudcomposer-accounts.iam.gserviceaccount.com`,
  run: (n: string) => `service-${n}@serverless-robot-prod.iam.gserviceaccount.com`,
  artifactregistry: (n: string) => `service-${n}@gcp-sa-artifactregistry.iam.gserviceaccount.com`,
  compute: (n: string) => `service-${n}@compute-system.iam.gserviceaccount.com`,
  dataform: (n: string) => `service-${n}@gcp-sa-dataform.iam.gserviceaccount.com`,
  looker: (n: string) => `service-${n}@gcp-sa-looker.iam.gserviceaccount.com`,
  aiplatform: (n: string) => `service-${n}@gcp-sa-aiplatform.iam.gserviceaccount.com`,
  monitoring: (n: string) => `service-${n}@gcp-sa-monitoring-notification.iam.gserviceaccount.com`,
  secretmanager: (n: string) => `service-${n}@gcp-sa-secretmanager.iam.gserviceaccount.com`,
  workflows: (n: string) => `service-${n}@gcp-sa-workflows.iam.gserviceaccount.com`,
  dataplex: (n: string) => `service-${n}@gcp-sa-dataplex.iam.gserviceaccount.com`,
} as const;

export type GoogleServiceAgent = keyof typeof SERVICE_AGENTS;

/** Matches an agent's IAM member whatever form its project number takes (a literal or a plan-time lookup). */
export function serviceAgentMember(agent: GoogleServiceAgent): RegExp {
  const [before, after] = SERVICE_AGENTS[agent]('\u0000').split('\u0000') as [string, string];
  const esc = (t: string) => t.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`^serviceAccount:${esc(before)}.+${esc(after)}$`);
}

export interface ServiceAgentOptions {
  /** @default - the project of the stack's default google provider */
  readonly project?: string;
  /**
   * The numeric project number. Service agent emails are built from it.
   * @default - looked up at plan time with a `google_project` data source (one per project per stack)
   */
  readonly projectNumber?: string;
}

/** A Google-managed service agent of a project, for example the Pub/Sub service agent. */
export class ServiceAgent implements IPrincipal {
  public static of(
    scope: IConstruct,
    service: GoogleServiceAgent,
    options: ServiceAgentOptions = {},
  ): ServiceAgent {
    const project = projectOf(scope, options.project);
    const checks = new Checks(`ServiceAgent.of(${service})`);
    checks.require(
      'project',
      project,
      'is required: pass options.project or configure a default google provider',
    );
    checks.rule('projectNumber', options.projectNumber, PROJECT_NUMBER.text, PROJECT_NUMBER.test);
    checks.throwIfAny();
    const projectId = project as string;
    const number = options.projectNumber ?? ServiceAgent.projectLookup(scope, projectId).number;
    return new ServiceAgent(
      `serviceAccount:${SERVICE_AGENTS[service](number)}`,
      `serviceAgent:${service}@${projectId}`,
    );
  }

  // One data source per project per stack, so every agent of a project shares one lookup.
  private static projectLookup(scope: IConstruct, projectId: string): DataGoogleProject {
    const stack = TerraformStack.of(scope);
    const id = `ProjectLookup-${projectId}`;
    return (
      (stack.node.tryFindChild(id) as DataGoogleProject | undefined) ??
      new DataGoogleProject(stack, id, { projectId })
    );
  }

  public readonly principalKind: PrincipalKind = 'serviceAgent';

  private constructor(
    public readonly iamMember: string,
    public readonly principalLabel: string,
  ) {}
}
