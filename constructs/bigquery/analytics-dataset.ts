import { BigqueryDataset } from '@cdktf/provider-google/lib/bigquery-dataset';
import { BigqueryDatasetIamMember } from '@cdktf/provider-google/lib/bigquery-dataset-iam-member';
import { Construct } from 'constructs';
import { checkDataKey, checkLabels, DATA_LOCATION } from '../../core/gcp';
import { describeNode } from '../core/architecture';
import { projectOf } from '../core/project';
import { checkProject, constructChecks } from '../core/validation';
import { grantKeyToAgents } from '../iam/cmek';
import { type Grant, grantOn, type IGrantTarget } from '../iam/grants';
import type { IPrincipal } from '../iam/principal';

/** The medallion layers: raw as delivered, staging cleaned and deduplicated, curated for consumers. */
export type DatasetLayer = 'raw' | 'staging' | 'curated';
/** A dataset's layer: the platform's three, the assertion results of the warehouse models, or ML's own outputs. */
export type WarehouseLayer = DatasetLayer | 'assertions' | 'ml';

export interface IAnalyticsDataset extends IGrantTarget {
  /** The dataset id as written, for names and docs. */
  readonly datasetId: string;
  /** The dataset id as a reference to the resource: use it in other resources so they are created after it. */
  readonly datasetIdRef: string;
  readonly project: string;
  readonly layer: WarehouseLayer;
  readonly location: string;
  grantDataEditor(principal: IPrincipal): Grant;
  grantDataViewer(principal: IPrincipal): Grant;
}

export interface AnalyticsDatasetProps {
  /** Letters, digits and underscores, at most 1024 characters. */
  readonly datasetId: string;
  readonly layer: WarehouseLayer;
  /** BigQuery location: a region or multi-region (`EU`, `US`). */
  readonly location: string;
  /** @default - the project of the stack's default google provider */
  readonly project?: string;
  /** Needed for the CMEK grant to the BigQuery service agent. @default - looked up at plan time */
  readonly projectNumber?: string;
  /**
   * Terraform refuses to destroy the dataset (`lifecycle.prevent_destroy`); contents are never deleted with
   * it in any case (`delete_contents_on_destroy = false`). The provider has no dataset deletion_protection.
   */
  readonly deletionProtection: boolean;
  /** Default CMEK key for new tables. @default - Google-managed encryption */
  readonly encryptionKey?: string;
  /** @default - a sentence naming the layer */
  readonly description?: string;
  /** Labels in addition to the provider defaults and `layer`. @default - none */
  readonly labels?: Readonly<Record<string, string>>;
  /** Time travel window, 48-168 hours. @default 168 */
  readonly maxTimeTravelHours?: number;
}

const LAYERS: readonly WarehouseLayer[] = ['raw', 'staging', 'curated', 'assertions', 'ml'];

/** BigQuery's dataset id rule. */
export const DATASET_ID = {
  text: 'must be 1-1024 letters, digits and underscores',
  test: (d: string) => /^[A-Za-z0-9_]{1,1024}$/.test(d),
};

const DESCRIPTIONS: Record<WarehouseLayer, string> = {
  raw: 'Raw events exactly as delivered, one table per contract and table version.',
  staging: 'Cleaned, typed and deduplicated events.',
  curated: 'Curated models for Looker and Vertex AI.',
  assertions: 'Data-quality assertions of the warehouse models: each view lists the rows that fail it.',
  ml: 'What the ML account writes: training sets, predictions and evaluations. It reads curated data only.',
};

/** Dataset-scoped grants, the same for a dataset this app creates and one it imports. */
abstract class DatasetBase extends Construct implements IAnalyticsDataset {
  public abstract readonly datasetId: string;
  public abstract readonly datasetIdRef: string;
  public abstract readonly project: string;
  public abstract readonly layer: WarehouseLayer;
  public abstract readonly location: string;
  public readonly grantResourceType = 'google_bigquery_dataset';
  public get grantResourceLabel(): string {
    return `${this.project}.${this.datasetId}`;
  }

  /** Read and write table data, create tables (`roles/bigquery.dataEditor` on this dataset only). */
  public grantDataEditor(principal: IPrincipal): Grant {
    return this.grant(principal, 'roles/bigquery.dataEditor');
  }

  /** Read table data and metadata (`roles/bigquery.dataViewer` on this dataset only). */
  public grantDataViewer(principal: IPrincipal): Grant {
    return this.grant(principal, 'roles/bigquery.dataViewer');
  }

