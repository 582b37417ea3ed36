import { DEAD_LETTER_LABEL } from '../../../core/markers';
import { COMPLIANT, NOT_APPLICABLE, nonCompliant, type PolicyRule } from '../types';

export const pubsubTopicSchema: PolicyRule = {
  id: 'TRB-PS-2',
  level: 'error',
  title: 'Topics validate messages against a schema',
  explanation:
    'A topic without a schema accepts any payload, so malformed events reach every subscriber. Dead-letter topics (labelled tributary-role=dead-letter) hold messages as they failed and are exempt.',
  references: ['none: no CIS or checkov control'],
  check: (resource) => {
    if (resource.mode !== 'managed' || resource.type !== 'google_pubsub_topic') return NOT_APPLICABLE;
    const labels = (resource.config.labels ?? {}) as Record<string, string>;
    if (labels[DEAD_LETTER_LABEL.key] === DEAD_LETTER_LABEL.value) return NOT_APPLICABLE;
    const settings = resource.config.schema_settings as { schema?: string } | undefined;
    return settings?.schema
      ? COMPLIANT
      : nonCompliant(`topic ${String(resource.config.name)} has no schema_settings.schema`);
  },
};
