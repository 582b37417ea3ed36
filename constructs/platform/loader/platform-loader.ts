import { Construct } from 'constructs';
import {
  LOADER_PREFIXES,
  type LoaderManifest,
  loaderHeapMiB,
  maxRowBytesForHeap,
  serializeLoaderManifest,
  validateLoaderManifest,
} from '../../../contracts/loader';
import { CPU, MEMORY, memoryMiB } from '../../../core/gcp';
import type { Checks } from '../../../core/validation';
import { connect, describeGroup, describeNode } from '../../core/architecture';
import { childChecks } from '../../core/validation';
import { ObjectFinalizedTrigger } from '../../eventarc/object-finalized-trigger';
import { ServiceAgent } from '../../iam/principal';
import type { IServiceIdentity } from '../../iam/service-identity';
import { LogMetric } from '../../logging/log-metric';
import { CloudRunJob } from '../../run/cloud-run-job';
import { HashedObject } from '../../storage/hashed-object';
import { Workflow } from '../../workflows/workflow';
import type { DeployerRole, IPlatformFoundation } from '../foundation/foundation';
import { keyProp } from '../foundation/key-map';
import type { IEventStreams } from '../streams/event-streams';
import { loaderWorkflowSource } from './loader-workflow';

/** The `loader` section of an environment file. */
export interface LoaderSettings {
  /** A file whose rejected rows exceed this share of its rows is refused whole. @default 0.01 */
  readonly maxRejectShare?: number;
  /** Longest row (CSV record or NDJSON line) in bytes; memory is bounded by it. @default 10485760 (10 MiB) */
  readonly maxRowBytes?: number;
  /** @default '1' */
  readonly cpu?: string;
  /** @default '512Mi' */
  readonly memory?: string;
  /** Longest run of one task attempt. @default 3600 */
  readonly taskTimeoutSeconds?: number;
  /** Retries of a failed run (a service error or a failed load job); each resumes safely. @default 3 */
  readonly maxRetries?: number;
}

export interface PlatformLoaderProps extends LoaderSettings {
  readonly foundation: IPlatformFoundation;
  /** The streams whose raw tables the loader appends to; uploads go under `<stream>/`. */
  readonly streams: IEventStreams;
  /** The loader's container image (see constructs/run/image.ts). */
  readonly image: string;
}

const DEFAULT_MEMORY = '512Mi';
const DEFAULT_MAX_ROW_BYTES = 10 * 1024 * 1024;

export function checkLoaderSettings(c: Checks, s: LoaderSettings, prefix = ''): void {
  c.rule(
    `${prefix}maxRejectShare`,
    s.maxRejectShare,
    'must be a number from 0 to 1 (the share of rows that may be rejected)',
    (v) => v >= 0 && v <= 1,
  );
  c.rule(
    `${prefix}maxRowBytes`,
    s.maxRowBytes,
    'must be a whole number of bytes from 1024 to 104857600 (BigQuery’s JSON row limit)',
    (v) => Number.isInteger(v) && v >= 1024 && v <= 100 * 1024 * 1024,
  );
  c.check(`${prefix}cpu`, s.cpu, CPU);
  c.check(`${prefix}memory`, s.memory, MEMORY);
  c.rule(
    `${prefix}taskTimeoutSeconds`,
    s.taskTimeoutSeconds,
    'must be a whole number of seconds from 60 to 86400',
    (v) => Number.isInteger(v) && v >= 60 && v <= 86_400,
  );
  const memory = s.memory ?? DEFAULT_MEMORY;
  if (MEMORY.test(memory)) {
    const limit = maxRowBytesForHeap(loaderHeapMiB(memoryMiB(memory)));
    c.rule(
      `${prefix}maxRowBytes`,
      s.maxRowBytes ?? DEFAULT_MAX_ROW_BYTES,
      `must be at most ${limit} bytes with memory ${memory} (the loader's heap is a quarter of its memory; raise memory for longer rows)`,
      (v) => v <= limit,
    );
  }
  c.rule(
    `${prefix}maxRetries`,
    s.maxRetries,
    'must be a whole number from 0 to 10',
    (v) => Number.isInteger(v) && v >= 0 && v <= 10,
  );
}

/**
 * The batch path: files uploaded under `<stream>/` in the landing bucket are validated against the stream's
 * contract and appended to its raw table by the loader job (runtime/loader), started for each object by
 * Eventarc through a workflow. Three identities, each with only what it does:
 * - the loader reads uploads and its manifest, writes under staging/, quarantine/ and results/ (IAM conditions
 *   on object-name prefixes), appends to the streams' current raw tables, and runs BigQuery load jobs;
 * - the workflow may only start the job with overrides;
 * - the trigger may only receive events and start workflows.
 * Rows per file (read, accepted, rejected, loaded) and files per outcome become log-based metrics.
 */
