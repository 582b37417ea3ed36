import { createHash } from 'node:crypto';
import { referenceResolver } from '../../constructs/policy/resolve';
import {
  artifactRegistryImmutable,
  auditDataAccess,
  bigqueryDeletionProtection,
  bigqueryNoProjectDataEditor,
  bigqueryRawPartitioned,
  cmekKeyLocation,
  cmekRequired,
  composerPinnedImage,
  composerPrivateEnvironment,
  composerServiceAccount,
  composerWebServerAccess,
  consumersCuratedOnly,
  DEFAULT_RULES,
  dataflowDeadLetter,
  dataflowPrivateIps,
  dataflowServiceAccount,
  dataflowUdfHashed,
  dataformRepositoryIdentity,
  dataplexScanResults,
  eventarcDestination,
  eventarcTriggerServiceAccount,
  gcsNoForceDestroyInProd,
  gcsPublicAccessPrevention,
  gcsRecoverable,
  gcsUniformAccess,
  iamNoBasicRoles,
  iamNoProjectImpersonation,
  iamNoPublicPrincipals,
  iamNoServiceAccountKeys,
  iamProjectScope,
  kmsGrantsOnKeys,
  kmsPreventDestroy,
  kmsRotation,
  labelsRequired,
  lookerPrivate,
  monitoringAlertRouted,
  pubsubDeadLetter,
  pubsubStorageRegions,
  pubsubTopicSchema,
  runEnvSecrets,
  runNoPublicInvoker,
  runServiceIdentity,
  secretManagerReplication,
  terraformStaticDependsOn,
  vertexCuratedSources,
  workflowsCallLogging,
  workflowsServiceAccount,
} from '../../constructs/policy/rules';
import type { PolicyContext, PolicyResource, PolicyRule } from '../../constructs/policy/types';

const context: PolicyContext = {
  stack: 'dev',
  environment: 'dev',
  production: false,
  requiredLabels: ['environment', 'owner'],
  defaultLabels: { environment: 'dev' },
};
const prod: PolicyContext = { ...context, environment: 'prod', production: true };

function fixture(
  type: string,
  config: Record<string, unknown>,
  mode: 'managed' | 'data' = 'managed',
): PolicyResource {
  return { mode, type, address: `${type}.x`, path: 'dev/X/Resource', config };
}

const UDF = 'function transform(inJson) {\n  return inJson;\n}\n';
const UDF_HASH = createHash('sha256').update(UDF).digest('hex').slice(0, 16);
const flexJob = {
  name: 'trb-prod-order',
  container_spec_gcs_path: 'gs://dataflow-templates-europe-west1/latest/flex/PubSub_to_BigQuery_Flex',
  service_account_email: 'trb-prod-df-order@p-prod.iam.gserviceaccount.com',
  ip_configuration: 'WORKER_IP_PRIVATE',
  parameters: {
    inputSubscription: 'projects/p-prod/subscriptions/trb-prod-order-dataflow',
    outputTableSpec: 'p-prod:raw.order_v1',
    outputDeadletterTable: 'p-prod:raw.order_v1_dead_letter',
    javascriptTextTransformGcsPath: `gs://p-prod-artifacts/udf/order/order-${UDF_HASH}.js`,
    javascriptTextTransformFunctionName: 'transform',
  },
};

const secureBucket = {
  name: 'b',
  location: 'EU',
  uniform_bucket_level_access: true,
  public_access_prevention: 'enforced',
  labels: { owner: 'team' },
};

