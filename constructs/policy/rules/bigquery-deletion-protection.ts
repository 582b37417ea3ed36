import { COMPLIANT, NOT_APPLICABLE, nonCompliant, type PolicyRule } from '../types';

export const bigqueryDeletionProtection: PolicyRule = {
  id: 'TRB-BQ-2',
  level: 'error',
  title: 'In production, tables and datasets are protected from deletion',
  explanation:
    'A replaced or destroyed table loses its data. In production tables need deletion_protection, and datasets need lifecycle.prevent_destroy and must not delete their contents on destroy (the provider has no dataset deletion_protection).',
  references: ['CKV_GCP_121'],
  check: (resource, context) => {
    if (!context.production || resource.mode !== 'managed') return NOT_APPLICABLE;
    const c = resource.config;
    if (resource.type === 'google_bigquery_table') {
      return c.deletion_protection === true
        ? COMPLIANT
        : nonCompliant(
            `table ${String(c.table_id)} has deletion_protection ${JSON.stringify(c.deletion_protection ?? null)}`,
          );
    }
    if (resource.type === 'google_bigquery_dataset') {
      const problems: string[] = [];
      if ((c.lifecycle as { prevent_destroy?: boolean } | undefined)?.prevent_destroy !== true)
        problems.push('no lifecycle.prevent_destroy');
      if (c.delete_contents_on_destroy === true) problems.push('delete_contents_on_destroy is true');
      return problems.length === 0
        ? COMPLIANT
        : nonCompliant(`dataset ${String(c.dataset_id)}: ${problems.join(', ')}`);
    }
    return NOT_APPLICABLE;
  },
};
