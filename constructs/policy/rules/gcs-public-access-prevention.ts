import { COMPLIANT, NOT_APPLICABLE, nonCompliant, type PolicyRule } from '../types';

export const gcsPublicAccessPrevention: PolicyRule = {
  id: 'TRB-GCS-2',
  level: 'error',
  title: 'Buckets enforce public access prevention',
  references: ['CIS GCP v3.0 5.1', 'CKV_GCP_114'],
  explanation:
    'Enforced public access prevention blocks allUsers/allAuthenticatedUsers grants even if one slips through review.',
  check: (resource) => {
    if (resource.mode !== 'managed' || resource.type !== 'google_storage_bucket') return NOT_APPLICABLE;
    const value = resource.config.public_access_prevention;
    return value === 'enforced'
      ? COMPLIANT
      : nonCompliant(`public_access_prevention is ${JSON.stringify(value ?? null)}`);
  },
};
