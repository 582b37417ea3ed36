import { COMPLIANT, NOT_APPLICABLE, nonCompliant, type PolicyRule } from '../types';
import { at, blocks } from './read';

export const secretManagerReplication: PolicyRule = {
  id: 'TRB-SM-1',
  level: 'error',
  title: 'Secrets are replicated to named regions only',
  explanation:
    'Automatic replication stores a secret in any region Google picks. Tributary keeps secrets where its data lives: user-managed replication with named replica locations (CMEK then needs a key per replica location).',
  references: ['none: no CIS or checkov control for Secret Manager placement'],
  check: (resource) => {
    if (resource.mode !== 'managed' || resource.type !== 'google_secret_manager_secret')
      return NOT_APPLICABLE;
    if (at(resource.config, ['replication', 'auto']) !== undefined)
      return nonCompliant(`secret ${String(resource.config.secret_id)} uses automatic replication`);
    const replicas = blocks(at(resource.config, ['replication', 'user_managed', 'replicas']));
    return replicas.length > 0 && replicas.every((r) => typeof r.location === 'string' && r.location !== '')
      ? COMPLIANT
      : nonCompliant(`secret ${String(resource.config.secret_id)} names no replica location`);
  },
};
