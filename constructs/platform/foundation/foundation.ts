import { Construct } from 'constructs';
import { LOADER_PREFIXES } from '../../../contracts/loader';
import {
  type CmekService,
  checkDataKey,
  checkDataLocation,
  checkSubnetwork,
  NETWORK,
  PROJECT_ID,
  PROJECT_NUMBER,
  REGION,
  RETENTION_DAYS,
} from '../../../core/gcp';
import { deterministicName } from '../../../core/names';
import { type Checks, wholeNumber } from '../../../core/validation';
import {
  AnalyticsDataset,
  type DatasetLayer,
  type IAnalyticsDataset,
} from '../../bigquery/analytics-dataset';
import { Suppressions } from '../../core/suppressions';
import { constructChecks } from '../../core/validation';
import type { IPrincipal } from '../../iam/principal';
import { GcpProject, type IGcpProject } from '../../iam/project';
import { type IServiceIdentity, ServiceIdentity } from '../../iam/service-identity';
import { type BucketLifecycleRule, DataBucket, type IDataBucket } from '../../storage/data-bucket';
import { checkEncryptionSettings, type EncryptionSettings, KeyMap } from './key-map';

/** Age thresholds for moving archived events to colder storage classes. */
export interface ArchiveTiering {
  /** @default 30 */
  readonly nearlineAfterDays?: number;
  /** @default 90 */
  readonly coldlineAfterDays?: number;
  /** @default 365 */
  readonly archiveAfterDays?: number;
  /** @default - archived events are kept until deleted by hand */
  readonly deleteAfterDays?: number;
}

/** How long the platform buckets keep what they hold. */
export interface StorageSettings {
  /** Days batch uploads stay in the landing bucket. @default 30 */
  readonly landingRetentionDays?: number;
  /** @default - see ArchiveTiering */
  readonly archiveTiering?: ArchiveTiering;
  /** Days archived objects are locked against deletion (unlocked retention policy). @default - none */
  readonly archiveRetentionDays?: number;
  /** Days Dataflow staging and temp files, and the batch loader's staged rows, are kept. @default 7 */
  readonly stagingObjectTtlDays?: number;
}

/** The VPC private workloads (Dataflow workers) run in. */
export interface NetworkSettings {
  /** `projects/<project>/global/networks/<name>` */
  readonly network: string;
  /** `regions/<region>/subnetworks/<name>`, in the platform's region, with Private Google Access. */
  readonly subnetwork: string;
}

/** Where and how an environment's platform lives: the `foundation` section of an environment file. */
export interface FoundationSettings {
  readonly project: string;
  /** Saves a plan-time lookup for service agent emails. @default - looked up at plan time */
  readonly projectNumber?: string;
  /** Region for compute (Dataflow, Cloud Run) and regional resources. */
  readonly region: string;
  /** BigQuery and Cloud Storage location: the region or the multi-region containing it (`EU`, `US`). */
  readonly dataLocation: string;
  /** Prefix of service account ids and other short names, for example `trb-dev`. */
  readonly namePrefix: string;
  /** Production: the production-only policy rules apply, and deletion protection must be on. */
  readonly production: boolean;
  /**
   * Stateful resources refuse destruction (buckets get `prevent_destroy`, datasets and tables deletion
   * protection). @default - same as `production`
   */
  readonly deletionProtection?: boolean;
  /**
   * One Cloud KMS key for CMEK on buckets, datasets and topics (in the data location); shorthand for
   * `encryption: { kind: 'keys', services: { storage, bigquery, pubsub } }`. @default - Google-managed encryption
   */
  readonly encryptionKey?: string;
  /** CMEK by service, by location, or with keys the platform creates. @default - Google-managed encryption */
  readonly encryption?: EncryptionSettings;
  /** @default - no VPC: capabilities that need one (Dataflow delivery) say so */
  readonly network?: NetworkSettings;
  /** @default - see StorageSettings */
  readonly storage?: StorageSettings;
}

