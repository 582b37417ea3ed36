import { COMPLIANT, NOT_APPLICABLE, nonCompliant, type PolicyRule } from '../types';

export const lookerPrivate: PolicyRule = {
  id: 'TRB-LKR-1',
  level: 'error',
  title: 'Looker instances are not public',
  explanation:
    'A Looker instance with a public IP is reachable from the internet (behind its login). Use private IP on the environment network; a public instance needs a suppression that says why.',
  references: ['none: no CIS or checkov control for Looker'],
  check: (resource) => {
    if (resource.mode !== 'managed' || resource.type !== 'google_looker_instance') return NOT_APPLICABLE;
    const name = String(resource.config.name);
    if (resource.config.public_ip_enabled !== false)
      return nonCompliant(`Looker instance ${name} does not set public_ip_enabled = false`);
    if (resource.config.private_ip_enabled !== true && resource.config.psc_enabled !== true)
      return nonCompliant(`Looker instance ${name} has neither private IP nor Private Service Connect`);
    return COMPLIANT;
  },
};
