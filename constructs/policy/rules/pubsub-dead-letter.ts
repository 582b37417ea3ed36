import { DEAD_LETTER_LABEL } from '../../../core/markers';
import { COMPLIANT, NOT_APPLICABLE, nonCompliant, type PolicyRule } from '../types';

export const pubsubDeadLetter: PolicyRule = {
  id: 'TRB-PS-1',
  level: 'error',
  title: 'Subscriptions dead-letter poison messages',
  explanation:
    "Without a dead-letter policy a message that always fails is redelivered until it expires and is then lost. Only the dead-letter topic's own subscription (labelled tributary-role=dead-letter) is exempt.",
  references: ['none: no CIS or checkov control'],
  check: (resource) => {
    if (resource.mode !== 'managed' || resource.type !== 'google_pubsub_subscription') return NOT_APPLICABLE;
    const labels = (resource.config.labels ?? {}) as Record<string, string>;
    if (labels[DEAD_LETTER_LABEL.key] === DEAD_LETTER_LABEL.value) return NOT_APPLICABLE;
    const policy = resource.config.dead_letter_policy as { dead_letter_topic?: string } | undefined;
    return policy?.dead_letter_topic
      ? COMPLIANT
      : nonCompliant(`subscription ${String(resource.config.name)} has no dead_letter_policy`);
  },
};
