import { GoogleBetaProvider } from '@cdktf/provider-google-beta/lib/provider';
import { TerraformStack, Testing } from 'cdktf';
import {
  FLEX_JOB_REPLACING_ARGUMENTS,
  FlexTemplateJob,
  type FlexTemplateJobProps,
} from '../../constructs/dataflow/flex-template-job';
import { googleTemplatePath, PUBSUB_TO_BIGQUERY } from '../../constructs/dataflow/templates';
import { DataBucket } from '../../constructs/storage/data-bucket';
import { errorOf, only, resources, synth, testStack } from '../helpers';

type Props = FlexTemplateJobProps<typeof PUBSUB_TO_BIGQUERY.parameters>;
const KEY = 'projects/sec-project-1/locations/europe-west1/keyRings/dataflow/cryptoKeys/jobs';
const SUB = 'projects/trb-test-project/subscriptions/trb-test-order-dataflow';

function build(overrides: Partial<Props> = {}, stack = testStack()) {
  const staging = new DataBucket(stack, 'Staging', { bucketName: 'trb-test-staging', location: 'EU' });
  const job = new FlexTemplateJob(stack, 'OrderJob', {
    jobName: 'trb-test-order',
    template: PUBSUB_TO_BIGQUERY,
    containerSpecGcsPath: googleTemplatePath('europe-west1', PUBSUB_TO_BIGQUERY.name),
    parameters: {
      inputSubscription: SUB,
      outputTableSpec: 'trb-test-project:trb_test_raw.order_v1',
      outputDeadletterTable: 'trb-test-project:trb_test_raw.order_v1_dead_letter',
    },
    region: 'europe-west1',
    network: 'projects/trb-test-project/global/networks/tributary',
    subnetwork: 'regions/europe-west1/subnetworks/dataflow',
    machineType: 'n2-standard-2',
    maxWorkers: 3,
    stagingBucket: staging,
    projectNumber: '123456789012',
    ...overrides,
  });
  return { stack, job };
}

