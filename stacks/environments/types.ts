import type { ArchiveTiering } from '../../constructs/platform/streaming-platform';

/** Label keys every labelled resource carries; the policy (TRB-LBL-1) enforces them. */
export const REQUIRED_LABELS = ['environment', 'owner', 'cost-center', 'managed-by'] as const;

/** How a stream's events reach their raw BigQuery table. */
export type StreamDelivery = 'bigquery-subscription' | 'dataflow';

/**
 * One deployment environment. Everything environment-specific lives here; stacks and constructs derive the
 * rest. Validated at synth by `validateEnvironment`.
 */
export interface EnvironmentConfig {
  /** Stack name and `environment` label, for example `dev`. */
  readonly name: string;
  /** GCP project id. Placeholders end in `-placeholder`; replace them before deploying. */
  readonly projectId: string;
  /** Numeric project number; saves a plan-time lookup for service agent emails. @default - looked up */
  readonly projectNumber?: string;
  /** Region for compute (Dataflow, Cloud Run) and regional resources. */
  readonly region: string;
  /** BigQuery/GCS location: the region itself or the multi-region that contains it (`EU`, `US`). */
  readonly dataLocation: string;
  /** Prefix of service account ids and other short names, for example `trb-dev`. */
  readonly namePrefix: string;
  /** Production turns on production-only policy rules (for example no force_destroy). */
  readonly production: boolean;
  /** Deletion protection on stateful resources (tables, datasets, buckets). Must be true in production. */
  readonly deletionProtection: boolean;
  /** Default labels on every resource. Must include REQUIRED_LABELS. */
  readonly labels: Readonly<Record<string, string>>;
  /** Remote state: a GCS bucket (created by the bootstrap stack) and the prefix for this environment. */
  readonly state: { readonly bucket: string; readonly prefix: string };
  /** VPC for Dataflow workers (private IPs only). `subnetwork` is `regions/<region>/subnetworks/<name>`. */
  readonly network: { readonly network: string; readonly subnetwork: string };
  /** Cloud KMS key for CMEK on buckets and datasets. @default - Google-managed encryption */
  readonly encryptionKey?: string;
  readonly storage: {
    /** Days batch uploads stay in the landing bucket. */
    readonly landingRetentionDays: number;
    readonly archiveTiering: ArchiveTiering;
    /** Days archived events are protected from deletion. @default - no retention policy */
    readonly archiveRetentionDays?: number;
    /** Days Dataflow staging/temp files are kept. */
    readonly stagingObjectTtlDays: number;
  };
  readonly streams: {
    readonly delivery: StreamDelivery;
    /** Hours a topic keeps messages for replay (Pub/Sub allows 10 minutes to 31 days). */
    readonly topicRetentionHours: number;
    /** Delivery attempts before a message goes to the dead-letter topic (Pub/Sub allows 5-100). */
    readonly maxDeliveryAttempts: number;
  };
  /** Dataflow delivery (streams.delivery = dataflow): one Pub/Sub-to-BigQuery job per stream. */
  readonly dataflow: {
    /** Worker machine type. Changing it updates running jobs in place. */
    readonly machineType: string;
    /** Autoscaling ceiling per job. Changing it replaces (drains and relaunches) every job. */
    readonly maxWorkers: number;
    /** Days rows stay in dead-letter tables. */
    readonly deadLetterExpirationDays: number;
    /** Release folder of Google's templates, for example `2025-01-14-00_RC00`. @default 'latest' */
    readonly templateVersion?: string;
    /** Regional Cloud KMS key (in `region`) for job state. @default - Google-managed encryption */
    readonly encryptionKey?: string;
  };
  /** The ingest gateway (Cloud Run) in front of the streams. */
  readonly ingest: {
    readonly minInstances: number;
    readonly maxInstances: number;
    /** Requests one instance serves at once. @default 80 */
    readonly concurrency?: number;
    /** @default '1' */
    readonly cpu?: string;
    /** @default '512Mi' */
    readonly memory?: string;
    /**
     * `private`: only `producers` can call it (Cloud Run IAM). `public`: anyone can reach it and every request
     * needs a partner API key; `publicAccessReason` is then required and lands in the policy report.
     * @default 'private'
     */
    readonly access?: 'private' | 'public';
    readonly publicAccessReason?: string;
    /**
     * Where requests may come from, before authentication: `all` (the internet), `internal` (the VPC and
     * Google Cloud), or `internal-and-cloud-load-balancing` (also an external Application Load Balancer, for
     * Cloud Armor in front of partners). @default 'all'
     */
    readonly ingress?: IngestIngress;
    /** IAM members allowed to call a private gateway, for example `serviceAccount:web@p.iam.gserviceaccount.com`. */
    readonly producers?: readonly string[];
    /** Stream -> required top-level field whose value orders its messages. @default - unordered */
    readonly orderingKeys?: Readonly<Record<string, string>>;
  };
}

export const INGEST_INGRESS = ['all', 'internal', 'internal-and-cloud-load-balancing'] as const;
export type IngestIngress = (typeof INGEST_INGRESS)[number];

/** Placeholder project ids let the offline synth run; deploying them would fail. */
export function isPlaceholder(config: Pick<EnvironmentConfig, 'projectId'>): boolean {
  return config.projectId.endsWith('-placeholder');
}
