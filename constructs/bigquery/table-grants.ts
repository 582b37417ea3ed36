import type { BigqueryTable } from '@cdktf/provider-google/lib/bigquery-table';
import { BigqueryTableIamMember } from '@cdktf/provider-google/lib/bigquery-table-iam-member';
import type { Construct } from 'constructs';
import { type Grant, grantOn, type IGrantTarget } from '../iam/grants';
import type { IPrincipal } from '../iam/principal';
import type { IAnalyticsDataset } from './analytics-dataset';

/** A table construct that accepts table-scoped grants. */
export interface ITableGrantTarget extends IGrantTarget, Construct {
  readonly resource: BigqueryTable;
  readonly dataset: IAnalyticsDataset;
  readonly tableId: string;
}

/** A table a pipeline writes to. */
export interface IWritableTable extends IGrantTarget {
  /** `<project>:<dataset>.<table>` */
  readonly tableSpec: string;
  grantDataEditor(principal: IPrincipal): Grant;
}

/** One table-scoped role binding (`google_bigquery_table_iam_member`), recorded in the IAM matrix. */
export function grantOnTable(table: ITableGrantTarget, principal: IPrincipal, role: string): Grant {
  return grantOn(
    table,
    principal,
    role,
    (id, member) =>
      new BigqueryTableIamMember(table, id, {
        project: table.dataset.project,
        datasetId: table.resource.datasetId,
        tableId: table.resource.tableId,
        role,
        member,
      }),
  );
}

/** `<project>:<dataset>.<table>`, the table spec Dataflow templates and the bq tool take. */
export function tableSpecOf(table: Pick<ITableGrantTarget, 'dataset' | 'tableId'>): string {
  return `${table.dataset.project}:${table.dataset.datasetId}.${table.tableId}`;
}
