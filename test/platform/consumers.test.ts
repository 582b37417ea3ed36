import { Testing } from 'cdktf';
import { lookerStudioUrl } from '../../constructs/platform/consumers/platform-consumers';
import { StreamingPlatform } from '../../constructs/platform/streaming-platform';
import { appEvent } from '../../stacks/contracts/app-event';
import { order } from '../../stacks/contracts/order';
import { factDailyOrders, factUserActivity } from '../../stacks/models/curated';
import { errorOf, synth, testStack } from '../helpers';

const PLACEMENT = {
  project: 'trb-test-project',
  projectNumber: '123456789012',
  region: 'europe-west1',
  dataLocation: 'EU',
  namePrefix: 'trb-tst',
  production: false,
} as const;
const AGENT = 'service-org-1234@gcp-sa-datastudio.iam.gserviceaccount.com';
const BI = 'serviceAccount:trb-tst-bi@trb-test-project.iam.gserviceaccount.com';

const NETWORK = {
  network: 'projects/trb-test-project/global/networks/platform',
  subnetwork: 'regions/europe-west1/subnetworks/platform',
};

function platform(consumers: Record<string, unknown>, network = false) {
  const stack = testStack();
  new StreamingPlatform(stack, 'Platform', {
    ...PLACEMENT,
    ...(network ? { network: NETWORK } : {}),
    streams: { delivery: { kind: 'bigquery-subscription' }, contracts: [appEvent, order] },
    models: {
      git: { url: 'https://example.com/models.git', branch: 'main' },
      curated: [factUserActivity, factDailyOrders],
    },
    consumers,
  });
  const json = synth(stack);
  return { stack, json };
}

