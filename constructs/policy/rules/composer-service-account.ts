import { COMPLIANT, NOT_APPLICABLE, nonCompliant, type PolicyRule } from '../types';
import { block, COMPOSER_ENVIRONMENT } from './composer-shared';
import { COMPUTE_DEFAULT_ACCOUNT } from './default-accounts';

export const composerServiceAccount: PolicyRule = {
  id: 'TRB-CMP-2',
  level: 'error',
  title: 'Composer environments run as their own service account',
  references: ['CIS GCP v3.0 4.1 (by analogy: no default service account)'],
  explanation:
    'Without config.node_config.service_account the environment runs as the Compute Engine default service account, which usually holds Editor. Run it as the orchestrator identity, with roles/composer.worker and only the grants its DAGs need.',
  check: (resource) => {
    if (resource.mode !== 'managed' || resource.type !== COMPOSER_ENVIRONMENT) return NOT_APPLICABLE;
    const sa = block(block(resource.config.config)?.node_config)?.service_account;
    const name = String(resource.config.name);
    if (typeof sa !== 'string' || sa === '')
      return nonCompliant(`environment ${name} sets no config.node_config.service_account`);
    if (COMPUTE_DEFAULT_ACCOUNT.test(sa))
      return nonCompliant(`environment ${name} runs as the Compute Engine default account ${sa}`);
    return COMPLIANT;
  },
};