  public grant(principal: IPrincipal, role: string): Grant {
    return grantOn(
      this,
      principal,
      role,
      (id, member) =>
        new BigqueryDatasetIamMember(this, id, {
          project: this.project,
          datasetId: this.datasetIdRef,
          role,
          member,
        }),
    );
  }
}

/** An existing dataset, as `AnalyticsDataset.fromDatasetId` takes it. */
export interface DatasetReference {
  readonly datasetId: string;
  readonly project: string;
  readonly layer: WarehouseLayer;
  /** Its BigQuery location: a region or multi-region (`EU`, `US`). */
  readonly location: string;
}

/** A BigQuery dataset for one layer, with deletion protection per environment and dataset-scoped grants. */
export class AnalyticsDataset extends DatasetBase {
  /** A dataset this app does not manage (it exists already): only the bindings granted on it change. */
  public static fromDatasetId(scope: Construct, id: string, reference: DatasetReference): IAnalyticsDataset {
    return new ImportedDataset(scope, id, reference);
  }

  public readonly resource: BigqueryDataset;
  public readonly datasetId: string;
  public readonly project: string;
  public readonly layer: WarehouseLayer;
  public readonly location: string;
  public readonly datasetIdRef: string;
  /** The time travel window: how far back change history (APPENDS) reaches. */
  public readonly maxTimeTravelHours: number;

  constructor(scope: Construct, id: string, props: AnalyticsDatasetProps) {
    super(scope, id);
    describeNode(this, { shape: 'dataset', label: `${props.layer} dataset ${props.datasetId}` });
    const project = projectOf(this, props.project);
    const checks = constructChecks(this);
    checks.check('datasetId', props.datasetId, DATASET_ID);
    checks.rule('layer', props.layer, 'must be raw, staging, curated or assertions', (l) =>
      LAYERS.includes(l),
    );
    checks.require('location', props.location).check('location', props.location, DATA_LOCATION);
    checkProject(checks, project);
    checks.rule(
      'maxTimeTravelHours',
      props.maxTimeTravelHours,
      'must be a whole number of hours from 48 to 168',
      (h) => Number.isInteger(h) && h >= 48 && h <= 168,
    );
    checkDataKey(checks, 'encryptionKey', props.encryptionKey, props.location);
    checkLabels(checks, props.labels);
    checks.throwIfAny();

    const keyGrants = props.encryptionKey
      ? grantKeyToAgents(this, props.encryptionKey, 'bigquery', {
          project: project as string,
          ...(props.projectNumber ? { projectNumber: props.projectNumber } : {}),
        })
      : [];
    this.resource = new BigqueryDataset(this, 'Resource', {
      datasetId: props.datasetId,
      project,
      location: props.location,
      description: props.description ?? DESCRIPTIONS[props.layer],
      labels: { ...props.labels, layer: props.layer },
      deleteContentsOnDestroy: false,
      maxTimeTravelHours: String(props.maxTimeTravelHours ?? 168),
      defaultEncryptionConfiguration: props.encryptionKey ? { kmsKeyName: props.encryptionKey } : undefined,
      dependsOn: keyGrants.length > 0 ? keyGrants : undefined,
      lifecycle: props.deletionProtection ? { preventDestroy: true } : undefined,
    });
    this.datasetId = props.datasetId;
    this.project = project as string;
    this.layer = props.layer;
    this.maxTimeTravelHours = props.maxTimeTravelHours ?? 168;
    this.location = props.location;
    this.datasetIdRef = this.resource.datasetId;
  }
}

class ImportedDataset extends DatasetBase {
  public readonly datasetId: string;
  public readonly datasetIdRef: string;
  public readonly project: string;
  public readonly layer: WarehouseLayer;
  public readonly location: string;

  constructor(scope: Construct, id: string, reference: DatasetReference) {
    super(scope, id);
    describeNode(this, { shape: 'dataset', label: `dataset ${reference.datasetId} (imported)` });
    const c = constructChecks(this);
    c.check('datasetId', reference.datasetId, DATASET_ID);
    checkProject(c, reference.project);
    c.rule('layer', reference.layer, 'must be raw, staging, curated or assertions', (l) =>
      LAYERS.includes(l),
    );
    c.require('location', reference.location).check('location', reference.location, DATA_LOCATION);
    c.throwIfAny();
    this.datasetId = reference.datasetId;
    this.datasetIdRef = reference.datasetId;
    this.project = reference.project;
    this.layer = reference.layer;
    this.location = reference.location;
  }
}
