import { COMPLIANT, NOT_APPLICABLE, nonCompliant, type PolicyRule } from '../types';
import { DATAFLOW_JOB_TYPES } from './dataflow-service-account';

// Template parameters that name where failed elements go (outputDeadletterTable, deadLetterTable, ...).
const DEAD_LETTER_PARAMETER = /dead-?letter/i;

export const dataflowDeadLetter: PolicyRule = {
  id: 'TRB-DF-3',
  level: 'error',
  title: 'Dataflow jobs name a dead-letter destination',
  explanation:
    'Elements a job cannot process must land somewhere that says why, never be dropped or retried forever. Pass the template its dead-letter parameter (outputDeadletterTable for the Pub/Sub to BigQuery template); a template without one needs a suppression with the reason.',
  references: ['none: no CIS or checkov control'],
  check: (resource) => {
    if (resource.mode !== 'managed' || !DATAFLOW_JOB_TYPES.has(resource.type)) return NOT_APPLICABLE;
    const parameters = (resource.config.parameters ?? {}) as Record<string, unknown>;
    const named = Object.entries(parameters).some(
      ([key, value]) => DEAD_LETTER_PARAMETER.test(key) && typeof value === 'string' && value !== '',
    );
    return named
      ? COMPLIANT
      : nonCompliant(
          `job ${String(resource.config.name)} has no dead-letter parameter (parameters: ${Object.keys(parameters).join(', ') || 'none'})`,
        );
  },
};
