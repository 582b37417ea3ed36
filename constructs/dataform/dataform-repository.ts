import { GoogleDataformRepository } from '@cdktf/provider-google-beta/lib/google-dataform-repository';
import { GoogleDataformRepositoryIamMember } from '@cdktf/provider-google-beta/lib/google-dataform-repository-iam-member';
import { GoogleDataformRepositoryReleaseConfig } from '@cdktf/provider-google-beta/lib/google-dataform-repository-release-config';
import { GoogleDataformRepositoryWorkflowConfig } from '@cdktf/provider-google-beta/lib/google-dataform-repository-workflow-config';
import type { GoogleBetaProvider } from '@cdktf/provider-google-beta/lib/provider';
import { Construct } from 'constructs';
import { CRON_SCHEDULE, checkLabels, REGION } from '../../core/gcp';
import { describeNode } from '../core/architecture';
import { projectOf } from '../core/project';
import { googleBetaProviderOf } from '../core/providers';
import { checkProject, constructChecks } from '../core/validation';
import { useKey } from '../iam/cmek';
import { type Grant, grantOn, type IGrantTarget } from '../iam/grants';
import type { IPrincipal } from '../iam/principal';
import type { IServiceIdentity } from '../iam/service-identity';

export interface DataformGitRemote {
  /** The git repository Dataform pulls the project from (the project must sit at its root). */
  readonly url: string;
  /** The branch Dataform tracks. */
  readonly branch: string;
  /** Secret Manager secret version holding the access token (`projects/…/secrets/…/versions/…`). */
  readonly tokenSecretVersion: string;
}

export interface DataformRepositoryProps {
  /** Lowercase letters, digits and hyphens. */
  readonly repositoryId: string;
  readonly region: string;
  /** The identity workflow invocations run as (strict act-as): never the Dataform service agent itself. */
  readonly identity: IServiceIdentity;
  readonly git: DataformGitRemote;
  /** @default - the project of the stack's default google provider */
  readonly project?: string;
  /** @default - none beyond the provider defaults */
  /** CMEK key of the repository's code and compilations (set at creation only). @default - Google-managed */
  readonly encryptionKey?: string;
  readonly labels?: Readonly<Record<string, string>>;
  /** @default - the stack's google-beta provider */
  readonly provider?: GoogleBetaProvider;
}

export interface ReleaseConfigProps {
  /** The branch, tag or commit compiled. */
  readonly gitCommitish: string;
  /** Cron schedule of compilations. @default - compiled on demand */
  readonly cronSchedule?: string;
  /** @default 'Etc/UTC' */
  readonly timeZone?: string;
  readonly defaultDatabase: string;
  readonly defaultLocation: string;
  readonly defaultSchema: string;
  readonly assertionSchema: string;
  /** Compilation variables. @default - none */
  readonly vars?: Readonly<Record<string, string>>;
}

export interface WorkflowConfigProps {
  readonly releaseConfig: GoogleDataformRepositoryReleaseConfig;
  readonly cronSchedule: string;
  /** @default 'Etc/UTC' */
  readonly timeZone?: string;
  /** Run only the actions with these tags. @default - every action */
  readonly includedTags?: readonly string[];
}

/**
 * A Dataform repository (google-beta only) connected to a git remote, with release configs (compilations) and
 * workflow configs (scheduled runs). Invocations run as the given identity, so the models' permissions are that
 * identity's grants, nothing of the Dataform service agent's.
 */
export class DataformRepository extends Construct implements IGrantTarget {
  public readonly resource: GoogleDataformRepository;
  public readonly repositoryId: string;
  public readonly grantResourceType = 'google_dataform_repository';
  public get grantResourceLabel(): string {
    return this.repositoryId;
  }
  private readonly provider: GoogleBetaProvider;
  private readonly identity: IServiceIdentity;

