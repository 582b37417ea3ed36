import type { Construct } from 'constructs';
import { type GatewayManifest, validateGatewayManifest } from '../../../contracts/gateway';
import { CONCURRENCY, CPU, checkInstances, IAM_MEMBER, INGRESS, MEMORY } from '../../../core/gcp';
import type { Checks } from '../../../core/validation';
import { connect, describeNode } from '../../core/architecture';
import { childChecks } from '../../core/validation';
import { Principal } from '../../iam/principal';
import { checkGatewayAccess, IngestGateway, type IngestGatewayProps } from '../../run/ingest-gateway';
import type { DeployerRole, IPlatformFoundation } from '../foundation/foundation';
import type { IEventStreams } from '../streams/event-streams';

/** The `ingest` section of an environment file: the gateway's access, scaling and sizing. */
export interface IngestSettings
  extends Pick<
    IngestGatewayProps,
    | 'access'
    | 'ingress'
    | 'minInstances'
    | 'maxInstances'
    | 'concurrency'
    | 'cpu'
    | 'memory'
    | 'metricsCollector'
  > {
  /**
   * IAM members allowed to call a private gateway (`roles/run.invoker`), for example
   * `serviceAccount:web@p.iam.gserviceaccount.com`. @default - none
   */
  readonly producers?: readonly string[];
  /** Stream name -> required top-level field whose value orders that stream's messages. @default - unordered */
  readonly orderingKeys?: Readonly<Record<string, string>>;
}

export interface PlatformIngestProps extends IngestSettings {
  readonly foundation: IPlatformFoundation;
  /** The streams the gateway publishes to. */
  readonly streams: IEventStreams;
  /** The gateway's container image (see constructs/run/image.ts). */
  readonly image: string;
}

/** The gateway's rules, for the construct and for the `ingest` section of an environment file. */
export function checkIngestSettings(c: Checks, s: IngestSettings, prefix = ''): void {
  checkInstances(c, prefix, s.minInstances, s.maxInstances);
  c.check(`${prefix}concurrency`, s.concurrency, CONCURRENCY);
  c.check(`${prefix}cpu`, s.cpu, CPU);
  c.check(`${prefix}memory`, s.memory, MEMORY);
  c.check(`${prefix}ingress`, s.ingress, INGRESS);
  checkGatewayAccess(c, prefix, s.access, s.producers);
  for (const [i, m] of (s.producers ?? []).entries()) c.check(`${prefix}producers[${i}]`, m, IAM_MEMBER);
}

/**
 * The ingest capability: the gateway on Cloud Run (an `IngestGateway`) in front of the platform's streams, with
 * a manifest of every stream (topic, contract, ordering key) checked like the file the service reads, its own
 * workload identity, and a publish grant per topic that the service waits for (a gateway that cannot publish
 * would answer 503s).
 */
export class PlatformIngest extends IngestGateway {
  /** APIs the gateway uses. */
  public static readonly REQUIRED_SERVICES: readonly string[] = [
    'artifactregistry.googleapis.com',
    'logging.googleapis.com',
    'monitoring.googleapis.com',
    'run.googleapis.com',
    'secretmanager.googleapis.com',
  ];

  /** What the read-only planner needs project-wide to refresh the gateway. */
  public static readonly PLANNER_ROLES: readonly DeployerRole[] = [
    { role: 'roles/run.viewer', why: 'reads the Cloud Run service' },
    {
      role: 'roles/secretmanager.viewer',
      why: 'reads secret metadata; payloads only where granted per secret',
    },
  ];

  /** What the deployer needs project-wide to deploy the gateway. */
  public static readonly DEPLOYER_ROLES: readonly DeployerRole[] = [
    { role: 'roles/run.admin', why: 'deploys Cloud Run services and sets invoker IAM' },
    { role: 'roles/secretmanager.admin', why: 'creates secrets and sets accessor IAM' },
  ];

  /** Roles the gateway needs project-wide: writing its logs, metrics and traces. */
  public static readonly PROJECT_ROLES: readonly string[] = [
    'roles/logging.logWriter',
    'roles/monitoring.metricWriter',
    'roles/cloudtrace.agent',
  ];

  constructor(scope: Construct, id: string, props: PlatformIngestProps) {
    const { foundation: f, streams, image, orderingKeys, producers, ...gateway } = props;
    const keyProps = (k: string, v: string | undefined) => (v ? { [k]: v } : {});
    // Checked before the gateway exists, so a bad section fails with its own problems and nothing else.
    const c = childChecks(scope, id, 'PlatformIngest');
    checkIngestSettings(c, props);
    const unknown = Object.keys(orderingKeys ?? {}).filter((n) => !streams.streams[n]);
    if (unknown.length > 0) c.fail('orderingKeys', unknown, 'names streams this platform does not have');
    c.throwIfAny();
    const manifest: GatewayManifest = validateGatewayManifest(
      {
        manifestVersion: 1,
        streams: Object.values(streams.streams).map((s) => ({
          name: s.contract.name,
          topic: `projects/${f.projectId}/topics/${s.topic.topicName}`,
          ...(orderingKeys?.[s.contract.name] ? { orderingKey: orderingKeys[s.contract.name] } : {}),
          contract: s.contract,
        })),
      },
      `${scope.node.path}/${id} (PlatformIngest): ingest gateway manifest`,
    );
    const identity = f.workloadIdentity(
      'ingest',
      'Ingest gateway: validates events and publishes them to Pub/Sub',
    );
    super(scope, id, {
      ...gateway,
      serviceName: `${f.namePrefix}-ingest`,
      region: f.region,
      project: f.projectId,
      identity,
      image,
      manifest,
      producers: (producers ?? []).map((m) => Principal.fromMember(m)),
      artifactsBucket: f.buckets.artifacts,
      deletionProtection: f.deletionProtection,
      encryption: {
        ...keyProps('service', f.keyFor('run', f.region)),
        ...keyProps('secrets', f.keyFor('secretmanager', f.region)),
      },
    });
    for (const role of PlatformIngest.PROJECT_ROLES) f.project.grant(identity, role);
    // Terraform refreshes a secret version by reading its payload; these hold key hashes and the metrics
    // scrape config, and the state the planner reads holds the same data.
    if (f.planner) for (const secret of [this.apiKeys, this.metricsConfig]) secret?.grantRead(f.planner);
    for (const s of Object.values(streams.streams)) {
      this.service.deployAfter(s.topic.grantPublish(identity).member);
      connect(this, s.topic, 'publishes');
    }
    describeNode(this, {
      shape: 'service',
      label: `Cloud Run ${f.namePrefix}-ingest`,
      inputs: ['web, mobile and partner producers'],
    });
  }
}
