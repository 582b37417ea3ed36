import { PubsubSubscription } from '@cdktf/provider-google/lib/pubsub-subscription';
import { PubsubSubscriptionIamMember } from '@cdktf/provider-google/lib/pubsub-subscription-iam-member';
import { Construct } from 'constructs';
import { checkLabels, DELIVERY_ATTEMPTS, PROJECT_ID, PUBSUB_NAME } from '../../core/gcp';
import type { ContractTable } from '../bigquery/contract-table';
import { describeNode } from '../core/architecture';
import { constructChecks } from '../core/validation';
import { type Grant, grantOn, type IGrantTarget } from '../iam/grants';
import type { IPrincipal } from '../iam/principal';
import type { IDataBucket } from '../storage/data-bucket';

/** Where a subscription's messages go. */
export type SubscriptionDelivery =
  /** A pull subscription for a consumer such as Dataflow. */
  | { readonly kind: 'pull' }
  /**
   * Pub/Sub writes each message into the table using the topic schema, plus its metadata columns. The writer
   * (the Pub/Sub service agent) gets data editor on the table's dataset only.
   */
  | { readonly kind: 'bigquery'; readonly table: ContractTable }
  /** Pub/Sub writes Avro files with message metadata under `<prefix>YYYY/MM/DD/hh/mm_ss_<uuid>.avro` in the bucket. */
  | {
      readonly kind: 'cloud-storage';
      readonly bucket: IDataBucket;
      /** Object name prefix, for example `order/`. */
      readonly filenamePrefix: string;
      /** A new file at least this often, 60-600 seconds. @default 300 */
      readonly maxDurationSeconds?: number;
      /** A new file at this size, 1 KiB - 10 GiB. @default 256 MiB */
      readonly maxBytes?: number;
    };

export interface EventSubscriptionProps {
  readonly subscriptionName: string;
  /** Full topic name or id; a reference so the subscription is created after the topic. */
  readonly topic: string;
  /** @default - the topic's project */
  readonly project?: string;
  /** @default pull */
  readonly delivery?: SubscriptionDelivery;
  /**
   * Dead-letter topic and delivery attempts. Every subscription but a dead-letter topic's own has one, so a
   * poison message is parked after `maxDeliveryAttempts` instead of blocking or being dropped.
   * @default - none (only for dead-letter subscriptions)
   */
  readonly deadLetter?: { readonly topic: string; readonly maxDeliveryAttempts: number };
  /** @default 60 */
  readonly ackDeadlineSeconds?: number;
  /** Unacknowledged messages are kept this long. @default 168 (7 days, the maximum) */
  readonly messageRetentionHours?: number;
  /** Redelivery backoff. @default 10 s to 600 s */
  readonly retry?: { readonly minimumBackoffSeconds: number; readonly maximumBackoffSeconds: number };
  /** Exactly-once delivery for pull subscriptions. @default false */
  readonly exactlyOnceDelivery?: boolean;
  /** @default - none beyond the provider defaults */
  readonly labels?: Readonly<Record<string, string>>;
  /** Principal that must be able to act on the subscription before it works (the Pub/Sub service agent). */
  readonly serviceAgent: IPrincipal;
}

/** A subscription as its consumers use it. */
export interface IEventSubscription extends IGrantTarget {
  readonly subscriptionName: string;
  /** `projects/<project>/subscriptions/<name>`, the form Dataflow templates take. */
  readonly subscriptionPath: string;
  grantSubscribe(principal: IPrincipal): Grant;
  grantViewer(principal: IPrincipal): Grant;
}

/** A subscription that never expires, retries with backoff and parks poison messages. */
export class EventSubscription extends Construct implements IEventSubscription {
  public readonly resource: PubsubSubscription;
  public readonly subscriptionName: string;
  /** The subscription's full name, a reference to the resource (created on first use; every token costs synth time). */
  public get subscriptionRef(): string {
    return this.resource.id;
  }
  public readonly grantResourceType = 'google_pubsub_subscription';
  public readonly grantResourceLabel: string;
  /** Grants the delivery needs before the subscription can be created. */
  public readonly deliveryGrants: readonly Grant[];
  private readonly project?: string;

