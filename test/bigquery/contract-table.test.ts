import { AnalyticsDataset } from '../../constructs/bigquery/analytics-dataset';
import { ContractTable, type ContractTableProps } from '../../constructs/bigquery/contract-table';
import { Principal } from '../../constructs/iam/principal';
import { rawTableSchema } from '../../contracts/generators/bigquery';
import { CONTRACTS } from '../../stacks/contracts/index';
import { errorOf, only, synth, testStack } from '../helpers';

const order = CONTRACTS.find((c) => c.name === 'order') as (typeof CONTRACTS)[number];
const activity = CONTRACTS.find((c) => c.name === 'user_activity') as (typeof CONTRACTS)[number];

function table(props: Partial<ContractTableProps> = {}) {
  const stack = testStack();
  const dataset = new AnalyticsDataset(stack, 'Raw', {
    datasetId: 'trb_test_raw',
    layer: 'raw',
    location: 'EU',
    deletionProtection: false,
  });
  const t = new ContractTable(stack, 'Orders', {
    dataset,
    contract: order,
    deletionProtection: true,
    ...props,
  });
  return { stack, dataset, table: t };
}

describe('ContractTable', () => {
  test('is generated from the contract: schema, partitioning, clustering, primary key, protection, labels', () => {
    const { stack, dataset } = table();
    const t = only(synth(stack), 'google_bigquery_table');
    expect(JSON.parse(String(t.schema))).toEqual(rawTableSchema(order));
    expect(t).toMatchObject({
      table_id: 'order_v1',
      dataset_id: `\${google_bigquery_dataset.${dataset.resource.friendlyUniqueId}.dataset_id}`,
      time_partitioning: { type: 'DAY', field: 'order_time' },
      require_partition_filter: true,
      clustering: ['customer_id', 'status'],
      table_constraints: { primary_key: { columns: ['order_id'] } },
      deletion_protection: true,
      labels: { layer: 'raw', contract: 'order', 'contract-version': '1-0-0', 'table-state': 'active' },
    });
  });

  test('partitions HOUR contracts by hour and honours partition expiry and CMEK', () => {
    const key = 'projects/p/locations/europe/keyRings/r/cryptoKeys/k';
    const { stack } = table({
      contract: activity,
      partitionExpirationDays: 400,
      encryptionKey: key,
      deletionProtection: false,
    });
    expect(only(synth(stack), 'google_bigquery_table')).toMatchObject({
      table_id: 'user_activity_v1',
      time_partitioning: { type: 'HOUR', field: 'activity_time', expiration_ms: 400 * 86_400_000 },
      encryption_configuration: { kms_key_name: key },
      deletion_protection: false,
    });
  });

  test('a retired table says so in its description and labels', () => {
    const { stack } = table({ retired: true });
    const t = only(synth(stack), 'google_bigquery_table');
    expect(String(t.description)).toMatch(/^RETIRED/);
    expect(t.labels).toMatchObject({ 'table-state': 'retired' });
  });

  test('grants data editor on the table only', () => {
    const { stack, table: t } = table();
    t.grantDataEditor(Principal.serviceAccount('worker@trb-test-project.iam.gserviceaccount.com'));
    expect(only(synth(stack), 'google_bigquery_table_iam_member')).toMatchObject({
      table_id: `\${google_bigquery_table.${t.resource.friendlyUniqueId}.table_id}`,
      role: 'roles/bigquery.dataEditor',
    });
    expect(t.grantResourceLabel).toBe('trb-test-project.trb_test_raw.order_v1');
  });

  test('fails for a zero-day partition expiry', () => {
    expect(errorOf(() => table({ partitionExpirationDays: 0 })).message).toContain(
      'partitionExpirationDays = 0: must be a whole number of days >= 1',
    );
  });
});