/** [rule, failing fixture, passing fixture, expected detail, context] */
const cases: [PolicyRule, PolicyResource, PolicyResource, string, PolicyContext][] = [
  [
    terraformStaticDependsOn,
    fixture('google_storage_bucket', {
      ...secureBucket,
      depends_on: ['google_project_service.Storage', '${google_project_service.Run}'],
    }),
    fixture('google_storage_bucket', {
      ...secureBucket,
      depends_on: ['google_project_service.Storage', 'data.google_project.This', 'module.network'],
    }),
    'depends_on holds "${google_project_service.Run}"; use bare addresses',
    context,
  ],
  [
    iamNoPublicPrincipals,
    fixture('google_storage_bucket_iam_member', {
      bucket: 'b',
      role: 'roles/storage.objectViewer',
      member: 'allUsers',
    }),
    fixture('google_storage_bucket_iam_member', {
      bucket: 'b',
      role: 'roles/storage.objectViewer',
      member: 'group:a@example.com',
    }),
    'member = "allUsers"',
    context,
  ],
  [
    iamNoBasicRoles,
    fixture('google_project_iam_member', {
      project: 'p',
      role: 'roles/editor',
      member: 'user:a@example.com',
    }),
    fixture('google_project_iam_member', {
      project: 'p',
      role: 'roles/logging.logWriter',
      member: 'user:a@example.com',
    }),
    'role = "roles/editor"',
    context,
  ],
  [
    iamNoServiceAccountKeys,
    fixture('google_service_account_key', { service_account_id: 'sa' }),
    fixture('google_service_account', { account_id: 'sa' }),
    'google_service_account_key for sa',
    context,
  ],
  [
    iamNoProjectImpersonation,
    fixture('google_project_iam_member', {
      project: 'p',
      role: 'roles/iam.serviceAccountUser',
      member: 'user:a@example.com',
    }),
    fixture('google_service_account_iam_member', {
      service_account_id: 'sa',
      role: 'roles/iam.serviceAccountUser',
      member: 'user:a@example.com',
    }),
    'roles/iam.serviceAccountUser to user:a@example.com',
    context,
  ],
  [
    iamProjectScope,
    fixture('google_project_iam_member', {
      project: 'p',
      role: 'roles/storage.objectAdmin',
      member: 'user:a@example.com',
    }),
    fixture('google_project_iam_member', {
      project: 'p',
      role: 'roles/bigquery.jobUser',
      member: 'user:a@example.com',
    }),
    'roles/storage.objectAdmin to user:a@example.com is resource-scopable',
    context,
  ],
  [
    gcsUniformAccess,
    fixture('google_storage_bucket', { ...secureBucket, uniform_bucket_level_access: false }),
    fixture('google_storage_bucket', secureBucket),
    'uniform_bucket_level_access is false',
    context,
  ],
  [
    gcsPublicAccessPrevention,
    fixture('google_storage_bucket', { ...secureBucket, public_access_prevention: 'inherited' }),
    fixture('google_storage_bucket', secureBucket),
    'public_access_prevention is "inherited"',
    context,
  ],
  [
    gcsNoForceDestroyInProd,
    fixture('google_storage_bucket', { ...secureBucket, force_destroy: true }),
    fixture('google_storage_bucket', { ...secureBucket, force_destroy: false }),
    'force_destroy is true',
    prod,
  ],
  [
    labelsRequired,
    fixture('google_storage_bucket', { ...secureBucket, labels: {} }),
    fixture('google_storage_bucket', secureBucket),
    'missing labels: owner',
    context,
  ],
  [
    pubsubDeadLetter,
    fixture('google_pubsub_subscription', { name: 's', topic: 't' }),
    fixture('google_pubsub_subscription', {
      name: 's',
      topic: 't',
      dead_letter_policy: { dead_letter_topic: 'projects/p/topics/t-dlq', max_delivery_attempts: 5 },
    }),
    'subscription s has no dead_letter_policy',
    context,
  ],
  [
    pubsubTopicSchema,
    fixture('google_pubsub_topic', { name: 't' }),
    fixture('google_pubsub_topic', {
      name: 't',
      schema_settings: { schema: 'projects/p/schemas/t', encoding: 'JSON' },
    }),
    'topic t has no schema_settings.schema',
    context,
  ],
  [
    bigqueryRawPartitioned,
    fixture('google_bigquery_table', { table_id: 'order_v1', labels: { layer: 'raw' } }),
    fixture('google_bigquery_table', {
      table_id: 'order_v1',
      labels: { layer: 'raw' },
      time_partitioning: { type: 'DAY', field: 'order_time' },
    }),
    'raw table order_v1 has no time or range partitioning',
    context,
  ],
  [
    bigqueryDeletionProtection,
    fixture('google_bigquery_table', { table_id: 'order_v1', deletion_protection: false }),
    fixture('google_bigquery_table', { table_id: 'order_v1', deletion_protection: true }),
    'table order_v1 has deletion_protection false',
    prod,
  ],
  [
    bigqueryNoProjectDataEditor,
    fixture('google_project_iam_member', {
      project: 'p',
      role: 'roles/bigquery.dataEditor',
      member: 'serviceAccount:w@p.iam.gserviceaccount.com',
    }),
    fixture('google_bigquery_dataset_iam_member', {
      dataset_id: 'raw',
      role: 'roles/bigquery.dataEditor',
      member: 'serviceAccount:w@p.iam.gserviceaccount.com',
    }),
    'roles/bigquery.dataEditor to serviceAccount:w@p.iam.gserviceaccount.com',
    context,
  ],
  [
    dataflowServiceAccount,
    fixture('google_dataflow_flex_template_job', {
      ...flexJob,
      service_account_email: '123456789012-compute@developer.gserviceaccount.com',
    }),
    fixture('google_dataflow_flex_template_job', flexJob),
    'runs as the Compute Engine default account 123456789012-compute@developer.gserviceaccount.com',
    prod,
  ],
  [
    dataflowPrivateIps,
    fixture('google_dataflow_job', { ...flexJob, ip_configuration: 'WORKER_IP_PUBLIC' }),
    fixture('google_dataflow_job', flexJob),
    'job trb-prod-order has ip_configuration = "WORKER_IP_PUBLIC"',
    prod,
  ],
  [
    dataflowDeadLetter,
    fixture('google_dataflow_flex_template_job', {
      ...flexJob,
      parameters: { ...flexJob.parameters, outputDeadletterTable: undefined },
    }),
    fixture('google_dataflow_flex_template_job', flexJob),
    'job trb-prod-order has no dead-letter parameter (parameters: inputSubscription, outputTableSpec, outputDeadletterTable, javascriptTextTransformGcsPath',
    prod,
  ],
  [
    dataflowUdfHashed,
    fixture('google_storage_bucket_object', {
      bucket: 'p-prod-artifacts',
      name: 'udf/order/order.js',
      content: UDF,
      metadata: { 'tributary-role': 'dataflow-udf' },
    }),
    fixture('google_storage_bucket_object', {
      bucket: 'p-prod-artifacts',
      name: `udf/order/order-${UDF_HASH}.js`,
      content: UDF,
      metadata: { 'tributary-role': 'dataflow-udf' },
    }),
    `UDF object udf/order/order.js must be named <name>-${UDF_HASH}.js (the SHA-256 of its content)`,
    prod,
  ],
  [
    runNoPublicInvoker,
    fixture('google_cloud_run_v2_service_iam_member', {
      name: 'trb-prod-ingest',
      role: 'roles/run.invoker',
      member: 'allUsers',
    }),
    fixture('google_cloud_run_v2_service_iam_member', {
      name: 'trb-prod-ingest',
      role: 'roles/run.invoker',
      member: 'serviceAccount:web@p-prod.iam.gserviceaccount.com',
    }),
    'roles/run.invoker granted to allUsers on trb-prod-ingest',
    prod,
  ],
  [
    runServiceIdentity,
    fixture('google_cloud_run_v2_service', {
      name: 'trb-prod-ingest',
      template: { containers: [{ image: 'x' }] },
    }),
    fixture('google_cloud_run_v2_service', {
      name: 'trb-prod-ingest',
      template: { service_account: 'trb-prod-ingest@p-prod.iam.gserviceaccount.com' },
    }),
    'trb-prod-ingest sets no template.service_account (it would run as the Compute Engine default)',
    prod,
  ],
  [
    runServiceIdentity,
    fixture('google_cloud_run_v2_job', {
      name: 'trb-prod-loader',
      template: { template: { service_account: '123456789-compute@developer.gserviceaccount.com' } },
    }),
    fixture('google_cloud_run_v2_job', {
      name: 'trb-prod-loader',
      template: { template: { service_account: 'trb-prod-loader@p-prod.iam.gserviceaccount.com' } },
    }),
    'trb-prod-loader runs as the Compute Engine default account 123456789-compute@developer.gserviceaccount.com',
    prod,
  ],
  [
    workflowsServiceAccount,
    fixture('google_workflows_workflow', { name: 'trb-prod-loader', source_contents: 'main: {}' }),
    fixture('google_workflows_workflow', {
      name: 'trb-prod-loader',
      service_account: 'trb-prod-loader-workflow@p-prod.iam.gserviceaccount.com',
    }),
    'workflow trb-prod-loader sets no service_account (it would run as the Compute Engine default)',
    prod,
  ],
  [
    workflowsServiceAccount,
    fixture('google_workflows_workflow', {
      name: 'wf',
      service_account: 'p-prod@appspot.gserviceaccount.com',
    }),
    fixture('google_workflows_workflow', {
      name: 'wf',
      service_account: '${google_service_account.wf.email}',
    }),
    'workflow wf runs as the default account p-prod@appspot.gserviceaccount.com',
    prod,
  ],
  [
    eventarcTriggerServiceAccount,
    fixture('google_eventarc_trigger', { name: 'trb-prod-loader-uploads', destination: { workflow: 'w' } }),
    fixture('google_eventarc_trigger', {
      name: 'trb-prod-loader-uploads',
      service_account: 'trb-prod-loader-trigger@p-prod.iam.gserviceaccount.com',
    }),
    'trigger trb-prod-loader-uploads sets no service_account (it would deliver as the Compute Engine default)',
    prod,
  ],
  [
    eventarcTriggerServiceAccount,
    fixture('google_eventarc_trigger', {
      name: 't',
      service_account: '42-compute@developer.gserviceaccount.com',
    }),
    fixture('google_eventarc_trigger', { name: 't', service_account: 't@p.iam.gserviceaccount.com' }),
    'trigger t delivers as the default account 42-compute@developer.gserviceaccount.com',
    prod,
  ],
  [
    composerPrivateEnvironment,
    fixture('google_composer_environment', {
      name: 'trb-prod-composer',
      config: { environment_size: 'ENVIRONMENT_SIZE_SMALL' },
    }),
    fixture('google_composer_environment', {
      name: 'trb-prod-composer',
      config: { enable_private_environment: true },
    }),
    'environment trb-prod-composer is not private',
    prod,
  ],
  [
    composerServiceAccount,
    fixture('google_composer_environment', {
      name: 'trb-prod-composer',
      config: { node_config: { service_account: '12-compute@developer.gserviceaccount.com' } },
    }),
    fixture('google_composer_environment', {
      name: 'trb-prod-composer',
      config: { node_config: { service_account: 'trb-prod-orchestrator@p.iam.gserviceaccount.com' } },
    }),
    'environment trb-prod-composer runs as the Compute Engine default account 12-compute@developer.gserviceaccount.com',
    prod,
  ],
  [
    composerServiceAccount,
    fixture('google_composer_environment', { name: 'c', config: {} }),
    fixture('google_composer_environment', {
      name: 'c',
      config: [{ node_config: [{ service_account: 'o@p.iam.gserviceaccount.com' }] }],
    }),
    'environment c sets no config.node_config.service_account',
    prod,
  ],
  [
    composerWebServerAccess,
    fixture('google_composer_environment', { name: 'c', config: {} }),
    fixture('google_composer_environment', {
      name: 'c',
      config: { web_server_network_access_control: { allowed_ip_range: [] } },
    }),
    'environment c sets no web_server_network_access_control',
    prod,
  ],
  [
    composerWebServerAccess,
    fixture('google_composer_environment', {
      name: 'c',
      config: { web_server_network_access_control: { allowed_ip_range: [{ value: '0.0.0.0/0' }] } },
    }),
    fixture('google_composer_environment', {
      name: 'c',
      config: { web_server_network_access_control: { allowed_ip_range: [{ value: '10.0.0.0/8' }] } },
    }),
    'environment c lets 0.0.0.0/0 reach the Airflow UI',
    prod,
  ],
  [
    composerPinnedImage,
    fixture('google_composer_environment', {
      name: 'c',
      config: { software_config: { image_version: 'composer-3-airflow-2' } },
    }),
    fixture('google_composer_environment', {
      name: 'c',
      config: { software_config: { image_version: 'composer-3-airflow-2.10.5-build.12' } },
    }),
    'environment c uses image "composer-3-airflow-2", not a pinned composer-3 build',
    prod,
  ],
  [
    consumersCuratedOnly,
    fixture('google_bigquery_dataset_iam_member', {
      dataset_id: 'trb_prod_staging',
      role: 'roles/bigquery.dataViewer',
      member: 'serviceAccount:trb-prod-bi@p.iam.gserviceaccount.com',
    }),
    fixture('google_bigquery_dataset_iam_member', {
      dataset_id: 'trb_prod_curated',
      role: 'roles/bigquery.dataViewer',
      member: 'serviceAccount:trb-prod-bi@p.iam.gserviceaccount.com',
    }),
    'serviceAccount:trb-prod-bi@p.iam.gserviceaccount.com is granted roles/bigquery.dataViewer on trb_prod_staging, which is not curated data',
    prod,
  ],
  [
    consumersCuratedOnly,
    fixture('google_bigquery_table_iam_member', {
      dataset_id: 'trb_prod_raw',
      table_id: 'order_v1',
      role: 'roles/bigquery.dataViewer',
      member: 'serviceAccount:trb-prod-ml@p.iam.gserviceaccount.com',
    }),
    fixture('google_bigquery_table_iam_member', {
      dataset_id: 'trb_prod_raw',
      table_id: 'order_v1',
      role: 'roles/bigquery.dataEditor',
      member: 'serviceAccount:trb-prod-loader@p.iam.gserviceaccount.com',
    }),
    'serviceAccount:trb-prod-ml@p.iam.gserviceaccount.com is granted roles/bigquery.dataViewer on trb_prod_raw',
    prod,
  ],
  [
    lookerPrivate,
    fixture('google_looker_instance', {
      name: 'trb-prod-looker',
      public_ip_enabled: true,
      private_ip_enabled: true,
    }),
    fixture('google_looker_instance', {
      name: 'trb-prod-looker',
      public_ip_enabled: false,
      private_ip_enabled: true,
    }),
    'Looker instance trb-prod-looker does not set public_ip_enabled = false',
    prod,
  ],
  [
    consumersCuratedOnly,
    fixture('google_bigquery_dataset_iam_member', {
      dataset_id: 'trb_prod_raw',
      role: 'roles/bigquery.dataViewer',
      member: 'serviceAccount:service-123@gcp-sa-looker.iam.gserviceaccount.com',
    }),
    fixture('google_bigquery_dataset_iam_member', {
      dataset_id: 'trb_prod_curated',
      role: 'roles/bigquery.dataViewer',
      member: 'serviceAccount:service-123@gcp-sa-looker.iam.gserviceaccount.com',
    }),
    'on trb_prod_raw, which is not curated data',
    prod,
  ],
  [
    vertexCuratedSources,
    fixture('google_vertex_ai_feature_online_store_featureview', {
      name: 'orders',
      big_query_source: { uri: 'bq://p.trb_prod_staging.stg_order', entity_id_columns: ['order_id'] },
    }),
    fixture('google_vertex_ai_feature_online_store_featureview', {
      name: 'orders',
      big_query_source: {
        uri: 'bq://p.trb_prod_curated.fact_daily_orders__features',
        entity_id_columns: ['customer_id'],
      },
    }),
    'feature view orders reads bq://p.trb_prod_staging.stg_order, which is not in a curated dataset',
    prod,
  ],
  [
    vertexCuratedSources,
    fixture('google_vertex_ai_feature_online_store_featureview', {
      name: 'registry',
      feature_registry_source: { feature_groups: [{ feature_group_id: 'g', feature_ids: ['a'] }] },
    }),
    fixture('google_vertex_ai_feature_online_store_featureview', {
      name: 'registry',
      big_query_source: { uri: 'bq://p.trb_dev_curated.fact_user_activity', entity_id_columns: ['user_id'] },
    }),
    'reads a feature registry source',
    context,
  ],
  [
    consumersCuratedOnly,
    fixture('google_bigquery_table_iam_member', {
      dataset_id: 'trb_prod_staging',
      table_id: 'stg_order',
      role: 'roles/bigquery.dataViewer',
      member:
        'serviceAccount:service-${data.google_project.P.number}@gcp-sa-aiplatform.iam.gserviceaccount.com',
    }),
    fixture('google_bigquery_table_iam_member', {
      dataset_id: 'trb_prod_curated',
      table_id: 'fact_daily_orders',
      role: 'roles/bigquery.dataViewer',
      member:
        'serviceAccount:service-${data.google_project.P.number}@gcp-sa-aiplatform.iam.gserviceaccount.com',
    }),
    'on trb_prod_staging, which is not curated data',
    prod,
  ],
  [
    kmsRotation,
    fixture('google_kms_crypto_key', { name: 'k', rotation_period: '31536000s' }),
    fixture('google_kms_crypto_key', { name: 'k', rotation_period: '7776000s' }),
    'key k rotates every 31536000s; the bound is 1 to 90 days',
    context,
  ],
  [
    kmsRotation,
    fixture('google_kms_crypto_key', { name: 'k' }),
    fixture('google_kms_crypto_key', { name: 'k', purpose: 'ASYMMETRIC_SIGN' }),
    'key k has no rotation_period',
    context,
  ],
  [
    kmsPreventDestroy,
    fixture('google_kms_crypto_key', { name: 'k', rotation_period: '7776000s' }),
    fixture('google_kms_crypto_key', { name: 'k', lifecycle: { prevent_destroy: true } }),
    'key k has no lifecycle.prevent_destroy',
    context,
  ],
  [
    kmsGrantsOnKeys,
    fixture('google_kms_key_ring_iam_member', {
      key_ring_id: 'r',
      role: 'roles/cloudkms.cryptoKeyEncrypterDecrypter',
      member: 'serviceAccount:service-1@gcp-sa-pubsub.iam.gserviceaccount.com',
    }),
    fixture('google_project_iam_member', {
      project: 'p',
      role: 'roles/logging.logWriter',
      member: 'serviceAccount:a@p.iam.gserviceaccount.com',
    }),
    'roles/cloudkms.cryptoKeyEncrypterDecrypter is granted on a key ring; grant it on the key',
    context,
  ],
  [
    cmekRequired,
    fixture('google_bigquery_table', { table_id: 't', encryption_configuration: {} }),
    fixture('google_bigquery_table', {
      table_id: 't',
      encryption_configuration: { kms_key_name: 'projects/p/locations/europe/keyRings/r/cryptoKeys/k' },
    }),
    'encryption_configuration.kms_key_name: no customer-managed key',
    { ...prod, requireCmek: true },
  ],
  [
    cmekRequired,
    fixture('google_secret_manager_secret', {
      secret_id: 's',
      replication: { user_managed: { replicas: [{ location: 'europe-west1' }] } },
    }),
    fixture('google_storage_bucket', {
      name: 'b',
      location: 'EU',
      encryption: { default_kms_key_name: 'projects/p/locations/europe/keyRings/r/cryptoKeys/k' },
    }),
    'replication.user_managed.replicas[0]: no customer-managed key',
    { ...prod, requireCmek: true },
  ],
  [
    cmekKeyLocation,
    fixture('google_bigquery_dataset', {
      dataset_id: 'd',
      location: 'EU',
      default_encryption_configuration: {
        kms_key_name: 'projects/p/locations/europe-west1/keyRings/r/cryptoKeys/k',
      },
    }),
    fixture('google_bigquery_dataset', {
      dataset_id: 'd',
      location: 'EU',
      default_encryption_configuration: {
        kms_key_name: 'projects/p/locations/europe/keyRings/r/cryptoKeys/k',
      },
    }),
    'default_encryption_configuration.kms_key_name: key in europe-west1, but a resource in EU needs one in europe',
    context,
  ],
  [
    cmekKeyLocation,
    fixture('google_cloud_run_v2_service', {
      name: 's',
      location: 'europe-west1',
      template: { encryption_key: 'projects/p/locations/europe/keyRings/r/cryptoKeys/k' },
    }),
    fixture('google_pubsub_topic', {
      name: 't',
      kms_key_name: 'projects/p/locations/us-east1/keyRings/r/cryptoKeys/k',
      message_storage_policy: { allowed_persistence_regions: ['europe-west1'] },
    }),
    'template.encryption_key: key in europe, but a resource in europe-west1 needs one in europe-west1',
    context,
  ],
  [
    auditDataAccess,
    fixture('google_project_iam_audit_config', {
      service: 'storage.googleapis.com',
      audit_log_config: [{ log_type: 'DATA_READ', exempted_members: ['user:a@example.com'] }],
    }),
    fixture('google_project_iam_audit_config', {
      service: 'storage.googleapis.com',
      audit_log_config: [
        {
          log_type: 'DATA_READ',
          exempted_members: ['serviceAccount:trb-prod-loader@p.iam.gserviceaccount.com'],
        },
        { log_type: 'DATA_WRITE' },
      ],
    }),
    'storage.googleapis.com: DATA_WRITE is not logged; DATA_READ exempts user:a@example.com, which is not a service account',
    prod,
  ],
  [
    monitoringAlertRouted,
    fixture('google_monitoring_alert_policy', {
      display_name: 'a',
      enabled: false,
      notification_channels: [],
    }),
    fixture('google_monitoring_alert_policy', {
      display_name: 'a',
      notification_channels: ['projects/p/notificationChannels/1'],
      documentation: { content: '# a\n## What it means' },
    }),
    'alert a is disabled, names no notification channel, has no documentation',
    context,
  ],
  [
    secretManagerReplication,
    fixture('google_secret_manager_secret', { secret_id: 's', replication: { auto: {} } }),
    fixture('google_secret_manager_secret', {
      secret_id: 's',
      replication: { user_managed: { replicas: [{ location: 'europe-west1' }] } },
    }),
    'secret s uses automatic replication',
    context,
  ],
  [
    workflowsCallLogging,
    fixture('google_workflows_workflow', { name: 'w', user_env_vars: { API_TOKEN: 'x' } }),
    fixture('google_workflows_workflow', {
      name: 'w',
      call_log_level: 'LOG_ERRORS_ONLY',
      user_env_vars: { JOB: 'j' },
    }),
    'workflow w: call_log_level is CALL_LOG_LEVEL_UNSPECIFIED; user_env_vars.API_TOKEN looks like a secret',
    context,
  ],
  [
    eventarcDestination,
    fixture('google_eventarc_trigger', { name: 't', destination: { http_endpoint: { uri: 'http://x' } } }),
    fixture('google_eventarc_trigger', {
      name: 't',
      destination: { workflow: 'projects/p/locations/l/workflows/w' },
    }),
    'trigger t delivers to an HTTP endpoint',
    context,
  ],
  [
    dataformRepositoryIdentity,
    fixture('google_dataform_repository', {
      name: 'r',
      git_remote_settings: { url: 'https://user:pw@example.com/r.git', default_branch: 'main' },
    }),
    fixture('google_dataform_repository', {
      name: 'r',
      service_account: 'trb-prod-dataform@p.iam.gserviceaccount.com',
      git_remote_settings: {
        url: 'https://example.com/r.git',
        authentication_token_secret_version: 'projects/p/secrets/git/versions/1',
      },
    }),
    'repository r has no service_account, has a credential in the git URL, reaches git without a secret version',
    context,
  ],
  [
    dataplexScanResults,
    fixture('google_dataplex_datascan', {
      data_scan_id: 's',
      data_quality_spec: {},
      execution_spec: { trigger: { on_demand: {} } },
    }),
    fixture('google_dataplex_datascan', {
      data_scan_id: 's',
      data_quality_spec: {
        post_scan_actions: {
          bigquery_export: { results_table: '//bigquery.googleapis.com/projects/p/datasets/d/tables/t' },
        },
      },
      execution_spec: { trigger: { schedule: { cron: '0 3 * * *' } } },
    }),
    'scan s runs on demand only, exports no results to BigQuery',
    context,
  ],
  [
    runEnvSecrets,
    fixture('google_cloud_run_v2_service', {
      name: 's',
      template: {
        containers: [
          {
            env: [
              { name: 'DB_PASSWORD', value: 'hunter2' },
              { name: 'MODE', value: 'x' },
            ],
          },
        ],
      },
    }),
    fixture('google_cloud_run_v2_job', {
      name: 'j',
      template: {
        template: {
          containers: [
            {
              env: [
                { name: 'TRIBUTARY_API_KEYS', value: '/var/tributary/keys/api-keys.json' },
                { name: 'GIT_TOKEN', value_source: { secret_key_ref: { secret: 's', version: '1' } } },
              ],
            },
          ],
        },
      },
    }),
    's: DB_PASSWORD has a plain value',
    context,
  ],
  [
    artifactRegistryImmutable,
    fixture('google_artifact_registry_repository', { repository_id: 'r', format: 'DOCKER' }),
    fixture('google_artifact_registry_repository', {
      repository_id: 'r',
      format: 'DOCKER',
      docker_config: { immutable_tags: true },
    }),
    'repository r: tags are mutable',
    context,
  ],
  [
    pubsubStorageRegions,
    fixture('google_pubsub_topic', { name: 't' }),
    fixture('google_pubsub_topic', {
      name: 't',
      message_storage_policy: { allowed_persistence_regions: ['europe-west1'] },
    }),
    'topic t has no allowed persistence regions',
    context,
  ],
  [
    gcsRecoverable,
    fixture('google_storage_bucket', { name: 'b', soft_delete_policy: { retention_duration_seconds: 0 } }),
    fixture('google_storage_bucket', {
      name: 'b',
      soft_delete_policy: { retention_duration_seconds: 604800 },
    }),
    'bucket b has neither versioning nor 7 days of soft delete',
    prod,
  ],
];

