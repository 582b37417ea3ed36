import { Construct } from 'constructs';
import type { ContractLock } from '../../contracts/lock';
import type { Contract } from '../../contracts/model';
import { deterministicName } from '../../core/names';
import { AnalyticsDataset, type DatasetLayer } from '../bigquery/analytics-dataset';
import { constructChecks } from '../core/validation';
import type { IPrincipal } from '../iam/principal';
import { GcpProject } from '../iam/project';
import { ServiceIdentity } from '../iam/service-identity';
import { dockerRegistryPath } from '../run/container-repository';
import type { IngestGateway } from '../run/ingest-gateway';
import { type BucketLifecycleRule, DataBucket } from '../storage/data-bucket';
import { planContracts } from './contract-guard';
import { type PlatformIngestSettings, platformGateway } from './platform-gateway';

export type { PlatformIngestSettings } from './platform-gateway';

import { EventStream, type StreamDataflowOptions, type StreamDelivery } from './event-stream';

/** The Artifact Registry repository of the runtime images, one per environment project. */
export const RUNTIME_REPOSITORY_ID = 'tributary';

/** Environment settings of the per-stream Dataflow jobs. */
export type PlatformDataflowSettings = Omit<StreamDataflowOptions, 'stagingBucket' | 'artifactsBucket'>;

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

export interface StreamingPlatformProps {
  readonly project: string;
  /** @default - looked up at plan time where a service agent needs it */
  readonly projectNumber?: string;
  readonly region: string;
  /** BigQuery and GCS location for data: the region or its multi-region (`EU`, `US`). */
  readonly dataLocation: string;
  /** Prefix of service account ids and other short names, for example `trb-dev`. */
  readonly namePrefix: string;
  /** Production: the production-only policy rules apply. */
  readonly production: boolean;
  /**
   * Stateful resources refuse destruction (buckets get `prevent_destroy`; tables and datasets get deletion
   * protection as they are added).
   * @default - same as `production`
   */
  readonly deletionProtection?: boolean;
  /** @default - Google-managed encryption */
  readonly encryptionKey?: string;
  /** Days uploaded batch files stay in the landing bucket. @default 30 */
  readonly landingRetentionDays?: number;
  /** @default - see ArchiveTiering */
  readonly archiveTiering?: ArchiveTiering;
  /** Days archived objects are locked against deletion (unlocked retention policy). @default - none */
  readonly archiveRetentionDays?: number;
  /** Days Dataflow staging and temp files are kept. @default 7 */
  readonly stagingObjectTtlDays?: number;
  /** Principals allowed to upload batch files into the landing bucket. @default - none */
  readonly landingUploaders?: readonly IPrincipal[];
  /** The CI deployer; it is allowed to attach (act as) every runtime identity. @default - none */
  readonly deployer?: IPrincipal;
  /** Event contracts; each becomes a stream. @default - no streams */
  readonly contracts?: readonly Contract[];
  /**
   * The released contracts. Synth refuses a change that would replace a protected raw table, and keeps the
   * tables of retired table versions. @default - no lock: every contract is treated as new
   */
  readonly contractLock?: ContractLock;
  /** How events reach the raw tables. @default - 'dataflow' in production, else 'bigquery-subscription' */
  readonly delivery?: StreamDelivery;
  /** Hours each topic keeps messages for replay. @default 24 */
  readonly topicRetentionHours?: number;
  /** Delivery attempts before a message is dead-lettered. @default 5 */
  readonly maxDeliveryAttempts?: number;
  /** Network, sizing and dead-letter retention of the stream jobs. Required with `dataflow` delivery. */
  readonly dataflow?: PlatformDataflowSettings;
  /** The ingest gateway in front of the streams. @default - no gateway */
  readonly ingest?: PlatformIngestSettings;
}

export type PlatformDatasets = Readonly<Record<DatasetLayer, AnalyticsDataset>>;

/** Runtime identities, one per workload, created here so that later components only add grants. */
export interface PlatformIdentities {
  /** The ingest gateway on Cloud Run. */
  readonly ingest: ServiceIdentity;
  /** Loads batch uploads from the landing bucket into BigQuery. */
  readonly loader: ServiceIdentity;
  /** Cloud Composer environment and its tasks. */
  readonly orchestrator: ServiceIdentity;
  /** Looker's BigQuery connection. */
  readonly bi: ServiceIdentity;
  /** Vertex AI training and batch prediction reading curated data. */
  readonly ml: ServiceIdentity;
}

export interface PlatformBuckets {
  /** Batch uploads (CSV/NDJSON) waiting to be loaded. */
  readonly landing: DataBucket;
  /** Every event, as written by the stream archive subscriptions; the lake. */
  readonly archive: DataBucket;
  /** Dataflow staging and temp files. */
  readonly dataflowStaging: DataBucket;
  /**
   * Content-addressed files runtimes read: Dataflow UDFs and template specs, the ingest gateway's manifest.
   * Versioned; workloads only read it.
   */
  readonly artifacts: DataBucket;
}

/**
 * The Tributary platform for one environment. This first layer holds the buckets and the identities every
 * later component uses; streams, pipelines and services attach to it.
 */
