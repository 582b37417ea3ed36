import { COMPLIANT, NOT_APPLICABLE, nonCompliant, type PolicyRule } from '../types';

export const gcsUniformAccess: PolicyRule = {
  id: 'TRB-GCS-1',
  level: 'error',
  title: 'Buckets use uniform bucket-level access',
  references: ['CIS GCP v3.0 5.2', 'CKV_GCP_29'],
  explanation:
    'With object ACLs, access can be granted per object and escapes IAM review. Uniform bucket-level access makes IAM the only way in.',
  check: (resource) => {
    if (resource.mode !== 'managed' || resource.type !== 'google_storage_bucket') return NOT_APPLICABLE;
    const value = resource.config.uniform_bucket_level_access;
    return value === true
      ? COMPLIANT
      : nonCompliant(`uniform_bucket_level_access is ${JSON.stringify(value ?? null)}`);
  },
};
