import type { ConsumersSettings } from '../../constructs/platform/consumers/platform-consumers';
import type { FoundationSettings } from '../../constructs/platform/foundation/foundation';
import type { IngestSettings } from '../../constructs/platform/ingest/platform-ingest';
import type { LoaderSettings } from '../../constructs/platform/loader/platform-loader';
import type { ModelsSettings } from '../../constructs/platform/models/platform-models';
import type { OperationsSettings } from '../../constructs/platform/operations/operations-settings';
import type { OrchestrationSettings } from '../../constructs/platform/orchestration/platform-orchestration';
import type { StreamsSettings } from '../../constructs/platform/streams/event-streams';

/** Label keys every labelled resource carries; the policy (TRB-LBL-1) enforces them. */
export const REQUIRED_LABELS = ['environment', 'owner', 'cost-center', 'managed-by'] as const;

/**
 * One deployment environment. Each capability section is exactly that capability's settings type, spread into
 * its construct unchanged; the stack adds only what is not configuration (contracts, images, the deployer).
 * Validated at synth by `validateEnvironment`, with the same rules the constructs apply.
 */
export interface EnvironmentConfig {
  /** Stack name and `environment` label, for example `dev`. */
  readonly name: string;
  /** Default labels on every resource. Must include REQUIRED_LABELS. */
  readonly labels: Readonly<Record<string, string>>;
  /** Remote state: a GCS bucket (created by the bootstrap stack) and the prefix for this environment. */
  readonly state: { readonly bucket: string; readonly prefix: string };
  /** Project, placement, buckets and network. Placeholder project ids end in `-placeholder`. */
  readonly foundation: FoundationSettings;
  /** Event streams: delivery to the raw tables, retention, dead-lettering. */
  readonly streams: StreamsSettings;
  /** The ingest gateway (Cloud Run) in front of the streams. */
  readonly ingest: IngestSettings;
  /** The warehouse models (Dataform) over the raw tables. @default - no models */
  readonly models?: ModelsSettings;
  /** The batch loader (Cloud Run job started per upload by Eventarc and Workflows). @default - no loader */
  readonly loader?: LoaderSettings;
  /**
   * Scheduled, data-quality, rebuild and catch-up runs: Cloud Composer 3 when `composer` is set, otherwise
   * Dataform workflow configs for the scheduled model runs. @default - no orchestration
   */
  readonly orchestration?: OrchestrationSettings;
  /** The consumers of curated data (BI access, Looker, Looker Studio, Vertex AI features). @default - none */
  readonly consumers?: ConsumersSettings;
  /** Alerts with runbooks, a dashboard and freshness SLOs; notification channels. @default - no alerting */
  readonly operations?: OperationsSettings;
}

/** Placeholder project ids let the offline synth run; deploying them would fail. */
export function isPlaceholder(config: EnvironmentConfig): boolean {
  return config.foundation.project.endsWith('-placeholder');
}
