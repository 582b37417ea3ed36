import { COMPLIANT, NOT_APPLICABLE, nonCompliant, type PolicyRule } from '../types';
import { COMPUTE_DEFAULT_ACCOUNT } from './default-accounts';

export const DATAFLOW_JOB_TYPES = new Set(['google_dataflow_flex_template_job', 'google_dataflow_job']);

export const dataflowServiceAccount: PolicyRule = {
  id: 'TRB-DF-1',
  level: 'error',
  title: 'Dataflow jobs run as their own service account',
  references: ['CIS GCP v3.0 4.1 (by analogy: no default service account)'],
  explanation:
    'Without service_account_email a job runs as the Compute Engine default service account, which is shared by every VM in the project and usually holds Editor. Give each job its own identity (FlexTemplateJob does).',
  check: (resource) => {
    if (resource.mode !== 'managed' || !DATAFLOW_JOB_TYPES.has(resource.type)) return NOT_APPLICABLE;
    const email = resource.config.service_account_email;
    if (typeof email !== 'string' || email === '')
      return nonCompliant(`job ${String(resource.config.name)} sets no service_account_email`);
    if (COMPUTE_DEFAULT_ACCOUNT.test(email))
      return nonCompliant(
        `job ${String(resource.config.name)} runs as the Compute Engine default account ${email}`,
      );
    return COMPLIANT;
  },
};
