import { COMPLIANT, NOT_APPLICABLE, nonCompliant, type PolicyRule } from '../types';
import { at, blocks, SECRET_NAME } from './read';

/**
 * A secret-looking variable must come from Secret Manager (`value_source.secret_key_ref`) or be a path to a mounted
 * secret file (the gateway's TRIBUTARY_API_KEYS names its key file this way).
 */
export const runEnvSecrets: PolicyRule = {
  id: 'TRB-RUN-3',
  level: 'error',
  title: 'Cloud Run services and jobs take secrets from Secret Manager, not from plain environment values',
  explanation:
    'An environment value is readable by anyone who can view the service or job, and is kept in every revision. A variable named like a secret must reference a Secret Manager version or name a mounted secret file; and invoker IAM must stay on.',
  references: ['CIS GCP v3.0 1.17 (by analogy: no secrets in environment variables)'],
  check: (resource) => {
    const job = resource.type === 'google_cloud_run_v2_job';
    if (resource.mode !== 'managed' || (!job && resource.type !== 'google_cloud_run_v2_service'))
      return NOT_APPLICABLE;
    const template = job ? at(resource.config, ['template', 'template']) : at(resource.config, ['template']);
    const problems: string[] = [];
    if (resource.config.invoker_iam_disabled === true) problems.push('invoker_iam_disabled is true');
    for (const c of blocks((template as Record<string, unknown> | undefined)?.containers))
      for (const e of blocks(c.env)) {
        const name = String(e.name ?? '');
        if (!SECRET_NAME.test(name) || e.value_source !== undefined) continue;
        if (typeof e.value === 'string' && e.value.startsWith('/')) continue;
        problems.push(`${name} has a plain value`);
      }
    return problems.length === 0
      ? COMPLIANT
      : nonCompliant(`${String(resource.config.name)}: ${problems.join('; ')}`);
  },
};