export class StreamingPlatform extends Construct {
  /** APIs the platform uses; the bootstrap stack enables them in each environment's project. */
  public static readonly REQUIRED_SERVICES: readonly string[] = [
    'artifactregistry.googleapis.com',
    'bigquery.googleapis.com',
    'bigquerystorage.googleapis.com',
    'cloudkms.googleapis.com',
    'cloudresourcemanager.googleapis.com',
    'composer.googleapis.com',
    'compute.googleapis.com',
    'dataflow.googleapis.com',
    'iam.googleapis.com',
    'iamcredentials.googleapis.com',
    'logging.googleapis.com',
    'monitoring.googleapis.com',
    'pubsub.googleapis.com',
    'run.googleapis.com',
    'secretmanager.googleapis.com',
    'serviceusage.googleapis.com',
    'storage.googleapis.com',
    'sts.googleapis.com',
  ];

  public readonly project: GcpProject;
  public readonly identities: PlatformIdentities;
  public readonly buckets: PlatformBuckets;
  public readonly datasets: PlatformDatasets;
  /** One stream per contract, by contract name. */
  public readonly streams: Readonly<Record<string, EventStream>>;
  /** The ingest gateway, when `ingest` is set. */
  public readonly gateway?: IngestGateway;

  /**
   * `<region>-docker.pkg.dev/<project>/tributary`, where the runtime images of an environment live. The
   * repository itself is created before any environment deploys (stacks/bootstrap-stack.ts), because images are
   * pushed to it before the services that run them.
   */
  public static registryPath(region: string, project: string): string {
    return dockerRegistryPath(region, project, RUNTIME_REPOSITORY_ID);
  }

  constructor(scope: Construct, id: string, props: StreamingPlatformProps) {
    super(scope, id);
    validate(this, props);
    this.project = new GcpProject(this, 'Project', { projectId: props.project });

    const identity = (cid: string, name: string, description: string) =>
      new ServiceIdentity(this, cid, { name, prefix: props.namePrefix, project: props.project, description });
    this.identities = {
      ingest: identity(
        'IngestIdentity',
        'ingest',
        'Ingest gateway: validates events and publishes them to Pub/Sub',
      ),
      loader: identity(
        'LoaderIdentity',
        'loader',
        'Batch loader: loads landing-bucket uploads into BigQuery',
      ),
      orchestrator: identity(
        'OrchestratorIdentity',
        'orchestrator',
        'Cloud Composer: rebuilds and backfills',
      ),
      bi: identity('BiIdentity', 'looker', "Looker's BigQuery connection: reads curated data"),
      ml: identity('MlIdentity', 'vertex', 'Vertex AI: reads curated data for training and prediction'),
    };

    const deletionProtection = props.deletionProtection ?? props.production;
    const bucket = (cid: string, name: string, extra: Partial<ConstructorParameters<typeof DataBucket>[2]>) =>
      new DataBucket(this, cid, {
        bucketName: deterministicName([props.project, name], 63),
        location: props.dataLocation,
        project: props.project,
        projectNumber: props.projectNumber,
        encryptionKey: props.encryptionKey,
        preventDestroy: deletionProtection,
        ...extra,
      });
    const tiering = {
      nearlineAfterDays: 30,
      coldlineAfterDays: 90,
      archiveAfterDays: 365,
      ...props.archiveTiering,
    };
    this.buckets = {
      landing: bucket('LandingBucket', 'landing', {
        lifecycleRules: [
          { action: 'Delete', ageDays: props.landingRetentionDays ?? 30 },
          { action: 'AbortIncompleteUpload', ageDays: 1 },
        ],
      }),
      archive: bucket('ArchiveBucket', 'archive', {
        retention: props.archiveRetentionDays ? { periodDays: props.archiveRetentionDays } : undefined,
        lifecycleRules: archiveRules(tiering),
      }),
      dataflowStaging: bucket('DataflowStagingBucket', 'dataflow-staging', {
        // Temp files are rewritten constantly; soft-deleted copies would only add cost.
        softDeleteRetentionDays: 0,
        preventDestroy: false,
        lifecycleRules: [{ action: 'Delete', ageDays: props.stagingObjectTtlDays ?? 7 }],
      }),
      // Apart from staging: its age-based delete would remove a UDF a running job still reloads, and
      // workers that may overwrite temp files must not be able to rewrite the code or config they run.
      artifacts: bucket('ArtifactsBucket', 'artifacts', {
        versioned: true,
        preventDestroy: false,
        lifecycleRules: [{ action: 'DeleteNoncurrent', noncurrentDays: 30, keepVersions: 3 }],
      }),
    };

    const dataset = (layer: DatasetLayer) =>
      new AnalyticsDataset(this, `${layer[0]?.toUpperCase()}${layer.slice(1)}Dataset`, {
        datasetId: `${props.namePrefix.replace(/-/g, '_')}_${layer}`,
        layer,
        location: props.dataLocation,
        project: props.project,
        projectNumber: props.projectNumber,
        deletionProtection,
        encryptionKey: props.encryptionKey,
      });
    this.datasets = { raw: dataset('raw'), staging: dataset('staging'), curated: dataset('curated') };

    const plans = planContracts(props.contracts ?? [], props.contractLock, {
      subject: this.node.path,
      deletionProtection,
      kmsKeyName: props.encryptionKey,
    });
    const streamScope = new Construct(this, 'Streams');
    const streams: Record<string, EventStream> = {};
    const delivery = deliveryOf(props);
    const dataflow: StreamDataflowOptions | undefined = props.dataflow && {
      ...props.dataflow,
      stagingBucket: this.buckets.dataflowStaging,
      artifactsBucket: this.buckets.artifacts,
    };
    for (const plan of plans) {
      streams[plan.contract.name] = new EventStream(streamScope, plan.contract.name, {
        contract: plan.contract,
        retired: plan.retired,
        namePrefix: props.namePrefix,
        project: props.project,
        projectNumber: props.projectNumber,
        region: props.region,
        rawDataset: this.datasets.raw,
        archiveBucket: this.buckets.archive,
        delivery,
        dataflow,
        deletionProtection,
        topicRetentionHours: props.topicRetentionHours,
        maxDeliveryAttempts: props.maxDeliveryAttempts,
        encryptionKey: props.encryptionKey,
        publishers: [this.identities.ingest],
      });
    }
    this.streams = streams;

    if (props.ingest)
      this.gateway = platformGateway(this, {
        settings: props.ingest,
        streams,
        project: props.project,
        region: props.region,
        serviceName: `${props.namePrefix}-ingest`,
        identity: this.identities.ingest,
        artifactsBucket: this.buckets.artifacts,
        deletionProtection,
      });

    const { ingest, loader, orchestrator, bi, ml } = this.identities;
    const { raw, staging, curated } = this.datasets;
    raw.grantDataEditor(loader);
    raw.grantDataViewer(orchestrator);
    staging.grantDataEditor(orchestrator);
    curated.grantDataEditor(orchestrator);
    curated.grantDataViewer(bi);
    curated.grantDataViewer(ml);
    for (const role of [
      'roles/logging.logWriter',
      'roles/monitoring.metricWriter',
      'roles/cloudtrace.agent',
    ]) {
      this.project.grant(ingest, role);
    }
    this.buckets.landing.grantRead(loader);
    this.project.grant(loader, 'roles/bigquery.jobUser');
    this.project.grant(loader, 'roles/logging.logWriter');
    this.project.grant(orchestrator, 'roles/composer.worker');
    this.project.grant(bi, 'roles/bigquery.jobUser');
    this.project.grant(ml, 'roles/bigquery.jobUser');
    this.project.grant(ml, 'roles/bigquery.readSessionUser');
    for (const uploader of props.landingUploaders ?? []) this.buckets.landing.grantCreate(uploader);
    if (props.deployer) {
      for (const workload of Object.values(this.identities)) workload.grantActAs(props.deployer);
      // Launching a job as its worker identity needs actAs on it; the job waits for that grant.
      for (const stream of Object.values(streams)) {
        const job = stream.pipeline?.job;
        if (job) job.launchAfter(job.identity.grantActAs(props.deployer));
      }
    }
  }
}

