import { checkConsumersSettings } from '../../constructs/platform/consumers/platform-consumers';
import { checkFoundationSettings } from '../../constructs/platform/foundation/foundation';
import { checkIngestSettings } from '../../constructs/platform/ingest/platform-ingest';
import { checkLoaderSettings } from '../../constructs/platform/loader/platform-loader';
import { checkModelsSettings } from '../../constructs/platform/models/platform-models';
import { checkOperationsSettings } from '../../constructs/platform/operations/operations-settings';
import { checkStreamsSettings } from '../../constructs/platform/streams/event-streams';
import { BUCKET_NAME, checkLabels } from '../../core/gcp';
import { Checks } from '../../core/validation';
import { type EnvironmentConfig, REQUIRED_LABELS } from './types';

/**
 * Checks every field of an environment and throws one error listing every problem. The capability sections are
 * checked by the capabilities' own rule functions, the ones their constructs apply, so each rule is defined once.
 */
export function validateEnvironment(config: EnvironmentConfig): void {
  const c = new Checks(`Environment "${config.name}" (stacks/environments/${config.name}.ts)`);
  c.rule(
    'name',
    config.name,
    'must be 2-16 characters of lowercase letters, digits and hyphens, starting with a letter',
    (n) => /^[a-z][a-z0-9-]{1,15}$/.test(n),
  );

  c.rule('labels', config.labels, 'must not be empty', (l) => Object.keys(l).length > 0);
  for (const key of REQUIRED_LABELS) {
    c.rule(
      `labels.${key}`,
      config.labels[key] ?? '',
      `is required (required labels: ${REQUIRED_LABELS.join(', ')})`,
      (v) => v !== '',
    );
  }
  checkLabels(c, config.labels);
  c.rule(
    'labels.environment',
    config.labels.environment,
    `must equal the environment name "${config.name}"`,
    (v) => v === config.name,
  );

  c.check('state.bucket', config.state?.bucket, BUCKET_NAME);
  c.rule(
    'state.prefix',
    config.state?.prefix,
    'must be a non-empty path without leading or trailing "/"',
    (p) => /^[A-Za-z0-9_.-]+(\/[A-Za-z0-9_.-]+)*$/.test(p),
  );

  const f = config.foundation;
  c.require('foundation', f);
  if (f) checkFoundationSettings(c, f, 'foundation.');
  c.require('streams', config.streams);
  if (config.streams && f)
    checkStreamsSettings(c, config.streams, 'streams.', {
      region: f.region,
      network: f.network,
      networkField: 'foundation.network',
    });
  c.require('ingest', config.ingest);
  if (config.ingest) checkIngestSettings(c, config.ingest, 'ingest.');
  if (config.models) checkModelsSettings(c, config.models, 'models.');
  if (config.loader) checkLoaderSettings(c, config.loader, 'loader.');
  if (config.consumers)
    checkConsumersSettings(c, config.consumers, 'consumers.', config.foundation.network !== undefined);
  if (config.operations) checkOperationsSettings(c, config.operations, 'operations.');
  c.throwIfAny();
}
