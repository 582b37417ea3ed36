import { PubsubSchema } from '@cdktf/provider-google/lib/pubsub-schema';
import { PubsubTopic } from '@cdktf/provider-google/lib/pubsub-topic';
import { PubsubTopicIamMember } from '@cdktf/provider-google/lib/pubsub-topic-iam-member';
import { Construct } from 'constructs';
import {
  checkLabels,
  DELIVERY_ATTEMPTS,
  KMS_KEY_NAME,
  PUBSUB_NAME,
  REGION,
  TOPIC_RETENTION_HOURS,
} from '../../core/gcp';
import { DEAD_LETTER_LABEL } from '../../core/markers';
import { connect, describeNode } from '../core/architecture';
import { projectOf, regionOf } from '../core/project';
import { checkProject, constructChecks } from '../core/validation';
import { grantKeyToAgents } from '../iam/cmek';
import { type Grant, grantOn, type IGrantTarget, type MemberFactory } from '../iam/grants';
import { type IPrincipal, ServiceAgent } from '../iam/principal';
import { EventSubscription, type EventSubscriptionProps } from './event-subscription';

export interface IEventTopic extends IGrantTarget {
  readonly topicName: string;
  /** The topic's full name, a reference to the resource. */
  readonly topicRef: string;
  grantPublish(principal: IPrincipal): Grant;
  grantSubscribe(principal: IPrincipal): Grant;
}

export interface EventTopicProps {
  readonly topicName: string;
  /** @default - the project of the stack's default google provider */
  readonly project?: string;
  /** @default - looked up at plan time where the Pub/Sub service agent is needed */
  readonly projectNumber?: string;
  /** The topic schema; messages are validated against it (JSON encoding). */
  readonly schema: { readonly type: 'PROTOCOL_BUFFER' | 'AVRO'; readonly definition: string };
  /** How long the topic keeps messages for replay (seek), 1-744 hours. @default 24 */
  readonly messageRetentionHours?: number;
  /** Delivery attempts before a message goes to the dead-letter topic, 5-100. @default 5 */
  readonly maxDeliveryAttempts?: number;
  /** Regions where messages may be stored. @default - the region of the stack's default google provider */
  readonly allowedPersistenceRegions?: readonly string[];
  /** Cloud KMS key for messages at rest; the Pub/Sub service agent is granted on it. @default - Google-managed */
  readonly encryptionKey?: string;
  /** @default - none beyond the provider defaults */
  readonly labels?: Readonly<Record<string, string>>;
}

/**
 * A topic with a schema, retention and storage policy, and its dead-letter topic with a subscription to inspect
 * and replay parked messages. The Pub/Sub service agent may publish to the dead-letter topic and acknowledge
 * on each source subscription, which is what dead-lettering needs.
 */
export class EventTopic extends Construct implements IEventTopic {
  /** A topic this app does not manage (it exists already): only the bindings granted on it change. */
  public static fromTopicName(scope: Construct, id: string, topicName: string, project: string): IEventTopic {
    return new ImportedTopic(scope, id, topicName, project);
  }

  public readonly resource: PubsubTopic;
  public readonly schema: PubsubSchema;
  public readonly deadLetterTopic: PubsubTopic;
  public readonly deadLetterSubscription: EventSubscription;
  public readonly topicName: string;
  public readonly serviceAgent: IPrincipal;
  public readonly project: string;
  public readonly grantResourceType = 'google_pubsub_topic';
  public readonly grantResourceLabel: string;
  private readonly maxDeliveryAttempts: number;
  private readonly deadLetterTarget: TopicGrants;