export class PlatformLoader extends Construct {
  public static readonly REQUIRED_SERVICES: readonly string[] = [
    'eventarc.googleapis.com',
    'eventarcpublishing.googleapis.com',
    'logging.googleapis.com',
    'pubsub.googleapis.com',
    'run.googleapis.com',
    'workflowexecutions.googleapis.com',
    'workflows.googleapis.com',
  ];
  public static readonly DEPLOYER_ROLES: readonly DeployerRole[] = [
    { role: 'roles/run.admin', why: 'deploys the loader job and sets its executor IAM' },
    { role: 'roles/workflows.admin', why: 'deploys the workflow that starts the loader' },
    { role: 'roles/eventarc.admin', why: 'creates the landing-bucket trigger' },
    { role: 'roles/logging.configWriter', why: 'creates the loader’s log-based metrics' },
  ];
  public static readonly PLANNER_ROLES: readonly DeployerRole[] = [
    { role: 'roles/run.viewer', why: 'reads the loader job' },
    { role: 'roles/workflows.viewer', why: 'reads the loader workflow' },
    { role: 'roles/eventarc.viewer', why: 'reads the landing-bucket trigger' },
    { role: 'roles/logging.viewer', why: 'reads the log-based metrics' },
  ];

  public readonly identity: IServiceIdentity;
  public readonly manifest: LoaderManifest;
  public readonly manifestObject: HashedObject;
  public readonly job: CloudRunJob;
  public readonly workflow: Workflow;
  public readonly trigger: ObjectFinalizedTrigger;
  public readonly metrics: Readonly<
    Record<'files' | 'rowsAccepted' | 'rowsRejected' | 'rowsLoaded', LogMetric>
  >;

