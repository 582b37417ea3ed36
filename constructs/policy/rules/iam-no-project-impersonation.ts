import { IMPERSONATION_ROLES } from '../../iam/roles';
import { isProjectIam, roleBindings } from '../inspect';
import { COMPLIANT, NOT_APPLICABLE, nonCompliant, type PolicyRule } from '../types';

export const iamNoProjectImpersonation: PolicyRule = {
  id: 'TRB-IAM-4',
  level: 'error',
  title: 'No project-level serviceAccountUser or serviceAccountTokenCreator',
  references: ['CIS GCP v3.0 1.6', 'CKV_GCP_41', 'CKV_GCP_49'],
  explanation:
    'At project level these roles let the principal act as every service account in the project, including ones with more access. Grant them on the one service account (ServiceIdentity.grantActAs).',
  check: (resource) => {
    if (!isProjectIam(resource)) return NOT_APPLICABLE;
    const hits = roleBindings(resource).filter((b) => IMPERSONATION_ROLES.includes(b.role));
    if (hits.length === 0) return COMPLIANT;
    return nonCompliant(hits.map((b) => `${b.role} to ${b.members.join(', ')}`).join('; '));
  },
};
