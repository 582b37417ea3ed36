/**
 * Which attribute changes make Terraform replace a resource instead of updating it, for the resource types
 * Tributary uses. Read from the google provider's own sources at the release the bindings are built for:
 * `ForceNew` in hand-written resources and `immutable: true` in magic-modules product YAML, as generated into
 * terraform-provider-google v6.50.0 (956f5109) and terraform-provider-google-beta v6.50.0 (b55e5c22, for the
 * flex template job and the Dataform repository). Each entry names the magic-modules file it was read from.
 *
 * Two kinds of entry, because that is how the provider behaves: `replaceOn` attributes replace the resource on
 * any change at or under them (leaves, maps and sets), while a `replaceWhenAddedOrRemoved` block replaces it only
 * when the block appears, disappears or changes its number of items; the fields inside a block replace it only
 * when they are listed themselves.
 *
 * When a type the app synthesizes is missing here, a test fails: the table must grow with the app.
 */

export const FORCE_NEW_PROVIDER = 'hashicorp/google and google-beta 6.50.0';

export interface ForceNewRule {
  readonly replaceOn: readonly string[];
  readonly replaceWhenAddedOrRemoved?: readonly string[];
  /** Replacement the provider decides in a CustomizeDiff; computed by a function below. */
  readonly custom?: (
    before: Readonly<Record<string, unknown>>,
    after: Readonly<Record<string, unknown>>,
  ) => string[];
  /** Behaviour a reviewer should know that the lists cannot express. */
  readonly note?: string;
  /** The magic-modules file the rule was read from. */
  readonly source: string;
}

const IAM_CONDITION = ['condition.expression', 'condition.title', 'condition.description'];
const IAM_SOURCE =
  'mmv1/third_party/terraform/tpgiamresource/resource_iam_member.go (no Update: every argument replaces)';

/** Every argument of an `_iam_member` resource replaces it: the resource has no Update. */
function iamMember(parents: readonly string[], source: string): ForceNewRule {
  return {
    replaceOn: [...parents, 'role', 'member', ...IAM_CONDITION],
    replaceWhenAddedOrRemoved: ['condition'],
    source: `${source} + ${IAM_SOURCE}`,
  };
}

interface SchemaField {
  readonly name: string;
  readonly type?: string;
  readonly mode?: string;
  readonly fields?: readonly SchemaField[];
}

function parseSchema(value: unknown): SchemaField[] | undefined {
  if (typeof value !== 'string') return Array.isArray(value) ? (value as SchemaField[]) : undefined;
  try {
    return JSON.parse(value) as SchemaField[];
  } catch {
    return undefined;
  }
}

const modeOf = (f: SchemaField) => (f.mode ?? 'NULLABLE').toUpperCase();
const typeOf = (f: SchemaField) =>
  ({ RECORD: 'STRUCT', INT64: 'INTEGER', FLOAT64: 'FLOAT', BOOL: 'BOOLEAN' })[(f.type ?? '').toUpperCase()] ??
  (f.type ?? '').toUpperCase();

/**
 * google_bigquery_table's schema CustomizeDiff (resourceBigQueryTableSchemaCustomizeDiff): replaced on a column
 * type change, a mode change other than REQUIRED → NULLABLE, a new REQUIRED column, a nested column dropped, or
 * top-level columns dropped and added in the same change (which is also how a rename looks). Top-level drops
 * alone, NULLABLE or REPEATED additions and description changes update in place.
 */
