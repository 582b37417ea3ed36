import { StorageBucket, type StorageBucketLifecycleRule } from '@cdktf/provider-google/lib/storage-bucket';
import { StorageBucketIamMember } from '@cdktf/provider-google/lib/storage-bucket-iam-member';
import { Construct } from 'constructs';
import { BUCKET_LOCATION, BUCKET_NAME, checkDataKey, checkLabels, PROJECT_ID } from '../../core/gcp';
import { describeNode } from '../core/architecture';
import { projectOf } from '../core/project';
import { constructChecks } from '../core/validation';
import { grantKeyToAgents } from '../iam/cmek';
import { type Grant, type GrantOptions, grantOn, type IGrantTarget } from '../iam/grants';
import type { IPrincipal } from '../iam/principal';

export type StorageClass = 'STANDARD' | 'NEARLINE' | 'COLDLINE' | 'ARCHIVE';

/** Typed lifecycle rules; ages are days since object creation (or since it became noncurrent). */
export type BucketLifecycleRule =
  | {
      readonly action: 'SetStorageClass';
      readonly storageClass: Exclude<StorageClass, 'STANDARD'>;
      readonly ageDays: number;
    }
  /** `matchesPrefix` limits the rule to objects whose names start with one of the prefixes. */
  | { readonly action: 'Delete'; readonly ageDays: number; readonly matchesPrefix?: readonly string[] }
  /** Versioned buckets: delete noncurrent versions after `noncurrentDays`, keeping `keepVersions` newer ones. */
  | { readonly action: 'DeleteNoncurrent'; readonly noncurrentDays: number; readonly keepVersions?: number }
  | { readonly action: 'AbortIncompleteUpload'; readonly ageDays: number };

export interface BucketRetention {
  /** Objects cannot be deleted or replaced until they are this old. */
  readonly periodDays: number;
  /**
   * Locking is irreversible: the period can then only grow and the bucket cannot be deleted while it holds
   * objects under retention.
   * @default false
   */
  readonly locked?: boolean;
}

/** A bucket as other constructs use it. */
export interface IDataBucket extends IGrantTarget {
  readonly bucketName: string;
  /** The bucket name as a reference to the resource: use it in objects so they are created after the bucket. */
  readonly bucketRef: string;
  /** `gs://<name>` */
  readonly url: string;
  grantRead(principal: IPrincipal): Grant;
  grantCreate(principal: IPrincipal): Grant;
  grantObjectAdmin(principal: IPrincipal): Grant;
  /** Any role on this bucket only. */
  grant(principal: IPrincipal, role: string): Grant;
  /**
   * A role on the objects under some prefixes only (an IAM condition on the object name; needs uniform
   * bucket-level access, which DataBucket always sets). Listing is a bucket-level permission, so it is not
   * granted this way. `title` names the grant and must be stable.
   */
  grantOnPrefixes(principal: IPrincipal, role: string, prefixes: readonly string[], title: string): Grant;
}

export interface DataBucketProps {
  /** Globally unique bucket name; validated against GCS naming rules. */
  readonly bucketName: string;
  /** A region (`europe-west1`) or multi-region (`EU`). Sent uppercase, the form the API returns. */
  readonly location: string;
  /** @default - the project of the stack's default google provider */
  readonly project?: string;
  /** Needed for the CMEK grant to the Cloud Storage service agent. @default - looked up at plan time */
  readonly projectNumber?: string;
  /** @default 'STANDARD' */
  readonly storageClass?: StorageClass;
  /** @default false */
  readonly versioned?: boolean;
  /** @default - no retention policy */
  readonly retention?: BucketRetention;
  /**
   * How long deleted objects stay restorable; 0 disables soft delete, otherwise 7-90 days.
   * @default 7 - the GCS default, stated explicitly so it never drifts
   */
  readonly softDeleteRetentionDays?: number;
  /**
   * A Cloud KMS key name for CMEK. The Cloud Storage service agent is granted encrypt/decrypt on it and the
   * bucket waits for that grant.
   * @default - Google-managed encryption
   */
  readonly encryptionKey?: string;
  /** @default - no lifecycle rules */
  readonly lifecycleRules?: readonly BucketLifecycleRule[];
  /** Labels in addition to the provider's default labels. @default - none */
  readonly labels?: Readonly<Record<string, string>>;
  /**
   * Lets `terraform destroy` delete the bucket with its objects. Policy TRB-GCS-3 refuses it in production.
   * @default false
   */
  readonly forceDestroy?: boolean;
  /**
   * Terraform refuses any plan that would destroy or replace the bucket (`lifecycle.prevent_destroy`).
   * @default false
   */
  readonly preventDestroy?: boolean;
}

const CLASS_ORDER: readonly StorageClass[] = ['STANDARD', 'NEARLINE', 'COLDLINE', 'ARCHIVE'];
const DAY_SECONDS = 86_400;