test('references to other resources resolve where the value is written; computed values stay as written', () => {
  const resolve = referenceResolver({
    google_bigquery_dataset: { Staging: { dataset_id: 'trb_dev_staging', project: 'p' } },
    google_service_account: {
      Bi: { account_id: 'trb-dev-bi', project: 'trb-dev' },
      Token: { account_id: '${var.x}', project: 'trb-dev' },
    },
  });
  expect(resolve('${google_bigquery_dataset.Staging.dataset_id}')).toBe('trb_dev_staging');
  expect(resolve('serviceAccount:${google_service_account.Bi.email}')).toBe(
    'serviceAccount:trb-dev-bi@trb-dev.iam.gserviceaccount.com',
  );
  for (const kept of [
    '${google_service_account.Token.email}',
    '${google_bigquery_dataset.Staging.self_link}',
    '${google_bigquery_dataset.Missing.dataset_id}',
    '${data.google_project.P.number}',
  ])
    expect(resolve(kept)).toBe(kept);
  // TRB-CONS-1 sees through references, as in a synthesized stack.
  const grant = fixture('google_bigquery_dataset_iam_member', {
    dataset_id: '${google_bigquery_dataset.Staging.dataset_id}',
    role: 'roles/bigquery.dataViewer',
    member: 'serviceAccount:${google_service_account.Bi.email}',
  });
  expect(consumersCuratedOnly.check(grant, context).status).toBe('not-applicable');
  expect(consumersCuratedOnly.check(grant, { ...context, resolve })).toEqual({
    status: 'non-compliant',
    detail:
      'serviceAccount:trb-dev-bi@trb-dev.iam.gserviceaccount.com is granted roles/bigquery.dataViewer on trb_dev_staging, which is not curated data',
  });
});

