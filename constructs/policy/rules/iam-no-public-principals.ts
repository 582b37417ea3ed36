import { PUBLIC_MEMBERS } from '../../iam/roles';
import { findStrings } from '../inspect';
import { COMPLIANT, nonCompliant, type PolicyRule } from '../types';

const SUFFIXES = PUBLIC_MEMBERS.map((m) => `:${m}`);

/** Public principals in any IAM member, binding, policy, storage ACL or dataset access entry. */
export const iamNoPublicPrincipals: PolicyRule = {
  id: 'TRB-IAM-1',
  level: 'error',
  title: 'No allUsers or allAuthenticatedUsers',
  references: [
    'CIS GCP v3.0 5.1',
    'CIS GCP v3.0 7.1',
    'CIS GCP v3.0 1.9',
    'CKV_GCP_28',
    'CKV_GCP_15',
    'CKV_GCP_99',
    'CKV_GCP_100',
    'CKV_GCP_112',
  ],
  explanation:
    'allUsers and allAuthenticatedUsers expose data to anyone on the internet or any Google account. Grant named principals instead; a public Cloud Run invoker needs an explicit suppression.',
  check: (resource) => {
    const hits = findStrings(
      resource.config,
      (value) => PUBLIC_MEMBERS.includes(value) || SUFFIXES.some((suffix) => value.endsWith(suffix)),
    );
    if (hits.length === 0) return COMPLIANT;
    return nonCompliant(hits.map((h) => `${h.path} = "${h.value}"`).join(', '));
  },
};
