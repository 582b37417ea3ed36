import { AnalyticsDataset } from '../../constructs/bigquery/analytics-dataset';
import { DATAFLOW_DEAD_LETTER_SCHEMA, DeadLetterTable } from '../../constructs/bigquery/dead-letter-table';
import { Principal } from '../../constructs/iam/principal';
import { errorOf, only, resources, synth, testStack } from '../helpers';

function table(props: Partial<ConstructorParameters<typeof DeadLetterTable>[2]> = {}) {
  const stack = testStack();
  const dataset = new AnalyticsDataset(stack, 'Raw', {
    datasetId: 'trb_test_raw',
    layer: 'raw',
    location: 'EU',
    deletionProtection: false,
  });
  const t = new DeadLetterTable(stack, 'OrderDlq', {
    dataset,
    tableId: 'order_v1_dead_letter',
    expirationDays: 30,
    deletionProtection: true,
    ...props,
  });
  return { stack, t };
}

describe('DeadLetterTable', () => {
  test("has Dataflow's exact dead-letter schema in the API's own form", () => {
    const { stack } = table();
    const schema = JSON.parse(only(synth(stack), 'google_bigquery_table').schema as string);
    expect(schema).toEqual(JSON.parse(JSON.stringify(DATAFLOW_DEAD_LETTER_SCHEMA)));
    expect(schema.map((f: { name: string; type: string; mode: string }) => [f.name, f.type, f.mode])).toEqual(
      [
        ['timestamp', 'TIMESTAMP', 'REQUIRED'],
        ['payloadString', 'STRING', 'REQUIRED'],
        ['payloadBytes', 'BYTES', 'REQUIRED'],
        ['attributes', 'RECORD', 'REPEATED'],
        ['errorMessage', 'STRING', 'NULLABLE'],
        ['stacktrace', 'STRING', 'NULLABLE'],
      ],
    );
    expect(schema[3].fields.map((f: { name: string; type: string }) => [f.name, f.type])).toEqual([
      ['key', 'STRING'],
      ['value', 'STRING'],
    ]);
  });

  test('is DAY-partitioned on timestamp with expiring partitions, protected, and labelled for alerting', () => {
    const { stack, t } = table({ labels: { stream: 'order' } });
    expect(only(synth(stack), 'google_bigquery_table')).toMatchObject({
      table_id: 'order_v1_dead_letter',
      time_partitioning: { type: 'DAY', field: 'timestamp', expiration_ms: 30 * 86_400_000 },
      require_partition_filter: false,
      deletion_protection: true,
      labels: { stream: 'order', layer: 'raw', 'tributary-role': 'dead-letter' },
    });
    expect(t.tableSpec).toBe('trb-test-project:trb_test_raw.order_v1_dead_letter');
  });

  test('grants data editor on this table only', () => {
    const { stack, t } = table();
    t.grantDataEditor(Principal.group('oncall@example.com'));
    expect(resources(synth(stack), 'google_bigquery_table_iam_member')).toEqual([
      expect.objectContaining({
        table_id: `\${google_bigquery_table.${t.resource.friendlyUniqueId}.table_id}`,
        role: 'roles/bigquery.dataEditor',
        member: 'group:oncall@example.com',
      }),
    ]);
  });

  test('fails a bad table id, expiration, key and labels together', () => {
    const error = errorOf(() =>
      table({ tableId: 'order-dlq', expirationDays: 0, encryptionKey: 'key', labels: { Bad: 'x' } }),
    );
    expect(error.message.split('\n').slice(1)).toEqual([
      '  - tableId = "order-dlq": must be 1-1024 letters, digits and underscores',
      '  - expirationDays = 0: must be a whole number of days from 1 to 3650',
      expect.stringMatching(/^ {2}- encryptionKey = "key": /),
      expect.stringMatching(/^ {2}- labels\.Bad = "x": label keys must be/),
    ]);
  });
});
