import { COMPLIANT, NOT_APPLICABLE, nonCompliant, type PolicyRule } from '../types';
import { block, COMPOSER_ENVIRONMENT } from './composer-shared';

/** A full Composer 3 build: `composer-3-airflow-<x.y.z>-build.<n>` (aliases such as `composer-3-airflow-2` move). */
const PINNED = /^composer-3-airflow-\d+\.\d+\.\d+-build\.\d+$/;

export const composerPinnedImage: PolicyRule = {
  id: 'TRB-CMP-4',
  level: 'error',
  title: 'Production Composer environments pin their image build',
  explanation:
    'An alias such as composer-3-airflow-2 moves to new Airflow and provider versions on its own. In production, pin a build (composer-3-airflow-2.10.5-build.12) and upgrade it deliberately.',
  references: ['none: no CIS or checkov control for Composer'],
  check: (resource, context) => {
    if (resource.mode !== 'managed' || resource.type !== COMPOSER_ENVIRONMENT || !context.production)
      return NOT_APPLICABLE;
    const image = block(block(resource.config.config)?.software_config)?.image_version;
    if (typeof image === 'string' && PINNED.test(image)) return COMPLIANT;
    return nonCompliant(
      `environment ${String(resource.config.name)} uses image ${JSON.stringify(image ?? null)}, not a pinned composer-3 build`,
    );
  },
};
