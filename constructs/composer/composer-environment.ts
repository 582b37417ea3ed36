import { ComposerEnvironment as ComposerEnvironmentResource } from '@cdktf/provider-google/lib/composer-environment';
import { Construct } from 'constructs';
import { checkLabels, REGION } from '../../core/gcp';
import { projectOf } from '../core/project';
import { checkProject, constructChecks } from '../core/validation';
import { useKey } from '../iam/cmek';
import { ServiceAgent } from '../iam/principal';
import type { IServiceIdentity } from '../iam/service-identity';
import type { IDataBucket } from '../storage/data-bucket';

export type ComposerSize = 'ENVIRONMENT_SIZE_SMALL' | 'ENVIRONMENT_SIZE_MEDIUM' | 'ENVIRONMENT_SIZE_LARGE';

/** One Airflow component's resources (Composer 3 workloads_config). */
export interface ComposerWorkload {
  readonly cpu: number;
  readonly memoryGb: number;
  readonly storageGb: number;
}

export interface ComposerWorkloads {
  readonly scheduler?: ComposerWorkload & { readonly count?: number };
  readonly webServer?: ComposerWorkload;
  readonly worker?: ComposerWorkload & { readonly minCount: number; readonly maxCount: number };
  readonly triggerer?: ComposerWorkload & { readonly count: number };
  readonly dagProcessor?: ComposerWorkload & { readonly count: number };
}

/** When Composer may apply its own maintenance: an RFC 5545 recurrence and a window of at least 4 hours a week. */
export interface MaintenanceWindow {
  /** RFC 3339, for example `2026-01-01T01:00:00Z`; the time of day is what counts. */
  readonly startTime: string;
  readonly endTime: string;
  /** For example `FREQ=WEEKLY;BYDAY=SA,SU`. */
  readonly recurrence: string;
}

export interface ComposerEnvironmentProps {
  readonly environmentName: string;
  readonly region: string;
  /** @default - the project of the stack's default google provider */
  readonly project?: string;
  /** The environment's service account (it runs the DAGs); it gets roles/composer.worker from the caller. */
  readonly identity: IServiceIdentity;
  /** The bucket the environment keeps its DAGs (under `dags/`), data and logs in. */
  readonly bucket: IDataBucket;
  /** A Composer 3 image: an alias (`composer-3-airflow-2`) or a pinned build. @default 'composer-3-airflow-2' */
  readonly imageVersion?: string;
  /** @default 'ENVIRONMENT_SIZE_SMALL' */
  readonly size?: ComposerSize;
  /** @default - Composer's defaults for the size */
  readonly workloads?: ComposerWorkloads;
  /** @default - Composer picks the windows */
  readonly maintenanceWindow?: MaintenanceWindow;
  /** The network the environment attaches to. @default - Composer's own */
  readonly network?: { readonly network: string; readonly subnetwork: string };
  /**
   * CIDR ranges that may reach the Airflow UI (Google sign-in still applies).
   * @default - none: the UI is reachable from no address until ranges are listed
   */
  readonly webServerAllowedRanges?: readonly string[];
  /** Terraform refuses to destroy the environment (the provider has no deletion protection for it). */
  readonly preventDestroy: boolean;
  /** @default - Google-managed encryption */
  readonly encryptionKey?: string;
  /** @default - none beyond the provider defaults */
  readonly labels?: Readonly<Record<string, string>>;
  /** Environment variables of every Airflow component (values may be tokens). @default - none */
  readonly envVariables?: Readonly<Record<string, string>>;
  /** Needed for the Composer service agent's grant. @default - looked up at plan time */
  readonly projectNumber?: string;
}

const NAME = /^[a-z]([-a-z0-9]{0,62}[a-z0-9])?$/;
const IMAGE = /^composer-3-airflow-\d+(\.\d+\.\d+(-build\.\d+)?)?$/;
const CIDR = /^(\d{1,3}\.){3}\d{1,3}\/\d{1,2}$|^[0-9a-fA-F:]+\/\d{1,3}$/;
const SIZES: readonly ComposerSize[] = [
  'ENVIRONMENT_SIZE_SMALL',
  'ENVIRONMENT_SIZE_MEDIUM',
  'ENVIRONMENT_SIZE_LARGE',
];

/**
 * A private Cloud Composer 3 environment: its own service account, a bucket the platform owns (so the DAG objects
 * are named at synth), the Airflow UI closed unless ranges are listed, CMEK when configured, and the grant
 * Composer 3 documents for its service agent (roles/composer.ServiceAgentV2Ext on the environment's account
 * only, not the project).
 */
