import { TerraformOutput } from 'cdktf';
import { Construct } from 'constructs';
import type { Checks } from '../../../core/validation';
import { featureViewName, trainingViewName } from '../../../models/features';
import { AnalyticsDataset } from '../../bigquery/analytics-dataset';
import { TableReference } from '../../bigquery/table-reference';
import { connect, describeNode } from '../../core/architecture';
import type { IServiceIdentity } from '../../iam/service-identity';
import {
  FeatureOnlineStore,
  type FeatureStoreAutoscaling,
  SYNC_CRON,
} from '../../vertex/feature-online-store';
import type { IPlatformFoundation } from '../foundation/foundation';
import { keyProp } from '../foundation/key-map';
import type { PlatformModels } from '../models/platform-models';

/** The `consumers.features` section: Vertex AI features from the curated models marked as feature sources. */
export interface FeaturesSettings {
  /** The online store's Bigtable nodes. @default - one to two nodes at 50% CPU */
  readonly autoscaling?: FeatureStoreAutoscaling;
  /**
   * When each feature view syncs (five cron fields, optionally after `CRON_TZ=<zone> `). The curated models run
   * hourly at minute 0. @default '30 * * * *'
   */
  readonly syncCron?: string;
}

export function checkFeaturesSettings(c: Checks, s: FeaturesSettings, prefix = ''): void {
  if (s.syncCron !== undefined) c.check(`${prefix}syncCron`, s.syncCron, SYNC_CRON);
}

export interface ConsumerFeaturesProps extends FeaturesSettings {
  readonly foundation: IPlatformFoundation;
  readonly models: PlatformModels;
}

/** Roles the ML account needs project-wide (they exist only there). */
export const ML_PROJECT_ROLES: readonly string[] = [
  'roles/bigquery.jobUser',
  'roles/bigquery.readSessionUser',
];

/**
 * Vertex AI features from the curated models: a feature online store (Bigtable serving, small autoscaling) and
 * a feature view per curated model marked as a feature source, syncing its `<model>__features` view. The Vertex
 * AI service agent reads exactly those views and the curated tables under them. The ML account reads the curated
 * dataset (the training extracts are there), writes only its own dataset, and runs jobs and Vertex AI work.
 *
 * The views are created by the models' first run (Dataform), so turn features on in an environment whose curated
 * models have run once: the table grants and feature views need their sources to exist.
 */
export class ConsumerFeatures extends Construct {
  public readonly store: FeatureOnlineStore;
  public readonly ml: IServiceIdentity;
  public readonly mlDataset: AnalyticsDataset;

  constructor(scope: Construct, id: string, props: ConsumerFeaturesProps) {
    super(scope, id);
    const f = props.foundation;
    const curated = f.datasets.curated;
    const sources = props.models.project.curated.filter((m) => m.featureSource);
    this.ml = f.workloadIdentity('ml', 'ML: reads curated data for Vertex AI, writes its own dataset');
    this.mlDataset = new AnalyticsDataset(this, 'MlDataset', {
      datasetId: `${f.namePrefix.replace(/-/g, '_')}_ml`,
      layer: 'ml',
      location: f.dataLocation,
      project: f.projectId,
      ...(f.projectNumber ? { projectNumber: f.projectNumber } : {}),
      deletionProtection: f.deletionProtection,
      ...keyProp(f.keyFor('bigquery', f.dataLocation)),
    });
    curated.grantDataViewer(this.ml);
    this.mlDataset.grantDataEditor(this.ml);
    for (const role of ML_PROJECT_ROLES) f.project.grant(this.ml, role);
    f.project.grantProjectWide(
      this.ml,
      'roles/aiplatform.user',
      'training and forecasting jobs, pipelines and models are created in the project: Vertex AI has no narrower parent for them',
    );

    this.store = new FeatureOnlineStore(this, 'Store', {
      storeName: `${f.namePrefix.replace(/-/g, '_')}_features`,
      region: f.region,
      project: f.projectId,
      ...(props.autoscaling ? { autoscaling: props.autoscaling } : {}),
      ...(f.projectNumber ? { projectNumber: f.projectNumber } : {}),
    });
    const cron = props.syncCron ?? '30 * * * *';
    for (const m of sources) {
      const source = featureViewName(m.name);
      const view = this.store.addFeatureView(m.name, {
        viewName: m.name,
        source: { project: f.projectId, dataset: curated.datasetId, table: source },
        entityIdColumns: m.featureSource?.entity ?? [],
        syncCron: cron,
      });
      // A view's reader needs read on the table under it too (it is not an authorized view).
      for (const table of [source, m.name])
        TableReference.fromTableId(view, `Read-${table}`, curated, table).grantDataViewer(this.store.agent);
    }
    new TerraformOutput(this, 'TrainingExtracts', {
      description: 'BigQuery views the ML account trains forecasts on, one per feature-source model.',
      value: Object.fromEntries(
        sources.map((m) => [m.name, `${f.projectId}.${curated.datasetId}.${trainingViewName(m.name)}`]),
      ),
    });
    describeNode(this.store, {
      shape: 'service',
      label: `Vertex AI features: ${sources.map((m) => m.name).join(', ')}`,
    });
    connect(curated, this.store, 'feature views');
  }
}
