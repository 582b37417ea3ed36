import { COMPLIANT, NOT_APPLICABLE, nonCompliant, type PolicyRule } from '../types';
import { block } from './read';

export const eventarcDestination: PolicyRule = {
  id: 'TRB-EVT-2',
  level: 'error',
  title: 'Eventarc triggers deliver to a workflow or a Cloud Run service, never to an HTTP endpoint',
  explanation:
    'An HTTP endpoint destination sends events (object names, metadata) to whatever answers at that address, outside IAM. Deliver to a workflow or a Cloud Run service, which check the trigger identity.',
  references: ['none: no CIS or checkov control for Eventarc'],
  check: (resource) => {
    if (resource.mode !== 'managed' || resource.type !== 'google_eventarc_trigger') return NOT_APPLICABLE;
    const d = block(resource.config.destination) ?? {};
    if (d.http_endpoint !== undefined)
      return nonCompliant(`trigger ${String(resource.config.name)} delivers to an HTTP endpoint`);
    return d.workflow !== undefined || d.cloud_run_service !== undefined
      ? COMPLIANT
      : nonCompliant(`trigger ${String(resource.config.name)} has no workflow or Cloud Run destination`);
  },
};