test('an unpinned Composer image is fine outside production', () => {
  const dev = fixture('google_composer_environment', {
    name: 'c',
    config: { software_config: { image_version: 'composer-3-airflow-2' } },
  });
  expect(composerPinnedImage.check(dev, context).status).toBe('not-applicable');
});

test('the service-account rules for jobs, workflows and triggers run by default and name their benchmark controls', () => {
  for (const rule of [runServiceIdentity, workflowsServiceAccount, eventarcTriggerServiceAccount]) {
    expect(DEFAULT_RULES).toContain(rule);
    expect(rule.references).toEqual(['CIS GCP v3.0 4.1 (by analogy: no default service account)']);
  }
  expect(new Set(DEFAULT_RULES.map((r) => r.id)).size).toBe(DEFAULT_RULES.length);
});

describe.each(cases.map((c) => [c[0].id, ...c] as const))(
  '%s',
  (_id, rule, failing, passing, detail, ctx) => {
    test(`${rule.id} fails its failing fixture with a detail naming the problem`, () => {
      expect(rule.check(failing, ctx)).toEqual({
        status: 'non-compliant',
        detail: expect.stringContaining(detail),
      });
    });

    test(`${rule.id} passes its passing fixture`, () => {
      expect(rule.check(passing, ctx).status).not.toBe('non-compliant');
    });
  },
);

