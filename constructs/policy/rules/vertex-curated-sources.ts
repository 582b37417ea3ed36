import { COMPLIANT, NOT_APPLICABLE, nonCompliant, type PolicyRule } from '../types';
import { resolved } from './read';

/** `bq://<project>.<dataset>.<table>` */
const BQ_URI = /^bq:\/\/([^.]+)\.([A-Za-z0-9_]+)\.([^.]+)$/;

export const vertexCuratedSources: PolicyRule = {
  id: 'TRB-VTX-1',
  level: 'error',
  title: 'Vertex AI feature views read curated tables only',
  explanation:
    'Features reuse the governed models: a feature view over raw or staging data would serve duplicates, late-data errors and unpseudonymized values. Point big_query_source at a table or view in the curated dataset (`<prefix>_curated`); feature registry sources cannot be checked here and need a suppression that says what they read.',
  references: ['none: no CIS or checkov control (CKV_GCP_92/96 cover Vertex CMEK)'],
  check: (resource, context) => {
    if (resource.mode !== 'managed' || resource.type !== 'google_vertex_ai_feature_online_store_featureview')
      return NOT_APPLICABLE;
    const name = String(resource.config.name);
    if (resource.config.feature_registry_source)
      return nonCompliant(
        `feature view ${name} reads a feature registry source, whose tables this rule cannot see; use big_query_source on a curated table`,
      );
    const source = resource.config.big_query_source as Record<string, unknown> | undefined;
    const uri = resolved(context, source?.uri);
    const m = BQ_URI.exec(uri);
    if (!m)
      return nonCompliant(
        `feature view ${name} has no big_query_source uri of the form bq://project.dataset.table (${uri || 'none'})`,
      );
    if (!(m[2] as string).endsWith('_curated'))
      return nonCompliant(`feature view ${name} reads ${uri}, which is not in a curated dataset`);
    return COMPLIANT;
  },
};
