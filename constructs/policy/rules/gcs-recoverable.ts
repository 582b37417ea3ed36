import { COMPLIANT, NOT_APPLICABLE, nonCompliant, type PolicyRule } from '../types';
import { at } from './read';

const WEEK_SECONDS = 7 * 86_400;

export const gcsRecoverable: PolicyRule = {
  id: 'TRB-GCS-4',
  level: 'error',
  title: 'Production buckets can restore deleted or overwritten objects',
  explanation:
    'Object versioning, or a soft-delete window of at least 7 days, lets an operator undo a mistaken delete or overwrite in production. A bucket of transient files says why in a suppression.',
  references: ['CKV_GCP_78'],
  check: (resource, context) => {
    if (!context.production || resource.mode !== 'managed' || resource.type !== 'google_storage_bucket')
      return NOT_APPLICABLE;
    if (at(resource.config, ['versioning', 'enabled']) === true) return COMPLIANT;
    const soft = Number(at(resource.config, ['soft_delete_policy', 'retention_duration_seconds']) ?? 0);
    return soft >= WEEK_SECONDS
      ? COMPLIANT
      : nonCompliant(
          `bucket ${String(resource.config.name)} has neither versioning nor 7 days of soft delete`,
        );
  },
};
