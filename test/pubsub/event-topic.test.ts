import { Principal } from '../../constructs/iam/principal';
import { EventTopic, type EventTopicProps } from '../../constructs/pubsub/event-topic';
import { errorOf, resources, synth, testStack } from '../helpers';

const AGENT = 'serviceAccount:service-123456789012@gcp-sa-pubsub.iam.gserviceaccount.com';
const KEY = 'projects/sec-project-1/locations/europe-west1/keyRings/data/cryptoKeys/pubsub';

function topic(props: Partial<EventTopicProps> = {}) {
  const stack = testStack();
  const t = new EventTopic(stack, 'Orders', {
    topicName: 'trb-test-order',
    projectNumber: '123456789012',
    schema: { type: 'PROTOCOL_BUFFER', definition: 'syntax = "proto3"; message Order { string id = 1; }' },
    allowedPersistenceRegions: ['europe-west1'],
    labels: { stream: 'order' },
    ...props,
  });
  return { stack, topic: t };
}

const named = (json: ReturnType<typeof synth>, type: string, name: string) => {
  const hit = resources(json, type).find((r) => r.name === name);
  if (!hit) throw new Error(`no ${type} named ${name}`);
  return hit;
};

describe('EventTopic', () => {
  test('carries its schema (JSON encoding), retention, storage policy and labels', () => {
    const { stack, topic: t } = topic({ messageRetentionHours: 48 });
    const json = synth(stack);
    expect(resources(json, 'google_pubsub_schema')).toEqual([
      {
        name: 'trb-test-order',
        project: 'trb-test-project',
        type: 'PROTOCOL_BUFFER',
        definition: 'syntax = "proto3"; message Order { string id = 1; }',
      },
    ]);
    expect(named(json, 'google_pubsub_topic', 'trb-test-order')).toEqual({
      name: 'trb-test-order',
      project: 'trb-test-project',
      message_retention_duration: '172800s',
      message_storage_policy: { allowed_persistence_regions: ['europe-west1'] },
      schema_settings: {
        schema: `\${google_pubsub_schema.${t.schema.friendlyUniqueId}.id}`,
        encoding: 'JSON',
      },
      labels: { stream: 'order' },
    });
  });

  test('creates its dead-letter topic and a subscription to inspect it, both labelled dead-letter', () => {
    const { stack } = topic();
    const json = synth(stack);
    expect(named(json, 'google_pubsub_topic', 'trb-test-order-dlq')).toMatchObject({
      message_retention_duration: '2678400s',
      labels: { stream: 'order', 'tributary-role': 'dead-letter' },
    });
    const sub = named(json, 'google_pubsub_subscription', 'trb-test-order-dlq-sub');
    expect(sub).toMatchObject({
      labels: { 'tributary-role': 'dead-letter' },
      expiration_policy: { ttl: '' },
    });
    expect(sub.dead_letter_policy).toBeUndefined();
    expect(sub.topic).toMatch(/^\$\{google_pubsub_topic\..*DeadLetterTopic.*\.id\}$/);
  });

  test('lets the Pub/Sub service agent publish to the dead-letter topic and ack on source subscriptions', () => {
    const { stack, topic: t } = topic();
    const sub = t.addSubscription('Pull', { subscriptionName: 'trb-test-order-pull' });
    const json = synth(stack);
    expect(resources(json, 'google_pubsub_topic_iam_member')).toEqual([
      {
        topic: expect.stringContaining('DeadLetterTopic'),
        project: expect.any(String),
        role: 'roles/pubsub.publisher',
        member: AGENT,
      },
    ]);
    const subscriber = resources(json, 'google_pubsub_subscription_iam_member');
    expect(subscriber).toEqual([
      {
        subscription: `\${google_pubsub_subscription.${sub.resource.friendlyUniqueId}.name}`,
        project: expect.any(String),
        role: 'roles/pubsub.subscriber',
        member: AGENT,
      },
    ]);
  });

  test('adds subscriptions that dead-letter, retry with backoff and never expire', () => {
    const { stack, topic: t } = topic({ maxDeliveryAttempts: 7 });
    t.addSubscription('Pull', { subscriptionName: 'trb-test-order-pull', exactlyOnceDelivery: true });
    const sub = named(synth(stack), 'google_pubsub_subscription', 'trb-test-order-pull');
    expect(sub).toMatchObject({
      dead_letter_policy: {
        dead_letter_topic: expect.stringContaining('DeadLetterTopic'),
        max_delivery_attempts: 7,
      },
      retry_policy: { minimum_backoff: '10s', maximum_backoff: '600s' },
      expiration_policy: { ttl: '' },
      ack_deadline_seconds: 60,
      message_retention_duration: '604800s',
      enable_exactly_once_delivery: true,
    });
  });

  test('grantPublish and grantSubscribe bind on this topic only', () => {
    const { stack, topic: t } = topic();
    t.grantPublish(Principal.serviceAccount('ingest@trb-test-project.iam.gserviceaccount.com'));
    t.grantSubscribe(Principal.group('consumers@example.com'));
    const members = resources(synth(stack), 'google_pubsub_topic_iam_member').filter(
      (m) => m.member !== AGENT,
    );
    expect(members).toEqual(
      expect.arrayContaining([
        {
          topic: `\${google_pubsub_topic.${t.resource.friendlyUniqueId}.name}`,
          project: expect.any(String),
          role: 'roles/pubsub.publisher',
          member: 'serviceAccount:ingest@trb-test-project.iam.gserviceaccount.com',
        },
        {
          topic: `\${google_pubsub_topic.${t.resource.friendlyUniqueId}.name}`,
          project: expect.any(String),
          role: 'roles/pubsub.subscriber',
          member: 'group:consumers@example.com',
        },
      ]),
    );
  });

  test('with CMEK, encrypts both topics and grants the Pub/Sub agent on the key before they are created', () => {
    const { stack } = topic({ encryptionKey: KEY });
    const json = synth(stack);
    const key = resources(json, 'google_kms_crypto_key_iam_member');
    expect(key).toEqual([
      {
        crypto_key_id: KEY,
        role: 'roles/cloudkms.cryptoKeyEncrypterDecrypter',
        member: AGENT,
        // The agent is created on demand (google-beta service identity) before it is granted the key.
        depends_on: ['google_project_service_identity.ServiceIdentity-trb-test-project-pubsub'],
      },
    ]);
    expect(resources(json, 'google_project_service_identity')).toEqual([
      expect.objectContaining({ project: 'trb-test-project', service: 'pubsub.googleapis.com' }),
    ]);
    for (const t of resources(json, 'google_pubsub_topic')) {
      expect(t.kms_key_name).toBe(KEY);
      expect(t.depends_on).toEqual([expect.stringMatching(/^google_kms_crypto_key_iam_member\./)]);
    }
  });

  test.each<[string, Partial<EventTopicProps>, string]>([
    [
      'a topic name starting with goog',
      { topicName: 'goog-orders' },
      'topicName = "goog-orders": must be 3-255 characters',
    ],
    ['a topic name with a space', { topicName: 'my orders' }, 'topicName = "my orders"'],
    [
      'an empty schema',
      { schema: { type: 'PROTOCOL_BUFFER', definition: '' } },
      'schema.definition = "": is required',
    ],
    [
      'retention beyond 31 days',
      { messageRetentionHours: 745 },
      'messageRetentionHours = 745: must be a whole number of hours from 1 to 744',
    ],
    [
      '4 delivery attempts',
      { maxDeliveryAttempts: 4 },
      'maxDeliveryAttempts = 4: must be a whole number from 5 to 100',
    ],
    ['a malformed key', { encryptionKey: 'key' }, 'encryptionKey = "key": must be a Cloud KMS key name'],
    [
      'no persistence region',
      { allowedPersistenceRegions: [] },
      'allowedPersistenceRegions = []: must list at least one region',
    ],
  ])('fails for %s', (_case, props, message) => {
    const error = errorOf(() => topic(props));
    expect(error.message).toContain('test/Orders (EventTopic)');
    expect(error.message).toContain(message);
  });

  test('fromTopicName grants on an existing topic in another project without creating it', () => {
    const stack = testStack();
    const partner = EventTopic.fromTopicName(stack, 'Partner', 'partner-refunds', 'acme-partners-prod');
    expect(partner.topicRef).toBe('projects/acme-partners-prod/topics/partner-refunds');
    partner.grantPublish(Principal.group('publishers@example.com'));
    partner.grantSubscribe(Principal.group('readers@example.com'));
    const json = synth(stack);
    expect(resources(json, 'google_pubsub_topic')).toEqual([]);
    expect(
      resources(json, 'google_pubsub_topic_iam_member').map((m) => [m.topic, m.project, m.role, m.member]),
    ).toEqual(
      expect.arrayContaining([
        ['partner-refunds', 'acme-partners-prod', 'roles/pubsub.publisher', 'group:publishers@example.com'],
        ['partner-refunds', 'acme-partners-prod', 'roles/pubsub.subscriber', 'group:readers@example.com'],
      ]),
    );
  });

  test('fromTopicName fails a bad topic name and project, naming both', () => {
    const error = errorOf(() => EventTopic.fromTopicName(testStack(), 'Partner', 'goog-x', 'Acme!'));
    expect(error.message).toContain('test/Partner (ImportedTopic): 2 problems');
    expect(error.message).toContain('topicName = "goog-x"');
    expect(error.message).toContain('project = "Acme!": must be 6-30 characters');
  });

  test('fails a persistence region that does not exist', () => {
    const error = errorOf(() => topic({ allowedPersistenceRegions: ['europe-west1', 'europe-west99'] }));
    expect(error.message).toContain(
      'allowedPersistenceRegions[1] = "europe-west99": must be a known Google Cloud region',
    );
  });
});
