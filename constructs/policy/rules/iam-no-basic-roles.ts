import { BASIC_ROLES } from '../../iam/roles';
import { findStrings } from '../inspect';
import { COMPLIANT, nonCompliant, type PolicyRule } from '../types';

export const iamNoBasicRoles: PolicyRule = {
  id: 'TRB-IAM-2',
  level: 'error',
  title: 'No basic roles (owner, editor, viewer)',
  references: ['CKV_GCP_117'],
  explanation:
    'Basic roles carry thousands of permissions across every service in the project. Use the predefined role for the one service and resource the principal needs.',
  check: (resource) => {
    const hits = findStrings(resource.config, (value) => BASIC_ROLES.includes(value));
    if (hits.length === 0) return COMPLIANT;
    return nonCompliant(hits.map((h) => `${h.path} = "${h.value}"`).join(', '));
  },
};
