import {
  BUCKET_NAME,
  checkDataKey,
  checkLabels,
  checkRegionalKey,
  dataLocationsFor,
  isKnownRegion,
  MACHINE_TYPE,
  PROJECT_ID,
  PROJECT_NUMBER,
} from '../../core/gcp';
import { Checks } from '../../core/validation';
import { type EnvironmentConfig, INGEST_INGRESS, REQUIRED_LABELS } from './types';

const int = (min: number, max: number) => (v: number) => Number.isInteger(v) && v >= min && v <= max;

/** Checks every field of an environment and throws one error listing every problem. */
export function validateEnvironment(config: EnvironmentConfig): void {
  const c = new Checks(`Environment "${config.name}" (stacks/environments/${config.name}.ts)`);
  c.rule(
    'name',
    config.name,
    'must be 2-16 characters of lowercase letters, digits and hyphens, starting with a letter',
    (n) => /^[a-z][a-z0-9-]{1,15}$/.test(n),
  );
  c.require('projectId', config.projectId).rule(
    'projectId',
    config.projectId,
    PROJECT_ID.text,
    PROJECT_ID.test,
  );
  c.rule('projectNumber', config.projectNumber, PROJECT_NUMBER.text, PROJECT_NUMBER.test);
  c.rule(
    'region',
    config.region,
    'must be a known Google Cloud region such as europe-west1 or us-central1',
    isKnownRegion,
  );
  if (isKnownRegion(config.region)) {
    const allowed = dataLocationsFor(config.region);
    c.rule(
      'dataLocation',
      config.dataLocation,
      `must be ${allowed.join(' or ')} to keep data with region ${config.region}`,
      (l) => allowed.includes(l),
    );
  }
  c.rule(
    'namePrefix',
    config.namePrefix,
    'must be 2-12 characters of lowercase letters, digits and hyphens, starting with a letter',
    (p) => /^[a-z][a-z0-9-]{1,11}$/.test(p),
  );
  if (config.production) {
    c.rule(
      'deletionProtection',
      config.deletionProtection,
      'must be true in a production environment',
      (d) => d === true,
    );
  }

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

  c.rule('state.bucket', config.state.bucket, BUCKET_NAME.text, BUCKET_NAME.test);
  c.rule(
    'state.prefix',
    config.state.prefix,
    'must be a non-empty path without leading or trailing "/"',
    (p) => /^[A-Za-z0-9_.-]+(\/[A-Za-z0-9_.-]+)*$/.test(p),
  );

  c.rule(
    'network.network',
    config.network.network,
    'must be projects/<project>/global/networks/<name>',
    (n) =>
      /^projects\/[a-z][-a-z0-9]{4,28}[a-z0-9]\/global\/networks\/[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/.test(n),
  );
  c.rule(
    'network.subnetwork',
    config.network.subnetwork,
    `must be regions/${config.region}/subnetworks/<name>, in the environment's region`,
    (s) => new RegExp(`^regions/${config.region}/subnetworks/[a-z]([-a-z0-9]{0,61}[a-z0-9])?$`).test(s),
  );

  checkDataKey(
    c,
    'encryptionKey',
    config.encryptionKey,
    config.dataLocation,
    `to match dataLocation ${config.dataLocation}`,
  );

  const s = config.storage;
  c.rule(
    'storage.landingRetentionDays',
    s.landingRetentionDays,
    'must be a whole number of days from 1 to 3650',
    int(1, 3650),
  );
  c.rule(
    'storage.stagingObjectTtlDays',
    s.stagingObjectTtlDays,
    'must be a whole number of days from 1 to 365',
    int(1, 365),
  );
  c.rule(
    'storage.archiveRetentionDays',
    s.archiveRetentionDays,
    'must be a whole number of days from 1 to 36500',
    int(1, 36_500),
  );
  const t = s.archiveTiering;
  const ages = [t.nearlineAfterDays, t.coldlineAfterDays, t.archiveAfterDays].filter(
    (a): a is number => a !== undefined,
  );
  c.rule(
    'storage.archiveTiering',
    t,
    'ages must be whole days and strictly increase from nearline to coldline to archive',
    () => ages.every((a, i) => Number.isInteger(a) && a >= 1 && (i === 0 || a > (ages[i - 1] as number))),
  );
  c.rule(
    'storage.archiveTiering.deleteAfterDays',
    t.deleteAfterDays,
    'must be later than every storage-class transition',
    (d) => ages.every((a) => d > a),
  );

  c.rule(
    'streams.delivery',
    config.streams.delivery,
    'must be "bigquery-subscription" or "dataflow"',
    (d) => d === 'bigquery-subscription' || d === 'dataflow',
  );
  c.rule(
    'streams.topicRetentionHours',
    config.streams.topicRetentionHours,
    'must be a whole number of hours from 1 to 744 (31 days)',
    int(1, 744),
  );
  c.rule(
    'streams.maxDeliveryAttempts',
    config.streams.maxDeliveryAttempts,
    'must be a whole number from 5 to 100 (the Pub/Sub limits)',
    int(5, 100),
  );

  c.rule('dataflow.machineType', config.dataflow.machineType, MACHINE_TYPE.text, MACHINE_TYPE.test);
  c.rule(
    'dataflow.maxWorkers',
    config.dataflow.maxWorkers,
    'must be a whole number from 1 to 1000',
    int(1, 1000),
  );
  c.rule(
    'dataflow.deadLetterExpirationDays',
    config.dataflow.deadLetterExpirationDays,
    'must be a whole number of days from 1 to 3650',
    int(1, 3650),
  );

  c.rule(
    'dataflow.templateVersion',
    config.dataflow.templateVersion,
    'must be "latest" or a release folder such as 2025-01-14-00_RC00',
    (v) => v === 'latest' || /^\d{4}-\d{2}-\d{2}-\d{2}_RC\d{2}$/.test(v),
  );
  checkRegionalKey(
    c,
    'dataflow.encryptionKey',
    config.dataflow.encryptionKey,
    config.region,
    `key location must be the region ${config.region}: Dataflow needs a regional key where its jobs run`,
  );

  c.rule(
    'ingest.minInstances',
    config.ingest.minInstances,
    'must be a whole number from 0 to 100',
    int(0, 100),
  );
  const ing = config.ingest;
  c.rule('ingest.concurrency', ing.concurrency, 'must be a whole number from 1 to 1000', int(1, 1000));
  c.rule('ingest.memory', ing.memory, 'must be a size such as 512Mi or 2Gi', (m) => /^\d+(Mi|Gi)$/.test(m));
  c.rule(
    'ingest.access',
    ing.access,
    'must be "private" or "public"',
    (a) => a === 'private' || a === 'public',
  );
  const ingress = INGEST_INGRESS.map((i) => `"${i}"`);
  c.rule(
    'ingest.ingress',
    ing.ingress,
    `must be ${ingress.slice(0, -1).join(', ')} or ${ingress.at(-1)}`,
    (i) => (INGEST_INGRESS as readonly string[]).includes(i),
  );
  if (ing.access === 'public') c.reason('ingest.publicAccessReason', ing.publicAccessReason, 'public access');
  for (const [i, m] of (ing.producers ?? []).entries())
    c.rule(
      `ingest.producers[${i}]`,
      m,
      'must be group:<email>, user:<email>, domain:<domain> or serviceAccount:<email>',
      (v) =>
        /^(group|user|serviceAccount):[^@\s]+@[^@\s]+\.[a-z]{2,}$|^domain:[a-z0-9.-]+\.[a-z]{2,}$/.test(v),
    );
  if (ing.access === 'public' && (ing.producers ?? []).length > 0)
    c.fail('ingest.producers', ing.producers, 'a public gateway takes partner API keys, not invoker grants');

  c.rule(
    'ingest.maxInstances',
    config.ingest.maxInstances,
    `must be a whole number from max(1, minInstances) to 1000`,
    (m) => Number.isInteger(m) && m >= Math.max(1, config.ingest.minInstances) && m <= 1000,
  );
  c.throwIfAny();
}
