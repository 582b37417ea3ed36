import { MonitoringNotificationChannel } from '@cdktf/provider-google/lib/monitoring-notification-channel';
import { Construct } from 'constructs';
import { PUBSUB_NAME } from '../../core/gcp';
import { constructChecks } from '../core/validation';
import { ServiceAgent } from '../iam/principal';
import { EventTopic } from '../pubsub/event-topic';

/** Where alerts go: an email address, an HTTPS webhook, or a Pub/Sub topic (for chat tools). */
export type ChannelTarget =
  | { readonly kind: 'email'; readonly address: string }
  | { readonly kind: 'webhook'; readonly url: string }
  | { readonly kind: 'pubsub'; readonly topic: string };

export interface NotificationChannelProps {
  readonly displayName: string;
  readonly target: ChannelTarget;
  /** @default - the project of the stack's default google provider */
  readonly project?: string;
  /** Needed for the Monitoring notification agent's grant on a Pub/Sub topic. @default - looked up at plan time */
  readonly projectNumber?: string;
}

const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;
const TOPIC = /^projects\/([a-z][a-z0-9-]{4,28}[a-z0-9])\/topics\/(.+)$/;

/**
 * A Cloud Monitoring notification channel. A Pub/Sub channel gets the grant it needs to deliver: the Monitoring
 * notification agent may publish to that topic only.
 */
export class NotificationChannel extends Construct {
  public readonly resource: MonitoringNotificationChannel;

  constructor(scope: Construct, id: string, props: NotificationChannelProps) {
    super(scope, id);
    const t = props.target;
    const c = constructChecks(this);
    if (t.kind === 'email')
      c.rule('target.address', t.address, 'must be an email address', (a) => EMAIL.test(a));
    if (t.kind === 'webhook')
      c.rule('target.url', t.url, 'must be an https:// URL', (u) => {
        try {
          return new URL(u).protocol === 'https:';
        } catch {
          return false;
        }
      });
    const topic = t.kind === 'pubsub' ? TOPIC.exec(t.topic) : null;
    if (t.kind === 'pubsub')
      c.rule(
        'target.topic',
        t.topic,
        'must be projects/<project>/topics/<topic>',
        () => topic !== null && PUBSUB_NAME.test(topic[2] as string),
      );
    c.throwIfAny();
    const labels: Record<string, string> =
      t.kind === 'email'
        ? { email_address: t.address }
        : t.kind === 'webhook'
          ? { url: t.url }
          : { topic: t.topic };
    this.resource = new MonitoringNotificationChannel(this, 'Resource', {
      displayName: props.displayName,
      type: t.kind === 'webhook' ? 'webhook_tokenauth' : t.kind,
      labels,
      ...(props.project ? { project: props.project } : {}),
    });
    if (topic) {
      const [, project, name] = topic as unknown as [string, string, string];
      const agent = ServiceAgent.of(this, 'monitoring', {
        project: props.project ?? project,
        ...(props.projectNumber ? { projectNumber: props.projectNumber } : {}),
      });
      EventTopic.fromTopicName(this, 'Topic', name, project).grantPublish(agent);
    }
  }

  /** `projects/<p>/notificationChannels/<id>` */
  public get name(): string {
    return this.resource.name;
  }
}
