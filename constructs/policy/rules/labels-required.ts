import { COMPLIANT, NOT_APPLICABLE, nonCompliant, type PolicyRule } from '../types';

/** Resource types that take labels; any other resource that sets `labels` is checked too. */
const LABELLED_TYPES = new Set([
  'google_artifact_registry_repository',
  'google_bigquery_dataset',
  'google_bigquery_table',
  'google_cloud_run_v2_job',
  'google_cloud_run_v2_service',
  'google_composer_environment',
  'google_dataflow_flex_template_job',
  'google_dataflow_job',
  'google_kms_crypto_key',
  'google_pubsub_subscription',
  'google_pubsub_topic',
  'google_secret_manager_secret',
  'google_storage_bucket',
]);

export const labelsRequired: PolicyRule = {
  id: 'TRB-LBL-1',
  level: 'error',
  title: 'Labelled resources carry the required labels',
  explanation:
    'Labels attribute cost and ownership and drive alert routing. They come from the providers default_labels plus the resource own labels.',
  references: ['none: no CIS or checkov control (CKV_GCP_21 covers GKE only)'],
  check: (resource, context) => {
    const labels = resource.config.labels;
    if (resource.mode !== 'managed' || (!LABELLED_TYPES.has(resource.type) && labels === undefined)) {
      return NOT_APPLICABLE;
    }
    // Labels computed at apply time cannot be checked here.
    if (typeof labels === 'string') return NOT_APPLICABLE;
    const effective: Record<string, unknown> = {
      ...context.defaultLabels,
      ...((labels as object | undefined) ?? {}),
    };
    const missing = context.requiredLabels.filter(
      (k) => typeof effective[k] !== 'string' || effective[k] === '',
    );
    return missing.length === 0 ? COMPLIANT : nonCompliant(`missing labels: ${missing.join(', ')}`);
  },
};