  constructor(scope: Construct, id: string, props: EventSubscriptionProps) {
    super(scope, id);
    describeNode(this, { shape: 'subscription', label: props.subscriptionName });
    const delivery = props.delivery ?? { kind: 'pull' };
    validate(this, props, delivery);

    const grants: Grant[] = [];
    if (delivery.kind === 'bigquery') grants.push(delivery.table.dataset.grantDataEditor(props.serviceAgent));
    if (delivery.kind === 'cloud-storage') {
      // Cloud Storage subscriptions need to read bucket metadata and create objects; nothing more.
      grants.push(delivery.bucket.grantCreate(props.serviceAgent));
      grants.push(delivery.bucket.grant(props.serviceAgent, 'roles/storage.legacyBucketReader'));
    }
    this.deliveryGrants = grants;

    this.resource = new PubsubSubscription(this, 'Resource', {
      name: props.subscriptionName,
      topic: props.topic,
      project: props.project,
      ackDeadlineSeconds: props.ackDeadlineSeconds ?? 60,
      messageRetentionDuration: `${(props.messageRetentionHours ?? 168) * 3600}s`,
      retainAckedMessages: false,
      // The default deletes a subscription after 31 days without subscribers, silently losing the backlog.
      expirationPolicy: { ttl: '' },
      retryPolicy: {
        minimumBackoff: `${props.retry?.minimumBackoffSeconds ?? 10}s`,
        maximumBackoff: `${props.retry?.maximumBackoffSeconds ?? 600}s`,
      },
      deadLetterPolicy: props.deadLetter
        ? {
            deadLetterTopic: props.deadLetter.topic,
            maxDeliveryAttempts: props.deadLetter.maxDeliveryAttempts,
          }
        : undefined,
      enableExactlyOnceDelivery: props.exactlyOnceDelivery ?? false,
      labels: props.labels ? { ...props.labels } : undefined,
      bigqueryConfig:
        delivery.kind === 'bigquery'
          ? {
              table: delivery.table.tableReference,
              useTopicSchema: true,
              writeMetadata: true,
              dropUnknownFields: false,
            }
          : undefined,
      cloudStorageConfig:
        delivery.kind === 'cloud-storage'
          ? {
              bucket: delivery.bucket.bucketName,
              filenamePrefix: delivery.filenamePrefix,
              // Every matcher is required (year to second); the hour folder keeps listings by hour cheap.
              filenameDatetimeFormat: 'YYYY/MM/DD/hh/mm_ss',
              filenameSuffix: '.avro',
              maxDuration: `${delivery.maxDurationSeconds ?? 300}s`,
              maxBytes: delivery.maxBytes ?? 256 * 1024 * 1024,
              avroConfig: { writeMetadata: true },
            }
          : undefined,
      dependsOn: grants.length > 0 ? grants.map((g) => g.member) : undefined,
    });
    this.subscriptionName = props.subscriptionName;
    this.project = props.project;
    this.grantResourceLabel = props.subscriptionName;
  }

  // Reference tokens shared by every grant on this subscription: a repeated token resolves once.
  private refsCache?: { readonly name: string; readonly project: string };
  private get refs(): { readonly name: string; readonly project: string } {
    this.refsCache ??= { name: this.resource.name, project: this.resource.project };
    return this.refsCache;
  }

  /** `projects/<project>/subscriptions/<name>`: literal when the project is known, so plans show it. */
  public get subscriptionPath(): string {
    return this.project
      ? `projects/${this.project}/subscriptions/${this.subscriptionName}`
      : this.resource.id;
  }

  /** Pull and acknowledge messages from this subscription only (`roles/pubsub.subscriber`). */
  public grantSubscribe(principal: IPrincipal): Grant {
    return this.grant(principal, 'roles/pubsub.subscriber');
  }

  /** Read the subscription's configuration (`roles/pubsub.viewer` on it); Dataflow checks it at launch. */
  public grantViewer(principal: IPrincipal): Grant {
    return this.grant(principal, 'roles/pubsub.viewer');
  }

  public grant(principal: IPrincipal, role: string): Grant {
    return grantOn(
      this,
      principal,
      role,
      (id, member) =>
        new PubsubSubscriptionIamMember(this, id, {
          subscription: this.refs.name,
          project: this.refs.project,
          role,
          member,
        }),
    );
  }
}

function validate(scope: Construct, props: EventSubscriptionProps, delivery: SubscriptionDelivery): void {
  const c = constructChecks(scope);
  c.rule('subscriptionName', props.subscriptionName, PUBSUB_NAME.text, PUBSUB_NAME.test);
  c.check('project', props.project, PROJECT_ID);
  c.rule(
    'ackDeadlineSeconds',
    props.ackDeadlineSeconds,
    'must be a whole number of seconds from 10 to 600',
    (s) => Number.isInteger(s) && s >= 10 && s <= 600,
  );
  c.rule(
    'messageRetentionHours',
    props.messageRetentionHours,
    'must be a whole number of hours from 1 to 168 (Pub/Sub keeps unacknowledged messages 10 minutes to 7 days)',
    (h) => Number.isInteger(h) && h >= 1 && h <= 168,
  );
  c.check('deadLetter.maxDeliveryAttempts', props.deadLetter?.maxDeliveryAttempts, DELIVERY_ATTEMPTS);
  const r = props.retry;
  c.rule(
    'retry.minimumBackoffSeconds',
    r?.minimumBackoffSeconds,
    'must be from 0 to 600 seconds',
    (s) => s >= 0 && s <= 600,
  );
  c.rule(
    'retry.maximumBackoffSeconds',
    r?.maximumBackoffSeconds,
    'must be from 0 to 600 seconds and not below minimumBackoffSeconds',
    (s) => s >= 0 && s <= 600 && s >= (r?.minimumBackoffSeconds ?? 0),
  );
  if (props.exactlyOnceDelivery && delivery.kind !== 'pull') {
    c.fail(
      'exactlyOnceDelivery',
      true,
      `is only available for pull subscriptions, not ${delivery.kind} delivery`,
    );
  }
  if (delivery.kind === 'cloud-storage') {
    c.rule(
      'delivery.maxDurationSeconds',
      delivery.maxDurationSeconds,
      'must be a whole number of seconds from 60 to 600',
      (s) => Number.isInteger(s) && s >= 60 && s <= 600,
    );
    c.rule(
      'delivery.maxBytes',
      delivery.maxBytes,
      'must be from 1 KiB to 10 GiB',
      (b) => Number.isInteger(b) && b >= 1024 && b <= 10 * 1024 ** 3,
    );
    c.rule(
      'delivery.filenamePrefix',
      delivery.filenamePrefix,
      'must be a non-empty object name prefix without a leading "/"',
      (p) => p.length > 0 && !p.startsWith('/'),
    );
  }
  checkLabels(c, props.labels);
  c.throwIfAny();
}
