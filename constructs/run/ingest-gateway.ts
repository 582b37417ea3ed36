import { Construct } from 'constructs';
import { type GatewayManifest, serializeGatewayManifest } from '../../contracts/gateway';
import { INGEST_MANIFEST_ROLE } from '../../core/markers';
import type { Checks } from '../../core/validation';
import { describeNode } from '../core/architecture';
import { constructChecks } from '../core/validation';
import type { IPrincipal } from '../iam/principal';
import type { IServiceIdentity } from '../iam/service-identity';
import type { IDataBucket } from '../storage/data-bucket';
import { HashedObject } from '../storage/hashed-object';
import { type CloudRunIngress, CloudRunService } from './cloud-run-service';
import { RuntimeSecret } from './runtime-secret';

/** Who may call the gateway. */
export type GatewayAccess =
  /** Cloud Run IAM: only `producers` (roles/run.invoker) reach it; a partner API key is optional. */
  | { readonly kind: 'private' }
  /** Anyone reaches it and every request needs a partner API key; the reason goes into the policy report. */
  | { readonly kind: 'public'; readonly reason: string };

/** The access rows: a known kind, a reason for public access, and no invoker grants on a public gateway. */
export function checkGatewayAccess(
  c: Checks,
  prefix: string,
  access: GatewayAccess | undefined,
  producers: readonly string[] | undefined,
): void {
  c.rule(`${prefix}access.kind`, access?.kind, 'must be "private" or "public"', (k) =>
    ['private', 'public'].includes(k),
  );
  if (access?.kind !== 'public') return;
  c.reason(`${prefix}access.reason`, access.reason, 'public access');
  if ((producers ?? []).length > 0)
    c.fail(`${prefix}producers`, producers, 'a public gateway takes partner API keys, not invoker grants');
}

export interface IngestGatewayProps {
  readonly serviceName: string;
  /** CMEK keys: the service's (in its region) and the secrets' (in their region). @default - Google-managed */
  readonly encryption?: { readonly service?: string; readonly secrets?: string };
  readonly region: string;
  /** @default - the project of the stack's default google provider */
  readonly project?: string;
  /** The gateway's identity; it must already be able to publish to the manifest's topics. */
  readonly identity: IServiceIdentity;
  /** The container image (see constructs/run/image.ts). */
  readonly image: string;
  /** The streams served: names, topics, contracts, ordering keys. */
  readonly manifest: GatewayManifest;
  /** Holds the manifest file, mounted read-only into the service. */
  readonly artifactsBucket: IDataBucket;
  /** @default { kind: 'private' } */
  readonly access?: GatewayAccess;
  /** Identities allowed to call a private gateway (roles/run.invoker). @default - none */
  readonly producers?: readonly IPrincipal[];
  /**
   * Where requests may come from, before authentication: `INGRESS_TRAFFIC_INTERNAL_ONLY` keeps a private gateway
   * off the internet (producers in the VPC or in Google Cloud). @default 'INGRESS_TRAFFIC_ALL'
   */
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
  /**
   * Runs Google Cloud Managed Service for Prometheus as a sidecar, which scrapes the gateway's localhost
   * metrics port and writes the counters to Cloud Monitoring. @default true
   */
  readonly metricsCollector?: boolean;
  readonly deletionProtection: boolean;
  /** @default - none beyond the provider defaults */
  readonly labels?: Readonly<Record<string, string>>;
}

export const GATEWAY_PATHS = {
  artifacts: '/var/tributary/artifacts',
  keysDir: '/var/tributary/keys',
  keysFile: 'api-keys.json',
  metricsConfigDir: '/etc/rungmp',
} as const;

/** Managed Service for Prometheus sidecar for Cloud Run; pinned so a deploy never changes it silently. */
export const METRICS_COLLECTOR_IMAGE =
  'us-docker.pkg.dev/cloud-ops-agents-artifacts/cloud-run-gmp-sidecar/cloud-run-gmp-sidecar:1.2.0';
const METRICS_PORT = 9464;

/**
 * The ingest gateway on Cloud Run: the service (its own identity, probes, scaling), the manifest of streams as
 * a content-addressed file in the artifacts bucket (a contract change is a new path, so a new revision), the
 * partner API key secret (only the gateway may read it; keys are added with `npm run ingest:keys`), and
 * either invoker grants for the producers or public access with a recorded reason.
 */
export class IngestGateway extends Construct {
  public readonly service: CloudRunService;
  /** The identity the service runs as. */
  public readonly identity: IServiceIdentity;
  public readonly manifestObject: HashedObject;
  public readonly apiKeys: RuntimeSecret;
  public readonly metricsConfig?: RuntimeSecret;