export class ComposerEnvironment extends Construct {
  public readonly resource: ComposerEnvironmentResource;
  public readonly environmentName: string;
  /** `gs://<bucket>/dags`, where Airflow reads DAG files. */
  public readonly dagFolder: string;

  constructor(scope: Construct, id: string, props: ComposerEnvironmentProps) {
    super(scope, id);
    const project = projectOf(this, props.project);
    const c = constructChecks(this);
    c.rule(
      'environmentName',
      props.environmentName,
      'must be 1-64 lowercase letters, digits and hyphens, starting with a letter',
      (n) => NAME.test(n),
    );
    c.check('region', props.region, REGION);
    checkProject(c, project);
    c.rule(
      'imageVersion',
      props.imageVersion,
      'must be a Composer 3 image: composer-3-airflow-2 or composer-3-airflow-<x.y.z>[-build.<n>]',
      (v) => IMAGE.test(v),
    );
    c.rule('size', props.size, `must be one of ${SIZES.join(', ')}`, (s) => SIZES.includes(s));
    for (const [i, r] of (props.webServerAllowedRanges ?? []).entries())
      c.rule(`webServerAllowedRanges[${i}]`, r, 'must be a CIDR range such as 10.0.0.0/8', (v) =>
        CIDR.test(v),
      );
    const w = props.workloads?.worker;
    if (w)
      c.rule(
        'workloads.worker',
        w,
        'must have 1 <= minCount <= maxCount <= 100',
        (x) =>
          Number.isInteger(x.minCount) &&
          Number.isInteger(x.maxCount) &&
          x.minCount >= 1 &&
          x.minCount <= x.maxCount &&
          x.maxCount <= 100,
      );
    checkLabels(c, props.labels);
    c.throwIfAny();

    this.environmentName = props.environmentName;
    this.dagFolder = `${props.bucket.url}/dags`;
    const agent = ServiceAgent.of(this, 'composer', {
      ...(project ? { project } : {}),
      ...(props.projectNumber ? { projectNumber: props.projectNumber } : {}),
    });
    const agentGrant = props.identity.grant(agent, 'roles/composer.ServiceAgentV2Ext');
    const workload = (x: ComposerWorkload) => ({ cpu: x.cpu, memoryGb: x.memoryGb, storageGb: x.storageGb });
    const wl = props.workloads;
    this.resource = new ComposerEnvironmentResource(this, 'Resource', {
      name: props.environmentName,
      region: props.region,
      project,
      labels: props.labels ? { ...props.labels } : undefined,
      storageConfig: { bucket: props.bucket.bucketRef },
      config: {
        environmentSize: props.size ?? 'ENVIRONMENT_SIZE_SMALL',
        enablePrivateEnvironment: true,
        softwareConfig: {
          imageVersion: props.imageVersion ?? 'composer-3-airflow-2',
          ...(props.envVariables ? { envVariables: { ...props.envVariables } } : {}),
        },
        nodeConfig: {
          serviceAccount: props.identity.email,
          ...(props.network ? { network: props.network.network, subnetwork: props.network.subnetwork } : {}),
        },
        webServerNetworkAccessControl: {
          allowedIpRange: (props.webServerAllowedRanges ?? []).map((value) => ({ value })),
        },
        ...(props.maintenanceWindow ? { maintenanceWindow: { ...props.maintenanceWindow } } : {}),
        ...(props.encryptionKey ? { encryptionConfig: { kmsKeyName: props.encryptionKey } } : {}),
        ...(wl
          ? {
              workloadsConfig: {
                ...(wl.scheduler
                  ? { scheduler: { ...workload(wl.scheduler), count: wl.scheduler.count ?? 1 } }
                  : {}),
                ...(wl.webServer ? { webServer: workload(wl.webServer) } : {}),
                ...(wl.worker
                  ? {
                      worker: {
                        ...workload(wl.worker),
                        minCount: wl.worker.minCount,
                        maxCount: wl.worker.maxCount,
                      },
                    }
                  : {}),
                ...(wl.triggerer
                  ? { triggerer: { ...workload(wl.triggerer), count: wl.triggerer.count } }
                  : {}),
                ...(wl.dagProcessor
                  ? { dagProcessor: { ...workload(wl.dagProcessor), count: wl.dagProcessor.count } }
                  : {}),
              },
            }
          : {}),
      },
      dependsOn: [agentGrant.member],
      lifecycle: props.preventDestroy ? { preventDestroy: true } : undefined,
    });
    if (props.encryptionKey)
      useKey(this, this.resource, props.encryptionKey, 'composer', {
        project: project as string,
        ...(props.projectNumber ? { projectNumber: props.projectNumber } : {}),
      });
  }
}