  constructor(scope: Construct, id: string, props: EventTopicProps) {
    super(scope, id);
    describeNode(this, {
      shape: 'topic',
      label: `topic ${props.topicName}${props.schema ? ' (schema)' : ''}`,
    });
    const project = projectOf(this, props.project);
    validate(this, props, project);
    this.topicName = props.topicName;
    this.project = project as string;
    this.grantResourceLabel = props.topicName;
    this.maxDeliveryAttempts = props.maxDeliveryAttempts ?? 5;
    this.serviceAgent = ServiceAgent.of(this, 'pubsub', { project, projectNumber: props.projectNumber });

    // The agent is created on demand first (google-beta service identity), then granted the key.
    const keyGrants = props.encryptionKey
      ? grantKeyToAgents(this, props.encryptionKey, 'pubsub', {
          project: project as string,
          ...(props.projectNumber ? { projectNumber: props.projectNumber } : {}),
        })
      : [];
    const region = regionOf(this);
    const regions = props.allowedPersistenceRegions ?? (region ? [region] : undefined);
    const common = {
      project,
      kmsKeyName: props.encryptionKey,
      messageStoragePolicy: regions ? { allowedPersistenceRegions: [...regions] } : undefined,
      dependsOn: keyGrants.length > 0 ? keyGrants : undefined,
    };

    this.schema = new PubsubSchema(this, 'Schema', {
      name: props.topicName,
      project,
      type: props.schema.type,
      definition: props.schema.definition,
    });
    this.resource = new PubsubTopic(this, 'Resource', {
      ...common,
      name: props.topicName,
      messageRetentionDuration: `${(props.messageRetentionHours ?? 24) * 3600}s`,
      // Pub/Sub accepts a message valid under any committed revision of the schema: the google provider has no
      // first/last revision arguments, so the range is all revisions. contracts:check keeps revisions compatible.
      schemaSettings: { schema: this.schema.id, encoding: 'JSON' },
      labels: props.labels ? { ...props.labels } : undefined,
    });

    const dlqName = `${props.topicName}-dlq`;
    this.deadLetterTopic = new PubsubTopic(this, 'DeadLetterTopic', {
      ...common,
      name: dlqName,
      // Parked messages stay replayable for the longest time Pub/Sub allows.
      messageRetentionDuration: `${31 * 24 * 3600}s`,
      labels: { ...props.labels, [DEAD_LETTER_LABEL.key]: DEAD_LETTER_LABEL.value },
    });
    describeNode(this.deadLetterTopic, { shape: 'topic', label: `topic ${dlqName} (dead letters)` });
    this.deadLetterTarget = new TopicGrants(this, 'DeadLetterGrants', this.deadLetterTopic, dlqName);
    this.deadLetterTarget.grant(this.serviceAgent, 'roles/pubsub.publisher');
    this.deadLetterSubscription = new EventSubscription(this, 'DeadLetterSubscription', {
      subscriptionName: `${dlqName}-sub`,
      topic: this.deadLetterTopic.id,
      project,
      messageRetentionHours: 168,
      labels: { ...props.labels, [DEAD_LETTER_LABEL.key]: DEAD_LETTER_LABEL.value },
      serviceAgent: this.serviceAgent,
    });
    connect(this.deadLetterTopic, this.deadLetterSubscription);
  }

  /**
   * A subscription on this topic that dead-letters to this topic's DLQ; the Pub/Sub service agent gets
   * subscriber on it so it can acknowledge what it forwards.
   */
  public addSubscription(
    id: string,
    props: Omit<EventSubscriptionProps, 'topic' | 'serviceAgent' | 'deadLetter'> & {
      readonly maxDeliveryAttempts?: number;
    },
  ): EventSubscription {
    const { maxDeliveryAttempts, ...rest } = props;
    const subscription = new EventSubscription(this, id, {
      ...rest,
      topic: this.resource.id,
      project: rest.project ?? this.project,
      serviceAgent: this.serviceAgent,
      deadLetter: {
        topic: this.deadLetterTopic.id,
        maxDeliveryAttempts: maxDeliveryAttempts ?? this.maxDeliveryAttempts,
      },
    });
    subscription.grantSubscribe(this.serviceAgent);
    connect(this, subscription);
    connect(subscription, this.deadLetterTopic, 'dead letters');
    return subscription;
  }

  /** The topic's full name, a reference to the resource (created on first use). */
  public get topicRef(): string {
    return this.resource.id;
  }

