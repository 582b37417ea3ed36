import { COMPLIANT, NOT_APPLICABLE, nonCompliant, type PolicyRule } from '../types';
import { DEFAULT_ACCOUNT } from './default-accounts';

/** Maps to CIS GCP 4.1 by analogy (default service account); checkov has no check for Eventarc triggers. */
export const eventarcTriggerServiceAccount: PolicyRule = {
  id: 'TRB-EVT-1',
  level: 'error',
  title: 'Eventarc triggers deliver as a scoped service account',
  references: ['CIS GCP v3.0 4.1 (by analogy: no default service account)'],
  explanation:
    'A trigger without service_account delivers as the Compute Engine default service account. Give it an identity of its own that holds only eventarc.eventReceiver and the right to start its destination (the ObjectFinalizedTrigger construct requires one).',
  check: (resource) => {
    if (resource.mode !== 'managed' || resource.type !== 'google_eventarc_trigger') return NOT_APPLICABLE;
    const sa = resource.config.service_account;
    const name = String(resource.config.name ?? resource.address);
    if (typeof sa !== 'string' || sa === '')
      return nonCompliant(
        `trigger ${name} sets no service_account (it would deliver as the Compute Engine default)`,
      );
    if (DEFAULT_ACCOUNT.test(sa))
      return nonCompliant(`trigger ${name} delivers as the default account ${sa}`);
    return COMPLIANT;
  },
};
