import { BigqueryTable } from '@cdktf/provider-google/lib/bigquery-table';
import { Construct } from 'constructs';
import { rawTableSpec } from '../../contracts/generators/bigquery';
import type { Contract } from '../../contracts/model';
import { KMS_KEY_NAME } from '../../core/gcp';
import { describeNode } from '../core/architecture';
import { constructChecks } from '../core/validation';
import type { Grant } from '../iam/grants';
import type { IPrincipal } from '../iam/principal';
import type { IAnalyticsDataset } from './analytics-dataset';
import { grantOnTable, type ITableGrantTarget, type IWritableTable, tableSpecOf } from './table-grants';

export interface ContractTableProps {
  readonly dataset: IAnalyticsDataset;
  /** The contract the table is generated from; its tableVersion names the table (`<name>_v<tableVersion>`). */
  readonly contract: Contract;
  /** Terraform refuses to delete or replace the table while set. */
  readonly deletionProtection: boolean;
  /** Queries must filter on the partition column, so a stray `SELECT *` cannot scan years of events. @default true */
  readonly requirePartitionFilter?: boolean;
  /** Partitions older than this are deleted. @default - kept */
  readonly partitionExpirationDays?: number;
  /** @default - Google-managed encryption, or the dataset's default key */
  readonly encryptionKey?: string;
  /** A table kept for an older table version: it still exists, nothing delivers to it. @default false */
  readonly retired?: boolean;
}

const DAY_MS = 86_400_000;

/** `1.2.0` -> `1-2-0`: label values cannot contain dots. */
export function labelSafe(value: string): string {
  return value.toLowerCase().replace(/[^a-z0-9_-]/g, '-');
}

/**
 * The raw table of a contract: schema in the BigQuery API's own form plus the platform metadata columns,
 * partitioned on the event time, clustered, with a NOT ENFORCED primary key on the key fields.
 */
export class ContractTable extends Construct implements ITableGrantTarget, IWritableTable {
  public readonly resource: BigqueryTable;
  public readonly tableId: string;
  public readonly dataset: IAnalyticsDataset;
  /**
   * `<project>.<dataset>.<table>`, the form BigQuery subscriptions and Dataflow templates take; built from the
   * table's own attributes so whatever uses it is created after the table.
   */
  public get tableReference(): string {
    return `${this.resource.project}.${this.resource.datasetId}.${this.resource.tableId}`;
  }
  public readonly grantResourceType = 'google_bigquery_table';
  public readonly grantResourceLabel: string;

  constructor(scope: Construct, id: string, props: ContractTableProps) {
    super(scope, id);
    const checks = constructChecks(this);
    checks.rule(
      'partitionExpirationDays',
      props.partitionExpirationDays,
      'must be a whole number of days >= 1',
      (d) => Number.isInteger(d) && d >= 1,
    );
    checks.rule('encryptionKey', props.encryptionKey, KMS_KEY_NAME.text, KMS_KEY_NAME.test);
    checks.throwIfAny();

    const spec = rawTableSpec(props.contract);
    describeNode(this, { shape: 'table', label: `${spec.tableId}${props.retired ? ' (retired)' : ''}` });
    this.resource = new BigqueryTable(this, 'Resource', {
      project: props.dataset.project,
      datasetId: props.dataset.datasetIdRef,
      tableId: spec.tableId,
      description: props.retired
        ? `RETIRED (superseded by a newer table version). ${spec.description}`
        : spec.description,
      schema: JSON.stringify(spec.schema),
      timePartitioning: {
        type: spec.partitioning.type,
        field: spec.partitioning.field,
        expirationMs: props.partitionExpirationDays ? props.partitionExpirationDays * DAY_MS : undefined,
      },
      requirePartitionFilter: props.requirePartitionFilter ?? true,
      clustering: spec.clustering.length > 0 ? [...spec.clustering] : undefined,
      tableConstraints: { primaryKey: { columns: [...spec.primaryKey] } },
      deletionProtection: props.deletionProtection,
      encryptionConfiguration: props.encryptionKey ? { kmsKeyName: props.encryptionKey } : undefined,
      labels: {
        layer: props.dataset.layer,
        contract: labelSafe(props.contract.name),
        'contract-version': labelSafe(props.contract.version),
        'table-state': props.retired ? 'retired' : 'active',
      },
    });
    this.tableId = spec.tableId;
    this.dataset = props.dataset;
    this.grantResourceLabel = `${props.dataset.project}.${props.dataset.datasetId}.${spec.tableId}`;
  }

  /** `<project>:<dataset>.<table>`, the table spec Dataflow templates take. */
  public get tableSpec(): string {
    return tableSpecOf(this);
  }

  /** Write rows into this table only (`roles/bigquery.dataEditor` on the table). */
  public grantDataEditor(principal: IPrincipal): Grant {
    return grantOnTable(this, principal, 'roles/bigquery.dataEditor');
  }
}
