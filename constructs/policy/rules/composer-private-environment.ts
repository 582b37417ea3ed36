import { COMPLIANT, NOT_APPLICABLE, nonCompliant, type PolicyRule } from '../types';
import { block, COMPOSER_ENVIRONMENT } from './composer-shared';

export const composerPrivateEnvironment: PolicyRule = {
  id: 'TRB-CMP-1',
  level: 'error',
  title: 'Composer environments are private',
  explanation:
    'A public Composer environment gives its workers external IP addresses and reaches Google APIs over the internet. Set config.enable_private_environment (Composer 3) or a private endpoint (Composer 2), on the environment network.',
  references: ['none: no CIS or checkov control for Composer'],
  check: (resource) => {
    if (resource.mode !== 'managed' || resource.type !== COMPOSER_ENVIRONMENT) return NOT_APPLICABLE;
    const config = block(resource.config.config);
    const composer2 = block(config?.private_environment_config);
    if (config?.enable_private_environment === true || composer2?.enable_private_endpoint === true)
      return COMPLIANT;
    return nonCompliant(
      `environment ${String(resource.config.name)} is not private (config.enable_private_environment is not true)`,
    );
  },
};
