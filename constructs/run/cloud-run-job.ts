import { CloudRunV2Job } from '@cdktf/provider-google/lib/cloud-run-v2-job';
import { CloudRunV2JobIamMember } from '@cdktf/provider-google/lib/cloud-run-v2-job-iam-member';
import type { ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';
import { CPU, checkLabels, MEMORY, REGION } from '../../core/gcp';
import { addDependencies } from '../core/dependencies';
import { projectOf } from '../core/project';
import { checkProject, constructChecks } from '../core/validation';
import { useKey } from '../iam/cmek';
import { type Grant, grantOn, type IGrantTarget } from '../iam/grants';
import type { IPrincipal } from '../iam/principal';
import type { IServiceIdentity } from '../iam/service-identity';
import { checkEnvNames, RUN_NAME } from './cloud-run-service';

export interface CloudRunJobProps {
  readonly jobName: string;
  readonly region: string;
  /** @default - the project of the stack's default google provider */
  readonly project?: string;
  /** The tasks' own identity; never the Compute Engine default account. */
  readonly identity: IServiceIdentity;
  readonly image: string;
  /** Environment of every task; an execution may add to it with overrides. @default - none */
  readonly env?: Readonly<Record<string, string>>;
  /** @default '1' */
  readonly cpu?: string;
  /** @default '512Mi' */
  readonly memory?: string;
  /** Longest run of one task attempt. @default 3600 */
  readonly taskTimeoutSeconds?: number;
  /** Retries of a failed task (exit code other than 0) in the same execution. @default 3 */
  readonly maxRetries?: number;
  /** Terraform refuses to delete the job. */
  readonly deletionProtection: boolean;
  /** @default - Google-managed encryption */
  readonly encryptionKey?: string;
  /** @default - none beyond the provider defaults */
  readonly labels?: Readonly<Record<string, string>>;
}

/** Cloud Run caps a task attempt at 168 hours; beyond 24 hours is preview, so this stays at 24. */
const MAX_TASK_TIMEOUT_S = 24 * 3600;

/**
 * A Cloud Run (v2) job: one task per execution, running as its own identity, with CPU, memory, a task timeout
 * and retries. Executions are started by whoever holds `run.jobs.run` on it (for example a workflow), optionally
 * with environment overrides for that execution only (`grantRunWithOverrides`).
 */
export class CloudRunJob extends Construct implements IGrantTarget {
  public readonly resource: CloudRunV2Job;
  public readonly jobName: string;
  public readonly region: string;
  public readonly project: string;
  /** `projects/<project>/locations/<region>/jobs/<name>`, what the Cloud Run Admin API names it. */
  public readonly jobPath: string;
  public readonly taskTimeoutSeconds: number;
  public readonly maxRetries: number;
  public readonly grantResourceType = 'google_cloud_run_v2_job';
  public readonly grantResourceLabel: string;

  constructor(scope: Construct, id: string, props: CloudRunJobProps) {
    super(scope, id);
    const project = projectOf(this, props.project);
    const c = constructChecks(this);
    c.check('jobName', props.jobName, RUN_NAME);
    c.check('region', props.region, REGION);
    checkProject(c, project);
    c.require('image', props.image);
    c.check('cpu', props.cpu, CPU);
    c.check('memory', props.memory, MEMORY);
    c.rule(
      'taskTimeoutSeconds',
      props.taskTimeoutSeconds,
      `must be a whole number of seconds from 1 to ${MAX_TASK_TIMEOUT_S}`,
      (t) => Number.isInteger(t) && t >= 1 && t <= MAX_TASK_TIMEOUT_S,
    );
    c.rule(
      'maxRetries',
      props.maxRetries,
      'must be a whole number from 0 to 10',
      (r) => Number.isInteger(r) && r >= 0 && r <= 10,
    );
    checkEnvNames(c, props.env, 'job');
    checkLabels(c, props.labels);
    c.throwIfAny();

    this.jobName = props.jobName;
    this.region = props.region;
    this.project = project as string;
    this.jobPath = `projects/${this.project}/locations/${props.region}/jobs/${props.jobName}`;
    this.taskTimeoutSeconds = props.taskTimeoutSeconds ?? 3600;
    this.maxRetries = props.maxRetries ?? 3;
    this.grantResourceLabel = `${props.region}/${props.jobName}`;
    this.resource = new CloudRunV2Job(this, 'Resource', {
      name: props.jobName,
      location: props.region,
      project,
      deletionProtection: props.deletionProtection,
      labels: props.labels ? { ...props.labels } : undefined,
      template: {
        taskCount: 1,
        labels: props.labels ? { ...props.labels } : undefined,
        template: {
          serviceAccount: props.identity.email,
          maxRetries: this.maxRetries,
          timeout: `${this.taskTimeoutSeconds}s`,
          executionEnvironment: 'EXECUTION_ENVIRONMENT_GEN2',
          encryptionKey: props.encryptionKey,
          containers: [
            {
              name: 'job',
              image: props.image,
              env: Object.entries(props.env ?? {})
                .sort(([a], [b]) => (a < b ? -1 : 1))
                .map(([name, value]) => ({ name, value })),
              resources: { limits: { cpu: props.cpu ?? '1', memory: props.memory ?? '512Mi' } },
            },
          ],
        },
      },
    });
    if (props.encryptionKey)
      useKey(this, this.resource, props.encryptionKey, 'run', {
        project: project as string,
      });
  }

  /** The job is created only after these exist (grants its tasks need from their first run). */
  public deployAfter(...dependencies: ITerraformDependable[]): void {
    addDependencies(this.resource, ...dependencies);
  }

  /**
   * Start executions with per-execution overrides (environment, arguments, timeout), and cancel them
   * (`roles/run.jobsExecutorWithOverrides` on this job only).
   */
  public grantRunWithOverrides(principal: IPrincipal): Grant {
    return this.grant(principal, 'roles/run.jobsExecutorWithOverrides');
  }

  public grant(principal: IPrincipal, role: string): Grant {
    return grantOn(
      this,
      principal,
      role,
      (gid, member) =>
        new CloudRunV2JobIamMember(this, gid, {
          project: this.project,
          location: this.region,
          name: this.resource.name,
          role,
          member,
        }),
    );
  }
}
