import { CloudRunV2Service } from '@cdktf/provider-google/lib/cloud-run-v2-service';
import { CloudRunV2ServiceIamMember } from '@cdktf/provider-google/lib/cloud-run-v2-service-iam-member';
import type { ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';
import {
  CONCURRENCY,
  CPU,
  checkInstances,
  checkLabels,
  INGRESS,
  MEMORY,
  type NamingRule,
  REGION,
} from '../../core/gcp';
import type { Checks } from '../../core/validation';
import { addDependencies } from '../core/dependencies';
import { projectOf } from '../core/project';
import { Suppressions } from '../core/suppressions';
import { checkProject, constructChecks } from '../core/validation';
import { useKey } from '../iam/cmek';
import { type Grant, grantOn, type IGrantTarget } from '../iam/grants';
import { type IPrincipal, Principal } from '../iam/principal';
import type { IServiceIdentity } from '../iam/service-identity';
import type { IDataBucket } from '../storage/data-bucket';
import type { RuntimeSecret } from './runtime-secret';

export type CloudRunIngress =
  | 'INGRESS_TRAFFIC_ALL'
  | 'INGRESS_TRAFFIC_INTERNAL_ONLY'
  | 'INGRESS_TRAFFIC_INTERNAL_LOAD_BALANCER';

/** A secret mounted as a file: `<mountPath>/<fileName>` holds its latest version. */
export interface SecretFile {
  readonly secret: RuntimeSecret;
  /** A directory of its own; nothing else can live there. */
  readonly mountPath: string;
  readonly fileName: string;
}

/** A bucket mounted read-only (Cloud Storage FUSE) at `mountPath`. */
export interface BucketMount {
  readonly bucket: IDataBucket;
  readonly mountPath: string;
}

/** A second container in the instance (for example a metrics collector); it gets no traffic. */
export interface Sidecar {
  readonly name: string;
  readonly image: string;
  /** @default - none */
  readonly secretFiles?: readonly SecretFile[];
  /** @default { cpu: '0.5', memory: '256Mi' } */
  readonly resources?: { readonly cpu: string; readonly memory: string };
}

export interface CloudRunServiceProps {
  readonly serviceName: string;
  readonly region: string;
  /** @default - the project of the stack's default google provider */
  readonly project?: string;
  /** The service's own identity; it is never the Compute Engine default account. */
  readonly identity: IServiceIdentity;
  readonly image: string;
  /** @default 8080 */
  readonly port?: number;
  /** @default - none */
  readonly env?: Readonly<Record<string, string>>;
  /** The identity is granted read on each secret, and the service waits for the grants. @default - none */
  readonly secretFiles?: readonly SecretFile[];
  /** The identity is granted read on each bucket, and the service waits for the grants. @default - none */
  readonly bucketMounts?: readonly BucketMount[];
  /** @default - none */
  readonly sidecars?: readonly Sidecar[];
  /** @default 0 */
  readonly minInstances?: number;
  /** @default 10 */
  readonly maxInstances?: number;
  /** Requests one instance serves at once. @default 80 */
  readonly concurrency?: number;
  /** @default '1' */
  readonly cpu?: string;
  /** @default '512Mi' */
  readonly memory?: string;
  /** Startup probe path; the instance gets traffic once it answers 2xx. @default '/readyz' */
  readonly startupProbePath?: string;
  /** Liveness probe path; the instance is restarted when it stops answering. @default '/healthz' */
  readonly livenessProbePath?: string;
  /** @default 'INGRESS_TRAFFIC_ALL' (authentication still applies) */
  readonly ingress?: CloudRunIngress;
  /** Longest request. @default 60 */
  readonly requestTimeoutSeconds?: number;
  /** Terraform refuses to delete the service. */
  readonly deletionProtection: boolean;
  /** @default - Google-managed encryption */
  readonly encryptionKey?: string;
  /** @default - none beyond the provider defaults */
  readonly labels?: Readonly<Record<string, string>>;
}

/** Cloud Run service and job names. */
export const RUN_NAME: NamingRule = {
  text: 'must be 1-49 lowercase letters, digits and hyphens, starting with a letter and not ending with a hyphen',
  test: (n) => /^[a-z]([-a-z0-9]{0,47}[a-z0-9])?$/.test(n),
};
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Checks container environment variable names: well formed, and none Cloud Run sets itself for that kind. */
export function checkEnvNames(
  c: Checks,
  env: Readonly<Record<string, string>> | undefined,
  kind: 'service' | 'job',
): void {
  for (const name of Object.keys(env ?? {})) {
    if (!ENV_NAME.test(name))
      c.fail(`env.${name}`, name, 'must be letters, digits and underscores, not starting with a digit');
    const reserved =
      kind === 'service'
        ? name === 'PORT' || name.startsWith('K_') || name.startsWith('X_GOOGLE_')
        : name.startsWith('CLOUD_RUN_');
    if (reserved) c.fail(`env.${name}`, name, 'is reserved by Cloud Run');
  }
}
const MOUNT_PATH = /^\/[A-Za-z0-9._/-]+$/;

/**
 * A Cloud Run (v2) service running as its own identity, second-generation execution environment (needed for
 * bucket mounts), with scaling, concurrency, CPU and memory, startup and liveness probes, ingress, labels,
 * and files mounted from secrets and buckets. Invoker grants are resource-scoped; a public invoker needs a
 * reason, which becomes the policy suppression.
 */
export class CloudRunService extends Construct implements IGrantTarget {
  public readonly resource: CloudRunV2Service;
  public readonly serviceName: string;
  public readonly region: string;
  public readonly project: string;
  public readonly grantResourceType = 'google_cloud_run_v2_service';
  public readonly grantResourceLabel: string;

  constructor(scope: Construct, id: string, props: CloudRunServiceProps) {
    super(scope, id);
    const project = projectOf(this, props.project);
    validate(this, props, project);
    const identity = props.identity;
    const secretVolumes = [
      ...(props.secretFiles ?? []),
      ...(props.sidecars ?? []).flatMap((s) => s.secretFiles ?? []),
    ];
    const mountGrants = [
      ...secretVolumes.map((f) => f.secret.grantRead(identity)),
      ...(props.bucketMounts ?? []).map((m) => m.bucket.grantRead(identity)),
    ];
    const volumeName = (f: SecretFile) => `secret-${f.secret.secretId}`.toLowerCase().slice(0, 63);
    const bucketVolume = (m: BucketMount) => `bucket-${m.bucket.bucketName}`.slice(0, 63);
    this.resource = new CloudRunV2Service(this, 'Resource', {
      name: props.serviceName,
      location: props.region,
      project,
      ingress: props.ingress ?? 'INGRESS_TRAFFIC_ALL',
      deletionProtection: props.deletionProtection,
      labels: props.labels ? { ...props.labels } : undefined,
      template: {
        serviceAccount: identity.email,
        executionEnvironment: 'EXECUTION_ENVIRONMENT_GEN2',
        maxInstanceRequestConcurrency: props.concurrency ?? 80,
        timeout: `${props.requestTimeoutSeconds ?? 60}s`,
        scaling: { minInstanceCount: props.minInstances ?? 0, maxInstanceCount: props.maxInstances ?? 10 },
        encryptionKey: props.encryptionKey,
        labels: props.labels ? { ...props.labels } : undefined,
        volumes: [
          ...secretVolumes.map((f) => ({
            name: volumeName(f),
            secret: { secret: f.secret.secretId, items: [{ version: 'latest', path: f.fileName }] },
          })),
          ...(props.bucketMounts ?? []).map((m) => ({
            name: bucketVolume(m),
            gcs: { bucket: m.bucket.bucketName, readOnly: true },
          })),
        ],
        containers: [
          {
            name: 'app',
            image: props.image,
            ports: { containerPort: props.port ?? 8080, name: 'http1' },
            env: Object.entries(props.env ?? {})
              .sort(([a], [b]) => (a < b ? -1 : 1))
              .map(([name, value]) => ({ name, value })),
            resources: {
              limits: { cpu: props.cpu ?? '1', memory: props.memory ?? '512Mi' },
              cpuIdle: true,
              startupCpuBoost: true,
            },
            startupProbe: {
              httpGet: { path: props.startupProbePath ?? '/readyz', port: props.port ?? 8080 },
              periodSeconds: 2,
              failureThreshold: 30,
              timeoutSeconds: 2,
            },
            livenessProbe: {
              httpGet: { path: props.livenessProbePath ?? '/healthz', port: props.port ?? 8080 },
              periodSeconds: 15,
              failureThreshold: 3,
              timeoutSeconds: 3,
            },
            volumeMounts: [
              ...(props.secretFiles ?? []).map((f) => ({ name: volumeName(f), mountPath: f.mountPath })),
              ...(props.bucketMounts ?? []).map((m) => ({ name: bucketVolume(m), mountPath: m.mountPath })),
            ],
          },
          ...(props.sidecars ?? []).map((s) => ({
            name: s.name,
            image: s.image,
            resources: { limits: { cpu: s.resources?.cpu ?? '0.5', memory: s.resources?.memory ?? '256Mi' } },
            volumeMounts: (s.secretFiles ?? []).map((f) => ({ name: volumeName(f), mountPath: f.mountPath })),
          })),
        ],
      },
      // A revision that cannot read its mounts fails to start; create it only after the grants exist.
      dependsOn: mountGrants.map((g) => g.member),
    });
    if (props.encryptionKey)
      useKey(this, this.resource, props.encryptionKey, 'run', {
        project: project as string,
      });
    this.serviceName = props.serviceName;
    this.region = props.region;
    this.project = project as string;
    this.grantResourceLabel = `${props.region}/${props.serviceName}`;
  }

  /** The service deploys only after these exist (files it reads at start, grants it needs). */
  public deployAfter(...dependencies: ITerraformDependable[]): void {
    addDependencies(this.resource, ...dependencies);
  }

  /** Call the service (`roles/run.invoker` on this service only); Cloud Run checks the caller's ID token. */
  public grantInvoke(principal: IPrincipal): Grant {
    return this.grant(principal, 'roles/run.invoker');
  }

  /**
   * Lets anyone call the service: Cloud Run no longer authenticates callers, so the service must (for example
   * with API keys). The reason is recorded in the IAM matrix and suppresses TRB-IAM-1 and TRB-RUN-1 for this
   * grant only, where the policy report shows it.
   */
  public grantPublicInvoke(reason: string): Grant {
    const grant = grantOn(
      this,
      Principal.allUsers(),
      'roles/run.invoker',
      (gid, member) => this.member(gid, 'roles/run.invoker', member),
      {
        publicReason: reason,
      },
    );
    Suppressions.add(grant.member, { id: 'TRB-IAM-1', reason });
    Suppressions.add(grant.member, { id: 'TRB-RUN-1', reason });
    return grant;
  }

  public grant(principal: IPrincipal, role: string): Grant {
    return grantOn(this, principal, role, (gid, member) => this.member(gid, role, member));
  }

  private member(gid: string, role: string, member: string): CloudRunV2ServiceIamMember {
    return new CloudRunV2ServiceIamMember(this, gid, {
      project: this.project,
      location: this.region,
      name: this.resource.name,
      role,
      member,
    });
  }
}

function validate(scope: Construct, props: CloudRunServiceProps, project: string | undefined): void {
  const c = constructChecks(scope);
  c.check('serviceName', props.serviceName, RUN_NAME);
  c.check('region', props.region, REGION);
  checkProject(c, project);
  c.require('image', props.image);
  c.rule(
    'port',
    props.port,
    'must be a port number from 1 to 65535',
    (p) => Number.isInteger(p) && p >= 1 && p <= 65535,
  );
  c.check('ingress', props.ingress, INGRESS);
  checkInstances(c, '', props.minInstances, props.maxInstances);
  c.check('concurrency', props.concurrency, CONCURRENCY);
  c.check('cpu', props.cpu, CPU);
  c.check('memory', props.memory, MEMORY);
  c.rule(
    'requestTimeoutSeconds',
    props.requestTimeoutSeconds,
    'must be from 1 to 3600 seconds',
    (t) => Number.isInteger(t) && t >= 1 && t <= 3600,
  );
  checkEnvNames(c, props.env, 'service');
  const mounts = [
    ...(props.secretFiles ?? []).map((f) => f.mountPath),
    ...(props.bucketMounts ?? []).map((m) => m.mountPath),
  ];
  for (const m of mounts) c.rule('mountPath', m, 'must be an absolute path', (p) => MOUNT_PATH.test(p));
  const dup = mounts.find((m, i) => mounts.indexOf(m) !== i);
  if (dup) c.fail('mountPath', dup, 'is used twice; each mount needs its own directory');
  checkLabels(c, props.labels);
  c.throwIfAny();
}
