import { COMPLIANT, NOT_APPLICABLE, nonCompliant, type PolicyRule } from '../types';
import { at } from './read';

export const dataplexScanResults: PolicyRule = {
  id: 'TRB-DPX-1',
  level: 'error',
  title: 'Dataplex data-quality scans run on a schedule and keep their results',
  explanation:
    'A quality scan that runs only on demand, or whose results live only in the scan job, leaves no audit trail. Schedule it (execution_spec.trigger.schedule) and export results to BigQuery (post_scan_actions.bigquery_export.results_table).',
  references: ['none: no CIS or checkov control for Dataplex'],
  check: (resource) => {
    if (resource.mode !== 'managed' || resource.type !== 'google_dataplex_datascan') return NOT_APPLICABLE;
    const spec =
      at(resource.config, ['data_quality_spec']) !== undefined ? 'data_quality_spec' : 'data_profile_spec';
    const problems: string[] = [];
    if (!at(resource.config, ['execution_spec', 'trigger', 'schedule', 'cron']))
      problems.push('runs on demand only');
    if (!at(resource.config, [spec, 'post_scan_actions', 'bigquery_export', 'results_table']))
      problems.push('exports no results to BigQuery');
    return problems.length === 0
      ? COMPLIANT
      : nonCompliant(`scan ${String(resource.config.data_scan_id)} ${problems.join(', ')}`);
  },
};
