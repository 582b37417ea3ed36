import { COMPLIANT, NOT_APPLICABLE, nonCompliant, type PolicyRule } from '../types';
import { CMEK_USES, NO_CMEK_FIELD } from './cmek-table';

export const cmekRequired: PolicyRule = {
  id: 'TRB-CMEK-1',
  level: 'error',
  title: 'Stateful resources use a customer-managed key where the environment requires CMEK',
  explanation: `An environment that requires CMEK (foundation.encryption.required) must encrypt every stateful resource with its own key: topics, datasets, tables (explicitly: a table without the field plans a replacement), buckets, repositories, secrets, Cloud Run, Composer, Workflows, Looker, Dataform and Dataflow. Provider 6.50 has no CMEK field for ${NO_CMEK_FIELD.join(', ')}.`,
  references: [
    'CIS GCP v3.0 7.2',
    'CIS GCP v3.0 7.3',
    'CKV_GCP_80',
    'CKV_GCP_81',
    'CKV_GCP_83',
    'CKV_GCP_84',
  ],
  check: (resource, context) => {
    const uses = CMEK_USES[resource.type];
    if (!context.requireCmek || resource.mode !== 'managed' || !uses) return NOT_APPLICABLE;
    const missing = uses(resource.config).filter((u) => !u.key);
    if (missing.length === 0) return COMPLIANT;
    return nonCompliant(`${missing.map((u) => u.where).join(', ')}: no customer-managed key`);
  },
};