export type PlatformDatasets = Readonly<Record<DatasetLayer, IAnalyticsDataset>>;

export interface PlatformBuckets {
  /** Batch uploads (CSV/NDJSON) waiting to be loaded. */
  readonly landing: IDataBucket;
  /** Every event, as written by the stream archive subscriptions; the lake. */
  readonly archive: IDataBucket;
  /** Dataflow staging and temp files. */
  readonly dataflowStaging: IDataBucket;
  /** Content-addressed files runtimes read (UDFs, template specs, the gateway manifest); versioned, read-only to workloads. */
  readonly artifacts: IDataBucket;
}

/**
 * A role a CI identity needs project-wide, and why: the deployer creates the resources the role governs, the
 * planner reads them for `terraform plan`.
 */
export interface DeployerRole {
  readonly role: string;
  readonly why: string;
}

/** What every capability builds on, taken by interface so a team can bring its own. */
export interface IPlatformFoundation {
  readonly projectId: string;
  readonly projectNumber?: string;
  readonly region: string;
  readonly dataLocation: string;
  readonly namePrefix: string;
  readonly production: boolean;
  readonly deletionProtection: boolean;
  /** The environment requires CMEK on every stateful resource (policy TRB-CMEK-1). */
  readonly encryptionRequired: boolean;
  readonly network?: NetworkSettings;
  /** Project-level grants (roles that exist only there). */
  readonly project: IGcpProject;
  readonly buckets: PlatformBuckets;
  readonly datasets: PlatformDatasets;
  /** The CI deployer, allowed to attach (act as) every workload identity and job identity. */
  readonly deployer?: IPrincipal;
  /** The read-only CI planner; capabilities grant it read on what `terraform plan` must refresh. */
  readonly planner?: IPrincipal;
  /**
   * The service account of one workload, created on first request by the capability that runs the workload
   * (`<namePrefix>-<name>`); the deployer may act as it.
   */
  workloadIdentity(name: string, description: string): IServiceIdentity;
  /** The CMEK key a service's resource in `location` uses, or undefined without CMEK (KeyMap). */
  keyFor(service: CmekService, location: string): string | undefined;
}

export interface PlatformFoundationProps extends FoundationSettings {
  /** The CI deployer. @default - none */
  readonly deployer?: IPrincipal;
  /**
   * The read-only CI planner (the bootstrap creates one per environment). It gets object read on the artifacts
   * bucket, whose objects Terraform refreshes; its project-wide read roles are PLANNER_ROLES, granted by the
   * bootstrap. @default - none
   */
  readonly planner?: IPrincipal;
  /** Principals allowed to upload batch files into the landing bucket. @default - none */
  readonly landingUploaders?: readonly IPrincipal[];
  /** Existing buckets to use instead of creating them (`DataBucket.fromBucketName`). @default - all created */
  readonly buckets?: Partial<PlatformBuckets>;
  /** Existing datasets to use instead of creating them (`AnalyticsDataset.fromDatasetId`). @default - all created */
  readonly datasets?: Partial<PlatformDatasets>;
}

const LAYERS: readonly DatasetLayer[] = ['raw', 'staging', 'curated'];
const ARCHIVE_DAYS = wholeNumber(1, 36_500, 'days');
const STAGING_DAYS = wholeNumber(1, 365, 'days');

export const NAME_PREFIX = {
  text: 'must be 2-12 characters of lowercase letters, digits and hyphens, starting with a letter',
  test: (p: string) => /^[a-z][a-z0-9-]{1,11}$/.test(p),
};