  constructor(scope: Construct, id: string, props: DataformRepositoryProps) {
    super(scope, id);
    describeNode(this, { shape: 'workflow', label: `Dataform ${props.repositoryId}` });
    const project = projectOf(this, props.project);
    const c = constructChecks(this);
    c.rule(
      'repositoryId',
      props.repositoryId,
      'must be 1-63 lowercase letters, digits and hyphens, starting with a letter',
      (r) => /^[a-z]([a-z0-9-]{0,61}[a-z0-9])?$/.test(r),
    );
    c.check('region', props.region, REGION);
    c.rule('git.url', props.git.url, 'must be an https:// git URL', (u) => /^https:\/\/[^\s]+$/.test(u));
    c.rule(
      'git.branch',
      props.git.branch,
      'must be a branch name',
      (b) => /^[\w./-]+$/.test(b) && !b.includes('..'),
    );
    c.rule(
      'git.tokenSecretVersion',
      props.git.tokenSecretVersion,
      'must be projects/<p>/secrets/<s>/versions/<v>',
      (s) => /^(\$\{.*\}|projects\/[^/]+\/secrets\/[^/]+)\/versions\/[^/]+$/.test(s),
    );
    checkProject(c, project);
    checkLabels(c, props.labels);
    c.throwIfAny();
    this.repositoryId = props.repositoryId;
    this.identity = props.identity;
    this.provider = googleBetaProviderOf(this, props.provider);
    this.resource = new GoogleDataformRepository(this, 'Resource', {
      provider: this.provider,
      name: props.repositoryId,
      region: props.region,
      project,
      serviceAccount: props.identity.email,
      gitRemoteSettings: {
        url: props.git.url,
        defaultBranch: props.git.branch,
        authenticationTokenSecretVersion: props.git.tokenSecretVersion,
      },
      ...(props.encryptionKey ? { kmsKeyName: props.encryptionKey } : {}),
      labels: props.labels ? { ...props.labels } : undefined,
    });
    if (props.encryptionKey)
      useKey(this, this.resource, props.encryptionKey, 'dataform', { project: project as string });
  }

  /** A release config: the project compiled from `gitCommitish` with these settings. */
  public addReleaseConfig(id: string, props: ReleaseConfigProps): GoogleDataformRepositoryReleaseConfig {
    const c = constructChecks(this);
    c.check(`${id}.cronSchedule`, props.cronSchedule, CRON_SCHEDULE);
    c.throwIfAny();
    return new GoogleDataformRepositoryReleaseConfig(this, id, {
      provider: this.provider,
      project: this.resource.project,
      region: this.resource.region,
      repository: this.resource.name,
      name: id.toLowerCase(),
      gitCommitish: props.gitCommitish,
      cronSchedule: props.cronSchedule,
      timeZone: props.timeZone ?? 'Etc/UTC',
      codeCompilationConfig: {
        defaultDatabase: props.defaultDatabase,
        defaultLocation: props.defaultLocation,
        defaultSchema: props.defaultSchema,
        assertionSchema: props.assertionSchema,
        vars: props.vars ? { ...props.vars } : undefined,
      },
    });
  }

  /**
   * Compile and invoke this repository's workflows (`roles/dataform.editor` on it only); invocations still run
   * as the repository's identity, which the caller must also be allowed to act as.
   */
  public grantInvoke(principal: IPrincipal): Grant {
    return grantOn(
      this,
      principal,
      'roles/dataform.editor',
      (gid, member) =>
        new GoogleDataformRepositoryIamMember(this, gid, {
          provider: this.provider,
          project: this.resource.project,
          region: this.resource.region,
          repository: this.resource.name,
          role: 'roles/dataform.editor',
          member,
        }),
    );
  }

  /** A workflow config: the release's compilation run on a schedule, as the repository's identity. */
  public addWorkflowConfig(id: string, props: WorkflowConfigProps): GoogleDataformRepositoryWorkflowConfig {
    const c = constructChecks(this);
    c.check(`${id}.cronSchedule`, props.cronSchedule, CRON_SCHEDULE);
    c.throwIfAny();
    return new GoogleDataformRepositoryWorkflowConfig(this, id, {
      provider: this.provider,
      project: this.resource.project,
      region: this.resource.region,
      repository: this.resource.name,
      name: id.toLowerCase(),
      releaseConfig: props.releaseConfig.id,
      cronSchedule: props.cronSchedule,
      timeZone: props.timeZone ?? 'Etc/UTC',
      invocationConfig: {
        serviceAccount: this.identity.email,
        transitiveDependenciesIncluded: true,
        ...(props.includedTags ? { includedTags: [...props.includedTags] } : {}),
      },
    });
  }
}