export function bigQuerySchemaReplacements(beforeValue: unknown, afterValue: unknown): string[] {
  const before = parseSchema(beforeValue);
  const after = parseSchema(afterValue);
  if (!before || !after) return [];
  const reasons: string[] = [];
  const walk = (old: readonly SchemaField[], now: readonly SchemaField[], prefix: string, top: boolean) => {
    const nowByName = new Map(now.map((f) => [f.name.toLowerCase(), f]));
    const oldByName = new Map(old.map((f) => [f.name.toLowerCase(), f]));
    let dropped = 0;
    for (const o of old) {
      const n = nowByName.get(o.name.toLowerCase());
      const name = `${prefix}${o.name}`;
      if (!n) {
        dropped++;
        if (!top) reasons.push(`schema: nested column ${name} dropped`);
        continue;
      }
      if (typeOf(o) !== typeOf(n))
        reasons.push(`schema: column ${name} changes type ${typeOf(o)} → ${typeOf(n)}`);
      else if (modeOf(o) !== modeOf(n) && !(modeOf(o) === 'REQUIRED' && modeOf(n) === 'NULLABLE'))
        reasons.push(`schema: column ${name} changes mode ${modeOf(o)} → ${modeOf(n)}`);
      if (typeOf(o) === 'STRUCT' && typeOf(n) === 'STRUCT')
        walk(o.fields ?? [], n.fields ?? [], `${name}.`, false);
    }
    const added = now.filter((n) => !oldByName.has(n.name.toLowerCase()));
    for (const n of added)
      if (modeOf(n) === 'REQUIRED') reasons.push(`schema: new REQUIRED column ${prefix}${n.name}`);
    if (top && dropped > 0 && added.length > 0)
      reasons.push(`schema: top-level columns dropped and added in one change (a rename replaces the table)`);
  };
  walk(before, after, '', true);
  return reasons;
}

