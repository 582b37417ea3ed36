/**
 * Where each stateful resource type takes its CMEK key in provider 6.50, and the location its key must be in.
 * Shared by the CMEK rules (TRB-CMEK-1, TRB-CMEK-2) and the tests that derive the expected keys and grants from
 * the resources a stack holds. Types without a CMEK field in 6.50 (the Vertex AI online store, Eventarc triggers,
 * Pub/Sub subscriptions, whose messages the topic key protects) are listed in NO_CMEK_FIELD.
 */
import { at, blocks } from './read';

export interface CmekUse {
  readonly key: string | undefined;
  /** The resource location the key must be compatible with, when the configuration says it. */
  readonly location: string | undefined;
  readonly where: string;
}

type Config = Readonly<Record<string, unknown>>;
const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
const one =
  (path: string[], location: (c: Config) => string | undefined) =>
  (c: Config): CmekUse[] => [{ key: str(at(c, path)), location: location(c), where: path.join('.') }];
const field = (name: string) => (c: Config) => str(c[name]);

export const CMEK_USES: Readonly<Record<string, (c: Config) => CmekUse[]>> = {
  google_pubsub_topic: one(['kms_key_name'], (c) =>
    str((at(c, ['message_storage_policy', 'allowed_persistence_regions']) as unknown[] | undefined)?.[0]),
  ),
  google_bigquery_dataset: one(['default_encryption_configuration', 'kms_key_name'], field('location')),
  // A table's location is its dataset's; the dataset's own use checks it.
  google_bigquery_table: one(['encryption_configuration', 'kms_key_name'], () => undefined),
  google_storage_bucket: one(['encryption', 'default_kms_key_name'], field('location')),
  google_artifact_registry_repository: one(['kms_key_name'], field('location')),
  google_cloud_run_v2_service: one(['template', 'encryption_key'], field('location')),
  google_cloud_run_v2_job: one(['template', 'template', 'encryption_key'], field('location')),
  google_composer_environment: one(['config', 'encryption_config', 'kms_key_name'], field('region')),
  google_workflows_workflow: one(['crypto_key_name'], field('region')),
  google_looker_instance: one(['encryption_config', 'kms_key_name'], field('region')),
  google_dataform_repository: one(['kms_key_name'], field('region')),
  google_dataflow_flex_template_job: one(['kms_key_name'], field('region')),
  google_dataflow_job: one(['kms_key_name'], field('region')),
  google_secret_manager_secret: (c) => {
    const auto = at(c, ['replication', 'auto']);
    if (auto !== undefined)
      return [
        {
          key: str(at(auto as Config, ['customer_managed_encryption', 'kms_key_name'])),
          location: 'global',
          where: 'replication.auto',
        },
      ];
    return blocks(at(c, ['replication', 'user_managed', 'replicas'])).map((r, i) => ({
      key: str(at(r, ['customer_managed_encryption', 'kms_key_name'])),
      location: str(r.location),
      where: `replication.user_managed.replicas[${i}]`,
    }));
  },
};

/** Stateful types with no CMEK field in provider 6.50: not checked, and said so in the explanation. */
export const NO_CMEK_FIELD = [
  'google_vertex_ai_feature_online_store',
  'google_eventarc_trigger',
  'google_pubsub_subscription',
];
