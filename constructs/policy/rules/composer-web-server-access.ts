import { COMPLIANT, NOT_APPLICABLE, nonCompliant, type PolicyRule } from '../types';
import { block, COMPOSER_ENVIRONMENT } from './composer-shared';

const ANYWHERE = new Set(['0.0.0.0/0', '::/0']);

export const composerWebServerAccess: PolicyRule = {
  id: 'TRB-CMP-3',
  level: 'error',
  title: 'Composer web servers are not open to the internet',
  explanation:
    'Without web_server_network_access_control, Composer lets every IP address reach the Airflow UI (behind Google sign-in). List the ranges that may reach it (none denies all); a public UI needs a suppression that says why.',
  references: ['none: no CIS or checkov control for Composer'],
  check: (resource) => {
    if (resource.mode !== 'managed' || resource.type !== COMPOSER_ENVIRONMENT) return NOT_APPLICABLE;
    const control = block(block(resource.config.config)?.web_server_network_access_control);
    const name = String(resource.config.name);
    if (!control)
      return nonCompliant(
        `environment ${name} sets no web_server_network_access_control (every IP may reach the Airflow UI)`,
      );
    const ranges = (Array.isArray(control.allowed_ip_range) ? control.allowed_ip_range : []) as {
      value?: unknown;
    }[];
    const open = ranges.map((r) => String(r.value)).filter((v) => ANYWHERE.has(v));
    if (open.length > 0)
      return nonCompliant(`environment ${name} lets ${open.join(', ')} reach the Airflow UI`);
    return COMPLIANT;
  },
};
