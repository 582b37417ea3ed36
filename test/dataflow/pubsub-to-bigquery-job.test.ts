import { AnalyticsDataset } from '../../constructs/bigquery/analytics-dataset';
import { ContractTable } from '../../constructs/bigquery/contract-table';
import { DeadLetterTable } from '../../constructs/bigquery/dead-letter-table';
import {
  PubSubToBigQueryJob,
  type PubSubToBigQueryJobProps,
} from '../../constructs/dataflow/pubsub-to-bigquery-job';
import { EventTopic } from '../../constructs/pubsub/event-topic';
import { DataBucket } from '../../constructs/storage/data-bucket';
import { baseContract } from '../contracts/fixtures';
import { errorOf, only, synth, testStack } from '../helpers';

function build(overrides: Partial<PubSubToBigQueryJobProps> = {}) {
  const stack = testStack();
  const topic = new EventTopic(stack, 'Topic', {
    topicName: 'trb-test-order',
    projectNumber: '123456789012',
    schema: { type: 'PROTOCOL_BUFFER', definition: 'syntax = "proto3"; message Order { string id = 1; }' },
    allowedPersistenceRegions: ['europe-west1'],
  });
  const subscription = topic.addSubscription('Dataflow', { subscriptionName: 'trb-test-order-dataflow' });
  const dataset = new AnalyticsDataset(stack, 'Raw', {
    datasetId: 'raw',
    layer: 'raw',
    location: 'EU',
    deletionProtection: false,
  });
  const deadLetterTable = new DeadLetterTable(stack, 'Dlq', {
    dataset,
    tableId: 'order_v1_dead_letter',
    expirationDays: 7,
    deletionProtection: false,
  });
  const staging = new DataBucket(stack, 'Staging', { bucketName: 'trb-test-staging', location: 'EU' });
  const job = new PubSubToBigQueryJob(stack, 'Order', {
    jobName: 'trb-test-order',
    subscription,
    table: new ContractTable(stack, 'Table', {
      dataset,
      contract: baseContract(),
      deletionProtection: false,
    }),
    deadLetterTable,
    stagingBucket: staging,
    region: 'europe-west1',
    network: 'projects/trb-test-project/global/networks/tributary',
    subnetwork: 'regions/europe-west1/subnetworks/dataflow',
    machineType: 'n2-standard-2',
    maxWorkers: 2,
    ...overrides,
  });
  return { stack, job };
}

describe('PubSubToBigQueryJob', () => {
  test('without a UDF, passes no UDF parameters and reads no artifacts', () => {
    const { stack, job } = build({ templateVersion: '2025-01-14-00_RC00' });
    const resource = only(synth(stack), 'google_dataflow_flex_template_job');
    expect(resource.container_spec_gcs_path).toBe(
      'gs://dataflow-templates-europe-west1/2025-01-14-00_RC00/flex/PubSub_to_BigQuery_Flex',
    );
    expect(Object.keys(resource.parameters as object).sort()).toEqual([
      'inputSubscription',
      'outputDeadletterTable',
      'outputTableSpec',
      'useStorageWriteApi',
      'useStorageWriteApiAtLeastOnce',
    ]);
    expect(job.udf).toBeUndefined();
    expect(job.dataGrants.map((g) => g.role)).toEqual([
      'roles/pubsub.subscriber',
      'roles/pubsub.viewer',
      'roles/bigquery.dataEditor',
      'roles/bigquery.dataEditor',
    ]);
    expect(job.dataGrants.map((g) => g.target.grantResourceLabel).slice(2)).toEqual([
      'trb-test-project.raw.sale_v1',
      'trb-test-project.raw.order_v1_dead_letter',
    ]);
  });

  test('exactly-once writes pass the stream count and commit frequency', () => {
    const { stack } = build({
      storageWrite: { kind: 'exactly-once', streams: 4, triggeringFrequencySeconds: 5 },
    });
    expect(only(synth(stack), 'google_dataflow_flex_template_job').parameters).toMatchObject({
      useStorageWriteApi: 'true',
      useStorageWriteApiAtLeastOnce: 'false',
      numStorageWriteApiStreams: '4',
      storageWriteApiTriggeringFrequencySec: '5',
    });
  });

  test('fails exactly-once writes without a positive stream count', () => {
    const error = errorOf(() =>
      build({ storageWrite: { kind: 'exactly-once', streams: 0, triggeringFrequencySeconds: 5 } }),
    );
    expect(error.message).toContain('parameters.numStorageWriteApiStreams = 0: must be >= 1');
  });

  test('fails a UDF without a bucket to hold it', () => {
    const error = errorOf(() =>
      build({
        udf: { name: 'order', script: 'function transform(s) { return s; }', functionName: 'transform' },
      }),
    );
    expect(error.message).toContain(
      'artifactsBucket = (not set): is required with udf (it holds the UDF file)',
    );
  });
});