  constructor(scope: Construct, id: string, props: PlatformLoaderProps) {
    const c = childChecks(scope, id, 'PlatformLoader');
    checkLoaderSettings(c, props);
    c.throwIfAny();
    super(scope, id);
    const f = props.foundation;
    const all = Object.values(props.streams.streams);
    const streams = all.flatMap((s) => (s.table ? [{ contract: s.contract, table: s.table }] : []));
    const missing = all.filter((s) => !s.table).map((s) => s.contract.name);
    if (missing.length > 0 || streams.length === 0) {
      const c2 = childChecks(scope, id, 'PlatformLoader');
      c2.fail(
        'streams',
        missing,
        'must each have a raw table the streams created (the loader appends to it)',
      );
      c2.throwIfAny();
    }
    const landing = f.buckets.landing;
    this.manifest = validateLoaderManifest(
      {
        manifestVersion: 1,
        project: f.projectId,
        location: f.dataLocation,
        bucket: landing.bucketName,
        maxRejectShare: props.maxRejectShare ?? 0.01,
        maxRowBytes: props.maxRowBytes ?? DEFAULT_MAX_ROW_BYTES,
        streams: streams.map((s) => ({
          name: s.contract.name,
          table: `${f.projectId}.${f.datasets.raw.datasetId}.${s.table.tableId}`,
          contract: s.contract,
        })),
      },
      `${this.node.path} (PlatformLoader): loader manifest`,
    );
    this.manifestObject = new HashedObject(this, 'Manifest', {
      bucket: f.buckets.artifacts,
      folder: 'loader',
      baseName: 'manifest',
      extension: 'json',
      content: serializeLoaderManifest(this.manifest),
      contentType: 'application/json',
      role: 'loader-manifest',
    });

    const identity = f.workloadIdentity(
      'loader',
      'Batch loader: validates uploaded files and loads them into raw',
    );
    this.identity = identity;
    const uploads = streams.map((s) => `${s.contract.name}/`);
    const own = (p: string) => `${p}/`;
    const grants = [
      // Staged rows are read by the load job as the loader; results are read to skip finished objects.
      landing.grantOnPrefixes(
        identity,
        'roles/storage.objectViewer',
        [...uploads, own(LOADER_PREFIXES.staging), own(LOADER_PREFIXES.results)],
        'tributary-loader-read',
      ),
      landing.grantOnPrefixes(
        identity,
        'roles/storage.objectCreator',
        [own(LOADER_PREFIXES.staging), own(LOADER_PREFIXES.quarantine), own(LOADER_PREFIXES.results)],
        'tributary-loader-write',
      ),
      f.buckets.artifacts.grantOnPrefixes(
        identity,
        'roles/storage.objectViewer',
        ['loader/'],
        'tributary-loader-manifest',
      ),
      ...streams.map((s) => s.table.grantDataEditor(identity)),
      f.project.grant(identity, 'roles/bigquery.jobUser'),
      f.project.grant(identity, 'roles/logging.logWriter'),
    ];
    this.job = new CloudRunJob(this, 'Job', {
      jobName: `${f.namePrefix}-loader`,
      region: f.region,
      project: f.projectId,
      identity,
      image: props.image,
      env: {
        TRIBUTARY_LOADER_MANIFEST: this.manifestObject.url,
        // Replaces the image's NODE_OPTIONS: the heap cap keeps memory bounded for any file (see loaderHeapMiB).
        NODE_OPTIONS: `--enable-source-maps --max-old-space-size=${loaderHeapMiB(memoryMiB(props.memory ?? DEFAULT_MEMORY))}`,
      },
      cpu: props.cpu ?? '1',
      memory: props.memory ?? DEFAULT_MEMORY,
      taskTimeoutSeconds: props.taskTimeoutSeconds ?? 3600,
      maxRetries: props.maxRetries ?? 3,
      deletionProtection: f.deletionProtection,
      ...keyProp(f.keyFor('run', f.region)),
    });
    // A first run must find its manifest and its grants.
    this.job.deployAfter(this.manifestObject.resource, ...grants.map((g) => g.member));

    const workflowIdentity = f.workloadIdentity(
      'loader-workflow',
      'Starts the batch loader job for each upload',
    );
    const runGrant = this.job.grantRunWithOverrides(workflowIdentity);
    const wfLog = f.project.grant(workflowIdentity, 'roles/logging.logWriter');
    this.workflow = new Workflow(this, 'Workflow', {
      workflowName: `${f.namePrefix}-loader`,
      region: f.region,
      project: f.projectId,
      identity: workflowIdentity,
      description:
        'Starts the batch loader job for each file uploaded under a stream prefix of the landing bucket.',
      source: loaderWorkflowSource({
        streams: streams.map((s) => s.contract.name),
        jobPath: this.job.jobPath,
      }),
      deletionProtection: f.deletionProtection,
      ...keyProp(f.keyFor('workflows', f.region)),
    });

    const triggerIdentity = f.workloadIdentity(
      'loader-trigger',
      'Delivers landing-bucket events to the loader workflow',
    );
    const receive = f.project.grant(triggerIdentity, 'roles/eventarc.eventReceiver');
    const invoke = f.project.grantProjectWide(
      triggerIdentity,
      'roles/workflows.invoker',
      'The google provider (6.50) has no per-workflow IAM resource (hashicorp/terraform-provider-google#13125), so invoking the loader workflow is granted on the project.',
    );
    const gcsAgent = ServiceAgent.of(this, 'storage', {
      project: f.projectId,
      ...(f.projectNumber ? { projectNumber: f.projectNumber } : {}),
    });
    const publish = f.project.grantProjectWide(
      gcsAgent,
      'roles/pubsub.publisher',
      'Cloud Storage publishes object events to the topic Eventarc creates and manages for the trigger; that topic is not known to Terraform, so the grant cannot name it.',
    );
    this.trigger = new ObjectFinalizedTrigger(this, 'Trigger', {
      triggerName: `${f.namePrefix}-loader-uploads`,
      location: f.dataLocation.toLowerCase(),
      project: f.projectId,
      bucket: landing,
      workflow: this.workflow,
      identity: triggerIdentity,
    });
    this.trigger.deployAfter(receive.member, invoke.member, publish.member, runGrant.member, wfLog.member);

    const filter = `resource.type="cloud_run_job" AND resource.labels.job_name="${this.job.jobName}" AND jsonPayload.outcome:*`;
    const rows = (field: string, what: string) =>
      new LogMetric(this, `Metric-${field}`, {
        metricName: `tributary/${f.namePrefix}/loader/${field.replace(/[A-Z]/g, (ch) => `_${ch.toLowerCase()}`)}`,
        project: f.projectId,
        description: `Batch loader: ${what} per file`,
        filter: `${filter} AND jsonPayload.${field}:*`,
        value: { kind: 'values', field: `jsonPayload.${field}`, unit: '1' },
        labels: { stream: 'jsonPayload.stream', outcome: 'jsonPayload.outcome' },
      });
    this.metrics = {
      files: new LogMetric(this, 'Metric-files', {
        metricName: `tributary/${f.namePrefix}/loader/files`,
        project: f.projectId,
        description: 'Batch loader: files done, by stream, outcome (loaded, empty, refused) and refusal kind',
        filter,
        value: { kind: 'count' },
        labels: {
          stream: 'jsonPayload.stream',
          outcome: 'jsonPayload.outcome',
          refusal: 'jsonPayload.refusal',
        },
      }),
      rowsAccepted: rows('rowsAccepted', 'rows accepted'),
      rowsRejected: rows('rowsRejected', 'rows rejected (quarantined)'),
      rowsLoaded: rows('rowsLoaded', 'rows loaded'),
    };

    describeGroup(this, 'batch loader');
    describeNode(this.job, { shape: 'job', label: `Cloud Run job ${this.job.jobName}` });
    describeNode(this.workflow, { shape: 'workflow', label: `workflow ${this.workflow.workflowName}` });
    describeNode(this.trigger, { shape: 'service', label: 'Eventarc: object finalized' });
    connect(landing, this.trigger, 'finalized');
    connect(this.trigger, this.workflow, 'starts');
    connect(this.workflow, this.job, 'runs with overrides');
    connect(landing, this.job, 'reads uploads');
    for (const s of streams) connect(this.job, s.table, 'load job');
  }
}