describe('rule details', () => {
  test('every default rule has a unique id, a level and an explanation', () => {
    const ids = DEFAULT_RULES.map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const rule of DEFAULT_RULES) {
      expect(rule.id).toMatch(/^TRB-[A-Z]+-\d+$/);
      expect(['error', 'warning']).toContain(rule.level);
      expect(rule.explanation.length).toBeGreaterThan(40);
      // Mapped: CIS or checkov controls, or why there are none.
      expect([rule.id, (rule.references ?? []).length > 0]).toEqual([rule.id, true]);
    }
    // Every rule has at least one failing and passing fixture (some have more).
    expect([...new Set(cases.map(([r]) => r.id))].sort()).toEqual([...ids].sort());
  });

  test('TRB-IAM-1 finds public members in bindings, policy documents, data policies and ACLs', () => {
    const check = (r: PolicyResource) => iamNoPublicPrincipals.check(r, context).status;
    expect(
      check(
        fixture('google_pubsub_topic_iam_binding', {
          topic: 't',
          role: 'roles/pubsub.subscriber',
          members: ['group:a@x.com', 'allAuthenticatedUsers'],
        }),
      ),
    ).toBe('non-compliant');
    const policy = JSON.stringify({
      bindings: [{ role: 'roles/storage.objectViewer', members: ['allUsers'] }],
    });
    expect(check(fixture('google_storage_bucket_iam_policy', { bucket: 'b', policy_data: policy }))).toBe(
      'non-compliant',
    );
    // A document written with leading whitespace (a heredoc, an indented template) is still read.
    for (const lead of ['\n  ', '\t', '\r\n'])
      expect(
        check(fixture('google_storage_bucket_iam_policy', { bucket: 'b', policy_data: `${lead}${policy}` })),
      ).toBe('non-compliant');
    expect(
      check(
        fixture(
          'google_iam_policy',
          { binding: [{ role: 'roles/run.invoker', members: ['allUsers'] }] },
          'data',
        ),
      ),
    ).toBe('non-compliant');
    expect(
      check(fixture('google_storage_bucket_acl', { bucket: 'b', role_entity: ['READER:allUsers'] })),
    ).toBe('non-compliant');
    expect(
      check(
        fixture('google_bigquery_dataset', {
          dataset_id: 'd',
          access: [{ role: 'READER', special_group: 'allAuthenticatedUsers' }],
        }),
      ),
    ).toBe('non-compliant');
    expect(
      check(
        fixture('google_cloud_run_v2_service_iam_member', {
          name: 's',
          role: 'roles/run.invoker',
          member: 'serviceAccount:a@p.iam.gserviceaccount.com',
        }),
      ),
    ).toBe('compliant');
  });

  test('TRB-IAM-2 finds basic roles inside literal policy documents', () => {
    const policy = JSON.stringify({ bindings: [{ role: 'roles/owner', members: ['user:a@example.com'] }] });
    expect(
      iamNoBasicRoles.check(
        fixture('google_project_iam_policy', { project: 'p', policy_data: policy }),
        context,
      ),
    ).toEqual({
      status: 'non-compliant',
      detail: 'policy_data.bindings[0].role = "roles/owner"',
    });
  });

  test('TRB-IAM-4 checks project bindings and policies, and ignores resource-level grants', () => {
    const binding = fixture('google_project_iam_binding', {
      project: 'p',
      role: 'roles/iam.serviceAccountTokenCreator',
      members: ['user:a@example.com'],
    });
    expect(iamNoProjectImpersonation.check(binding, context).status).toBe('non-compliant');
    expect(
      iamNoProjectImpersonation.check(fixture('google_storage_bucket', secureBucket), context).status,
    ).toBe('not-applicable');
  });

  test('TRB-IAM-5 leaves basic and impersonation roles to their own rules', () => {
    const basic = fixture('google_project_iam_member', {
      project: 'p',
      role: 'roles/owner',
      member: 'user:a@example.com',
    });
    expect(iamProjectScope.check(basic, context).status).toBe('compliant');
  });

  test('TRB-GCS-3 does not apply outside production', () => {
    const bucket = fixture('google_storage_bucket', { ...secureBucket, force_destroy: true });
    expect(gcsNoForceDestroyInProd.check(bucket, context).status).toBe('not-applicable');
  });

  test('TRB-LBL-1 counts provider default labels and skips unlabelled types and computed labels', () => {
    const noOwnLabels = fixture('google_pubsub_topic', { name: 't' });
    expect(
      labelsRequired.check(noOwnLabels, { ...context, defaultLabels: { environment: 'dev', owner: 'x' } })
        .status,
    ).toBe('compliant');
    expect(labelsRequired.check(noOwnLabels, context)).toEqual({
      status: 'non-compliant',
      detail: 'missing labels: owner',
    });
    expect(labelsRequired.check(fixture('google_service_account', { account_id: 'a' }), context).status).toBe(
      'not-applicable',
    );
    expect(
      labelsRequired.check(fixture('google_storage_bucket', { labels: '${var.labels}' }), context).status,
    ).toBe('not-applicable');
    const emptyOwner = fixture('google_storage_bucket', { labels: { owner: '' } });
    expect(labelsRequired.check(emptyOwner, context).status).toBe('non-compliant');
  });

  test('TRB-PS-1 and TRB-PS-2 exempt dead-letter topics and their subscriptions', () => {
    const dlq = { 'tributary-role': 'dead-letter' };
    expect(
      pubsubDeadLetter.check(fixture('google_pubsub_subscription', { name: 's', labels: dlq }), context)
        .status,
    ).toBe('not-applicable');
    expect(
      pubsubTopicSchema.check(fixture('google_pubsub_topic', { name: 't-dlq', labels: dlq }), context).status,
    ).toBe('not-applicable');
  });

  test('TRB-BQ-1 applies to raw tables only', () => {
    const staging = fixture('google_bigquery_table', { table_id: 'x', labels: { layer: 'staging' } });
    expect(bigqueryRawPartitioned.check(staging, context).status).toBe('not-applicable');
  });

  test('TRB-BQ-2 checks datasets for prevent_destroy and delete_contents_on_destroy, in production only', () => {
    const open = fixture('google_bigquery_dataset', { dataset_id: 'raw', delete_contents_on_destroy: true });
    expect(bigqueryDeletionProtection.check(open, prod)).toEqual({
      status: 'non-compliant',
      detail: 'dataset raw: no lifecycle.prevent_destroy, delete_contents_on_destroy is true',
    });
    const kept = fixture('google_bigquery_dataset', {
      dataset_id: 'raw',
      delete_contents_on_destroy: false,
      lifecycle: { prevent_destroy: true },
    });
    expect(bigqueryDeletionProtection.check(kept, prod).status).toBe('compliant');
    expect(bigqueryDeletionProtection.check(open, context).status).toBe('not-applicable');
  });

  test('TRB-DF-1 fails a job without any service account', () => {
    const { service_account_email: _sa, ...job } = flexJob;
    expect(dataflowServiceAccount.check(fixture('google_dataflow_flex_template_job', job), prod)).toEqual({
      status: 'non-compliant',
      detail: 'job trb-prod-order sets no service_account_email',
    });
    expect(dataflowServiceAccount.check(fixture('google_storage_bucket', secureBucket), prod).status).toBe(
      'not-applicable',
    );
  });

  test('TRB-DF-2 fails a job that leaves the IP configuration to the default (public)', () => {
    const { ip_configuration: _ip, ...job } = flexJob;
    expect(dataflowPrivateIps.check(fixture('google_dataflow_flex_template_job', job), prod)).toEqual({
      status: 'non-compliant',
      detail: 'job trb-prod-order has ip_configuration = null',
    });
  });

  test('TRB-DF-3 accepts any dead-letter parameter name, and fails an empty one', () => {
    const custom = { ...flexJob, parameters: { deadLetterTable: 'p:raw.errors' } };
    expect(dataflowDeadLetter.check(fixture('google_dataflow_flex_template_job', custom), prod).status).toBe(
      'compliant',
    );
    const empty = { ...flexJob, parameters: { outputDeadletterTable: '' } };
    expect(dataflowDeadLetter.check(fixture('google_dataflow_flex_template_job', empty), prod).status).toBe(
      'non-compliant',
    );
  });

  test('TRB-DF-4 checks the name against the real content hash, job UDF paths, and ignores other objects', () => {
    const stale = fixture('google_storage_bucket_object', {
      name: 'udf/order/order-0000000000000000.js',
      content: UDF,
      metadata: { 'tributary-role': 'dataflow-udf' },
    });
    expect(dataflowUdfHashed.check(stale, prod).status).toBe('non-compliant');
    const byPath = fixture('google_storage_bucket_object', {
      name: 'team/udf/clean.js',
      source: './clean.js',
    });
    expect(dataflowUdfHashed.check(byPath, prod)).toEqual({
      status: 'non-compliant',
      detail: 'UDF object team/udf/clean.js has no content hash in its name',
    });
    const job = fixture('google_dataflow_flex_template_job', {
      ...flexJob,
      parameters: { ...flexJob.parameters, javascriptTextTransformGcsPath: 'gs://b/udf/order.js' },
    });
    expect(dataflowUdfHashed.check(job, prod)).toEqual({
      status: 'non-compliant',
      detail: 'job trb-prod-order loads its UDF from an unhashed path gs://b/udf/order.js',
    });
    expect(dataflowUdfHashed.check(fixture('google_dataflow_flex_template_job', flexJob), prod).status).toBe(
      'compliant',
    );
    const spec = fixture('google_storage_bucket_object', { name: 'templates/t/t.json', content: '{}' });
    expect(dataflowUdfHashed.check(spec, prod).status).toBe('not-applicable');
  });

  test('TRB-RUN-1 reads bindings and policies too, and ignores other roles', () => {
    const binding = fixture('google_cloud_run_v2_service_iam_binding', {
      name: 's',
      role: 'roles/run.invoker',
      members: ['group:a@example.com', 'allAuthenticatedUsers'],
    });
    expect(runNoPublicInvoker.check(binding, prod)).toEqual({
      status: 'non-compliant',
      detail: 'roles/run.invoker granted to allAuthenticatedUsers on s',
    });
    const viewer = fixture('google_cloud_run_v2_service_iam_member', {
      name: 's',
      role: 'roles/run.viewer',
      member: 'allUsers',
    });
    expect(runNoPublicInvoker.check(viewer, prod).status).toBe('compliant');
  });

  test('TRB-RUN-2 fails the Compute Engine default account and checks jobs', () => {
    const service = fixture('google_cloud_run_v2_service', {
      name: 's',
      template: { service_account: '123456789012-compute@developer.gserviceaccount.com' },
    });
    expect(runServiceIdentity.check(service, prod).status).toBe('non-compliant');
    const job = fixture('google_cloud_run_v2_job', {
      name: 'j',
      template: { template: { service_account: 'j@p-prod.iam.gserviceaccount.com' } },
    });
    expect(runServiceIdentity.check(job, prod).status).toBe('compliant');
  });

  test('TRB-IAM-5 leaves project-wide dataEditor to TRB-BQ-3', () => {
    const grant = fixture('google_project_iam_member', {
      project: 'p',
      role: 'roles/bigquery.dataEditor',
      member: 'user:a@example.com',
    });
    expect(iamProjectScope.check(grant, context).status).toBe('compliant');
    expect(bigqueryNoProjectDataEditor.check(grant, context).status).toBe('non-compliant');
  });

  test('TRB-TF-1 refuses every form Terraform refuses: interpolations, expressions, indexes by value, non-lists', () => {
    const check = (depends_on: unknown) =>
      terraformStaticDependsOn.check(
        fixture('google_storage_bucket', { ...secureBucket, depends_on }),
        context,
      );
    for (const bad of [['${a.b}'], ['a.b.c'], ['tolist(a.b)'], [42], ['a'], 'a.b'])
      expect(check(bad).status).toBe('non-compliant');
    expect(check(undefined).status).toBe('not-applicable');
    expect(check([]).status).toBe('compliant');
    expect(check(['google_x.y[0]', 'google_x.y["k"]', 'module.m[1]']).status).toBe('compliant');
  });

  test('a malformed literal policy document makes the rule throw (counted as a violation by the pack)', () => {
    const broken = fixture('google_project_iam_policy', { project: 'p', policy_data: '{"bindings": [' });
    expect(() => iamNoProjectImpersonation.check(broken, context)).toThrow(SyntaxError);
    // Text that only looks like a document after non-JSON whitespace is text, not a malformed document.
    const text = fixture('google_storage_bucket', { name: 'b', labels: { note: '\u00a0{ not json' } });
    expect(iamNoPublicPrincipals.check(text, context).status).toBe('compliant');
  });
});
