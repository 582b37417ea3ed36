import { COMPLIANT, NOT_APPLICABLE, nonCompliant, type PolicyRule } from '../types';
import { SECRET_NAME } from './read';

const LOGGED = ['LOG_ERRORS_ONLY', 'LOG_ALL_CALLS'];

export const workflowsCallLogging: PolicyRule = {
  id: 'TRB-WF-2',
  level: 'error',
  title: 'Workflows log failed calls and keep secrets out of their variables',
  explanation:
    'A workflow without call logging fails silently. call_log_level must be LOG_ERRORS_ONLY or LOG_ALL_CALLS; user_env_vars are readable by anyone who can view the workflow, so a secret-looking variable must come from Secret Manager instead.',
  references: ['CIS GCP v3.0 1.17 (by analogy: no secrets in environment variables)'],
  check: (resource) => {
    if (resource.mode !== 'managed' || resource.type !== 'google_workflows_workflow') return NOT_APPLICABLE;
    const problems: string[] = [];
    const level = String(resource.config.call_log_level ?? 'CALL_LOG_LEVEL_UNSPECIFIED');
    if (!LOGGED.includes(level)) problems.push(`call_log_level is ${level}`);
    for (const k of Object.keys((resource.config.user_env_vars as Record<string, string>) ?? {}))
      if (SECRET_NAME.test(k)) problems.push(`user_env_vars.${k} looks like a secret`);
    return problems.length === 0
      ? COMPLIANT
      : nonCompliant(`workflow ${String(resource.config.name)}: ${problems.join('; ')}`);
  },
};