export const FORCE_NEW: Readonly<Record<string, ForceNewRule>> = {
  google_storage_bucket: {
    replaceOn: [
      'name',
      'location',
      'project',
      'enable_object_retention',
      'custom_placement_config.data_locations',
      'hierarchical_namespace.enabled',
    ],
    replaceWhenAddedOrRemoved: ['hierarchical_namespace'],
    note: 'retention_policy.is_locked cannot go from true to false',
    source: 'mmv1/third_party/terraform/services/storage/resource_storage_bucket.go.tmpl',
  },
  google_storage_bucket_object: {
    replaceOn: [
      'bucket',
      'name',
      'source',
      'cache_control',
      'content_disposition',
      'content_encoding',
      'content_language',
      'content_type',
      'force_empty_content_type',
      'storage_class',
      'kms_key_name',
      'customer_encryption.encryption_algorithm',
      'customer_encryption.encryption_key',
      'metadata',
    ],
    note: 'a change of content or of the source file is re-uploaded in place',
    source: 'mmv1/third_party/terraform/services/storage/resource_storage_bucket_object.go',
  },
  google_bigquery_dataset: {
    replaceOn: [
      'dataset_id',
      'project',
      'location',
      'external_dataset_reference.connection',
      'external_dataset_reference.external_source',
    ],
    replaceWhenAddedOrRemoved: ['external_dataset_reference'],
    source: 'mmv1/products/bigquery/Dataset.yaml',
  },
  google_bigquery_table: {
    replaceOn: [
      'table_id',
      'dataset_id',
      'project',
      'external_data_configuration.schema',
      'biglake_configuration.connection_id',
      'biglake_configuration.storage_uri',
      'biglake_configuration.file_format',
      'biglake_configuration.table_format',
      'schema_foreign_type_info',
      'materialized_view.query',
      'materialized_view.allow_non_incremental_definition',
      'time_partitioning.field',
      'range_partitioning.field',
      'table_replication_info.source_project_id',
      'table_replication_info.source_dataset_id',
      'table_replication_info.source_table_id',
      'table_replication_info.replication_interval_ms',
    ],
    replaceWhenAddedOrRemoved: [
      'biglake_configuration',
      'encryption_configuration',
      'table_replication_info',
    ],
    custom: (before, after) => bigQuerySchemaReplacements(before.schema, after.schema),
    note: 'BigQuery may still refuse some in-place changes the provider allows (time_partitioning.type) at apply',
    source: 'mmv1/third_party/terraform/services/bigquery/resource_bigquery_table.go.tmpl',
  },
  google_pubsub_topic: { replaceOn: ['name', 'project'], source: 'mmv1/products/pubsub/Topic.yaml' },
  google_pubsub_schema: {
    replaceOn: ['name', 'project'],
    note: 'a new definition commits a new schema revision in place (at most 20 revisions)',
    source: 'mmv1/products/pubsub/Schema.yaml',
  },
  google_pubsub_subscription: {
    replaceOn: ['name', 'topic', 'enable_message_ordering', 'filter', 'project'],
    source: 'mmv1/products/pubsub/Subscription.yaml',
  },
  google_service_account: {
    replaceOn: ['account_id', 'project'],
    source: 'mmv1/third_party/terraform/services/resourcemanager/resource_google_service_account.go',
  },
  google_project_service: {
    replaceOn: ['service', 'project'],
    source: 'mmv1/third_party/terraform/services/resourcemanager/resource_google_project_service.go.tmpl',
  },
  google_cloud_run_v2_service: {
    replaceOn: ['name', 'location', 'project'],
    note: 'every other change deploys a new revision in place',
    source: 'mmv1/products/cloudrunv2/Service.yaml',
  },
  google_secret_manager_secret: {
    replaceOn: [
      'secret_id',
      'project',
      'tags',
      'replication.user_managed.replicas.location',
      'replication.auto',
    ],
    replaceWhenAddedOrRemoved: [
      'replication',
      'replication.user_managed',
      'replication.user_managed.replicas',
    ],
    source: 'mmv1/products/secretmanager/Secret.yaml',
  },
  google_secret_manager_secret_version: {
    replaceOn: ['secret', 'secret_data', 'is_secret_data_base64', 'secret_data_wo_version'],
    source: 'mmv1/products/secretmanager/SecretVersion.yaml',
  },
  google_artifact_registry_repository: {
    replaceOn: [
      'repository_id',
      'location',
      'project',
      'format',
      'mode',
      'kms_key_name',
      'maven_config.allow_snapshot_overwrites',
      'maven_config.version_policy',
      'remote_repository_config.description',
      'remote_repository_config.apt_repository',
      'remote_repository_config.docker_repository',
      'remote_repository_config.maven_repository',
      'remote_repository_config.npm_repository',
      'remote_repository_config.python_repository',
      'remote_repository_config.yum_repository',
      'remote_repository_config.common_repository',
      'remote_repository_config.upstream_credentials',
    ],
    replaceWhenAddedOrRemoved: ['remote_repository_config'],
    source: 'mmv1/products/artifactregistry/Repository.yaml',
  },
  google_iam_workload_identity_pool: {
    replaceOn: ['workload_identity_pool_id', 'project'],
    source: 'mmv1/products/iambeta/WorkloadIdentityPool.yaml',
  },
  google_iam_workload_identity_pool_provider: {
    replaceOn: ['workload_identity_pool_id', 'workload_identity_pool_provider_id', 'project'],
    source: 'mmv1/products/iambeta/WorkloadIdentityPoolProvider.yaml',
  },
  google_dataflow_flex_template_job: {
    replaceOn: ['name', 'region', 'project', 'num_workers', 'max_workers', 'enable_streaming_engine'],
    note: 'a streaming job is updated by relaunching it with update=true (a new job id); a batch job is replaced on any change',
    source:
      'mmv1/third_party/terraform/services/dataflow/resource_dataflow_flex_template_job.go.tmpl (google-beta)',
  },
  google_composer_environment: {
    replaceOn: [
      'name',
      'region',
      'project',
      'config.node_config.zone',
      'config.node_config.machine_type',
      'config.node_config.disk_size_gb',
      'config.node_config.oauth_scopes',
      'config.node_config.service_account',
      'config.node_config.enable_ip_masq_agent',
      'config.node_config.tags',
      'config.node_config.ip_allocation_policy.use_ip_aliases',
      'config.node_config.ip_allocation_policy.cluster_secondary_range_name',
      'config.node_config.ip_allocation_policy.services_secondary_range_name',
      'config.node_config.ip_allocation_policy.cluster_ipv4_cidr_block',
      'config.node_config.ip_allocation_policy.services_ipv4_cidr_block',
      'config.node_config.composer_internal_ipv4_cidr_block',
      'config.software_config.python_version',
      'config.private_environment_config.connection_type',
      'config.private_environment_config.enable_private_endpoint',
      'config.private_environment_config.master_ipv4_cidr_block',
      'config.private_environment_config.web_server_ipv4_cidr_block',
      'config.private_environment_config.cloud_sql_ipv4_cidr_block',
      'config.private_environment_config.cloud_composer_network_ipv4_cidr_block',
      'config.private_environment_config.enable_privately_used_public_ips',
      'config.private_environment_config.cloud_composer_connection_subnetwork',
      'config.database_config.zone',
      'config.encryption_config.kms_key_name',
      'storage_config.bucket',
    ],
    replaceWhenAddedOrRemoved: [
      'config.node_config.ip_allocation_policy',
      'config.private_environment_config',
    ],
    note: 'network and subnetwork replace before Composer 3; a Composer 2 → 3 upgrade is refused, not replaced',
    source: 'mmv1/third_party/terraform/services/composer/resource_composer_environment.go.tmpl',
  },
  google_dataform_repository: {
    replaceOn: ['name', 'region', 'project'],
    source: 'mmv1/products/dataform/Repository.yaml (google-beta)',
  },
  google_dataform_repository_release_config: {
    replaceOn: ['name', 'region', 'repository', 'project'],
    source: 'mmv1/products/dataform/RepositoryReleaseConfig.yaml (google-beta)',
  },
  google_dataform_repository_workflow_config: {
    replaceOn: ['name', 'region', 'repository', 'project'],
    source: 'mmv1/products/dataform/RepositoryWorkflowConfig.yaml (google-beta)',
  },
  google_data_catalog_taxonomy: {
    replaceOn: ['region', 'project'],
    source: 'mmv1/products/datacatalog/Taxonomy.yaml',
  },
  google_data_catalog_policy_tag: {
    replaceOn: ['taxonomy'],
    note: 'moving a tag under another parent tag updates it in place',
    source: 'mmv1/products/datacatalog/PolicyTag.yaml',
  },
  google_kms_key_ring: {
    replaceOn: ['name', 'location', 'project'],
    note: 'key rings cannot be deleted in Cloud KMS: a replaced ring leaves the old one behind',
    source: 'mmv1/products/kms/KeyRing.yaml',
  },
  google_kms_crypto_key: {
    replaceOn: [
      'key_ring',
      'name',
      'crypto_key_backend',
      'destroy_scheduled_duration',
      'import_only',
      'purpose',
      'version_template.protection_level',
    ],
    note: 'rotation_period and labels update in place; a replaced key schedules its versions for destruction, and data encrypted with them becomes unreadable',
    source: 'mmv1/products/kms/CryptoKey.yaml',
  },
  google_project_service_identity: {
    replaceOn: ['service', 'project'],
    note: 'google-beta only; it has no update and its destroy is a no-op',
    source: 'mmv1/third_party/terraform/services/resourcemanager/resource_project_service_identity.go.tmpl',
  },
  google_project_iam_audit_config: {
    replaceOn: ['project'],
    note: 'authoritative for its service: audit_log_config and exempted_members update in place',
    source: 'mmv1/third_party/terraform/tpgiamresource/resource_iam_audit_config.go',
  },
  google_monitoring_alert_policy: {
    replaceOn: ['project'],
    note: 'conditions, documentation, notification_channels and user_labels update in place',
    source: 'mmv1/products/monitoring/AlertPolicy.yaml',
  },
  google_monitoring_notification_channel: {
    replaceOn: ['project'],
    source: 'mmv1/products/monitoring/NotificationChannel.yaml',
  },
  google_monitoring_dashboard: {
    replaceOn: ['project'],
    note: 'dashboard_json updates in place; the provider ignores keys the server adds',
    source: 'mmv1/third_party/terraform/services/monitoring/resource_monitoring_dashboard.go',
  },
  google_monitoring_custom_service: {
    replaceOn: ['service_id', 'project'],
    source: 'mmv1/products/monitoring/Service.yaml',
  },
  google_monitoring_slo: {
    replaceOn: ['service', 'slo_id', 'project'],
    note: 'a replaced SLO starts with a full error budget: its history stays with the old one',
    source: 'mmv1/products/monitoring/Slo.yaml',
  },
  google_vertex_ai_feature_online_store: {
    replaceOn: ['name', 'region', 'project'],
    note: 'bigtable.auto_scaling, optimized, dedicated_serving_endpoint and labels update in place',
    source: 'mmv1/products/vertexai/FeatureOnlineStore.yaml',
  },
  google_vertex_ai_feature_online_store_featureview: {
    replaceOn: ['name', 'feature_online_store', 'region', 'project'],
    note: 'big_query_source, feature_registry_source, sync_config and labels update in place (PATCH with an update mask)',
    source: 'mmv1/products/vertexai/FeatureOnlineStoreFeatureview.yaml',
  },
  google_looker_instance: {
    replaceOn: ['name', 'region', 'project', 'platform_edition'],
    source: 'mmv1/products/looker/Instance.yaml',
  },
  google_cloud_run_v2_job: {
    replaceOn: ['name', 'location', 'project'],
    note: 'no nested block is ForceNew; every template change updates the job in place. deletion_protection defaults to true and must be applied as false before a replace or destroy',
    source: 'mmv1/products/cloudrunv2/Job.yaml',
  },
  google_workflows_workflow: {
    replaceOn: ['name', 'name_prefix', 'region', 'project', 'tags'],
    note: 'source_contents, service_account, crypto_key_name, user_env_vars, call_log_level, execution_history_level, description and labels update in place (a new revision). deletion_protection defaults to true and must be applied as false before a replace or destroy',
    source: 'mmv1/products/workflows/Workflow.yaml',
  },
  google_eventarc_trigger: {
    replaceOn: ['name', 'location', 'project', 'channel', 'matching_criteria', 'transport.pubsub.topic'],
    replaceWhenAddedOrRemoved: ['transport', 'transport.pubsub'],
    note: 'matching_criteria is a set whose attribute and value are ForceNew, so adding, removing or changing any filter (operator included) replaces. transport is Optional+Computed: leaving it out of the config causes no diff. destination, service_account, event_data_content_type and labels update in place',
    source: 'mmv1/products/eventarc/Trigger.yaml',
  },
  google_logging_metric: {
    replaceOn: ['project', 'metric_descriptor.labels'],
    note: 'name is NOT ForceNew: a rename is planned in place and the provider writes the metric under the new name, leaving the old metric behind. metric_descriptor.labels is a set whose key and value_type are ForceNew, so any label change replaces. metric_kind and value_type changes are planned in place, but the API may reject them (hashicorp/terraform-provider-google#4139)',
    source: 'mmv1/products/logging/Metric.yaml',
  },
  google_dataform_repository_iam_member: iamMember(
    ['project', 'region', 'repository'],
    'mmv1/products/dataform/Repository.yaml (iam_policy, google-beta)',
  ),
  google_cloud_run_v2_job_iam_member: iamMember(
    ['project', 'location', 'name'],
    'mmv1/products/cloudrunv2/Job.yaml (iam_policy)',
  ),
  google_storage_bucket_iam_member: iamMember(
    ['bucket'],
    'mmv1/third_party/terraform/services/storage/iam_storage_bucket.go',
  ),
  google_bigquery_dataset_iam_member: iamMember(
    ['dataset_id', 'project'],
    'mmv1/third_party/terraform/services/bigquery/iam_bigquery_dataset.go',
  ),
  google_bigquery_table_iam_member: iamMember(
    ['project', 'dataset_id', 'table_id'],
    'mmv1/products/bigquery/Table.yaml (iam_policy)',
  ),
  google_pubsub_topic_iam_member: iamMember(
    ['project', 'topic'],
    'mmv1/products/pubsub/Topic.yaml (iam_policy)',
  ),
  google_pubsub_subscription_iam_member: iamMember(
    ['subscription', 'project'],
    'mmv1/third_party/terraform/services/pubsub/iam_pubsub_subscription.go',
  ),
  google_service_account_iam_member: iamMember(
    ['service_account_id'],
    'mmv1/third_party/terraform/services/resourcemanager/iam_service_account.go.tmpl',
  ),
  google_project_iam_member: iamMember(
    ['project'],
    'mmv1/third_party/terraform/services/resourcemanager/iam_project.go',
  ),
  google_kms_crypto_key_iam_member: iamMember(
    ['crypto_key_id'],
    'mmv1/third_party/terraform/services/kms/iam_kms_crypto_key.go.tmpl',
  ),
  google_cloud_run_v2_service_iam_member: iamMember(
    ['project', 'location', 'name'],
    'mmv1/products/cloudrunv2/Service.yaml (iam_policy)',
  ),
  google_secret_manager_secret_iam_member: iamMember(
    ['project', 'secret_id'],
    'mmv1/products/secretmanager/Secret.yaml (iam_policy)',
  ),
  google_data_catalog_policy_tag_iam_member: iamMember(
    ['policy_tag'],
    'mmv1/products/datacatalog/PolicyTag.yaml (iam_policy)',
  ),
  google_artifact_registry_repository_iam_member: iamMember(
    ['project', 'location', 'repository'],
    'mmv1/products/artifactregistry/Repository.yaml (iam_policy)',
  ),
};

