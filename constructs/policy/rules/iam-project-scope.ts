import { BASIC_ROLES, IMPERSONATION_ROLES, PROJECT_ONLY_ROLES } from '../../iam/roles';
import { isProjectIam, roleBindings } from '../inspect';
import { COMPLIANT, NOT_APPLICABLE, nonCompliant, type PolicyRule } from '../types';
import { PROJECT_DATA_EDITOR } from './bigquery-no-project-data-editor';

// Basic, impersonation and project-wide data editor roles have their own rules; one finding per problem.
const COVERED_ELSEWHERE = [...BASIC_ROLES, ...IMPERSONATION_ROLES, PROJECT_DATA_EDITOR];

export const iamProjectScope: PolicyRule = {
  id: 'TRB-IAM-5',
  level: 'error',
  title: 'Project-level grants only for roles that exist only at project level',
  explanation:
    'A role that can be bound on a bucket, topic, dataset or service account must be bound there, so the grant reaches only that resource. Deployers that create resources are the exception and carry a suppression with the reason.',
  references: ['none: least privilege beyond CIS (CIS GCP v3.0 1.5 and CKV_GCP_42 are related)'],
  check: (resource) => {
    if (!isProjectIam(resource)) return NOT_APPLICABLE;
    const hits = roleBindings(resource).filter(
      (b) => !PROJECT_ONLY_ROLES.includes(b.role) && !COVERED_ELSEWHERE.includes(b.role),
    );
    if (hits.length === 0) return COMPLIANT;
    return nonCompliant(
      hits.map((b) => `${b.role} to ${b.members.join(', ')} is resource-scopable`).join('; '),
    );
  },
};
