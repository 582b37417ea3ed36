import { kmsKeyLocation, kmsLocationsFor } from '../../../core/gcp';
import { COMPLIANT, NOT_APPLICABLE, nonCompliant, type PolicyRule } from '../types';
import { CMEK_USES } from './cmek-table';
import { resolved } from './read';

export const cmekKeyLocation: PolicyRule = {
  id: 'TRB-CMEK-2',
  level: 'error',
  title: 'A CMEK key is in the location its resource needs',
  explanation:
    'Google refuses a key in the wrong location at apply time (or, for multi-regions, keeps data where the key cannot follow). BigQuery and Cloud Storage in EU need a key in europe, in US a key in us; a regional resource needs a key in its region; a secret with automatic replication needs a global key. Pub/Sub topics, being global, take a key anywhere.',
  references: ['CIS GCP v3.0 7.3 (the key must be usable for the dataset)'],
  check: (resource, context) => {
    const uses = CMEK_USES[resource.type];
    // Pub/Sub resources are global: a topic takes a key in any location.
    if (resource.mode !== 'managed' || !uses || resource.type === 'google_pubsub_topic')
      return NOT_APPLICABLE;
    const problems: string[] = [];
    for (const u of uses(resource.config)) {
      if (!u.key || !u.location) continue;
      const keyAt = kmsKeyLocation(resolved(context, u.key));
      if (!keyAt) continue;
      const allowed = kmsLocationsFor(u.location);
      if (!allowed.includes(keyAt))
        problems.push(
          `${u.where}: key in ${keyAt}, but a resource in ${u.location} needs one in ${allowed.join(' or ')}`,
        );
    }
    return problems.length === 0 ? COMPLIANT : nonCompliant(problems.join('; '));
  },
};