/** Bucket-scoped grants, the same for a bucket this app creates and one it imports. */
abstract class BucketBase extends Construct implements IDataBucket {
  public abstract readonly bucketName: string;
  public abstract readonly bucketRef: string;
  public readonly grantResourceType = 'google_storage_bucket';
  public get grantResourceLabel(): string {
    return this.bucketName;
  }
  public get url(): string {
    return `gs://${this.bucketName}`;
  }

  /** Read and list objects (`roles/storage.objectViewer`). */
  public grantRead(principal: IPrincipal): Grant {
    return this.grant(principal, 'roles/storage.objectViewer');
  }

  /** Create objects without reading or overwriting them (`roles/storage.objectCreator`). */
  public grantCreate(principal: IPrincipal): Grant {
    return this.grant(principal, 'roles/storage.objectCreator');
  }

  /** Full control of objects, not of the bucket itself (`roles/storage.objectAdmin`). */
  public grantObjectAdmin(principal: IPrincipal): Grant {
    return this.grant(principal, 'roles/storage.objectAdmin');
  }

  /** Grants any role on this bucket only. */
  public grant(principal: IPrincipal, role: string, options: GrantOptions = {}): Grant {
    return grantOn(
      this,
      principal,
      role,
      (id, member) =>
        new StorageBucketIamMember(this, id, {
          bucket: this.bucketRef,
          role,
          member,
          ...(options.condition ? { condition: { ...options.condition } } : {}),
        }),
      options,
    );
  }

  public grantOnPrefixes(
    principal: IPrincipal,
    role: string,
    prefixes: readonly string[],
    title: string,
  ): Grant {
    const checks = constructChecks(this);
    checks.rule('prefixes', prefixes, 'must list at least one prefix', (p) => p.length > 0);
    for (const [i, p] of prefixes.entries())
      checks.rule(
        `prefixes[${i}]`,
        p,
        'must be an object-name prefix ending in "/", without quotes or backslashes',
        (v) => /^[^"\\\n]+\/$/.test(v),
      );
    checks.throwIfAny();
    const objects = `projects/_/buckets/${this.bucketName}/objects/`;
    const expression = [...prefixes]
      .sort()
      .map((p) => `resource.name.startsWith("${objects}${p}")`)
      .join(' || ');
    return this.grant(principal, role, {
      condition: { title, expression, description: `Objects under ${[...prefixes].sort().join(', ')}` },
    });
  }
}

/**
 * A Cloud Storage bucket with secure defaults: uniform bucket-level access, public access prevention
 * enforced, no force destroy, explicit soft delete, labels, and bucket-scoped grants.
 */
export class DataBucket extends BucketBase {
  /**
   * A bucket this app does not manage (it exists already), for grants and as a platform bucket. Nothing about
   * it changes but the bindings granted on it.
   */
  public static fromBucketName(scope: Construct, id: string, bucketName: string): IDataBucket {
    return new ImportedBucket(scope, id, bucketName);
  }

  public readonly resource: StorageBucket;
  public readonly bucketName: string;
  // One reference token per bucket, shared by its grants and objects: a repeated token resolves once.
  private bucketRefToken?: string;
  public get bucketRef(): string {
    this.bucketRefToken ??= this.resource.name;
    return this.bucketRefToken;
  }

  constructor(scope: Construct, id: string, props: DataBucketProps) {
    super(scope, id);
    describeNode(this, { shape: 'bucket', label: `bucket ${props.bucketName}` });
    const project = projectOf(this, props.project);
    validate(this, props, project);

    const keyGrants = props.encryptionKey
      ? grantKeyToAgents(this, props.encryptionKey, 'storage', {
          project: project as string,
          ...(props.projectNumber ? { projectNumber: props.projectNumber } : {}),
        })
      : [];

    this.resource = new StorageBucket(this, 'Resource', {
      name: props.bucketName,
      location: props.location.toUpperCase(),
      project,
      storageClass: props.storageClass ?? 'STANDARD',
      uniformBucketLevelAccess: true,
      publicAccessPrevention: 'enforced',
      forceDestroy: props.forceDestroy ?? false,
      labels: props.labels ? { ...props.labels } : undefined,
      versioning: { enabled: props.versioned ?? false },
      softDeletePolicy: { retentionDurationSeconds: (props.softDeleteRetentionDays ?? 7) * DAY_SECONDS },
      retentionPolicy: props.retention
        ? {
            retentionPeriod: props.retention.periodDays * DAY_SECONDS,
            isLocked: props.retention.locked ?? false,
          }
        : undefined,
      encryption: props.encryptionKey ? { defaultKmsKeyName: props.encryptionKey } : undefined,
      lifecycleRule: props.lifecycleRules?.map(toTerraformRule),
      dependsOn: keyGrants.length > 0 ? keyGrants : undefined,
      lifecycle: props.preventDestroy ? { preventDestroy: true } : undefined,
    });
    this.bucketName = props.bucketName;
  }
}

class ImportedBucket extends BucketBase {
  public readonly bucketRef: string;