describe('PlatformConsumers', () => {
  test('the IAM matrix shows the BI account on curated data only, plus the project roles BigQuery needs', () => {
    const { stack } = platform({});
    expect(stack.policy.errors).toEqual([]);
    const grants = stack.grants.records.filter((r) => r.principal === BI);
    expect(grants.map((r) => `${r.resourceType} ${r.resource} ${r.role}`).sort()).toEqual([
      'google_bigquery_dataset trb-test-project.trb_tst_curated roles/bigquery.dataViewer',
      'google_project trb-test-project roles/bigquery.jobUser',
      'google_project trb-test-project roles/bigquery.readSessionUser',
      'google_project trb-test-project roles/serviceusage.serviceUsageConsumer',
    ]);
    // Nothing of the BI account's touches raw or staging, or a PII tag.
    expect(
      grants.filter((r) => /_(raw|staging)\b/.test(r.resource) || r.resourceType.includes('policy_tag')),
    ).toEqual([]);
  });

  test('PII read, Looker Studio acting as the BI account, and the outputs a Looker connection needs', () => {
    const { stack, json } = platform({ biReadsPii: true, lookerStudioAgent: AGENT });
    expect(stack.policy.errors).toEqual([]);
    const grants = stack.grants.records
      .filter((r) => r.principal === BI)
      .map((r) => `${r.resourceType} ${r.role}`);
    expect(grants).toContain('google_data_catalog_policy_tag roles/datacatalog.categoryFineGrainedReader');
    const agent = stack.grants.records.filter((r) => r.principal === `serviceAccount:${AGENT}`);
    expect(agent.map((r) => `${r.resourceType} ${r.resource} ${r.role}`)).toEqual([
      'google_service_account trb-tst-bi@trb-test-project.iam.gserviceaccount.com roles/iam.serviceAccountTokenCreator',
    ]);
    const outputs = (json as unknown as { output: Record<string, { value: unknown }> }).output;
    const links = Object.entries(outputs).find(([k]) => k.includes('LookerStudioLinks'))?.[1].value as Record<
      string,
      string
    >;
    expect(links).toEqual({
      fact_user_activity: lookerStudioUrl('trb-test-project', 'trb_tst_curated', 'fact_user_activity'),
      fact_daily_orders: lookerStudioUrl('trb-test-project', 'trb_tst_curated', 'fact_daily_orders'),
    });
    const connection = Object.entries(outputs).find(([k]) => k.includes('LookerConnection'))?.[1].value;
    expect(connection).toMatchObject({ project: 'trb-test-project', dataset: 'trb_tst_curated' });
    expect(new URL(links.fact_daily_orders as string).searchParams.get('ds.ds0.tableId')).toBe(
      'fact_daily_orders',
    );
  });

  test('a BI billing project: queries, read sessions and usage bill there; the data grants stay on curated', () => {
    const { stack, json } = platform({ biBillingProject: 'bi-team-billing', lookerStudioAgent: AGENT });
    expect(stack.policy.errors).toEqual([]);
    const grants = stack.grants.records.filter((r) => r.principal === BI);
    expect(grants.map((r) => `${r.resourceType} ${r.resource} ${r.role}`).sort()).toEqual([
      'google_bigquery_dataset trb-test-project.trb_tst_curated roles/bigquery.dataViewer',
      'google_project bi-team-billing roles/bigquery.jobUser',
      'google_project bi-team-billing roles/bigquery.readSessionUser',
      'google_project bi-team-billing roles/serviceusage.serviceUsageConsumer',
    ]);
    const outputs = (json as unknown as { output: Record<string, { value: unknown }> }).output;
    const value = (name: string) => Object.entries(outputs).find(([k]) => k.includes(name))?.[1].value;
    expect(value('LookerConnection')).toMatchObject({
      project: 'trb-test-project',
      billingProject: 'bi-team-billing',
    });
    const link = new URL((value('LookerStudioLinks') as Record<string, string>).fact_daily_orders as string);
    expect(link.searchParams.get('ds.ds0.billingProjectId')).toBe('bi-team-billing');
    expect(link.searchParams.get('ds.ds0.projectId')).toBe('trb-test-project');
    expect(errorOf(() => platform({ biBillingProject: 'BI Team' })).message).toContain(
      'biBillingProject = "BI Team": must be',
    );
  });

  test('a Looker instance: private on the environment network, OAuth client from Secret Manager, its agent reading curated only', () => {
    const looker = {
      edition: 'LOOKER_CORE_STANDARD_ANNUAL',
      oauthClient: { idSecret: 'looker-oauth-client-id', secretSecret: 'looker-oauth-client-secret' },
      maintenanceWindow: { day: 'SUNDAY', hourUtc: 3 },
    };
    const { stack, json } = platform({ looker }, true);
    expect(stack.policy.errors).toEqual([]);
    const instance = Object.values(
      (json.resource as Record<string, Record<string, Record<string, unknown>>>).google_looker_instance ?? {},
    )[0];
    expect(instance).toMatchObject({
      name: 'trb-tst-looker',
      platform_edition: 'LOOKER_CORE_STANDARD_ANNUAL',
      private_ip_enabled: true,
      public_ip_enabled: false,
      consumer_network: NETWORK.network,
      maintenance_window: { day_of_week: 'SUNDAY', start_time: { hours: 3, minutes: 0 } },
      oauth_config: {
        client_id: expect.stringContaining('data.google_secret_manager_secret_version'),
        client_secret: expect.stringContaining('data.google_secret_manager_secret_version'),
      },
    });
    const agent = stack.grants.records.filter((r) => r.principal === 'serviceAgent:looker@trb-test-project');
    expect(agent.map((r) => `${r.resourceType} ${r.resource} ${r.role}`).sort()).toEqual([
      'google_bigquery_dataset trb-test-project.trb_tst_curated roles/bigquery.dataViewer',
      'google_project trb-test-project roles/bigquery.jobUser',
      'google_project trb-test-project roles/bigquery.readSessionUser',
      'google_project trb-test-project roles/serviceusage.serviceUsageConsumer',
    ]);
    expect(errorOf(() => platform({ looker })).message).toContain(
      'looker = "private IP": needs foundation.network',
    );
  });

  test('Vertex AI features: a Bigtable online store, a feature view per feature-source model, the agent reading exactly those tables', () => {
    const { stack, json } = platform({ features: {} });
    expect(stack.policy.errors).toEqual([]);
    const resources = json.resource as Record<string, Record<string, Record<string, unknown>>>;
    const store = Object.values(resources.google_vertex_ai_feature_online_store ?? {});
    expect(store).toEqual([
      expect.objectContaining({
        name: 'trb_tst_features',
        region: 'europe-west1',
        bigtable: { auto_scaling: { min_node_count: 1, max_node_count: 2, cpu_utilization_target: 50 } },
      }),
    ]);
    const views = Object.values(resources.google_vertex_ai_feature_online_store_featureview ?? {}).sort(
      (a, b) => String(a.name).localeCompare(String(b.name)),
    );
    expect(
      views.map((v) => [v.name, (v.big_query_source as Record<string, unknown>).uri, v.sync_config]),
    ).toEqual([
      [
        'fact_daily_orders',
        'bq://trb-test-project.trb_tst_curated.fact_daily_orders__features',
        { cron: '30 * * * *' },
      ],
      [
        'fact_user_activity',
        'bq://trb-test-project.trb_tst_curated.fact_user_activity__features',
        { cron: '30 * * * *' },
      ],
    ]);
    expect(views.map((v) => (v.big_query_source as Record<string, unknown>).entity_id_columns)).toEqual([
      ['customer_id', 'currency'],
      ['user_id'],
    ]);
    const agent = stack.grants.records.filter(
      (r) => r.principal === 'serviceAgent:aiplatform@trb-test-project',
    );
    expect(agent.map((r) => `${r.resourceType} ${r.resource} ${r.role}`).sort()).toEqual([
      'google_bigquery_table trb-test-project.trb_tst_curated.fact_daily_orders roles/bigquery.dataViewer',
      'google_bigquery_table trb-test-project.trb_tst_curated.fact_daily_orders__features roles/bigquery.dataViewer',
      'google_bigquery_table trb-test-project.trb_tst_curated.fact_user_activity roles/bigquery.dataViewer',
      'google_bigquery_table trb-test-project.trb_tst_curated.fact_user_activity__features roles/bigquery.dataViewer',
    ]);
    const ml = stack.grants.records.filter(
      (r) => r.principal === 'serviceAccount:trb-tst-ml@trb-test-project.iam.gserviceaccount.com',
    );
    expect(ml.map((r) => `${r.resourceType} ${r.resource} ${r.role}`).sort()).toEqual([
      'google_bigquery_dataset trb-test-project.trb_tst_curated roles/bigquery.dataViewer',
      'google_bigquery_dataset trb-test-project.trb_tst_ml roles/bigquery.dataEditor',
      'google_project trb-test-project roles/aiplatform.user',
      'google_project trb-test-project roles/bigquery.jobUser',
      'google_project trb-test-project roles/bigquery.readSessionUser',
    ]);
    const outputs = (json as unknown as { output: Record<string, { value: unknown }> }).output;
    expect(Object.entries(outputs).find(([k]) => k.includes('TrainingExtracts'))?.[1].value).toEqual({
      fact_user_activity: 'trb-test-project.trb_tst_curated.fact_user_activity__training',
      fact_daily_orders: 'trb-test-project.trb_tst_curated.fact_daily_orders__training',
    });
  });

  test('fails policy TRB-CONS-1 on a synthesized stack that grants the BI or ML account staging data', () => {
    const stack = testStack();
    const p = new StreamingPlatform(stack, 'Platform', {
      ...PLACEMENT,
      streams: { delivery: { kind: 'bigquery-subscription' }, contracts: [appEvent, order] },
      models: {
        git: { url: 'https://example.com/models.git', branch: 'main' },
        curated: [factUserActivity, factDailyOrders],
      },
      consumers: { features: {} },
    });
    const consumers = p.consumers as NonNullable<typeof p.consumers>;
    p.datasets.staging.grantDataViewer(consumers.bi);
    p.datasets.raw.grantDataViewer((consumers.features as NonNullable<typeof consumers.features>).ml);
    synth(stack);
    expect(stack.policy.errors.map((e) => `${e.ruleId} ${e.detail}`).sort()).toEqual([
      'TRB-CONS-1 serviceAccount:trb-tst-bi@trb-test-project.iam.gserviceaccount.com is granted roles/bigquery.dataViewer on trb_tst_staging, which is not curated data',
      'TRB-CONS-1 serviceAccount:trb-tst-ml@trb-test-project.iam.gserviceaccount.com is granted roles/bigquery.dataViewer on trb_tst_raw, which is not curated data',
    ]);
  });

  test('fails features settings and online store sizes, every problem at once', () => {
    expect(errorOf(() => platform({ features: { syncCron: 'hourly' } })).message).toContain(
      'features.syncCron = "hourly": must be a cron expression of five fields, optionally after CRON_TZ=<zone>',
    );
    const message = errorOf(() =>
      platform({ features: { autoscaling: { minNodeCount: 3, maxNodeCount: 2, cpuUtilizationTarget: 90 } } }),
    ).message;
    expect(message).toContain(
      'autoscaling.maxNodeCount = 2: must be a whole number of nodes, at least minNodeCount (3)',
    );
    expect(message).toContain('autoscaling.cpuUtilizationTarget = 90: must be a whole percent from 10 to 80');
  });

  test('fails a Looker Studio agent that is not a service account, and consumers without models', () => {
    expect(errorOf(() => platform({ lookerStudioAgent: 'datastudio' })).message).toContain(
      'lookerStudioAgent = "datastudio": must be a service account email',
    );
    const stack = testStack({}, 'other', Testing.app());
    expect(
      errorOf(
        () =>
          new StreamingPlatform(stack, 'Platform', {
            ...PLACEMENT,
            streams: { delivery: { kind: 'bigquery-subscription' }, contracts: [order] },
            consumers: {},
          }),
      ).message,
    ).toContain('consumers read the curated models; set models too');
  });
});
