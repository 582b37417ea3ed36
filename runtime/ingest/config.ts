/**
 * The gateway's configuration, read from the environment once at start (the constructs set every variable; see
 * constructs/run/ingest-gateway.ts). Every problem is reported at once, naming the variable, the value and
 * the rule, and the process does not start.
 */
import { PROJECT_ID_PATTERN } from '../../core/gcp';
import { Checks } from '../../core/validation';

/**
 * `iam`: the service is private and Cloud Run has already authenticated the caller (roles/run.invoker); an API
 * key is optional and, when sent, must be valid. `api-key`: the service is public and every request needs a
 * valid partner key.
 */
export type AuthMode = 'iam' | 'api-key';

export interface IngestLimits {
  /** Largest request body accepted (413 above). */
  readonly bodyBytes: number;
  /** Most events in one request (413 above). */
  readonly eventsPerRequest: number;
  /** Largest single event, as published (that event is rejected above). */
  readonly eventBytes: number;
  /** Bytes of request bodies held at once; requests beyond it get 503 instead of being buffered. */
  readonly inFlightBytes: number;
  /** Deepest nesting of arrays and objects in a body (400 above). */
  readonly nestingDepth: number;
}

export interface IngestConfig {
  readonly host: string;
  readonly port: number;
  /** The gateway manifest (streams, topics, contracts) written by the constructs. */
  readonly manifestPath: string;
  /** The partner API key file (Secret Manager, mounted). @default - no partner keys */
  readonly apiKeysPath?: string;
  readonly authMode: AuthMode;
  /** For trace correlation in logs (`projects/<id>/traces/<trace>`). @default - trace ids logged without a project */
  readonly projectId?: string;
  readonly limits: IngestLimits;
  /** How long a publish may take, retries included, before its events are reported as failed. */
  readonly publishTimeoutMs: number;
  /** Client batching: a batch is sent after this long, or when it holds `publishBatchMessages`. */
  readonly publishBatchMs: number;
  readonly publishBatchMessages: number;
  /** Requests with at least this many events on unordered streams are published as their own PublishRequests. */
  readonly publishDirectMinMessages: number;
  /** Localhost port of the Prometheus metrics endpoint; 0 turns it off. */
  readonly metricsPort: number;
  /** After SIGTERM: how long in-flight requests and the publisher flush may take before the process exits. */
  readonly shutdownGraceMs: number;
  /** How often the API key file is re-read, so rotated keys apply without a restart. */
  readonly keysReloadMs: number;
}

const int = (min: number, max: number) => (v: string) =>
  /^\d+$/.test(v) && Number(v) >= min && Number(v) <= max;

export function loadConfig(env: Readonly<Record<string, string | undefined>>): IngestConfig {
  const c = new Checks('ingest gateway configuration (environment variables)');
  const num = (name: string, fallback: number, min: number, max: number): number => {
    const raw = env[name];
    c.rule(name, raw, `must be a whole number from ${min} to ${max}`, int(min, max));
    return raw === undefined ? fallback : Number(raw);
  };
  c.require(
    'TRIBUTARY_INGEST_MANIFEST',
    env.TRIBUTARY_INGEST_MANIFEST,
    'is required: the path of the gateway manifest',
  );
  const authMode = env.TRIBUTARY_AUTH_MODE ?? 'iam';
  c.rule(
    'TRIBUTARY_AUTH_MODE',
    authMode,
    'must be "iam" or "api-key"',
    (m) => m === 'iam' || m === 'api-key',
  );
  if (authMode === 'api-key')
    c.require('TRIBUTARY_API_KEYS', env.TRIBUTARY_API_KEYS, 'is required with TRIBUTARY_AUTH_MODE=api-key');
  c.rule('GOOGLE_CLOUD_PROJECT', env.GOOGLE_CLOUD_PROJECT, 'must be a project id', (p) =>
    PROJECT_ID_PATTERN.test(p),
  );
  const config: IngestConfig = {
    host: env.HOST ?? '0.0.0.0',
    port: num('PORT', 8080, 0, 65535),
    manifestPath: env.TRIBUTARY_INGEST_MANIFEST ?? '',
    ...(env.TRIBUTARY_API_KEYS ? { apiKeysPath: env.TRIBUTARY_API_KEYS } : {}),
    authMode: authMode as AuthMode,
    ...(env.GOOGLE_CLOUD_PROJECT ? { projectId: env.GOOGLE_CLOUD_PROJECT } : {}),
    limits: {
      bodyBytes: num('TRIBUTARY_MAX_BODY_BYTES', 1_048_576, 1024, 33_554_432),
      eventsPerRequest: num('TRIBUTARY_MAX_EVENTS', 1000, 1, 100_000),
      // Pub/Sub's own limit on message data is 10 MB.
      eventBytes: num('TRIBUTARY_MAX_EVENT_BYTES', 262_144, 64, 10_000_000),
      inFlightBytes: num('TRIBUTARY_MAX_IN_FLIGHT_BYTES', 67_108_864, 65_536, 4_294_967_296),
      nestingDepth: num('TRIBUTARY_MAX_NESTING', 32, 2, 256),
    },
    // Shorter than the shutdown grace, so requests in flight at SIGTERM finish (or fail) before the exit.
    publishTimeoutMs: num('TRIBUTARY_PUBLISH_TIMEOUT_MS', 5000, 100, 600_000),
    // A short window: every request waits for its batch, so the window is added to every response time.
    publishBatchMs: num('TRIBUTARY_PUBLISH_BATCH_MS', 2, 0, 1000),
    // 100 x 1 KB keeps each RPC near 100 KB; 500-message RPCs stalled behind HTTP/2 flow control in tests.
    publishBatchMessages: num('TRIBUTARY_PUBLISH_BATCH_MESSAGES', 100, 1, 1000),
    // Measured: one RPC per request beats the batching client's per-message work from 25-50 messages on.
    publishDirectMinMessages: num('TRIBUTARY_PUBLISH_DIRECT_MIN_MESSAGES', 32, 1, 100_000),
    metricsPort: num('TRIBUTARY_METRICS_PORT', 9464, 0, 65535),
    shutdownGraceMs: num('TRIBUTARY_SHUTDOWN_GRACE_MS', 8000, 100, 3_600_000),
    keysReloadMs: num('TRIBUTARY_KEYS_RELOAD_MS', 60_000, 1000, 86_400_000),
  };
  c.rule(
    'TRIBUTARY_MAX_IN_FLIGHT_BYTES',
    config.limits.inFlightBytes,
    `must be at least TRIBUTARY_MAX_BODY_BYTES (${config.limits.bodyBytes})`,
    (b) => b >= config.limits.bodyBytes,
  );
  c.throwIfAny();
  return config;
}
