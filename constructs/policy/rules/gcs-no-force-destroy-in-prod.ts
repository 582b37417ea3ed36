import { COMPLIANT, NOT_APPLICABLE, nonCompliant, type PolicyRule } from '../types';

export const gcsNoForceDestroyInProd: PolicyRule = {
  id: 'TRB-GCS-3',
  level: 'error',
  title: 'No force_destroy in production',
  explanation:
    'force_destroy lets terraform destroy delete a bucket together with every object in it. Production data must survive a mistaken destroy.',
  references: ['none: no CIS or checkov control'],
  check: (resource, context) => {
    if (!context.production || resource.mode !== 'managed' || resource.type !== 'google_storage_bucket') {
      return NOT_APPLICABLE;
    }
    return resource.config.force_destroy === true ? nonCompliant('force_destroy is true') : COMPLIANT;
  },
};
