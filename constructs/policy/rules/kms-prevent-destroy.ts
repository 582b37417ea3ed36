import { COMPLIANT, NOT_APPLICABLE, nonCompliant, type PolicyRule } from '../types';
import { block } from './read';

export const kmsPreventDestroy: PolicyRule = {
  id: 'TRB-KMS-2',
  level: 'error',
  title: 'Terraform never destroys an encryption key',
  explanation:
    'Destroying a crypto key in Terraform destroys its versions: every byte encrypted with it becomes unreadable. Keys carry lifecycle.prevent_destroy; retiring one is a deliberate change to the configuration.',
  references: ['CKV_GCP_82'],
  check: (resource) => {
    if (resource.mode !== 'managed' || resource.type !== 'google_kms_crypto_key') return NOT_APPLICABLE;
    return block(resource.config.lifecycle)?.prevent_destroy === true
      ? COMPLIANT
      : nonCompliant(`key ${String(resource.config.name)} has no lifecycle.prevent_destroy`);
  },
};
