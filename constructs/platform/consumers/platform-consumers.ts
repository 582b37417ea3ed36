import { TerraformOutput } from 'cdktf';
import { Construct } from 'constructs';
import { PROJECT_ID, SERVICE_ACCOUNT_EMAIL } from '../../../core/gcp';
import type { Checks } from '../../../core/validation';
import { describeNode } from '../../core/architecture';
import { childChecks } from '../../core/validation';
import type { IPrincipal } from '../../iam/principal';
import { Principal } from '../../iam/principal';
import { GcpProject } from '../../iam/project';
import type { IServiceIdentity } from '../../iam/service-identity';
import { LookerInstance, type LookerInstanceProps } from '../../looker/looker-instance';
import type { DeployerRole, IPlatformFoundation } from '../foundation/foundation';
import { keyProp } from '../foundation/key-map';
import type { PlatformModels } from '../models/platform-models';
import { ConsumerFeatures, checkFeaturesSettings, type FeaturesSettings } from './consumer-features';

/** The `consumers` section of an environment file. */
export interface ConsumersSettings {
  /** Let the BI principal read columns under the PII policy tag. @default false */
  readonly biReadsPii?: boolean;
  /**
   * The project BI queries run and bill in (jobs, read sessions, service usage), for example the BI team's own.
   * @default - the environment's project
   */
  readonly biBillingProject?: string;
  /**
   * The organization's Looker Studio service agent (`service-org-<id>@gcp-sa-datastudio.iam.gserviceaccount.com`);
   * it may then act as the BI account only, so Looker Studio data sources use it. @default - no Looker Studio
   */
  readonly lookerStudioAgent?: string;
  /**
   * A Looker (Google Cloud core) instance, private on the environment network (costly: off by default). Its
   * service agent gets the BI grants. @default - no instance: Looker hosted elsewhere impersonates the BI account
   */
  readonly looker?: Pick<LookerInstanceProps, 'edition' | 'oauthClient' | 'maintenanceWindow'>;
  /**
   * Vertex AI features: an online store with a feature view per curated model marked as a feature source, and
   * the ML account with its own dataset (turn on once the curated models have run: the views must exist).
   * @default - no features, no ML account
   */
  readonly features?: FeaturesSettings;
}

export interface PlatformConsumersProps extends ConsumersSettings {
  readonly foundation: IPlatformFoundation;
  readonly models: PlatformModels;
}

export function checkConsumersSettings(
  c: Checks,
  s: ConsumersSettings,
  prefix = '',
  hasNetwork = true,
): void {
  c.check(`${prefix}lookerStudioAgent`, s.lookerStudioAgent, SERVICE_ACCOUNT_EMAIL);
  c.check(`${prefix}biBillingProject`, s.biBillingProject, PROJECT_ID);
  if (s.looker && !hasNetwork)
    c.fail(`${prefix}looker`, 'private IP', 'needs foundation.network: the instance gets a private IP on it');
  if (s.features) checkFeaturesSettings(c, s.features, `${prefix}features.`);
}

/**
 * The consumers of curated data, least privilege. The BI account reads the curated dataset only (never raw or
 * staging), and PII columns only when the environment says so; it runs query jobs, read sessions (Storage Read
 * API) and bills service usage to the project. Looker hosted elsewhere impersonates it (the stack outputs the
 * connection settings); Looker Studio acts as it through the organization's agent, with a Linking API URL per
 * curated model.
 */
export class PlatformConsumers extends Construct {
  public static readonly REQUIRED_SERVICES: readonly string[] = [
    'bigquerystorage.googleapis.com',
    'looker.googleapis.com',
    'aiplatform.googleapis.com',
  ];
  public static readonly DEPLOYER_ROLES: readonly DeployerRole[] = [
    { role: 'roles/looker.admin', why: 'creates the Looker instance where an environment has one' },
    {
      role: 'roles/aiplatform.featurestoreAdmin',
      why: 'creates the Vertex AI feature online store and its feature views where an environment has features',
    },
  ];
  public static readonly PLANNER_ROLES: readonly DeployerRole[] = [
    { role: 'roles/looker.viewer', why: 'reads the Looker instance' },
    { role: 'roles/aiplatform.viewer', why: 'reads the Vertex AI feature store and views' },
  ];
  /** Roles the BI account needs project-wide (they exist only there), in the BI billing project. */
  public static readonly BI_PROJECT_ROLES: readonly string[] = [
    'roles/bigquery.jobUser',
    'roles/bigquery.readSessionUser',
    'roles/serviceusage.serviceUsageConsumer',
  ];

