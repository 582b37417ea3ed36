import { SecretManagerSecret } from '@cdktf/provider-google/lib/secret-manager-secret';
import { SecretManagerSecretIamMember } from '@cdktf/provider-google/lib/secret-manager-secret-iam-member';
import { SecretManagerSecretVersion } from '@cdktf/provider-google/lib/secret-manager-secret-version';
import { Construct } from 'constructs';
import { checkLabels, REGION } from '../../core/gcp';
import { projectOf } from '../core/project';
import { constructChecks } from '../core/validation';
import { useKey } from '../iam/cmek';
import { type Grant, grantOn, type IGrantTarget } from '../iam/grants';
import type { IPrincipal } from '../iam/principal';

export interface RuntimeSecretProps {
  /** 1-255 letters, digits, `-` and `_`. */
  readonly secretId: string;
  /** The secret's data is stored in this region only. */
  readonly region: string;
  /** @default - the project of the stack's default google provider */
  readonly project?: string;
  /**
   * A first version Terraform creates so the secret can be mounted from day one. Only for data that is not
   * itself secret (an empty key file, a configuration); real secret values are added out of band.
   * @default - no version
   */
  readonly initialData?: string;
  /** Terraform refuses to delete the secret. @default false */
  readonly deletionProtection?: boolean;
  /** @default - none beyond the provider defaults */
  /** CMEK key of the secret's versions, in the replica's region. @default - Google-managed */
  readonly encryptionKey?: string;
  readonly labels?: Readonly<Record<string, string>>;
}

/**
 * A Secret Manager secret a runtime service reads, replicated in one region, with access granted per
 * principal on this secret only. Later versions are added outside Terraform and are never in its state.
 */
export class RuntimeSecret extends Construct implements IGrantTarget {
  public readonly resource: SecretManagerSecret;
  public readonly secretId: string;
  public readonly initialVersion?: SecretManagerSecretVersion;
  public readonly grantResourceType = 'google_secret_manager_secret';
  public readonly grantResourceLabel: string;

  constructor(scope: Construct, id: string, props: RuntimeSecretProps) {
    super(scope, id);
    const project = projectOf(this, props.project);
    const c = constructChecks(this);
    c.rule('secretId', props.secretId, 'must be 1-255 letters, digits, "-" and "_"', (s) =>
      /^[A-Za-z0-9_-]{1,255}$/.test(s),
    );
    c.check('region', props.region, REGION);
    c.rule(
      'initialData',
      props.initialData,
      'must not be empty (Secret Manager refuses empty versions)',
      (d) => d.length > 0,
    );
    checkLabels(c, props.labels);
    c.throwIfAny();
    this.resource = new SecretManagerSecret(this, 'Resource', {
      secretId: props.secretId,
      project,
      replication: {
        userManaged: {
          replicas: [
            {
              location: props.region,
              ...(props.encryptionKey
                ? { customerManagedEncryption: { kmsKeyName: props.encryptionKey } }
                : {}),
            },
          ],
        },
      },
      deletionProtection: props.deletionProtection ?? false,
      labels: props.labels ? { ...props.labels } : undefined,
    });
    if (props.encryptionKey)
      useKey(this, this.resource, props.encryptionKey, 'secretmanager', { project: project as string });
    if (props.initialData !== undefined) {
      this.initialVersion = new SecretManagerSecretVersion(this, 'InitialVersion', {
        secret: this.resource.id,
        secretData: props.initialData,
        // Later versions are added by operators; Terraform must not fight them or delete them.
        lifecycle: { ignoreChanges: ['secret_data', 'enabled'] },
      });
    }
    this.secretId = props.secretId;
    this.grantResourceLabel = `${project}/${props.secretId}`;
  }

  /** Read the secret's versions (`roles/secretmanager.secretAccessor` on this secret only). */
  public grantRead(principal: IPrincipal): Grant {
    return grantOn(
      this,
      principal,
      'roles/secretmanager.secretAccessor',
      (gid, member) =>
        new SecretManagerSecretIamMember(this, gid, {
          secretId: this.resource.id,
          role: 'roles/secretmanager.secretAccessor',
          member,
        }),
    );
  }
}
