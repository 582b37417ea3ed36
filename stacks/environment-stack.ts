import * as fs from 'node:fs';
import * as path from 'node:path';
import { GcsBackend } from 'cdktf';
import type { Construct } from 'constructs';
import { Principal } from '../constructs/iam/principal';
import { TributaryStack } from '../constructs/platform/stack/tributary-stack';
import { StreamingPlatform } from '../constructs/platform/streaming-platform';
import { runtimeRegistryPath } from '../constructs/run/container-repository';
import { runtimeImage } from '../constructs/run/image';
import { type ContractLock, parseLock } from '../contracts/lock';
import type { Contract } from '../contracts/model';
import type { CuratedModel } from '../models/curated';
import { CONTRACTS, LOCK_PATH } from './contracts/index';
import { deployerEmail, plannerEmail } from './deployer';
import { type EnvironmentConfig, REQUIRED_LABELS } from './environments/types';
import { validateEnvironment } from './environments/validate';
import { CURATED_MODELS, customModels } from './models/index';

/** One environment (dev, staging, prod): remote state in GCS, governed providers, and the platform. */
export class EnvironmentStack extends TributaryStack {
  public readonly config: EnvironmentConfig;
  public readonly platform: StreamingPlatform;

  constructor(scope: Construct, config: EnvironmentConfig, streams: StreamSources = defaultStreams()) {
    // Before the stack exists, so a bad config fails with the config error and nothing else.
    validateEnvironment(config);
    const f = config.foundation;
    super(scope, config.name, {
      environment: config.name,
      production: f.production,
      requireCmek: f.encryption?.required ?? false,
      project: f.project,
      region: f.region,
      labels: config.labels,
      requiredLabels: REQUIRED_LABELS,
    });
    this.config = config;
    new GcsBackend(this, { bucket: config.state.bucket, prefix: config.state.prefix });
    // Each section goes to its capability as it is; the stack adds only what is not configuration.
    this.platform = new StreamingPlatform(this, 'Platform', {
      ...f,
      deployer: Principal.serviceAccount(deployerEmail(config)),
      planner: Principal.serviceAccount(plannerEmail(config)),
      streams: { ...config.streams, contracts: streams.contracts, contractLock: streams.lock },
      ingest: { ...config.ingest, image: runtimeImageOf(config, 'ingest') },
      ...(config.loader ? { loader: { ...config.loader, image: runtimeImageOf(config, 'loader') } } : {}),
      ...(config.orchestration ? { orchestration: config.orchestration } : {}),
      ...(config.consumers ? { consumers: config.consumers } : {}),
      ...(config.operations ? { operations: { ...config.operations, environment: config.name } } : {}),
      ...(config.models
        ? {
            models: {
              ...config.models,
              retired: streams.lock?.retired ?? [],
              curated: streams.curated ?? [],
              custom: streams.custom ?? {},
            },
          }
        : {}),
    });
  }
}

/**
 * A runtime image of an environment: the source-hash tag in its registry, or the digest CI built and passed as
 * TRIBUTARY_<SERVICE>_IMAGE_<ENVIRONMENT> (for example TRIBUTARY_LOADER_IMAGE_PROD). One variable per service
 * and environment, because every synth writes every stack, and a digest belongs to one registry.
 */
export function runtimeImageOf(config: EnvironmentConfig, service: 'ingest' | 'loader'): string {
  const registry = runtimeRegistryPath(config.foundation.region, config.foundation.project);
  const variable = `TRIBUTARY_${service.toUpperCase()}_IMAGE_${config.name.toUpperCase()}`;
  const digest = process.env[variable];
  if (digest !== undefined && !digest.startsWith(`${registry}/`))
    throw new Error(`${variable} = ${JSON.stringify(digest)}: must be an image in ${registry}/`);
  return runtimeImage(REPO_ROOT, registry, service, digest);
}

/** The gateway image of an environment (see runtimeImageOf). */
export function ingestImage(config: EnvironmentConfig): string {
  return runtimeImageOf(config, 'ingest');
}

/** The contracts an environment provisions streams for, and the released lock they are checked against. */
export interface StreamSources {
  readonly contracts: readonly Contract[];
  readonly lock?: ContractLock;
  /** Curated models over these contracts. @default - none */
  readonly curated?: readonly CuratedModel[];
  /** Hand-written Dataform models by path. @default - none */
  readonly custom?: Readonly<Record<string, string>>;
}

/** The repository root: runtime images are tagged by the hash of sources found from here. */
export const REPO_ROOT = path.resolve(__dirname, '..');

/** The example contracts, the committed lock, and the shipped warehouse models. */
export function defaultStreams(): StreamSources {
  return {
    contracts: CONTRACTS,
    lock: parseLock(fs.readFileSync(LOCK_PATH, 'utf8'), LOCK_PATH),
    curated: CURATED_MODELS,
    custom: customModels(),
  };
}
