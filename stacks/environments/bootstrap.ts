import { ENVIRONMENTS } from './index';
import type { EnvironmentConfig } from './types';

/** The one-time bootstrap: state buckets, deployers and CI federation for every environment. */
export interface BootstrapConfig {
  /** Project that hosts the Workload Identity Federation pool for CI. */
  readonly ciProjectId: string;
  readonly region: string;
  readonly labels: Readonly<Record<string, string>>;
  /** GitHub repository allowed to deploy, `owner/name`. Tokens from any other repository are rejected. */
  readonly githubRepository: string;
  readonly workloadIdentityPoolId: string;
  readonly workloadIdentityProviderId: string;
  readonly environments: readonly EnvironmentConfig[];
}

export const bootstrap: BootstrapConfig = {
  ciProjectId: 'trb-ci-placeholder',
  region: 'europe-west1',
  labels: {
    environment: 'bootstrap',
    owner: 'data-platform',
    'cost-center': 'analytics',
    'managed-by': 'tributary',
  },
  githubRepository: 'example-org/tributary',
  workloadIdentityPoolId: 'tributary-ci',
  workloadIdentityProviderId: 'github',
  environments: ENVIRONMENTS,
};
