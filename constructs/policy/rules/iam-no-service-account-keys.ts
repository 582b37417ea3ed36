import { COMPLIANT, NOT_APPLICABLE, nonCompliant, type PolicyRule } from '../types';

export const iamNoServiceAccountKeys: PolicyRule = {
  id: 'TRB-IAM-3',
  level: 'error',
  title: 'No service account keys',
  references: ['CIS GCP v3.0 1.4', 'CKV2_GCP_3'],
  explanation:
    'Exported keys are long-lived bearer credentials, and Terraform keeps the private key in state. Attach identities to workloads and use Workload Identity Federation for CI.',
  check: (resource) => {
    if (resource.mode !== 'managed') return NOT_APPLICABLE;
    if (resource.type !== 'google_service_account_key') return COMPLIANT;
    return nonCompliant(`google_service_account_key for ${String(resource.config.service_account_id)}`);
  },
};
