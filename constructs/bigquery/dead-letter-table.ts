import { BigqueryTable } from '@cdktf/provider-google/lib/bigquery-table';
import { Construct } from 'constructs';
import { checkLabels, KMS_KEY_NAME, RETENTION_DAYS } from '../../core/gcp';
import { DEAD_LETTER_LABEL } from '../../core/markers';
import { describeNode } from '../core/architecture';
import { constructChecks } from '../core/validation';
import type { Grant } from '../iam/grants';
import type { IPrincipal } from '../iam/principal';
import type { IAnalyticsDataset } from './analytics-dataset';
import { grantOnTable, type ITableGrantTarget, type IWritableTable, tableSpecOf } from './table-grants';

/**
 * The row Google's Dataflow templates write for a failed message, in the exact form the BigQuery API returns
 * (so Terraform never diffs it, and the template never tries to create or alter the table).
 */
export const DATAFLOW_DEAD_LETTER_SCHEMA = [
  { name: 'timestamp', type: 'TIMESTAMP', mode: 'REQUIRED', description: 'When the message failed.' },
  { name: 'payloadString', type: 'STRING', mode: 'REQUIRED', description: 'The message payload as text.' },
  { name: 'payloadBytes', type: 'BYTES', mode: 'REQUIRED', description: 'The message payload as sent.' },
  {
    name: 'attributes',
    type: 'RECORD',
    mode: 'REPEATED',
    description: 'The Pub/Sub message attributes.',
    fields: [
      { name: 'key', type: 'STRING', mode: 'NULLABLE', description: 'Attribute name.' },
      { name: 'value', type: 'STRING', mode: 'NULLABLE', description: 'Attribute value.' },
    ],
  },
  {
    name: 'errorMessage',
    type: 'STRING',
    mode: 'NULLABLE',
    description: 'Why it failed: the UDF error names each field and rule.',
  },
  { name: 'stacktrace', type: 'STRING', mode: 'NULLABLE', description: 'Where it failed.' },
] as const;

export interface DeadLetterTableProps {
  readonly dataset: IAnalyticsDataset;
  /** Table id: letters, digits and underscores. */
  readonly tableId: string;
  /** Rows (partitions) older than this are deleted. */
  readonly expirationDays: number;
  readonly deletionProtection: boolean;
  /** @default - Google-managed encryption, or the dataset's default key */
  readonly encryptionKey?: string;
  /** Labels in addition to `tributary-role=dead-letter`. @default - none */
  readonly labels?: Readonly<Record<string, string>>;
  /** @default - a sentence naming the dead-letter role */
  readonly description?: string;
}

const DAY_MS = 86_400_000;

/**
 * A Dataflow dead-letter table created by Terraform: the exact schema the templates write, DAY partitions on
 * `timestamp` that expire, and the `tributary-role=dead-letter` label monitoring alerts on. Queries need no
 * partition filter: the table is small and read by people investigating failures.
 */
export class DeadLetterTable extends Construct implements ITableGrantTarget, IWritableTable {
  public readonly resource: BigqueryTable;
  public readonly tableId: string;
  public readonly dataset: IAnalyticsDataset;
  public readonly grantResourceType = 'google_bigquery_table';
  public readonly grantResourceLabel: string;

  constructor(scope: Construct, id: string, props: DeadLetterTableProps) {
    super(scope, id);
    describeNode(this, { shape: 'table', label: props.tableId });
    const checks = constructChecks(this);
    checks.rule('tableId', props.tableId, 'must be 1-1024 letters, digits and underscores', (t) =>
      /^[A-Za-z0-9_]{1,1024}$/.test(t),
    );
    checks.check('expirationDays', props.expirationDays, RETENTION_DAYS);
    checks.rule('encryptionKey', props.encryptionKey, KMS_KEY_NAME.text, KMS_KEY_NAME.test);
    checkLabels(checks, props.labels);
    checks.throwIfAny();

    this.resource = new BigqueryTable(this, 'Resource', {
      project: props.dataset.project,
      datasetId: props.dataset.datasetIdRef,
      tableId: props.tableId,
      description:
        props.description ??
        'Dead letters: messages the Dataflow job could not deliver, with the error that names the cause.',
      schema: JSON.stringify(DATAFLOW_DEAD_LETTER_SCHEMA),
      timePartitioning: { type: 'DAY', field: 'timestamp', expirationMs: props.expirationDays * DAY_MS },
      requirePartitionFilter: false,
      deletionProtection: props.deletionProtection,
      encryptionConfiguration: props.encryptionKey ? { kmsKeyName: props.encryptionKey } : undefined,
      labels: {
        ...props.labels,
        layer: props.dataset.layer,
        [DEAD_LETTER_LABEL.key]: DEAD_LETTER_LABEL.value,
      },
    });
    this.tableId = props.tableId;
    this.dataset = props.dataset;
    this.grantResourceLabel = `${props.dataset.project}.${props.dataset.datasetId}.${props.tableId}`;
  }

  /** `<project>:<dataset>.<table>`, the table spec Dataflow templates take. */
  public get tableSpec(): string {
    return tableSpecOf(this);
  }

  /** Append dead-letter rows to this table only (`roles/bigquery.dataEditor` on the table). */
  public grantDataEditor(principal: IPrincipal): Grant {
    return grantOnTable(this, principal, 'roles/bigquery.dataEditor');
  }
}