/** The foundation's rules, for the construct and for the `foundation` section of an environment file. */
export function checkFoundationSettings(c: Checks, s: FoundationSettings, prefix = ''): void {
  c.require(`${prefix}project`, s.project).check(`${prefix}project`, s.project, PROJECT_ID);
  c.check(`${prefix}projectNumber`, s.projectNumber, PROJECT_NUMBER);
  c.require(`${prefix}region`, s.region).check(`${prefix}region`, s.region, REGION);
  c.require(`${prefix}dataLocation`, s.dataLocation);
  checkDataLocation(c, `${prefix}dataLocation`, s.dataLocation, s.region);
  c.check(`${prefix}namePrefix`, s.namePrefix, NAME_PREFIX);
  if (s.production)
    c.rule(`${prefix}deletionProtection`, s.deletionProtection, 'must not be false in production', (d) => d);
  checkDataKey(
    c,
    `${prefix}encryptionKey`,
    s.encryptionKey,
    s.dataLocation,
    `to match dataLocation ${s.dataLocation}`,
  );
  if (s.encryptionKey && s.encryption)
    c.fail(`${prefix}encryptionKey`, s.encryptionKey, 'set encryption or encryptionKey, not both');
  checkEncryptionSettings(c, s.encryption, `${prefix}encryption.`);
  if (s.network) {
    c.check(`${prefix}network.network`, s.network.network, NETWORK);
    checkSubnetwork(c, `${prefix}network.subnetwork`, s.network.subnetwork, s.region);
  }
  const st = s.storage ?? {};
  c.check(`${prefix}storage.landingRetentionDays`, st.landingRetentionDays, RETENTION_DAYS);
  c.check(`${prefix}storage.stagingObjectTtlDays`, st.stagingObjectTtlDays, STAGING_DAYS);
  c.check(`${prefix}storage.archiveRetentionDays`, st.archiveRetentionDays, ARCHIVE_DAYS);
  const t = st.archiveTiering;
  if (t) {
    const ages = [t.nearlineAfterDays, t.coldlineAfterDays, t.archiveAfterDays].filter(
      (a): a is number => a !== undefined,
    );
    c.rule(
      `${prefix}storage.archiveTiering`,
      t,
      'ages must be whole days and strictly increase from nearline to coldline to archive',
      () => ages.every((a, i) => Number.isInteger(a) && a >= 1 && (i === 0 || a > (ages[i - 1] as number))),
    );
    c.rule(
      `${prefix}storage.archiveTiering.deleteAfterDays`,
      t.deleteAfterDays,
      'must be later than every storage-class transition',
      (d) => ages.every((a) => d > a),
    );
  }
}

/**
 * The ground every capability stands on: the project, the platform buckets and the raw, staging and curated
 * datasets, and the workload identities capabilities ask for. Buckets and datasets a team already has can be
 * passed in instead of created.
 */
export class PlatformFoundation extends Construct implements IPlatformFoundation {
  /** APIs the foundation uses; each capability lists its own. */
  public static readonly REQUIRED_SERVICES: readonly string[] = [
    'bigquery.googleapis.com',
    'cloudkms.googleapis.com',
    'cloudresourcemanager.googleapis.com',
    'iam.googleapis.com',
    'iamcredentials.googleapis.com',
    'serviceusage.googleapis.com',
    'storage.googleapis.com',
    'sts.googleapis.com',
  ];

  /**
   * What the read-only planner needs project-wide for `terraform plan` of the foundation: metadata and IAM
   * policies, never data (no object, table or message reads).
   */
  public static readonly PLANNER_ROLES: readonly DeployerRole[] = [
    {
      role: 'roles/iam.securityReviewer',
      why: 'reads the IAM policies of the resources the stack grants on',
    },
    { role: 'roles/storage.bucketViewer', why: 'reads bucket configuration, not objects' },
    { role: 'roles/bigquery.metadataViewer', why: 'reads dataset and table metadata, not table data' },
    { role: 'roles/cloudkms.viewer', why: 'reads key rings and keys, not key material' },
    { role: 'roles/iam.serviceAccountViewer', why: 'reads the runtime service accounts' },
    { role: 'roles/serviceusage.serviceUsageViewer', why: 'reads which APIs are enabled' },
  ];

