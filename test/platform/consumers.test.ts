import { Testing } from 'cdktf';
import { lookerStudioUrl } from '../../constructs/platform/consumers/platform-consumers';
import { StreamingPlatform } from '../../constructs/platform/streaming-platform';
import { order } from '../../stacks/contracts/order';
import { factDailyOrders } from '../../stacks/models/curated';
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
    streams: { delivery: { kind: 'bigquery-subscription' }, contracts: [order] },
    models: { git: { url: 'https://example.com/models.git', branch: 'main' }, curated: [factDailyOrders] },
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
      fact_daily_orders: lookerStudioUrl('trb-test-project', 'trb_tst_curated', 'fact_daily_orders'),
    });
    const connection = Object.entries(outputs).find(([k]) => k.includes('LookerConnection'))?.[1].value;
    expect(connection).toMatchObject({ project: 'trb-test-project', dataset: 'trb_tst_curated' });
    expect(new URL(links.fact_daily_orders as string).searchParams.get('ds.ds0.tableId')).toBe(
      'fact_daily_orders',
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
