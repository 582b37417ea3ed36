import { COMPLIANT, NOT_APPLICABLE, nonCompliant, type PolicyRule } from '../types';
import { block } from './read';

export const monitoringAlertRouted: PolicyRule = {
  id: 'TRB-MON-1',
  level: 'error',
  title: 'Alert policies are enabled, notify someone and carry a runbook',
  explanation:
    'An alert that is off, that reaches no channel, or that says nothing about what to do is not operations. Every policy is enabled, names at least one notification channel, and documents its runbook.',
  references: ['CIS GCP v3.0 2.4-2.11 (alerts on log metrics: supporting)'],
  check: (resource) => {
    if (resource.mode !== 'managed' || resource.type !== 'google_monitoring_alert_policy')
      return NOT_APPLICABLE;
    const problems: string[] = [];
    if (resource.config.enabled === false) problems.push('is disabled');
    if (((resource.config.notification_channels as unknown[] | undefined) ?? []).length === 0)
      problems.push('names no notification channel');
    if (!String(block(resource.config.documentation)?.content ?? '').trim())
      problems.push('has no documentation');
    return problems.length === 0
      ? COMPLIANT
      : nonCompliant(`alert ${String(resource.config.display_name)} ${problems.join(', ')}`);
  },
};