  /** What the deployer needs project-wide to create the foundation and the identities capabilities ask for. */
  public static readonly DEPLOYER_ROLES: readonly DeployerRole[] = [
    { role: 'roles/storage.admin', why: 'creates the platform buckets and sets their IAM' },
    { role: 'roles/bigquery.admin', why: 'creates datasets and tables and sets their IAM' },
    { role: 'roles/iam.serviceAccountAdmin', why: 'creates runtime service accounts and sets their IAM' },
    { role: 'roles/resourcemanager.projectIamAdmin', why: 'grants project-only roles to runtime identities' },
    { role: 'roles/serviceusage.serviceUsageConsumer', why: 'uses the enabled APIs' },
    {
      role: 'roles/cloudkms.admin',
      why: 'creates platform-managed key rings and keys and lets each service agent use one key; it never encrypts or decrypts',
    },
  ];

  public readonly projectId: string;
  public readonly projectNumber?: string;
  public readonly region: string;
  public readonly dataLocation: string;
  public readonly namePrefix: string;
  public readonly production: boolean;
  public readonly deletionProtection: boolean;
  public readonly network?: NetworkSettings;
  /** Which key each service's resources use (CMEK). */
  public readonly keys: KeyMap;
  public readonly deployer?: IPrincipal;
  public readonly planner?: IPrincipal;
  public readonly project: GcpProject;
  public readonly buckets: PlatformBuckets;
  public readonly datasets: PlatformDatasets;
  private readonly identities = new Map<string, ServiceIdentity>();

  constructor(scope: Construct, id: string, props: PlatformFoundationProps) {
    super(scope, id);
    const c = constructChecks(this);
    checkFoundationSettings(c, props);
    c.throwIfAny();
    this.projectId = props.project;
    this.projectNumber = props.projectNumber;
    this.region = props.region;
    this.dataLocation = props.dataLocation;
    this.namePrefix = props.namePrefix;
    this.production = props.production;
    this.deletionProtection = props.deletionProtection ?? props.production;
    this.keys = new KeyMap(this, 'Keys', {
      project: props.project,
      namePrefix: props.namePrefix,
      ...(props.encryption
        ? { settings: props.encryption }
        : props.encryptionKey
          ? {
              // Every service the one key covered before the key map: a regional service with a key in the data
              // multi-region now fails at synth, naming encryptionKey, instead of failing at apply.
              settings: {
                kind: 'keys',
                services: Object.fromEntries(
                  LEGACY_KEY_SERVICES.map((svc) => [svc, props.encryptionKey as string]),
                ),
              },
              field: 'encryptionKey',
            }
          : {}),
    });
    this.network = props.network;
    this.deployer = props.deployer;
    this.planner = props.planner;
    this.project = new GcpProject(this, 'Project', { projectId: props.project });
    this.buckets = this.createBuckets(props);
    this.datasets = Object.fromEntries(
      LAYERS.map((layer) => [
        layer,
        props.datasets?.[layer] ??
          new AnalyticsDataset(this, `${layer[0]?.toUpperCase()}${layer.slice(1)}Dataset`, {
            datasetId: `${props.namePrefix.replace(/-/g, '_')}_${layer}`,
            layer,
            location: props.dataLocation,
            project: props.project,
            projectNumber: props.projectNumber,
            deletionProtection: this.deletionProtection,
            encryptionKey: this.keyFor('bigquery', props.dataLocation),
          }),
      ]),
    ) as PlatformDatasets;
    for (const uploader of props.landingUploaders ?? []) this.buckets.landing.grantCreate(uploader);
    if (props.planner) this.buckets.artifacts.grantRead(props.planner);
  }

  public get encryptionRequired(): boolean {
    return this.keys.required;
  }

  public keyFor(service: CmekService, location: string): string | undefined {
    return this.keys.keyFor(service, location);
  }

  public workloadIdentity(name: string, description: string): IServiceIdentity {
    let identity = this.identities.get(name);
    if (!identity) {
      const cid = `${name.replace(/(^|-)([a-z])/g, (_, _sep, ch: string) => ch.toUpperCase())}Identity`;
      identity = new ServiceIdentity(this, cid, {
        name,
        prefix: this.namePrefix,
        project: this.projectId,
        description,
      });
      if (this.deployer) identity.grantActAs(this.deployer);
      this.identities.set(name, identity);
    }
    return identity;
  }

