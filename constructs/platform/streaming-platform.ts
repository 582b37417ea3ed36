import type { Construct } from 'constructs';
import { PlatformConsumers, type PlatformConsumersProps } from './consumers/platform-consumers';
import {
  type DeployerRole,
  type IPlatformFoundation,
  PlatformFoundation,
  type PlatformFoundationProps,
} from './foundation/foundation';
import { PlatformIngest, type PlatformIngestProps } from './ingest/platform-ingest';
import { PlatformLoader, type PlatformLoaderProps } from './loader/platform-loader';
import { PlatformModels, type PlatformModelsProps } from './models/platform-models';
import type { OperationsSettings } from './operations/operations-settings';
import { PlatformOperations } from './operations/platform-operations';
import {
  PlatformOrchestration,
  type PlatformOrchestrationProps,
} from './orchestration/platform-orchestration';
import { EventStreams, type EventStreamsProps } from './streams/event-streams';

export interface StreamingPlatformProps extends PlatformFoundationProps {
  /** The streams, one per event contract. */
  readonly streams: Omit<EventStreamsProps, 'foundation'>;
  /** The ingest gateway in front of the streams. @default - no gateway */
  readonly ingest?: Omit<PlatformIngestProps, 'foundation' | 'streams'>;
  /** The warehouse models over the streams' raw tables. @default - no models */
  readonly models?: Omit<PlatformModelsProps, 'foundation' | 'streams'>;
  /** The batch loader: uploads in the landing bucket into the streams' raw tables. @default - no loader */
  readonly loader?: Omit<PlatformLoaderProps, 'foundation' | 'streams'>;
  /** Scheduled, data-quality, rebuild and catch-up runs (needs `models`). @default - no orchestration */
  readonly orchestration?: Omit<PlatformOrchestrationProps, 'foundation' | 'models' | 'loader'>;
  /** The consumers of curated data: BI access (needs `models`). @default - none */
  readonly consumers?: Omit<PlatformConsumersProps, 'foundation' | 'models'>;
  /**
   * Alerts with runbooks, a dashboard and freshness SLOs for every stream and component; `environment` names the
   * environment in the runbooks' commands. @default - no alerting
   */
  readonly operations?: OperationsSettings & { readonly environment: string };
}

/**
 * The Tributary platform of one environment: the foundation (project, buckets, datasets, workload identities)
 * and one construct per capability built on it (`Streams`, `IngestGateway`, `Models`). A team that wants only some
 * capabilities composes `PlatformFoundation` and the capability constructs itself.
 */
export class StreamingPlatform extends PlatformFoundation implements IPlatformFoundation {
  /** APIs every part uses; the bootstrap stack enables them in each environment's project. */
  public static override readonly REQUIRED_SERVICES: readonly string[] = [
    ...new Set([
      ...PlatformFoundation.REQUIRED_SERVICES,
      ...EventStreams.REQUIRED_SERVICES,
      ...PlatformIngest.REQUIRED_SERVICES,
      ...PlatformModels.REQUIRED_SERVICES,
      ...PlatformLoader.REQUIRED_SERVICES,
      ...PlatformOrchestration.REQUIRED_SERVICES,
      ...PlatformConsumers.REQUIRED_SERVICES,
      ...PlatformOperations.REQUIRED_SERVICES,
    ]),
  ].sort();

  /** What the read-only planner needs project-wide to plan every part; the bootstrap stack grants it. */
  public static override readonly PLANNER_ROLES: readonly DeployerRole[] = [
    ...PlatformFoundation.PLANNER_ROLES,
    ...EventStreams.PLANNER_ROLES,
    ...PlatformIngest.PLANNER_ROLES,
    ...PlatformModels.PLANNER_ROLES,
    ...PlatformLoader.PLANNER_ROLES,
    ...PlatformOrchestration.PLANNER_ROLES,
    ...PlatformConsumers.PLANNER_ROLES,
    ...PlatformOperations.PLANNER_ROLES,
  ].filter((r, i, all) => all.findIndex((o) => o.role === r.role) === i);

  /** What the deployer needs project-wide to create every part; the bootstrap stack grants it. */
  public static override readonly DEPLOYER_ROLES: readonly DeployerRole[] = [
    ...PlatformFoundation.DEPLOYER_ROLES,
    ...EventStreams.DEPLOYER_ROLES,
    ...PlatformIngest.DEPLOYER_ROLES,
    ...PlatformModels.DEPLOYER_ROLES,
    ...PlatformLoader.DEPLOYER_ROLES,
    ...PlatformOrchestration.DEPLOYER_ROLES,
    ...PlatformConsumers.DEPLOYER_ROLES,
    ...PlatformOperations.DEPLOYER_ROLES,
  ].filter((r, i, all) => all.findIndex((o) => o.role === r.role) === i);

  public readonly streams: EventStreams;
  /** The ingest gateway, when `ingest` is set. */
  public readonly ingest?: PlatformIngest;
  /** The warehouse models, when `models` is set. */
  public readonly models?: PlatformModels;
  /** The batch loader, when `loader` is set. */
  public readonly loader?: PlatformLoader;
  /** The orchestration, when `orchestration` (and `models`) are set. */
  public readonly orchestration?: PlatformOrchestration;
  /** The consumers' access, when `consumers` (and `models`) are set. */
  public readonly consumers?: PlatformConsumers;
  /** Alerts, dashboard and SLOs, when `operations` is set. */
  public readonly operations?: PlatformOperations;

  constructor(scope: Construct, id: string, props: StreamingPlatformProps) {
    const { streams, ingest, models, loader, orchestration, consumers, operations, ...foundation } = props;
    super(scope, id, foundation);
    this.streams = new EventStreams(this, 'Streams', { ...streams, foundation: this });
    if (ingest)
      this.ingest = new PlatformIngest(this, 'IngestGateway', {
        ...ingest,
        foundation: this,
        streams: this.streams,
      });
    if (models)
      this.models = new PlatformModels(this, 'Models', {
        ...models,
        foundation: this,
        streams: this.streams,
      });
    if (loader)
      this.loader = new PlatformLoader(this, 'Loader', {
        ...loader,
        foundation: this,
        streams: this.streams,
      });
    if (orchestration) {
      if (!this.models)
        throw new Error(`${this.node.path}: orchestration runs the warehouse models; set models too`);
      this.orchestration = new PlatformOrchestration(this, 'Orchestration', {
        ...orchestration,
        foundation: this,
        models: this.models,
        ...(this.loader ? { loader: this.loader } : {}),
      });
    }
    if (consumers) {
      if (!this.models)
        throw new Error(`${this.node.path}: consumers read the curated models; set models too`);
      this.consumers = new PlatformConsumers(this, 'Consumers', {
        ...consumers,
        models: this.models,
        foundation: this,
      });
    }
    // Last: it watches every part built above.
    if (operations)
      this.operations = new PlatformOperations(this, 'Operations', {
        ...operations,
        foundation: this,
        streams: this.streams,
        ...(this.ingest ? { ingest: this.ingest } : {}),
        ...(this.loader ? { loader: this.loader } : {}),
        ...(this.models ? { models: this.models } : {}),
        ...(this.orchestration ? { orchestration: this.orchestration } : {}),
      });
  }
}