  public readonly bi: IServiceIdentity;
  /** The Looker instance, when `looker` is set. */
  public readonly looker?: LookerInstance;
  /** Vertex AI features and the ML account, when `features` is set. */
  public readonly features?: ConsumerFeatures;

  constructor(scope: Construct, id: string, props: PlatformConsumersProps) {
    const c = childChecks(scope, id, 'PlatformConsumers');
    checkConsumersSettings(c, props, '', props.foundation.network !== undefined);
    c.throwIfAny();
    super(scope, id);
    const f = props.foundation;
    const bi = f.workloadIdentity('bi', 'BI: reads curated data for Looker and Looker Studio');
    this.bi = bi;
    if (props.looker && f.network)
      this.looker = new LookerInstance(this, 'Looker', {
        ...props.looker,
        instanceName: `${f.namePrefix}-looker`,
        region: f.region,
        project: f.projectId,
        network: f.network.network,
        ...(f.projectNumber ? { projectNumber: f.projectNumber } : {}),
        ...keyProp(f.keyFor('looker', f.region)),
      });
    // The instance queries BigQuery as its service agent, so the agent gets what the BI account gets.
    const readers: IPrincipal[] = [bi, ...(this.looker ? [this.looker.agent] : [])];
    const billing = props.biBillingProject ? GcpProject.of(this, props.biBillingProject) : f.project;
    for (const reader of readers) {
      f.datasets.curated.grantDataViewer(reader);
      for (const role of PlatformConsumers.BI_PROJECT_ROLES) billing.grant(reader, role);
      if (props.biReadsPii) props.models.piiTag.grantFineGrainedRead(reader);
    }
    if (props.lookerStudioAgent) bi.grantTokenCreator(Principal.serviceAccount(props.lookerStudioAgent));
    const dataset = f.datasets.curated.datasetId;
    new TerraformOutput(this, 'LookerConnection', {
      description:
        'BigQuery connection settings for a Looker instance hosted elsewhere (impersonate the account).',
      value: { project: f.projectId, dataset, serviceAccount: bi.email, billingProject: billing.projectId },
    });
    if (props.lookerStudioAgent)
      new TerraformOutput(this, 'LookerStudioLinks', {
        description:
          'Looker Studio Linking API URLs: a report on each curated table, read as the BI account.',
        value: Object.fromEntries(
          props.models.project.curated.map((m) => [
            m.name,
            lookerStudioUrl(f.projectId, dataset, m.name, billing.projectId),
          ]),
        ),
      });
    if (props.features)
      this.features = new ConsumerFeatures(this, 'Features', {
        ...props.features,
        foundation: f,
        models: props.models,
      });
    describeNode(this, { shape: 'identity', label: 'BI: Looker, Looker Studio', inputs: [] });
  }
}

/** A Looker Studio Linking API URL creating a report on one BigQuery table. */
export function lookerStudioUrl(
  project: string,
  dataset: string,
  table: string,
  billingProject = project,
): string {
  const params = new URLSearchParams({
    'c.reportName': `Tributary ${table}`,
    'ds.ds0.connector': 'bigQuery',
    'ds.ds0.type': 'TABLE',
    'ds.ds0.projectId': project,
    'ds.ds0.datasetId': dataset,
    'ds.ds0.tableId': table,
    'ds.ds0.billingProjectId': billingProject,
  });
  return `https://lookerstudio.google.com/reporting/create?${params.toString()}`;
}
