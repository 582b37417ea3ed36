import { isProjectIam, roleBindings } from '../inspect';
import { COMPLIANT, NOT_APPLICABLE, nonCompliant, type PolicyRule } from '../types';

export const PROJECT_DATA_EDITOR = 'roles/bigquery.dataEditor';

export const bigqueryNoProjectDataEditor: PolicyRule = {
  id: 'TRB-BQ-3',
  level: 'error',
  title: 'No project-wide bigquery.dataEditor',
  explanation:
    'Project-wide data editor can rewrite or delete every table in every dataset. Writers get it on their dataset or table (AnalyticsDataset.grantDataEditor, ContractTable.grantDataEditor).',
  references: ['none: least privilege beyond CIS (CIS GCP v3.0 1.5 is related)'],
  check: (resource) => {
    if (!isProjectIam(resource)) return NOT_APPLICABLE;
    const hits = roleBindings(resource).filter((b) => b.role === PROJECT_DATA_EDITOR);
    return hits.length === 0
      ? COMPLIANT
      : nonCompliant(hits.map((b) => `${b.role} to ${b.members.join(', ')}`).join('; '));
  },
};
