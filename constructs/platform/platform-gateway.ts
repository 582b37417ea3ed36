import type { Construct } from 'constructs';
import { type GatewayManifest, validateGatewayManifest } from '../../contracts/gateway';
import { constructChecks } from '../core/validation';
import type { IPrincipal } from '../iam/principal';
import type { IServiceIdentity } from '../iam/service-identity';
import type { CloudRunIngress } from '../run/cloud-run-service';
import { type GatewayAccess, IngestGateway } from '../run/ingest-gateway';
import type { IDataBucket } from '../storage/data-bucket';
import type { EventStream } from './event-stream';

/** The ingest gateway of an environment. */
export interface PlatformIngestSettings {
  /** The gateway image (see constructs/run/image.ts: a source-hash tag, or a digest from CI). */
  readonly image: string;
  /** @default { kind: 'private' } */
  readonly access?: GatewayAccess;
  /** Identities allowed to call a private gateway. @default - none */
  readonly producers?: readonly IPrincipal[];
  /** Stream name -> required top-level field whose value orders that stream's messages. @default - unordered */
  readonly orderingKeys?: Readonly<Record<string, string>>;
  /** Where requests may come from, before authentication. @default 'INGRESS_TRAFFIC_ALL' */
  readonly ingress?: CloudRunIngress;
  /** @default 0 */
  readonly minInstances?: number;
  /** @default 10 */
  readonly maxInstances?: number;
  /** @default 80 */
  readonly concurrency?: number;
  /** @default '1' */
  readonly cpu?: string;
  /** @default '512Mi' */
  readonly memory?: string;
  /** @default true */
  readonly metricsCollector?: boolean;
}

export interface PlatformGatewayOptions {
  readonly settings: PlatformIngestSettings;
  readonly streams: Readonly<Record<string, EventStream>>;
  readonly project: string;
  readonly region: string;
  readonly serviceName: string;
  readonly identity: IServiceIdentity;
  readonly artifactsBucket: IDataBucket;
  readonly deletionProtection: boolean;
}

/**
 * The platform's gateway: a manifest of every stream (topic, contract, ordering key), checked like the file the
 * service will read, the `IngestGateway` under the id `IngestGateway`, and a publish grant per topic that the
 * service waits for, since a gateway that cannot publish would answer 503s.
 */
export function platformGateway(scope: Construct, options: PlatformGatewayOptions): IngestGateway {
  const { settings, streams } = options;
  const unknownOrdering = Object.keys(settings.orderingKeys ?? {}).filter((n) => !streams[n]);
  if (unknownOrdering.length > 0)
    constructChecks(scope)
      .fail('ingest.orderingKeys', unknownOrdering, 'names streams this platform does not have')
      .throwIfAny();
  const manifest: GatewayManifest = validateGatewayManifest(
    {
      manifestVersion: 1,
      streams: Object.values(streams).map((s) => ({
        name: s.contract.name,
        topic: `projects/${options.project}/topics/${s.topic.topicName}`,
        ...(settings.orderingKeys?.[s.contract.name]
          ? { orderingKey: settings.orderingKeys[s.contract.name] }
          : {}),
        contract: s.contract,
      })),
    },
    `${scope.node.path} (StreamingPlatform): ingest gateway manifest`,
  );
  const gateway = new IngestGateway(scope, 'IngestGateway', {
    serviceName: options.serviceName,
    region: options.region,
    project: options.project,
    identity: options.identity,
    image: settings.image,
    manifest,
    artifactsBucket: options.artifactsBucket,
    access: settings.access,
    producers: settings.producers,
    ingress: settings.ingress,
    minInstances: settings.minInstances,
    maxInstances: settings.maxInstances,
    concurrency: settings.concurrency,
    cpu: settings.cpu,
    memory: settings.memory,
    metricsCollector: settings.metricsCollector,
    deletionProtection: options.deletionProtection,
  });
  for (const s of Object.values(streams))
    gateway.service.deployAfter(s.topic.grantPublish(options.identity).member);
  return gateway;
}
