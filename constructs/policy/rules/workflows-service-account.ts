import { COMPLIANT, NOT_APPLICABLE, nonCompliant, type PolicyRule } from '../types';
import { DEFAULT_ACCOUNT } from './default-accounts';

/** Maps to CIS GCP 4.1 by analogy (default service account); checkov has no check for workflows. */
export const workflowsServiceAccount: PolicyRule = {
  id: 'TRB-WF-1',
  level: 'error',
  title: 'Workflows run as their own service account',
  references: ['CIS GCP v3.0 4.1 (by analogy: no default service account)'],
  explanation:
    'Without service_account a workflow calls Google APIs as the Compute Engine default service account, which usually holds Editor on the project. Give each workflow its own identity with only the roles its steps need (the Workflow construct requires one).',
  check: (resource) => {
    if (resource.mode !== 'managed' || resource.type !== 'google_workflows_workflow') return NOT_APPLICABLE;
    const sa = resource.config.service_account;
    const name = String(resource.config.name ?? resource.address);
    if (typeof sa !== 'string' || sa === '')
      return nonCompliant(
        `workflow ${name} sets no service_account (it would run as the Compute Engine default)`,
      );
    if (DEFAULT_ACCOUNT.test(sa)) return nonCompliant(`workflow ${name} runs as the default account ${sa}`);
    return COMPLIANT;
  },
};
