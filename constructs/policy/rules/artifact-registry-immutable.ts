import { COMPLIANT, NOT_APPLICABLE, nonCompliant, type PolicyRule } from '../types';
import { at } from './read';

export const artifactRegistryImmutable: PolicyRule = {
  id: 'TRB-AR-1',
  level: 'error',
  title: 'Container repositories have immutable tags and vulnerability scanning',
  explanation:
    'A mutable tag lets a pushed image replace what a deployed tag means; the platform tags images by source hash so a tag always names the same bytes. Scanning stays on (not DISABLED).',
  references: ['none: no CIS or checkov control (CKV_GCP_84 is the repository CMEK, TRB-CMEK-1)'],
  check: (resource) => {
    if (resource.mode !== 'managed' || resource.type !== 'google_artifact_registry_repository')
      return NOT_APPLICABLE;
    if (String(resource.config.format ?? '').toUpperCase() !== 'DOCKER') return NOT_APPLICABLE;
    const problems: string[] = [];
    if (at(resource.config, ['docker_config', 'immutable_tags']) !== true) problems.push('tags are mutable');
    if (at(resource.config, ['vulnerability_scanning_config', 'enablement_config']) === 'DISABLED')
      problems.push('vulnerability scanning is disabled');
    return problems.length === 0
      ? COMPLIANT
      : nonCompliant(`repository ${String(resource.config.repository_id)}: ${problems.join(', ')}`);
  },
};