  constructor(scope: Construct, id: string, props: IngestGatewayProps) {
    super(scope, id);
    describeNode(this, { shape: 'service', label: `Cloud Run ${props.serviceName}` });
    const access = props.access ?? { kind: 'private' };
    const c = constructChecks(this);
    c.rule('manifest.streams', props.manifest.streams, 'must list at least one stream', (s) => s.length > 0);
    checkGatewayAccess(
      c,
      '',
      access,
      props.producers?.map((p) => p.principalLabel),
    );
    c.throwIfAny();
    this.identity = props.identity;

    const labels = { ...props.labels, component: 'ingest' };
    this.manifestObject = new HashedObject(this, 'Manifest', {
      bucket: props.artifactsBucket,
      folder: 'ingest',
      baseName: 'manifest',
      extension: 'json',
      content: serializeGatewayManifest(props.manifest),
      contentType: 'application/json',
      role: INGEST_MANIFEST_ROLE,
    });
    this.apiKeys = new RuntimeSecret(this, 'ApiKeys', {
      secretId: `${props.serviceName}-api-keys`,
      region: props.region,
      project: props.project,
      // An empty key file, so the secret mounts from the first deploy; keys are added outside Terraform.
      initialData: '{"keysVersion":1,"keys":[]}',
      deletionProtection: props.deletionProtection,
      ...(props.encryption?.secrets ? { encryptionKey: props.encryption.secrets } : {}),
      labels,
    });
    const collector = props.metricsCollector ?? true;
    if (collector) {
      this.metricsConfig = new RuntimeSecret(this, 'MetricsConfig', {
        secretId: `${props.serviceName}-metrics-config`,
        region: props.region,
        project: props.project,
        initialData: [
          'apiVersion: monitoring.googleapis.com/v1beta',
          'kind: RunMonitoring',
          'metadata:',
          `  name: ${props.serviceName}`,
          'spec:',
          '  endpoints:',
          `  - port: ${METRICS_PORT}`,
          '    path: /metrics',
          '    interval: 30s',
          '',
        ].join('\n'),
        ...(props.encryption?.secrets ? { encryptionKey: props.encryption.secrets } : {}),
        labels,
      });
    }
    this.service = new CloudRunService(this, 'Service', {
      serviceName: props.serviceName,
      region: props.region,
      project: props.project,
      ...(props.encryption?.service ? { encryptionKey: props.encryption.service } : {}),
      identity: props.identity,
      image: props.image,
      ingress: props.ingress,
      env: {
        TRIBUTARY_INGEST_MANIFEST: `${GATEWAY_PATHS.artifacts}/${this.manifestObject.objectName}`,
        TRIBUTARY_API_KEYS: `${GATEWAY_PATHS.keysDir}/${GATEWAY_PATHS.keysFile}`,
        TRIBUTARY_AUTH_MODE: access.kind === 'public' ? 'api-key' : 'iam',
        TRIBUTARY_METRICS_PORT: collector ? String(METRICS_PORT) : '0',
        ...(props.project ? { GOOGLE_CLOUD_PROJECT: props.project } : {}),
      },
      secretFiles: [
        { secret: this.apiKeys, mountPath: GATEWAY_PATHS.keysDir, fileName: GATEWAY_PATHS.keysFile },
      ],
      bucketMounts: [{ bucket: props.artifactsBucket, mountPath: GATEWAY_PATHS.artifacts }],
      sidecars:
        collector && this.metricsConfig
          ? [
              {
                name: 'metrics-collector',
                image: METRICS_COLLECTOR_IMAGE,
                secretFiles: [
                  {
                    secret: this.metricsConfig,
                    mountPath: GATEWAY_PATHS.metricsConfigDir,
                    fileName: 'config.yaml',
                  },
                ],
              },
            ]
          : [],
      minInstances: props.minInstances,
      maxInstances: props.maxInstances,
      concurrency: props.concurrency,
      cpu: props.cpu,
      memory: props.memory,
      startupProbePath: '/readyz',
      livenessProbePath: '/healthz',
      deletionProtection: props.deletionProtection,
      labels,
    });
    this.service.deployAfter(this.manifestObject.resource);
    if (this.apiKeys.initialVersion) this.service.deployAfter(this.apiKeys.initialVersion);
    if (this.metricsConfig?.initialVersion) this.service.deployAfter(this.metricsConfig.initialVersion);
    if (access.kind === 'public') this.service.grantPublicInvoke(access.reason);
    for (const producer of props.producers ?? []) this.service.grantInvoke(producer);
  }
}
