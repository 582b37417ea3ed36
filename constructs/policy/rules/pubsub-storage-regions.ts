import { COMPLIANT, NOT_APPLICABLE, nonCompliant, type PolicyRule } from '../types';
import { at } from './read';

export const pubsubStorageRegions: PolicyRule = {
  id: 'TRB-PS-3',
  level: 'error',
  title: 'Topics store messages in named regions only',
  explanation:
    'Without a message storage policy Pub/Sub may persist messages in any region. Name the allowed persistence regions so events stay where the environment says.',
  references: ['none: no CIS or checkov control for Pub/Sub placement'],
  check: (resource) => {
    if (resource.mode !== 'managed' || resource.type !== 'google_pubsub_topic') return NOT_APPLICABLE;
    const regions = at(resource.config, ['message_storage_policy', 'allowed_persistence_regions']);
    return Array.isArray(regions) && regions.length > 0
      ? COMPLIANT
      : nonCompliant(`topic ${String(resource.config.name)} has no allowed persistence regions`);
  },
};
