import { GoogleDataflowFlexTemplateJob } from '@cdktf/provider-google-beta/lib/google-dataflow-flex-template-job';
import type { GoogleBetaProvider } from '@cdktf/provider-google-beta/lib/provider';
import type { ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';
import {
  checkLabels,
  checkRegionalKey,
  checkSubnetwork,
  DATAFLOW_JOB_NAME,
  MACHINE_TYPE,
  MAX_WORKERS,
  NETWORK,
  REGION,
} from '../../core/gcp';
import { labelSafe } from '../bigquery/contract-table';
import { addDependencies } from '../core/dependencies';
import { projectOf } from '../core/project';
import { googleBetaProviderOf } from '../core/providers';
import { checkProject, constructChecks, isUnresolved } from '../core/validation';
import { useKey } from '../iam/cmek';
import type { Grant } from '../iam/grants';
import { GcpProject } from '../iam/project';
import { ServiceIdentity } from '../iam/service-identity';
import type { IDataBucket } from '../storage/data-bucket';
import {
  type FlexTemplateDefinition,
  type ParameterValue,
  type ParameterValues,
  parameterMap,
  type TemplateParameter,
  templateParameterProblems,
} from './template-parameters';

/**
 * Arguments of `google_dataflow_flex_template_job` that replace the job when they change (ForceNew in the
 * google-beta provider's schema): the old job is drained (`on_delete`) and a new one launched. Every other
 * argument, `parameters` included, updates a streaming job in place (a relaunch with `update: true`). Batch
 * jobs are replaced on any change. The construct derives all of these from stable inputs: the name from the
 * environment prefix and stream, region and project from the environment, max workers from the environment,
 * streaming engine always on, num_workers never set.
 */
export const FLEX_JOB_REPLACING_ARGUMENTS = [
  'name',
  'region',
  'project',
  'num_workers',
  'max_workers',
  'enable_streaming_engine',
] as const;

/** Where and as whom a job runs, and how big it may grow: shared by every construct that launches one. */
export interface FlexJobPlacement {
  readonly region: string;
  /** @default - the project of the stack's default google provider */
  readonly project?: string;
  /** Needed for the CMEK grants to the Dataflow and Compute Engine service agents. @default - looked up */
  readonly projectNumber?: string;
  /** VPC network of the workers (name or URL). */
  readonly network: string;
  /** `regions/<region>/subnetworks/<name>` in the job's region; workers get private IPs only. */
  readonly subnetwork: string;
  readonly machineType: string;
  /** 1-1000. Changing it replaces the job (see FLEX_JOB_REPLACING_ARGUMENTS). */
  readonly maxWorkers: number;
  /** Temp and staging files go to `<bucket>/temp/<job>` and `<bucket>/staging/<job>`. */
  readonly stagingBucket: IDataBucket;
  /**
   * The worker identity's logical name and prefix.
   * @default - name `df-<jobName>`, no prefix (shortened deterministically to 30 characters)
   */
  readonly workerIdentity?: { readonly name: string; readonly prefix?: string };
  /** Regional key for job state. @default - Google-managed encryption */
  readonly encryptionKey?: string;
  /** Labels in addition to the provider defaults and `dataflow-template`. @default - none */
  readonly labels?: Readonly<Record<string, string>>;
  /** @default - the stack's google-beta provider */
  readonly provider?: GoogleBetaProvider;
}

export interface FlexTemplateJobProps<P extends readonly TemplateParameter[]> extends FlexJobPlacement {
  /** Job name; part of the job's identity, so changing it replaces the job. */
  readonly jobName: string;
  readonly template: FlexTemplateDefinition<P>;
  /** `gs://` path of the template spec file (Google's, or a CustomFlexTemplate's). */
  readonly containerSpecGcsPath: string;
  /** The template's parameters, typed by its definition; checked at synth. */
  readonly parameters: ParameterValues<P>;
  /** Buckets the workers read from (UDFs, template specs). @default - none */
  readonly readBuckets?: readonly IDataBucket[];
  /** Machine type of the launcher VM. @default - Dataflow's default (n1-standard-1) */
  readonly launcherMachineType?: string;
}

/**
 * A Dataflow Flex Template job (google-beta) that runs as its own worker identity with the least it needs:
 * `roles/dataflow.worker` (project-only), object admin on the staging bucket, read on `readBuckets`; callers
 * add resource-scoped grants for inputs and outputs and pass them to `launchAfter`. Workers have private IPs
 * only, on the environment's subnetwork; streaming jobs use Streaming Engine and drain on delete.
 */
export class FlexTemplateJob<P extends readonly TemplateParameter[]> extends Construct {
  public readonly resource: GoogleDataflowFlexTemplateJob;
  public readonly identity: ServiceIdentity;
  public readonly jobName: string;
  /** Grants the job's own setup made; the job launches after them. */
  public readonly grants: readonly Grant[];

  constructor(scope: Construct, id: string, props: FlexTemplateJobProps<P>) {
    super(scope, id);
    const project = projectOf(this, props.project);
    const values = props.parameters as Readonly<Record<string, ParameterValue | undefined>>;
    validate(this, props, project, values);

    this.identity = new ServiceIdentity(this, 'WorkerIdentity', {
      name: props.workerIdentity?.name ?? `df-${props.jobName}`,
      prefix: props.workerIdentity?.prefix,
      project,
      description: `Dataflow workers of ${props.jobName} (${props.template.name})`,
    });
    const gcpProject = GcpProject.of(this, project as string);
    const grants: Grant[] = [
      gcpProject.grant(this.identity, 'roles/dataflow.worker'),
      props.stagingBucket.grantObjectAdmin(this.identity),
      ...(props.readBuckets ?? []).map((b) => b.grantRead(this.identity)),
    ];
    this.grants = grants;

    const streaming = props.template.streaming;
    this.resource = new GoogleDataflowFlexTemplateJob(this, 'Resource', {
      provider: googleBetaProviderOf(this, props.provider),
      name: props.jobName,
      containerSpecGcsPath: props.containerSpecGcsPath,
      project,
      region: props.region,
      parameters: parameterMap(props.template, values),
      serviceAccountEmail: this.identity.email,
      network: props.network,
      subnetwork: props.subnetwork,
      ipConfiguration: 'WORKER_IP_PRIVATE',
      enableStreamingEngine: streaming ? true : undefined,
      machineType: props.machineType,
      maxWorkers: props.maxWorkers,
      launcherMachineType: props.launcherMachineType,
      tempLocation: `${props.stagingBucket.url}/temp/${props.jobName}`,
      stagingLocation: `${props.stagingBucket.url}/staging/${props.jobName}`,
      kmsKeyName: props.encryptionKey,
      labels: { ...props.labels, 'dataflow-template': labelSafe(props.template.name) },
      onDelete: streaming ? 'drain' : 'cancel',
      dependsOn: grants.map((g) => g.member),
    });
    // The Dataflow and Compute Engine agents use the key; the job launches after their grants.
    if (props.encryptionKey)
      useKey(this, this.resource, props.encryptionKey, 'dataflow', {
        project: project as string,
        ...(props.projectNumber ? { projectNumber: props.projectNumber } : {}),
      });
    this.jobName = props.jobName;
  }

  /**
   * The job launches only after these exist (typically grants on its inputs and outputs): a launch whose
   * workers cannot read or write fails, and a streaming job would keep retrying.
   */
  public launchAfter(...dependencies: (Grant | ITerraformDependable)[]): void {
    addDependencies(this.resource, ...dependencies.map((d) => ('member' in d ? d.member : d)));
  }
}

function validate<P extends readonly TemplateParameter[]>(
  scope: Construct,
  props: FlexTemplateJobProps<P>,
  project: string | undefined,
  values: Readonly<Record<string, ParameterValue | undefined>>,
): void {
  const c = constructChecks(scope);
  c.rule('jobName', props.jobName, DATAFLOW_JOB_NAME.text, DATAFLOW_JOB_NAME.test);
  checkProject(c, project);
  c.check('region', props.region, REGION);
  c.rule(
    'containerSpecGcsPath',
    props.containerSpecGcsPath,
    'must be a gs:// URL of a template spec file',
    (p) => /^gs:\/\/[a-z0-9][a-z0-9._-]+[a-z0-9]\/.+[^/]$/.test(p),
  );
  c.require('network', props.network).check('network', props.network, NETWORK);
  checkSubnetwork(c, 'subnetwork', props.subnetwork, props.region);
  c.rule('machineType', props.machineType, MACHINE_TYPE.text, MACHINE_TYPE.test);
  c.rule('launcherMachineType', props.launcherMachineType, MACHINE_TYPE.text, MACHINE_TYPE.test);
  c.check('maxWorkers', props.maxWorkers, MAX_WORKERS);
  checkRegionalKey(
    c,
    'encryptionKey',
    props.encryptionKey,
    props.region,
    `key location must be the job's region ${props.region}`,
  );
  checkLabels(c, props.labels);
  for (const p of templateParameterProblems(props.template, values, isUnresolved))
    c.fail(p.field, p.value, p.rule);
  c.throwIfAny();
}
