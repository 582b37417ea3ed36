import { COMPLIANT, NOT_APPLICABLE, nonCompliant, type PolicyRule } from '../types';
import { blocks } from './read';

export const auditDataAccess: PolicyRule = {
  id: 'TRB-AUD-1',
  level: 'error',
  title: 'Data Access audit logs record reads and writes, exempting only service accounts',
  explanation:
    'CIS 2.1 asks for DATA_READ and DATA_WRITE audit logs. Tributary exempts only its own high-volume writers (service accounts), so people, groups and domains are always logged.',
  references: ['CIS GCP v3.0 2.1', 'CKV2_GCP_5'],
  check: (resource) => {
    if (resource.mode !== 'managed' || resource.type !== 'google_project_iam_audit_config')
      return NOT_APPLICABLE;
    const configs = blocks(resource.config.audit_log_config);
    const types = new Set(configs.map((c) => String(c.log_type)));
    const problems: string[] = [];
    for (const t of ['DATA_READ', 'DATA_WRITE']) if (!types.has(t)) problems.push(`${t} is not logged`);
    for (const c of configs)
      for (const m of (c.exempted_members as string[] | undefined) ?? [])
        if (!m.startsWith('serviceAccount:'))
          problems.push(`${c.log_type} exempts ${m}, which is not a service account`);
    return problems.length === 0
      ? COMPLIANT
      : nonCompliant(`${String(resource.config.service)}: ${problems.join('; ')}`);
  },
};