/** How streams reach their raw tables: as configured, else Dataflow in production and BigQuery subscriptions elsewhere. */
function deliveryOf(props: StreamingPlatformProps): StreamDelivery {
  return props.delivery ?? (props.production ? 'dataflow' : 'bigquery-subscription');
}

function archiveRules(
  t: Required<Omit<ArchiveTiering, 'deleteAfterDays'>> & ArchiveTiering,
): BucketLifecycleRule[] {
  const rules: BucketLifecycleRule[] = [
    { action: 'SetStorageClass', storageClass: 'NEARLINE', ageDays: t.nearlineAfterDays },
    { action: 'SetStorageClass', storageClass: 'COLDLINE', ageDays: t.coldlineAfterDays },
    { action: 'SetStorageClass', storageClass: 'ARCHIVE', ageDays: t.archiveAfterDays },
  ];
  if (t.deleteAfterDays !== undefined) rules.push({ action: 'Delete', ageDays: t.deleteAfterDays });
  return rules;
}

function validate(scope: Construct, props: StreamingPlatformProps): void {
  const checks = constructChecks(scope);
  if (deliveryOf(props) === 'dataflow' && (props.contracts ?? []).length > 0)
    checks.require(
      'dataflow',
      props.dataflow,
      'is required with dataflow delivery (network, sizing, dead-letter retention)',
    );
  checks.rule(
    'namePrefix',
    props.namePrefix,
    'must be 2-12 characters of lowercase letters, digits and hyphens, starting with a letter',
    (p) => /^[a-z][a-z0-9-]{1,11}$/.test(p),
  );
  checks.rule(
    'landingRetentionDays',
    props.landingRetentionDays,
    'must be a whole number of days >= 1',
    (d) => Number.isInteger(d) && d >= 1,
  );
  checks.rule(
    'stagingObjectTtlDays',
    props.stagingObjectTtlDays,
    'must be a whole number of days >= 1',
    (d) => Number.isInteger(d) && d >= 1,
  );
  checks.throwIfAny();
}
