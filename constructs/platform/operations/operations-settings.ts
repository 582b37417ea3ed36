import type { Checks } from '../../../core/validation';
import type { ChannelTarget } from '../../monitoring/notification-channel';

/** Alert thresholds, typed per environment; each has a default an environment may override. */
export interface AlertThresholds {
  /** Oldest unacknowledged message on a stream's delivery subscription (BigQuery or Dataflow). @default 600 */
  readonly deliveryBacklogSeconds: number;
  /** Oldest unacknowledged message on a stream's archive subscription (files close every 5 minutes). @default 1800 */
  readonly archiveBacklogSeconds: number;
  /** Dataflow system lag. @default 300 */
  readonly dataflowSystemLagSeconds: number;
  /** Dataflow data watermark age. @default 900 */
  readonly dataflowWatermarkAgeSeconds: number;
  /** Share of the gateway's requests answered 5xx. @default 0.01 */
  readonly gateway5xxShare: number;
  /** The gateway's p99 latency. @default 1000 */
  readonly gatewayP99Ms: number;
  /** Share of a stream's events the gateway rejected. @default 0.05 */
  readonly gatewayRejectedShare: number;
  /** Share of a loader run's rows rejected (over 30 minutes). @default 0.01 */
  readonly loaderRejectShare: number;
}

export const DEFAULT_THRESHOLDS: AlertThresholds = {
  deliveryBacklogSeconds: 600,
  archiveBacklogSeconds: 1800,
  dataflowSystemLagSeconds: 300,
  dataflowWatermarkAgeSeconds: 900,
  gateway5xxShare: 0.01,
  gatewayP99Ms: 1000,
  gatewayRejectedShare: 0.05,
  loaderRejectShare: 0.01,
};

/** The `operations` section of an environment file. */
export interface OperationsSettings {
  /** Where every alert goes: at least one email, plus a webhook or Pub/Sub channel for chat tools. */
  readonly notifications: {
    readonly emails: readonly string[];
    /** An HTTPS endpoint that takes Cloud Monitoring's webhook payload. @default - none */
    readonly webhookUrl?: string;
    /** `projects/<p>/topics/<t>` a chat bridge reads. @default - none */
    readonly pubsubTopic?: string;
  };
  /** @default - DEFAULT_THRESHOLDS */
  readonly thresholds?: Partial<AlertThresholds>;
  /** Per stream: 99% (the goal) of minutes have every event queryable in raw within the bound. */
  readonly freshness?: { readonly boundMinutes?: number; readonly goal?: number };
  /** Where the runbooks are browsable, linked from each alert (`<url>/<signal>.md`). @default - no link */
  readonly runbookBaseUrl?: string;
  /**
   * Data Access audit logs for BigQuery and Cloud Storage (CIS 2.1), leaving out the platform's own high-volume
   * writers; they cost per GB logged. @default false
   */
  readonly dataAccessAudit?: boolean;
}

export function channelTargets(s: OperationsSettings): ChannelTarget[] {
  return [
    ...s.notifications.emails.map((address) => ({ kind: 'email' as const, address })),
    ...(s.notifications.webhookUrl ? [{ kind: 'webhook' as const, url: s.notifications.webhookUrl }] : []),
    ...(s.notifications.pubsubTopic ? [{ kind: 'pubsub' as const, topic: s.notifications.pubsubTopic }] : []),
  ];
}

const SECONDS = (v: number) => Number.isInteger(v) && v >= 60 && v <= 86_400;
const SHARE = (v: number) => v > 0 && v < 1;

export function checkOperationsSettings(c: Checks, s: OperationsSettings, prefix = ''): void {
  c.rule(
    `${prefix}notifications.emails`,
    s.notifications?.emails?.length,
    'must name at least one address',
    (n) => n > 0,
  );
  const t = s.thresholds ?? {};
  for (const k of [
    'deliveryBacklogSeconds',
    'archiveBacklogSeconds',
    'dataflowSystemLagSeconds',
    'dataflowWatermarkAgeSeconds',
  ] as const)
    c.rule(`${prefix}thresholds.${k}`, t[k], 'must be a whole number of seconds from 60 to 86400', SECONDS);
  for (const k of ['gateway5xxShare', 'gatewayRejectedShare', 'loaderRejectShare'] as const)
    c.rule(`${prefix}thresholds.${k}`, t[k], 'must be a share between 0 and 1 (exclusive)', SHARE);
  c.rule(
    `${prefix}thresholds.gatewayP99Ms`,
    t.gatewayP99Ms,
    'must be a whole number of milliseconds from 1 to 60000',
    (v) => Number.isInteger(v) && v >= 1 && v <= 60_000,
  );
  c.rule(
    `${prefix}freshness.boundMinutes`,
    s.freshness?.boundMinutes,
    'must be a whole number of minutes from 1 to 1440',
    (m) => Number.isInteger(m) && m >= 1 && m <= 1440,
  );
  c.rule(
    `${prefix}freshness.goal`,
    s.freshness?.goal,
    'must be above 0 and at most 0.999',
    (g) => g > 0 && g <= 0.999,
  );
  c.rule(`${prefix}runbookBaseUrl`, s.runbookBaseUrl, 'must be an https:// URL', (u) =>
    /^https:\/\/\S+$/.test(u),
  );
}
