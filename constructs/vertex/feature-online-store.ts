import { VertexAiFeatureOnlineStore } from '@cdktf/provider-google/lib/vertex-ai-feature-online-store';
import { VertexAiFeatureOnlineStoreFeatureview } from '@cdktf/provider-google/lib/vertex-ai-feature-online-store-featureview';
import { Construct } from 'constructs';
import { CRON_SCHEDULE, checkLabels, type NamingRule, REGION } from '../../core/gcp';
import { projectOf } from '../core/project';
import { checkProject, constructChecks } from '../core/validation';
import { type IPrincipal, ServiceAgent } from '../iam/principal';

/** Bigtable serving nodes: the online store scales between them on CPU. */
export interface FeatureStoreAutoscaling {
  /** @default 1 */
  readonly minNodeCount?: number;
  /** @default 2 */
  readonly maxNodeCount?: number;
  /** Percent of CPU, 10-80. @default 50 */
  readonly cpuUtilizationTarget?: number;
}

export interface FeatureOnlineStoreProps {
  /** Up to 60 lowercase letters, digits and underscores, not starting with a digit. */
  readonly storeName: string;
  readonly region: string;
  /** @default - the project of the stack's default google provider */
  readonly project?: string;
  /** @default - one to two nodes at 50% CPU */
  readonly autoscaling?: FeatureStoreAutoscaling;
  /** @default - none beyond the provider defaults */
  readonly labels?: Readonly<Record<string, string>>;
  /** Needed for the Vertex AI service agent. @default - looked up at plan time */
  readonly projectNumber?: string;
}

export interface FeatureViewProps {
  /** Up to 60 lowercase letters, digits and underscores, not starting with a digit. */
  readonly viewName: string;
  /** The BigQuery table or view it syncs from. */
  readonly source: { readonly project: string; readonly dataset: string; readonly table: string };
  /** Columns whose values make the entity id (STRING or INT64). */
  readonly entityIdColumns: readonly string[];
  /** When it syncs: five cron fields, optionally after `CRON_TZ=<zone> `. */
  readonly syncCron: string;
}

/** A feature view's sync schedule: five cron fields, optionally after `CRON_TZ=<zone> ` (or `TZ=`). */
export const SYNC_CRON: NamingRule = {
  text: `${CRON_SCHEDULE.text}, optionally after CRON_TZ=<zone>`,
  test: (s) => CRON_SCHEDULE.test(s.replace(/^(CRON_TZ|TZ)=\S+\s+/, '')),
};

const NAME = /^[a-z_][a-z0-9_]{0,59}$/;
const NAME_TEXT = 'must be 1-60 lowercase letters, digits and underscores, not starting with a digit';
const BQ_NAME = /^[A-Za-z0-9_]{1,1024}$/;

/**
 * A Vertex AI feature online store with Bigtable serving and small autoscaling (the Optimized type is marked
 * deprecated in current docs), and its feature views, each syncing a BigQuery table or view on a schedule.
 * Views sync as the Vertex AI service agent (`agent`): grant it read on each source, and on nothing else.
 */
export class FeatureOnlineStore extends Construct {
  public readonly resource: VertexAiFeatureOnlineStore;
  /** The Vertex AI service agent: the views read their BigQuery sources as it. */
  public readonly agent: IPrincipal;
  public readonly views: FeatureView[] = [];

  constructor(scope: Construct, id: string, props: FeatureOnlineStoreProps) {
    super(scope, id);
    const project = projectOf(this, props.project);
    const a = props.autoscaling ?? {};
    const min = a.minNodeCount ?? 1;
    const max = a.maxNodeCount ?? 2;
    const cpu = a.cpuUtilizationTarget ?? 50;
    const c = constructChecks(this);
    c.rule('storeName', props.storeName, NAME_TEXT, (n) => NAME.test(n));
    c.check('region', props.region, REGION);
    checkProject(c, project);
    c.rule(
      'autoscaling.minNodeCount',
      min,
      'must be a whole number of nodes, at least 1',
      (n) => Number.isInteger(n) && n >= 1,
    );
    c.rule(
      'autoscaling.maxNodeCount',
      max,
      `must be a whole number of nodes, at least minNodeCount (${min})`,
      (n) => Number.isInteger(n) && n >= min,
    );
    c.rule(
      'autoscaling.cpuUtilizationTarget',
      cpu,
      'must be a whole percent from 10 to 80',
      (n) => Number.isInteger(n) && n >= 10 && n <= 80,
    );
    checkLabels(c, props.labels);
    c.throwIfAny();
    this.resource = new VertexAiFeatureOnlineStore(this, 'Resource', {
      name: props.storeName,
      region: props.region,
      project,
      bigtable: { autoScaling: { minNodeCount: min, maxNodeCount: max, cpuUtilizationTarget: cpu } },
      ...(props.labels ? { labels: { ...props.labels } } : {}),
    });
    this.agent = ServiceAgent.of(this, 'aiplatform', {
      ...(project ? { project } : {}),
      ...(props.projectNumber ? { projectNumber: props.projectNumber } : {}),
    });
  }

  public addFeatureView(id: string, props: FeatureViewProps): FeatureView {
    const view = new FeatureView(this, id, props);
    this.views.push(view);
    return view;
  }
}

/** One feature view of an online store: a BigQuery source, its entity id columns and a sync schedule. */
export class FeatureView extends Construct {
  public readonly resource: VertexAiFeatureOnlineStoreFeatureview;
  /** `bq://<project>.<dataset>.<table>` */
  public readonly sourceUri: string;

  constructor(store: FeatureOnlineStore, id: string, props: FeatureViewProps) {
    super(store, id);
    const c = constructChecks(this);
    c.rule('viewName', props.viewName, NAME_TEXT, (n) => NAME.test(n));
    c.rule('source.dataset', props.source.dataset, 'must be a BigQuery dataset id', (d) => BQ_NAME.test(d));
    c.rule('source.table', props.source.table, 'must be a BigQuery table id', (t) => BQ_NAME.test(t));
    checkProject(c, props.source.project, 'source.project');
    c.rule('entityIdColumns', props.entityIdColumns, 'must name at least one column', (e) => e.length > 0);
    for (const col of props.entityIdColumns)
      c.rule('entityIdColumns', col, 'must be a BigQuery column name', (x) =>
        /^[A-Za-z_][A-Za-z0-9_]*$/.test(x),
      );
    c.check('syncCron', props.syncCron, SYNC_CRON);
    c.throwIfAny();
    this.sourceUri = `bq://${props.source.project}.${props.source.dataset}.${props.source.table}`;
    this.resource = new VertexAiFeatureOnlineStoreFeatureview(this, 'Resource', {
      name: props.viewName,
      region: store.resource.region,
      project: store.resource.project,
      featureOnlineStore: store.resource.name,
      bigQuerySource: { uri: this.sourceUri, entityIdColumns: [...props.entityIdColumns] },
      syncConfig: { cron: props.syncCron },
    });
  }
}