  /** Publish to this topic only (`roles/pubsub.publisher`). */
  public grantPublish(principal: IPrincipal): Grant {
    return this.grant(principal, 'roles/pubsub.publisher');
  }

  /** Attach subscriptions to this topic (`roles/pubsub.subscriber` on the topic); consuming needs it on a subscription. */
  public grantSubscribe(principal: IPrincipal): Grant {
    return this.grant(principal, 'roles/pubsub.subscriber');
  }

  public grant(principal: IPrincipal, role: string): Grant {
    return grantOn(this, principal, role, topicMember(this, this.resource.name, this.resource.project, role));
  }
}

class ImportedTopic extends Construct implements IEventTopic {
  public readonly grantResourceType = 'google_pubsub_topic';
  public readonly grantResourceLabel: string;
  public readonly topicRef: string;

  constructor(
    scope: Construct,
    id: string,
    public readonly topicName: string,
    private readonly project: string,
  ) {
    super(scope, id);
    describeNode(this, { shape: 'topic', label: `topic ${topicName} (imported)` });
    const c = constructChecks(this).check('topicName', topicName, PUBSUB_NAME);
    checkProject(c, project).throwIfAny();
    this.grantResourceLabel = topicName;
    this.topicRef = `projects/${project}/topics/${topicName}`;
  }

  public grantPublish(principal: IPrincipal): Grant {
    return this.grant(principal, 'roles/pubsub.publisher');
  }

  public grantSubscribe(principal: IPrincipal): Grant {
    return this.grant(principal, 'roles/pubsub.subscriber');
  }

  public grant(principal: IPrincipal, role: string): Grant {
    return grantOn(this, principal, role, topicMember(this, this.topicName, this.project, role));
  }
}

/** Grants on a plain topic (the dead-letter topic), recorded like every other grant. */
class TopicGrants extends Construct implements IGrantTarget {
  public readonly grantResourceType = 'google_pubsub_topic';
  constructor(
    scope: Construct,
    id: string,
    private readonly topic: PubsubTopic,
    public readonly grantResourceLabel: string,
  ) {
    super(scope, id);
  }

  public grant(principal: IPrincipal, role: string): Grant {
    return grantOn(this, principal, role, topicMember(this, this.topic.name, this.topic.project, role));
  }
}

/** The member factory for a role on a topic, creating the binding under `scope`. */
function topicMember(scope: Construct, topic: string, project: string, role: string): MemberFactory {
  return (gid, member) => new PubsubTopicIamMember(scope, gid, { topic, project, role, member });
}

function validate(scope: Construct, props: EventTopicProps, project: string | undefined): void {
  const c = constructChecks(scope);
  c.rule('topicName', props.topicName, PUBSUB_NAME.text, PUBSUB_NAME.test);
  c.rule(
    'topicName',
    props.topicName,
    'must leave room for the "-dlq-sub" suffix (at most 247 characters)',
    (n) => n.length <= 247,
  );
  checkProject(c, project);
  c.require('schema.definition', props.schema?.definition);
  c.rule(
    'schema.type',
    props.schema?.type,
    'must be PROTOCOL_BUFFER or AVRO',
    (t) => t === 'PROTOCOL_BUFFER' || t === 'AVRO',
  );
  c.check('messageRetentionHours', props.messageRetentionHours, TOPIC_RETENTION_HOURS);
  c.check('maxDeliveryAttempts', props.maxDeliveryAttempts, DELIVERY_ATTEMPTS);
  c.rule('encryptionKey', props.encryptionKey, KMS_KEY_NAME.text, KMS_KEY_NAME.test);
  c.rule(
    'allowedPersistenceRegions',
    props.allowedPersistenceRegions,
    'must list at least one region',
    (r) => r.length > 0,
  );
  for (const [i, r] of (props.allowedPersistenceRegions ?? []).entries())
    c.check(`allowedPersistenceRegions[${i}]`, r, REGION);
  checkLabels(c, props.labels);
  c.throwIfAny();
}
