import { ArtifactRegistryRepository } from '@cdktf/provider-google/lib/artifact-registry-repository';
import { ArtifactRegistryRepositoryIamMember } from '@cdktf/provider-google/lib/artifact-registry-repository-iam-member';
import { Construct } from 'constructs';
import { checkLabels, checkRegionalKey, REGION } from '../../core/gcp';
import { describeNode } from '../core/architecture';
import { projectOf } from '../core/project';
import { checkProject, constructChecks } from '../core/validation';
import { useKey } from '../iam/cmek';
import { type Grant, grantOn, type IGrantTarget } from '../iam/grants';
import type { IPrincipal } from '../iam/principal';

export interface ContainerRepositoryProps {
  /** Lowercase letters, digits and hyphens. */
  readonly repositoryId: string;
  /** A region; the images live (and are pulled) there. */
  readonly location: string;
  /** @default - the project of the stack's default google provider */
  readonly project?: string;
  /** Untagged images (superseded pushes) are deleted after this many days. @default 30 */
  readonly untaggedRetentionDays?: number;
  /** Tagged versions kept per image no matter their age. @default 20 */
  readonly keepRecentVersions?: number;
  /**
   * A Cloud KMS key (`projects/<p>/locations/<location>/keyRings/<r>/cryptoKeys/<k>`) in the repository's own
   * location, as Artifact Registry requires.
   * @default - Google-managed encryption
   */
  readonly encryptionKey?: string;
  /** @default - none beyond the provider defaults */
  readonly labels?: Readonly<Record<string, string>>;
}

/**
 * An Artifact Registry Docker repository for the runtime images. Tags are immutable: an image reference names
 * one image forever, so the content-hash tags the runtime images use can be trusted. Old untagged images are
 * cleaned up; recent versions are always kept.
 */
export class ContainerRepository extends Construct implements IGrantTarget {
  public readonly resource: ArtifactRegistryRepository;
  public readonly repositoryId: string;
  public readonly location: string;
  public readonly project: string;
  public readonly grantResourceType = 'google_artifact_registry_repository';
  public readonly grantResourceLabel: string;

  constructor(scope: Construct, id: string, props: ContainerRepositoryProps) {
    super(scope, id);
    describeNode(this, { shape: 'repository', label: `images ${props.repositoryId}` });
    const project = projectOf(this, props.project);
    const c = constructChecks(this);
    c.rule(
      'repositoryId',
      props.repositoryId,
      'must be 1-63 lowercase letters, digits and hyphens, starting with a letter',
      (r) => /^[a-z]([a-z0-9-]{0,61}[a-z0-9])?$/.test(r),
    );
    c.check('location', props.location, REGION);
    checkProject(c, project);
    checkRegionalKey(
      c,
      'encryptionKey',
      props.encryptionKey,
      props.location,
      `key location must be ${props.location}: Artifact Registry encrypts a repository only with a key in its own location`,
    );
    c.rule(
      'untaggedRetentionDays',
      props.untaggedRetentionDays,
      'must be a whole number of days >= 1',
      (d) => Number.isInteger(d) && d >= 1,
    );
    c.rule(
      'keepRecentVersions',
      props.keepRecentVersions,
      'must be a whole number >= 1',
      (n) => Number.isInteger(n) && n >= 1,
    );
    checkLabels(c, props.labels);
    c.throwIfAny();

    this.resource = new ArtifactRegistryRepository(this, 'Resource', {
      repositoryId: props.repositoryId,
      location: props.location,
      project,
      format: 'DOCKER',
      description: 'Tributary runtime images, tagged by the SHA-256 of their sources.',
      dockerConfig: { immutableTags: true },
      kmsKeyName: props.encryptionKey,
      cleanupPolicyDryRun: false,
      cleanupPolicies: [
        {
          id: 'delete-untagged',
          action: 'DELETE',
          condition: { tagState: 'UNTAGGED', olderThan: `${(props.untaggedRetentionDays ?? 30) * 86_400}s` },
        },
        {
          id: 'keep-recent',
          action: 'KEEP',
          mostRecentVersions: { keepCount: props.keepRecentVersions ?? 20 },
        },
      ],
      labels: props.labels ? { ...props.labels } : undefined,
    });
    if (props.encryptionKey)
      useKey(this, this.resource, props.encryptionKey, 'artifactregistry', {
        project: project as string,
      });
    this.repositoryId = props.repositoryId;
    this.location = props.location;
    this.project = project as string;
    this.grantResourceLabel = `${this.location}/${this.project}/${props.repositoryId}`;
  }

  /** `<location>-docker.pkg.dev/<project>/<repository>`, the prefix of every image reference in it. */
  public get registryPath(): string {
    return dockerRegistryPath(this.location, this.project, this.repositoryId);
  }

  /** Pull images (`roles/artifactregistry.reader` on this repository). */
  public grantPull(principal: IPrincipal): Grant {
    return this.grant(principal, 'roles/artifactregistry.reader');
  }

  /** Push images (`roles/artifactregistry.writer` on this repository), for CI. */
  public grantPush(principal: IPrincipal): Grant {
    return this.grant(principal, 'roles/artifactregistry.writer');
  }

  public grant(principal: IPrincipal, role: string): Grant {
    return grantOn(
      this,
      principal,
      role,
      (gid, member) =>
        new ArtifactRegistryRepositoryIamMember(this, gid, {
          project: this.project,
          location: this.location,
          repository: this.resource.name,
          role,
          member,
        }),
    );
  }
}

/** `<location>-docker.pkg.dev/<project>/<repository>`: where a Docker repository's images are pushed and pulled. */
export function dockerRegistryPath(location: string, project: string, repositoryId: string): string {
  return `${location}-docker.pkg.dev/${project}/${repositoryId}`;
}

/** The Artifact Registry repository of the runtime images, one per environment project. */
export const RUNTIME_REPOSITORY_ID = 'tributary';

/**
 * `<region>-docker.pkg.dev/<project>/tributary`, where an environment's runtime images live. The repository is
 * created before any environment deploys (the bootstrap stack), because images are pushed before the services
 * that run them.
 */
export function runtimeRegistryPath(region: string, project: string): string {
  return dockerRegistryPath(region, project, RUNTIME_REPOSITORY_ID);
}
