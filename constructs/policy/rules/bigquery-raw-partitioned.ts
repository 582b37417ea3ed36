import { COMPLIANT, NOT_APPLICABLE, nonCompliant, type PolicyRule } from '../types';

export const bigqueryRawPartitioned: PolicyRule = {
  id: 'TRB-BQ-1',
  level: 'error',
  title: 'Raw tables are partitioned',
  explanation:
    'Raw tables grow with every event; without partitions each query and each backfill scans all of history. Tables are recognised as raw by their layer=raw label.',
  references: ['none: no CIS or checkov control'],
  check: (resource) => {
    if (resource.mode !== 'managed' || resource.type !== 'google_bigquery_table') return NOT_APPLICABLE;
    const labels = (resource.config.labels ?? {}) as Record<string, string>;
    if (labels.layer !== 'raw') return NOT_APPLICABLE;
    const partitioned =
      resource.config.time_partitioning !== undefined || resource.config.range_partitioning !== undefined;
    return partitioned
      ? COMPLIANT
      : nonCompliant(`raw table ${String(resource.config.table_id)} has no time or range partitioning`);
  },
};