/** The values at a dotted path; list blocks are walked item by item. */
function valuesAt(value: unknown, path: readonly string[]): unknown {
  if (path.length === 0) return value;
  if (Array.isArray(value)) return value.map((v) => valuesAt(v, path));
  if (typeof value !== 'object' || value === null) return undefined;
  const [head, ...rest] = path as [string, ...string[]];
  return valuesAt((value as Record<string, unknown>)[head], rest);
}

/** How many items a block has: 0 when absent, the length of a list block, 1 for a single block. */
function blockCount(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(blockCount);
  return value === undefined || value === null ? 0 : 1;
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/**
 * The reasons a change replaces a resource of `type`: each forcing attribute whose value differs. Empty when
 * it updates in place, and for types without a rule (see `hasForceNewRule`).
 */
export function forceNewChanges(
  type: string,
  before: Readonly<Record<string, unknown>>,
  after: Readonly<Record<string, unknown>>,
): string[] {
  const rule = FORCE_NEW[type];
  if (!rule) return [];
  const reasons: string[] = [];
  for (const attribute of rule.replaceOn) {
    const p = attribute.split('.');
    if (!same(valuesAt(before, p), valuesAt(after, p))) reasons.push(`${attribute} forces replacement`);
  }
  for (const block of rule.replaceWhenAddedOrRemoved ?? []) {
    const p = block.split('.');
    const was = blockCount(valuesAt(before, p));
    const now = blockCount(valuesAt(after, p));
    if (!same(was, now))
      reasons.push(
        `${block} ${same(was, 0) ? 'added' : same(now, 0) ? 'removed' : 'changes its items'}, which forces replacement`,
      );
  }
  reasons.push(...(rule.custom?.(before, after) ?? []).map((r) => `${r}, which forces replacement`));
  return reasons;
}

export const hasForceNewRule = (type: string): boolean => type in FORCE_NEW;
