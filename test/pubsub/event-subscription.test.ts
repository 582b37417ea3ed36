import { AnalyticsDataset } from '../../constructs/bigquery/analytics-dataset';
import { ContractTable } from '../../constructs/bigquery/contract-table';
import { Principal } from '../../constructs/iam/principal';
import { EventSubscription, type EventSubscriptionProps } from '../../constructs/pubsub/event-subscription';
import { DataBucket } from '../../constructs/storage/data-bucket';
import { baseContract } from '../contracts/fixtures';
import { errorOf, only, resources, synth, testStack } from '../helpers';

const agent = Principal.serviceAccount('service-1@gcp-sa-pubsub.iam.gserviceaccount.com');

function setup() {
  const stack = testStack();
  const dataset = new AnalyticsDataset(stack, 'Raw', {
    datasetId: 'raw',
    layer: 'raw',
    location: 'EU',
    deletionProtection: false,
  });
  const table = new ContractTable(stack, 'Sales', {
    dataset,
    contract: baseContract(),
    deletionProtection: false,
  });
  const bucket = new DataBucket(stack, 'Archive', { bucketName: 'trb-test-archive', location: 'EU' });
  const sub = (props: Partial<EventSubscriptionProps>) =>
    new EventSubscription(stack, 'Sub', {
      subscriptionName: 'trb-test-sale-sub',
      topic: 'projects/trb-test-project/topics/trb-test-sale',
      serviceAgent: agent,
      deadLetter: { topic: 'projects/trb-test-project/topics/trb-test-sale-dlq', maxDeliveryAttempts: 5 },
      ...props,
    });
  return { stack, dataset, table, bucket, sub };
}

describe('EventSubscription', () => {
  test('BigQuery delivery writes with the topic schema and metadata, after a dataset-scoped grant', () => {
    const { stack, table, sub } = setup();
    sub({ delivery: { kind: 'bigquery', table } });
    const json = synth(stack);
    const s = only(json, 'google_pubsub_subscription');
    expect(s.bigquery_config).toEqual({
      table: `\${google_bigquery_table.${table.resource.friendlyUniqueId}.project}.\${google_bigquery_table.${table.resource.friendlyUniqueId}.dataset_id}.\${google_bigquery_table.${table.resource.friendlyUniqueId}.table_id}`,
      use_topic_schema: true,
      write_metadata: true,
      drop_unknown_fields: false,
    });
    const grant = only(json, 'google_bigquery_dataset_iam_member');
    expect(grant).toMatchObject({ role: 'roles/bigquery.dataEditor', member: agent.iamMember });
    expect(s.depends_on).toEqual([expect.stringMatching(/^google_bigquery_dataset_iam_member\./)]);
    expect(resources(json, 'google_project_iam_member')).toEqual([]);
  });

  test('Cloud Storage delivery writes Avro with metadata under <prefix>YYYY/MM/DD/hh/mm_ss, after bucket-scoped grants', () => {
    const { stack, bucket, sub } = setup();
    sub({ delivery: { kind: 'cloud-storage', bucket, filenamePrefix: 'sale/' } });
    const json = synth(stack);
    const s = only(json, 'google_pubsub_subscription');
    expect(s.cloud_storage_config).toEqual({
      bucket: 'trb-test-archive',
      filename_prefix: 'sale/',
      filename_datetime_format: 'YYYY/MM/DD/hh/mm_ss',
      filename_suffix: '.avro',
      max_duration: '300s',
      max_bytes: 268435456,
      avro_config: { write_metadata: true },
    });
    expect(
      resources(json, 'google_storage_bucket_iam_member')
        .map((m) => m.role)
        .sort(),
    ).toEqual(['roles/storage.legacyBucketReader', 'roles/storage.objectCreator']);
    expect((s.depends_on as string[]).length).toBe(2);
  });

  test('grantSubscribe binds on the subscription only', () => {
    const { stack, sub } = setup();
    sub({}).grantSubscribe(Principal.serviceAccount('worker@trb-test-project.iam.gserviceaccount.com'));
    expect(only(synth(stack), 'google_pubsub_subscription_iam_member')).toMatchObject({
      role: 'roles/pubsub.subscriber',
    });
  });

  test.each<[string, (s: ReturnType<typeof setup>) => Partial<EventSubscriptionProps>, string]>([
    [
      'exactly-once on a BigQuery subscription',
      (s) => ({ exactlyOnceDelivery: true, delivery: { kind: 'bigquery', table: s.table } }),
      'exactlyOnceDelivery = true: is only available for pull subscriptions, not bigquery delivery',
    ],
    ['an ack deadline over 600 s', () => ({ ackDeadlineSeconds: 601 }), 'ackDeadlineSeconds = 601'],
    ['retention over 7 days', () => ({ messageRetentionHours: 169 }), 'messageRetentionHours = 169'],
    [
      'a maximum backoff below the minimum',
      () => ({ retry: { minimumBackoffSeconds: 60, maximumBackoffSeconds: 30 } }),
      'retry.maximumBackoffSeconds = 30',
    ],
    [
      '101 delivery attempts',
      () => ({ deadLetter: { topic: 't', maxDeliveryAttempts: 101 } }),
      'deadLetter.maxDeliveryAttempts = 101',
    ],
    [
      'an archive file window of 30 s',
      (s) => ({
        delivery: { kind: 'cloud-storage', bucket: s.bucket, filenamePrefix: 'x/', maxDurationSeconds: 30 },
      }),
      'delivery.maxDurationSeconds = 30',
    ],
    [
      'archive files over 10 GiB',
      (s) => ({
        delivery: { kind: 'cloud-storage', bucket: s.bucket, filenamePrefix: 'x/', maxBytes: 11 * 1024 ** 3 },
      }),
      'delivery.maxBytes',
    ],
    [
      'an object prefix starting with /',
      (s) => ({ delivery: { kind: 'cloud-storage', bucket: s.bucket, filenamePrefix: '/x' } }),
      'delivery.filenamePrefix = "/x"',
    ],
    ['a bad subscription name', () => ({ subscriptionName: 'x' }), 'subscriptionName = "x"'],
    ['an invalid project', () => ({ project: 'Acme_Payments!' }), 'project = "Acme_Payments!": must be 6-30'],
  ])('fails for %s', (_case, props, message) => {
    const s = setup();
    const error = errorOf(() => s.sub(props(s)));
    expect(error.message).toContain('test/Sub (EventSubscription)');
    expect(error.message).toContain(message);
  });
});
