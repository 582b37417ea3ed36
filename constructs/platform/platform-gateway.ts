import type { Construct } from 'constructs';
import { type GatewayManifest, validateGatewayManifest } from '../../contracts/gateway';
import { constructChecks } from '../core/validation';
import type { IServiceIdentity } from '../iam/service-identity';
import { IngestGateway, type IngestGatewayProps } from '../run/ingest-gateway';
import type { IDataBucket } from '../storage/data-bucket';
import type { EventStream } from './event-stream';

/** The ingest gateway of an environment: the gateway's own settings, plus ordering keys by stream. */
export interface PlatformIngestSettings
  extends Pick<
    IngestGatewayProps,
    | 'image'
    | 'access'
    | 'producers'
    | 'ingress'
    | 'minInstances'
    | 'maxInstances'
    | 'concurrency'
    | 'cpu'
    | 'memory'
    | 'metricsCollector'
  > {
  /** Stream name -> required top-level field whose value orders that stream's messages. @default - unordered */
  readonly orderingKeys?: Readonly<Record<string, string>>;
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
  const { orderingKeys, ...gateway } = settings;
  const unknownOrdering = Object.keys(orderingKeys ?? {}).filter((n) => !streams[n]);
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
        ...(orderingKeys?.[s.contract.name] ? { orderingKey: orderingKeys[s.contract.name] } : {}),
        contract: s.contract,
      })),
    },
    `${scope.node.path} (StreamingPlatform): ingest gateway manifest`,
  );
  const service = new IngestGateway(scope, 'IngestGateway', {
    ...gateway,
    serviceName: options.serviceName,
    region: options.region,
    project: options.project,
    identity: options.identity,
    manifest,
    artifactsBucket: options.artifactsBucket,
    deletionProtection: options.deletionProtection,
  });
  for (const s of Object.values(streams))
    service.service.deployAfter(s.topic.grantPublish(options.identity).member);
  return service;
}