  constructor(
    scope: Construct,
    id: string,
    public readonly bucketName: string,
  ) {
    super(scope, id);
    describeNode(this, { shape: 'bucket', label: `bucket ${bucketName} (imported)` });
    constructChecks(this).check('bucketName', bucketName, BUCKET_NAME).throwIfAny();
    this.bucketRef = bucketName;
  }
}

function validate(scope: Construct, props: DataBucketProps, project: string | undefined): void {
  const checks = constructChecks(scope);
  checks.rule('bucketName', props.bucketName, BUCKET_NAME.text, BUCKET_NAME.test);
  checks.require('location', props.location).check('location', props.location, BUCKET_LOCATION);
  checks.check('project', project, PROJECT_ID);
  checks.rule('storageClass', props.storageClass, `must be one of ${CLASS_ORDER.join(', ')}`, (c) =>
    CLASS_ORDER.includes(c),
  );
  checks.rule(
    'softDeleteRetentionDays',
    props.softDeleteRetentionDays,
    'must be 0 (disabled) or a whole number of days from 7 to 90',
    (d) => d === 0 || (Number.isInteger(d) && d >= 7 && d <= 90),
  );
  checks.rule(
    'retention.periodDays',
    props.retention?.periodDays,
    'must be a whole number of days from 1 to 36500',
    (d) => Number.isInteger(d) && d >= 1 && d <= 36_500,
  );
  checkDataKey(checks, 'encryptionKey', props.encryptionKey, props.location);
  checkLabels(checks, props.labels);

  const rules = props.lifecycleRules ?? [];
  let warmest = CLASS_ORDER.indexOf(props.storageClass ?? 'STANDARD');
  let lastTransitionAge = 0;
  const transitions = rules
    .map((r, i) => ({ r, i }))
    .filter((x) => x.r.action === 'SetStorageClass')
    .sort((a, b) => ruleAge(a.r) - ruleAge(b.r));
  for (const { r, i } of transitions) {
    if (r.action !== 'SetStorageClass') continue;
    const rank = CLASS_ORDER.indexOf(r.storageClass);
    checks.rule(
      `lifecycleRules[${i}].storageClass`,
      r.storageClass,
      `must be colder than ${CLASS_ORDER[warmest]}, the class objects hold at ${r.ageDays} days`,
      () => rank > warmest,
    );
    warmest = Math.max(warmest, rank);
    lastTransitionAge = Math.max(lastTransitionAge, r.ageDays);
  }
  rules.forEach((r, i) => {
    const field = `lifecycleRules[${i}]`;
    if (r.action === 'DeleteNoncurrent') {
      checks.rule(
        `${field}.noncurrentDays`,
        r.noncurrentDays,
        'must be a whole number of days >= 1',
        (d) => Number.isInteger(d) && d >= 1,
      );
      checks.rule(
        `${field}.keepVersions`,
        r.keepVersions,
        'must be a whole number >= 1',
        (n) => Number.isInteger(n) && n >= 1,
      );
      if (!props.versioned)
        checks.fail(
          `${field}.action`,
          r.action,
          'needs versioned: true; unversioned buckets have no noncurrent objects',
        );
      return;
    }
    checks.rule(
      `${field}.ageDays`,
      r.ageDays,
      'must be a whole number of days >= 1',
      (d) => Number.isInteger(d) && d >= 1,
    );
    if (r.action === 'Delete') {
      checks.rule(
        `${field}.ageDays`,
        r.ageDays,
        `must be later than the last storage-class transition (${lastTransitionAge} days)`,
        (d) => d > lastTransitionAge,
      );
      const retention = props.retention?.periodDays;
      if (retention !== undefined) {
        checks.rule(
          `${field}.ageDays`,
          r.ageDays,
          `must not be shorter than the retention period (${retention} days)`,
          (d) => d >= retention,
        );
      }
    }
  });
  checks.throwIfAny();
}

function ruleAge(rule: BucketLifecycleRule): number {
  return rule.action === 'DeleteNoncurrent' ? rule.noncurrentDays : rule.ageDays;
}

function toTerraformRule(rule: BucketLifecycleRule): StorageBucketLifecycleRule {
  switch (rule.action) {
    case 'SetStorageClass':
      return {
        action: { type: 'SetStorageClass', storageClass: rule.storageClass },
        condition: { age: rule.ageDays },
      };
    case 'Delete':
      return {
        action: { type: 'Delete' },
        condition: {
          age: rule.ageDays,
          ...(rule.matchesPrefix ? { matchesPrefix: [...rule.matchesPrefix] } : {}),
        },
      };
    case 'AbortIncompleteUpload':
      return { action: { type: 'AbortIncompleteMultipartUpload' }, condition: { age: rule.ageDays } };
    case 'DeleteNoncurrent':
      return {
        action: { type: 'Delete' },
        condition: {
          withState: 'ARCHIVED',
          daysSinceNoncurrentTime: rule.noncurrentDays,
          ...(rule.keepVersions !== undefined ? { numNewerVersions: rule.keepVersions } : {}),
        },
      };
  }
}
