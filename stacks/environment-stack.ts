import * as fs from 'node:fs';
import * as path from 'node:path';
import { GcsBackend } from 'cdktf';
import type { Construct } from 'constructs';
import { Principal } from '../constructs/iam/principal';
import { StreamingPlatform } from '../constructs/platform/streaming-platform';
import { TributaryStack } from '../constructs/platform/tributary-stack';
import type { CloudRunIngress } from '../constructs/run/cloud-run-service';
import { runtimeImage } from '../constructs/run/image';
import { type ContractLock, parseLock } from '../contracts/lock';
import type { Contract } from '../contracts/model';
import { CONTRACTS, LOCK_PATH } from './contracts/index';
import { deployerEmail } from './deployer';
import { type EnvironmentConfig, type IngestIngress, REQUIRED_LABELS } from './environments/types';
import { validateEnvironment } from './environments/validate';

/** One environment (dev, staging, prod): remote state in GCS, governed providers, and the platform. */
const INGRESS: Readonly<Record<IngestIngress, CloudRunIngress>> = {
  all: 'INGRESS_TRAFFIC_ALL',
  internal: 'INGRESS_TRAFFIC_INTERNAL_ONLY',
  'internal-and-cloud-load-balancing': 'INGRESS_TRAFFIC_INTERNAL_LOAD_BALANCER',
};

export class EnvironmentStack extends TributaryStack {
  public readonly config: EnvironmentConfig;
  public readonly platform: StreamingPlatform;

  constructor(scope: Construct, config: EnvironmentConfig, streams: StreamSources = defaultStreams()) {
    // Before the stack exists, so a bad config fails with the config error and nothing else.
    validateEnvironment(config);
    super(scope, config.name, {
      environment: config.name,
      production: config.production,
      project: config.projectId,
      region: config.region,
      labels: config.labels,
      requiredLabels: REQUIRED_LABELS,
    });
    this.config = config;
    new GcsBackend(this, { bucket: config.state.bucket, prefix: config.state.prefix });

    this.platform = new StreamingPlatform(this, 'Platform', {
      project: config.projectId,
      projectNumber: config.projectNumber,
      region: config.region,
      dataLocation: config.dataLocation,
      namePrefix: config.namePrefix,
      production: config.production,
      deletionProtection: config.deletionProtection,
      encryptionKey: config.encryptionKey,
      landingRetentionDays: config.storage.landingRetentionDays,
      archiveTiering: config.storage.archiveTiering,
      archiveRetentionDays: config.storage.archiveRetentionDays,
      stagingObjectTtlDays: config.storage.stagingObjectTtlDays,
      deployer: Principal.serviceAccount(deployerEmail(config)),
      contracts: streams.contracts,
      contractLock: streams.lock,
      delivery: config.streams.delivery,
      topicRetentionHours: config.streams.topicRetentionHours,
      maxDeliveryAttempts: config.streams.maxDeliveryAttempts,
      ingest: {
        image: ingestImage(config),
        access:
          config.ingest.access === 'public'
            ? { kind: 'public', reason: config.ingest.publicAccessReason ?? '' }
            : { kind: 'private' },
        producers: (config.ingest.producers ?? []).map((m) => Principal.fromMember(m)),
        orderingKeys: config.ingest.orderingKeys,
        ingress: INGRESS[config.ingest.ingress ?? 'all'],
        minInstances: config.ingest.minInstances,
        maxInstances: config.ingest.maxInstances,
        concurrency: config.ingest.concurrency,
        cpu: config.ingest.cpu,
        memory: config.ingest.memory,
      },
      dataflow: {
        network: config.network.network,
        subnetwork: config.network.subnetwork,
        machineType: config.dataflow.machineType,
        maxWorkers: config.dataflow.maxWorkers,
        deadLetterExpirationDays: config.dataflow.deadLetterExpirationDays,
        templateVersion: config.dataflow.templateVersion,
        encryptionKey: config.dataflow.encryptionKey,
      },
    });
  }
}

/**
 * The gateway image of an environment: the source-hash tag in its registry, or the digest CI built and passed as
 * TRIBUTARY_INGEST_IMAGE_<ENVIRONMENT> (for example TRIBUTARY_INGEST_IMAGE_PROD). One variable per environment,
 * because every synth writes every stack, and a digest belongs to one registry.
 */
export function ingestImage(config: EnvironmentConfig): string {
  const registry = StreamingPlatform.registryPath(config.region, config.projectId);
  const variable = `TRIBUTARY_INGEST_IMAGE_${config.name.toUpperCase()}`;
  const digest = process.env[variable];
  if (digest !== undefined && !digest.startsWith(`${registry}/`))
    throw new Error(`${variable} = ${JSON.stringify(digest)}: must be an image in ${registry}/`);
  return runtimeImage(REPO_ROOT, registry, 'ingest', digest);
}

/** The contracts an environment provisions streams for, and the released lock they are checked against. */
export interface StreamSources {
  readonly contracts: readonly Contract[];
  readonly lock?: ContractLock;
}

export { LOCK_PATH };

/** The repository root: runtime images are tagged by the hash of sources found from here. */
export const REPO_ROOT = path.resolve(__dirname, '..');

/** The example contracts and the committed lock. */
export function defaultStreams(): StreamSources {
  return { contracts: CONTRACTS, lock: parseLock(fs.readFileSync(LOCK_PATH, 'utf8'), LOCK_PATH) };
}
