import { COMPLIANT, NOT_APPLICABLE, nonCompliant, type PolicyRule } from '../types';
import { COMPUTE_DEFAULT_ACCOUNT } from './default-accounts';

const RUN_SERVICES = new Set(['google_cloud_run_v2_service', 'google_cloud_run_v2_job']);

export const runServiceIdentity: PolicyRule = {
  id: 'TRB-RUN-2',
  level: 'error',
  title: 'Cloud Run services and jobs run as their own service account',
  references: ['CIS GCP v3.0 4.1 (by analogy: no default service account)'],
  explanation:
    'Without template.service_account a revision runs as the Compute Engine default service account, shared by every VM and service in the project and usually holding Editor. Give each service and job its own identity (CloudRunService and CloudRunJob take one).',
  check: (resource) => {
    if (resource.mode !== 'managed' || !RUN_SERVICES.has(resource.type)) return NOT_APPLICABLE;
    const template = (resource.config.template ?? {}) as {
      service_account?: unknown;
      template?: { service_account?: unknown };
    };
    // Jobs nest the task template one level deeper.
    const sa = template.service_account ?? template.template?.service_account;
    if (typeof sa !== 'string' || sa === '')
      return nonCompliant(
        `${String(resource.config.name)} sets no template.service_account (it would run as the Compute Engine default)`,
      );
    if (COMPUTE_DEFAULT_ACCOUNT.test(sa))
      return nonCompliant(`${String(resource.config.name)} runs as the Compute Engine default account ${sa}`);
    return COMPLIANT;
  },
};
