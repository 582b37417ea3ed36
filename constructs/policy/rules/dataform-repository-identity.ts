import { COMPLIANT, NOT_APPLICABLE, nonCompliant, type PolicyRule } from '../types';
import { DEFAULT_ACCOUNT } from './default-accounts';
import { block } from './read';

export const dataformRepositoryIdentity: PolicyRule = {
  id: 'TRB-DFM-1',
  level: 'error',
  title: 'Dataform repositories run as their own identity and reach git with a secret',
  explanation:
    'Without service_account, Dataform runs every repository as its service agent, so one repository can touch what another may. A git remote authenticates with a Secret Manager secret version (token or SSH key), never a credential in the URL.',
  references: ['CIS GCP v3.0 4.1 (by analogy: no default service account)'],
  check: (resource) => {
    if (resource.mode !== 'managed' || resource.type !== 'google_dataform_repository') return NOT_APPLICABLE;
    const problems: string[] = [];
    const sa = String(resource.config.service_account ?? '');
    if (!sa) problems.push('has no service_account');
    else if (DEFAULT_ACCOUNT.test(sa)) problems.push(`runs as the default account ${sa}`);
    const git = block(resource.config.git_remote_settings);
    if (git) {
      const url = String(git.url ?? '');
      if (/^https?:\/\/[^/]*@/.test(url)) problems.push('has a credential in the git URL');
      const ssh = block(git.ssh_authentication_config);
      if (!git.authentication_token_secret_version && !ssh?.user_private_key_secret_version)
        problems.push('reaches git without a secret version');
    }
    return problems.length === 0
      ? COMPLIANT
      : nonCompliant(`repository ${String(resource.config.name)} ${problems.join(', ')}`);
  },
};
