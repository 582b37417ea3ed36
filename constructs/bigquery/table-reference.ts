import { BigqueryTableIamMember } from '@cdktf/provider-google/lib/bigquery-table-iam-member';
import { Construct } from 'constructs';
import { constructChecks } from '../core/validation';
import { type Grant, grantOn, type IGrantTarget } from '../iam/grants';
import type { IPrincipal } from '../iam/principal';
import { DATASET_ID, type IAnalyticsDataset } from './analytics-dataset';

/**
 * A table or view that another tool creates, Dataform's curated models for example, named by its id. Terraform
 * does not manage it, but it takes table-scoped grants like any table here, recorded in the IAM matrix. The
 * grant is applied once the table exists: Terraform fails with "not found" before that.
 */
export class TableReference extends Construct implements IGrantTarget {
  public static fromTableId(
    scope: Construct,
    id: string,
    dataset: IAnalyticsDataset,
    tableId: string,
  ): TableReference {
    return new TableReference(scope, id, dataset, tableId);
  }

  public readonly grantResourceType = 'google_bigquery_table';

  private constructor(
    scope: Construct,
    id: string,
    public readonly dataset: IAnalyticsDataset,
    public readonly tableId: string,
  ) {
    super(scope, id);
    const c = constructChecks(this);
    c.check('tableId', tableId, DATASET_ID);
    c.throwIfAny();
  }

  public get grantResourceLabel(): string {
    return `${this.dataset.project}.${this.dataset.datasetId}.${this.tableId}`;
  }

  /** Read the table's data and metadata (`roles/bigquery.dataViewer` on this table only). */
  public grantDataViewer(principal: IPrincipal): Grant {
    return grantOn(
      this,
      principal,
      'roles/bigquery.dataViewer',
      (cid, member) =>
        new BigqueryTableIamMember(this, cid, {
          project: this.dataset.project,
          datasetId: this.dataset.datasetIdRef,
          tableId: this.tableId,
          role: 'roles/bigquery.dataViewer',
          member,
        }),
    );
  }
}