describe('FlexTemplateJob', () => {
  test('launches on google-beta with private IPs, streaming engine, drain on delete, and its own identity', () => {
    const { stack, job } = build();
    const json = synth(stack);
    const resource = only(json, 'google_dataflow_flex_template_job');
    expect(resource).toMatchObject({
      provider: 'google-beta',
      name: 'trb-test-order',
      container_spec_gcs_path: 'gs://dataflow-templates-europe-west1/latest/flex/PubSub_to_BigQuery_Flex',
      project: 'trb-test-project',
      region: 'europe-west1',
      ip_configuration: 'WORKER_IP_PRIVATE',
      network: 'projects/trb-test-project/global/networks/tributary',
      subnetwork: 'regions/europe-west1/subnetworks/dataflow',
      enable_streaming_engine: true,
      machine_type: 'n2-standard-2',
      max_workers: 3,
      on_delete: 'drain',
      temp_location: 'gs://trb-test-staging/temp/trb-test-order',
      staging_location: 'gs://trb-test-staging/staging/trb-test-order',
      service_account_email: `\${google_service_account.${job.identity.resource.friendlyUniqueId}.email}`,
      labels: { 'dataflow-template': 'pubsub_to_bigquery_flex' },
      parameters: {
        inputSubscription: SUB,
        outputDeadletterTable: 'trb-test-project:trb_test_raw.order_v1_dead_letter',
        outputTableSpec: 'trb-test-project:trb_test_raw.order_v1',
      },
    });
    expect(resource).not.toHaveProperty('num_workers');
    expect(resource).not.toHaveProperty('kms_key_name');
    expect(only(json, 'google_service_account')).toMatchObject({ account_id: 'df-trb-test-order' });
  });

  test('grants the worker only dataflow.worker on the project and object admin on the staging bucket, and waits for both', () => {
    const { stack, job } = build();
    const json = synth(stack);
    const member = `serviceAccount:\${google_service_account.${job.identity.resource.friendlyUniqueId}.email}`;
    expect(resources(json, 'google_project_iam_member')).toEqual([
      { project: 'trb-test-project', role: 'roles/dataflow.worker', member },
    ]);
    expect(resources(json, 'google_storage_bucket_iam_member')).toEqual([
      expect.objectContaining({ role: 'roles/storage.objectAdmin', member }),
    ]);
    expect(job.grants.map((g) => g.role)).toEqual(['roles/dataflow.worker', 'roles/storage.objectAdmin']);
    const dependsOn = only(json, 'google_dataflow_flex_template_job').depends_on as string[];
    expect(dependsOn).toEqual(
      job.grants.map((g) => `${g.member.terraformResourceType}.${g.member.friendlyUniqueId}`),
    );
    expect(
      stack.grants.records
        .filter((r) => r.principal.includes('df-trb-test-order'))
        .map((r) => `${r.role} ${r.scope}`),
    ).toEqual(['roles/dataflow.worker project', 'roles/storage.objectAdmin resource']);
  });

  test('launchAfter adds dependencies without replacing the ones it has', () => {
    const { stack, job } = build();
    const other = new DataBucket(stack, 'Other', { bucketName: 'trb-test-other', location: 'EU' });
    job.launchAfter(other.grantRead(job.identity), other.resource);
    const dependsOn = only(synth(stack), 'google_dataflow_flex_template_job').depends_on as string[];
    expect(dependsOn).toHaveLength(4);
    expect(dependsOn.slice(2)).toEqual([
      expect.stringMatching(/^google_storage_bucket_iam_member\.Other_Grant-storageobjectViewer/),
      `google_storage_bucket.${other.resource.friendlyUniqueId}`,
    ]);
  });

  test('with a CMEK key, sets kms_key_name and lets the Dataflow and Compute Engine agents use the key', () => {
    const { stack } = build({ encryptionKey: KEY });
    const json = synth(stack);
    expect(only(json, 'google_dataflow_flex_template_job').kms_key_name).toBe(KEY);
    expect(
      resources(json, 'google_kms_crypto_key_iam_member')
        .map((m) => m.member)
        .sort(),
    ).toEqual([
      'serviceAccount:service-123456789012@compute-system.iam.gserviceaccount.com',
      'serviceAccount:service-123456789012@dataflow-service-producer-prod.iam.gserviceaccount.com',
    ]);
  });

  test('keeps every replacing argument fixed when the parameters or machine type change', () => {
    const replacing = (overrides: Partial<Props>) => {
      const resource = only(synth(build(overrides).stack), 'google_dataflow_flex_template_job');
      return Object.fromEntries(FLEX_JOB_REPLACING_ARGUMENTS.map((a) => [a, resource[a]]));
    };
    const base = replacing({});
    expect(base).toEqual({
      name: 'trb-test-order',
      region: 'europe-west1',
      project: 'trb-test-project',
      num_workers: undefined,
      max_workers: 3,
      enable_streaming_engine: true,
    });
    expect(
      replacing({
        parameters: {
          inputSubscription: SUB,
          outputTableSpec: 'trb-test-project:trb_test_raw.order_v2',
          javascriptTextTransformGcsPath: 'gs://trb-test-artifacts/udf/order/order-0123456789abcdef.js',
          javascriptTextTransformFunctionName: 'transform',
        },
        machineType: 'n2-standard-8',
        labels: { team: 'orders' },
      }),
    ).toEqual(base);
  });

  test('uses the stack google-beta provider, and fails clearly without one', () => {
    const app = Testing.app();
    const bare = new TerraformStack(app, 'bare');
    const error = errorOf(() => build({ project: 'trb-test-project' }, bare as ReturnType<typeof testStack>));
    expect(error.message).toBe(
      'bare/OrderJob: needs the google-beta provider, and stack bare has none; add one to the stack (TributaryStack does) or pass props.provider',
    );
    const explicit = new TerraformStack(app, 'explicit');
    const provider = new GoogleBetaProvider(explicit, 'beta', { project: 'trb-test-project', alias: 'beta' });
    build({ project: 'trb-test-project', provider }, explicit as ReturnType<typeof testStack>);
    expect(only(synth(explicit), 'google_dataflow_flex_template_job').provider).toBe('google-beta.beta');
  });

  test('fails every invalid prop at once, naming the construct, the field, the value and the rule', () => {
    const error = errorOf(() =>
      build({
        jobName: 'Order_Job',
        region: 'europe-west99',
        containerSpecGcsPath: 'templates/order.json',
        subnetwork: 'regions/us-central1/subnetworks/dataflow',
        machineType: 'big',
        maxWorkers: 0,
        encryptionKey: 'projects/sec-project-1/locations/europe/keyRings/r/cryptoKeys/k',
        labels: { Team: 'x' },
        parameters: {
          outputTableSpec: 'raw.order',
          inputSubscription: SUB,
          // @ts-expect-error a launch option is not a parameter
          maxNumWorkers: 10,
        },
      }),
    );
    expect(error.message.split('\n')).toEqual([
      'test/OrderJob (FlexTemplateJob): 9 problems',
      '  - jobName = "Order_Job": must be 1-63 characters of lowercase letters, digits and hyphens, start with a letter and not end with a hyphen',
      '  - region = "europe-west99": must be a known Google Cloud region such as europe-west1 or us-central1',
      '  - containerSpecGcsPath = "templates/order.json": must be a gs:// URL of a template spec file',
      '  - machineType = "big": must be a Compute Engine machine type such as n2-standard-4 or e2-custom-4-16384',
      '  - maxWorkers = 0: must be a whole number from 1 to 1000',
      '  - encryptionKey = "projects/sec-project-1/locations/europe/keyRings/r/cryptoKeys/k": key location must be the job\'s region europe-west99',
      '  - labels.Team = "x": label keys must be 1-63 characters of lowercase letters, digits, "_" and "-", starting with a letter',
      '  - parameters.outputTableSpec = "raw.order": must be a table spec <project>:<dataset>.<table>',
      '  - parameters.maxNumWorkers = 10: is a launch option of the job resource; set maxWorkers instead (the API rejects duplicates)',
    ]);
  });

  test('fails a subnetwork outside the job region', () => {
    const error = errorOf(() => build({ subnetwork: 'regions/us-central1/subnetworks/dataflow' }));
    expect(error.message).toContain(
      'subnetwork = "regions/us-central1/subnetworks/dataflow": must be in region europe-west1',
    );
  });
});
