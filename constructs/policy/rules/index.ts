import type { PolicyRule } from '../types';
import { gcsNoForceDestroyInProd } from './gcs-no-force-destroy-in-prod';
import { gcsPublicAccessPrevention } from './gcs-public-access-prevention';
import { gcsUniformAccess } from './gcs-uniform-access';
import { iamNoBasicRoles } from './iam-no-basic-roles';
import { iamNoProjectImpersonation } from './iam-no-project-impersonation';
import { iamNoPublicPrincipals } from './iam-no-public-principals';
import { iamNoServiceAccountKeys } from './iam-no-service-account-keys';
import { iamProjectScope } from './iam-project-scope';
import { labelsRequired } from './labels-required';

export {
  gcsNoForceDestroyInProd,
  gcsPublicAccessPrevention,
  gcsUniformAccess,
  iamNoBasicRoles,
  iamNoProjectImpersonation,
  iamNoPublicPrincipals,
  iamNoServiceAccountKeys,
  iamProjectScope,
  labelsRequired,
};

/** The rules every Tributary stack runs. */
export const DEFAULT_RULES: readonly PolicyRule[] = [
  iamNoPublicPrincipals,
  iamNoBasicRoles,
  iamNoServiceAccountKeys,
  iamNoProjectImpersonation,
  iamProjectScope,
  gcsUniformAccess,
  gcsPublicAccessPrevention,
  gcsNoForceDestroyInProd,
  labelsRequired,
];
