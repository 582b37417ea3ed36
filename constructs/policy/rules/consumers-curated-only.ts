import { COMPLIANT, NOT_APPLICABLE, nonCompliant, type PolicyRule } from '../types';
import { resolved } from './read';

/**
 * The consumer accounts: the platform's `<prefix>-bi` and `<prefix>-ml` (by their names), and the Looker and
 * Vertex AI agents (by their domains; the project number may still be a reference).
 */
const CONSUMER = /^serviceAccount:([a-z0-9-]+-(bi|ml)@|service-.+@gcp-sa-(looker|aiplatform)\.)/;
/** Raw and staging datasets (`<prefix>_raw`, `<prefix>_staging`), and tables in them. */
const NOT_CURATED = /_(raw|staging)$/;

export const consumersCuratedOnly: PolicyRule = {
  id: 'TRB-CONS-1',
  level: 'error',
  title: 'BI and ML principals are granted on curated data only',
  explanation:
    'Consumers reuse the governed models: a BI or ML account reading raw or staging would bypass the curated contracts, deduplication and PII pseudonyms. Grant them the curated dataset (and the ML account its own dataset) only.',
  references: ['CIS GCP v3.0 7.1 (related: BigQuery data reachable only by who needs it)'],
  check: (resource, context) => {
    if (resource.mode !== 'managed') return NOT_APPLICABLE;
    if (
      resource.type !== 'google_bigquery_dataset_iam_member' &&
      resource.type !== 'google_bigquery_table_iam_member'
    )
      return NOT_APPLICABLE;
    const member = resolved(context, resource.config.member);
    if (!CONSUMER.test(member)) return NOT_APPLICABLE;
    const dataset = resolved(context, resource.config.dataset_id);
    if (NOT_CURATED.test(dataset))
      return nonCompliant(
        `${member} is granted ${String(resource.config.role)} on ${dataset}, which is not curated data`,
      );
    return COMPLIANT;
  },
};