  private createBuckets(props: PlatformFoundationProps): PlatformBuckets {
    const storage = props.storage ?? {};
    const bucket = (
      role: keyof PlatformBuckets,
      cid: string,
      name: string,
      extra: Partial<ConstructorParameters<typeof DataBucket>[2]>,
    ): IDataBucket =>
      props.buckets?.[role] ??
      new DataBucket(this, cid, {
        bucketName: deterministicName([props.project, name], 63),
        location: props.dataLocation,
        project: props.project,
        projectNumber: props.projectNumber,
        encryptionKey: this.keyFor('storage', props.dataLocation),
        preventDestroy: this.deletionProtection,
        ...extra,
      });
    return {
      landing: bucket('landing', 'LandingBucket', 'landing', {
        lifecycleRules: [
          { action: 'Delete', ageDays: storage.landingRetentionDays ?? 30 },
          // The batch loader's staged rows are needed only until their load job has read them.
          {
            action: 'Delete',
            ageDays: Math.min(storage.stagingObjectTtlDays ?? 7, storage.landingRetentionDays ?? 30),
            matchesPrefix: [`${LOADER_PREFIXES.staging}/`],
          },
          { action: 'AbortIncompleteUpload', ageDays: 1 },
        ],
      }),
      archive: bucket('archive', 'ArchiveBucket', 'archive', {
        retention: storage.archiveRetentionDays ? { periodDays: storage.archiveRetentionDays } : undefined,
        lifecycleRules: archiveRules(storage.archiveTiering ?? {}),
      }),
      dataflowStaging: transient(
        bucket('dataflowStaging', 'DataflowStagingBucket', 'dataflow-staging', {
          // Temp files are rewritten constantly; soft-deleted copies would only add cost.
          softDeleteRetentionDays: 0,
          preventDestroy: false,
          lifecycleRules: [{ action: 'Delete', ageDays: storage.stagingObjectTtlDays ?? 7 }],
        }),
      ),
      // Apart from staging: its age-based delete would remove a UDF a running job still reloads, and
      // workers that may overwrite temp files must not be able to rewrite the code or config they run.
      artifacts: bucket('artifacts', 'ArtifactsBucket', 'artifacts', {
        versioned: true,
        preventDestroy: false,
        lifecycleRules: [{ action: 'DeleteNoncurrent', noncurrentDays: 30, keepVersions: 3 }],
      }),
    };
  }
}

/** A bucket of transient files: nothing in it is ever restored, so TRB-GCS-4 is suppressed with that reason. */
/** The services `encryptionKey` has always keyed. */
const LEGACY_KEY_SERVICES: readonly CmekService[] = [
  'storage',
  'bigquery',
  'pubsub',
  'composer',
  'run',
  'workflows',
  'looker',
];

function transient(b: IDataBucket): IDataBucket {
  if (b instanceof DataBucket)
    Suppressions.add(b.resource, {
      id: 'TRB-GCS-4',
      reason:
        'Dataflow staging and temp files are rewritten by every launch and expire within days; nothing in them is restored.',
    });
  return b;
}

function archiveRules(tiering: ArchiveTiering): BucketLifecycleRule[] {
  const t = { nearlineAfterDays: 30, coldlineAfterDays: 90, archiveAfterDays: 365, ...tiering };
  const rules: BucketLifecycleRule[] = [
    { action: 'SetStorageClass', storageClass: 'NEARLINE', ageDays: t.nearlineAfterDays },
    { action: 'SetStorageClass', storageClass: 'COLDLINE', ageDays: t.coldlineAfterDays },
    { action: 'SetStorageClass', storageClass: 'ARCHIVE', ageDays: t.archiveAfterDays },
  ];
  if (t.deleteAfterDays !== undefined) rules.push({ action: 'Delete', ageDays: t.deleteAfterDays });
  return rules;
}
