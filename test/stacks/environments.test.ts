import type {
  FoundationSettings,
  NetworkSettings,
  StorageSettings,
} from '../../constructs/platform/foundation/foundation';
import type { DataflowDelivery } from '../../constructs/platform/streams/event-streams';
import { ValidationError } from '../../core/validation';
import { dev } from '../../stacks/environments/dev';
import { ENVIRONMENTS } from '../../stacks/environments/index';
import { prod } from '../../stacks/environments/prod';
import { type EnvironmentConfig, isPlaceholder } from '../../stacks/environments/types';
import { validateEnvironment } from '../../stacks/environments/validate';
import { errorOf } from '../helpers';

const DATAFLOW: DataflowDelivery = {
  kind: 'dataflow',
  machineType: 'n2-standard-2',
  maxWorkers: 2,
  deadLetterExpirationDays: 14,
};

function withChange(change: (c: EnvironmentConfig) => EnvironmentConfig): ValidationError {
  return errorOf(() =>
    validateEnvironment(change(structuredClone(dev) as EnvironmentConfig)),
  ) as ValidationError;
}

describe('environment config', () => {
  test.each(ENVIRONMENTS.map((e) => [e.name, e]))('%s is valid', (_name, env) => {
    expect(() => validateEnvironment(env)).not.toThrow();
  });

  test('defines dev, staging and prod with prod production-grade', () => {
    expect(ENVIRONMENTS.map((e) => e.name)).toEqual(['dev', 'staging', 'prod']);
    expect(prod).toMatchObject({
      foundation: { production: true, deletionProtection: true },
      streams: { delivery: { kind: 'dataflow' } },
    });
    expect(dev.streams.delivery).toEqual({ kind: 'bigquery-subscription' });
    expect(ENVIRONMENTS.every(isPlaceholder)).toBe(true);
  });

  const foundation = (c: EnvironmentConfig, change: Partial<FoundationSettings>): EnvironmentConfig => ({
    ...c,
    foundation: { ...c.foundation, ...change },
  });
  const storage = (c: EnvironmentConfig, change: Partial<StorageSettings>): EnvironmentConfig =>
    foundation(c, { storage: { ...c.foundation.storage, ...change } });
  const network = (c: EnvironmentConfig, change: Partial<NetworkSettings>): EnvironmentConfig =>
    foundation(c, { network: { ...(c.foundation.network as NetworkSettings), ...change } });
  const dataflow = (c: EnvironmentConfig, change: Partial<DataflowDelivery>): EnvironmentConfig => ({
    ...c,
    streams: { ...c.streams, delivery: { ...DATAFLOW, ...change } },
  });

  test.each<[string, (c: EnvironmentConfig) => EnvironmentConfig, string]>([
    ['a bad name', (c) => ({ ...c, name: 'Dev Env' }), 'name = "Dev Env": must be 2-16 characters'],
    [
      'a long name prefix',
      (c) => foundation(c, { namePrefix: 'tributary-development' }),
      'foundation.namePrefix = "tributary-development": must be 2-12 characters',
    ],
    [
      'a zero landing retention',
      (c) => storage(c, { landingRetentionDays: 0 }),
      'foundation.storage.landingRetentionDays = 0: must be a whole number of days from 1 to 3650',
    ],
    [
      'a fractional staging TTL',
      (c) => storage(c, { stagingObjectTtlDays: 1.5 }),
      'foundation.storage.stagingObjectTtlDays = 1.5',
    ],
    [
      'a negative archive retention',
      (c) => storage(c, { archiveRetentionDays: -1 }),
      'foundation.storage.archiveRetentionDays = -1',
    ],
    [
      'a zero dead-letter expiration',
      (c) => dataflow(c, { deadLetterExpirationDays: 0 }),
      'streams.delivery.deadLetterExpirationDays = 0',
    ],
    [
      'negative min instances',
      (c) => ({ ...c, ingest: { minInstances: -1, maxInstances: 3 } }),
      'ingest.minInstances = -1: must be a whole number from 0 to 1000',
    ],
    [
      'an unknown gateway ingress',
      (c) => ({ ...c, ingest: { ...c.ingest, ingress: 'vpc' as never } }),
      'ingest.ingress = "vpc": must be INGRESS_TRAFFIC_ALL, INGRESS_TRAFFIC_INTERNAL_ONLY or INGRESS_TRAFFIC_INTERNAL_LOAD_BALANCER',
    ],
    [
      'a public gateway without a reason',
      (c) => ({ ...c, ingest: { ...c.ingest, access: { kind: 'public', reason: 'partners' } } }),
      'ingest.access.reason = "partners": must explain public access in at least 20 characters',
    ],
    [
      'a public gateway with invoker grants',
      (c) => ({
        ...c,
        ingest: {
          ...c.ingest,
          access: { kind: 'public', reason: 'Partners post from their own networks' },
          producers: ['serviceAccount:web@p-1234.iam.gserviceaccount.com'],
        },
      }),
      'ingest.producers = ["serviceAccount:web@p-1234.iam.gserviceaccount.com"]: a public gateway takes partner API keys',
    ],
    [
      'a malformed producer',
      (c) => ({ ...c, ingest: { ...c.ingest, producers: ['web@p.iam.gserviceaccount.com'] } }),
      'ingest.producers[0] = "web@p.iam.gserviceaccount.com": must be group:<email>, user:<email>',
    ],
    [
      'a malformed KMS key',
      (c) => foundation(c, { encryptionKey: 'key-1' }),
      'foundation.encryptionKey = "key-1": must be a Cloud KMS key name',
    ],
    [
      'a bad project id',
      (c) => foundation(c, { project: 'My_Project' }),
      'foundation.project = "My_Project": must be 6-30 characters',
    ],
    [
      'a project id containing google',
      (c) => foundation(c, { project: 'google-data-1' }),
      'not contain "google"',
    ],
    [
      'a non-numeric project number',
      (c) => foundation(c, { projectNumber: '12ab' }),
      'foundation.projectNumber = "12ab": must be the numeric project number',
    ],
    [
      'an unknown region',
      (c) => foundation(c, { region: 'europe-west99' }),
      'foundation.region = "europe-west99": must be a known Google Cloud region',
    ],
    [
      'a data location outside the region',
      (c) => foundation(c, { dataLocation: 'US' }),
      'foundation.dataLocation = "US": must be europe-west1 or EU to keep data with region europe-west1',
    ],
    [
      'an unknown data location',
      (c) => foundation(c, { dataLocation: 'Atlantis' }),
      'foundation.dataLocation = "Atlantis": must be a known Google Cloud region or a multi-region (US, EU)',
    ],
    [
      'EU data for a non-EU region',
      (c) =>
        foundation(c, {
          region: 'europe-west2',
          dataLocation: 'EU',
          network: {
            ...(c.foundation.network as NetworkSettings),
            subnetwork: 'regions/europe-west2/subnetworks/x',
          },
        }),
      'foundation.dataLocation = "EU": must be europe-west2 to keep data',
    ],
    ['empty labels', (c) => ({ ...c, labels: {} }), 'labels = {}: must not be empty'],
    [
      'a missing required label',
      (c) => ({ ...c, labels: { ...c.labels, owner: undefined as unknown as string } }),
      'labels.owner = "": is required',
    ],
    [
      'an invalid label key',
      (c) => ({ ...c, labels: { ...c.labels, 'Team Name': 'x' } }),
      'labels.Team Name = "x": label keys must be',
    ],
    [
      'an invalid label value',
      (c) => ({ ...c, labels: { ...c.labels, owner: 'Data Platform' } }),
      'labels.owner = "Data Platform": label values must be',
    ],
    [
      'an environment label that differs from the name',
      (c) => ({ ...c, labels: { ...c.labels, environment: 'prod' } }),
      'labels.environment = "prod": must equal the environment name "dev"',
    ],
    [
      'a production environment without deletion protection',
      (c) => foundation(c, { production: true, deletionProtection: false }),
      'foundation.deletionProtection = false: must not be false in production',
    ],
    [
      'a bad state bucket',
      (c) => ({ ...c, state: { ...c.state, bucket: 'State' } }),
      'state.bucket = "State"',
    ],
    [
      'a state prefix with a leading slash',
      (c) => ({ ...c, state: { ...c.state, prefix: '/tributary' } }),
      'state.prefix = "/tributary"',
    ],
    [
      'a subnetwork in another region',
      (c) => network(c, { subnetwork: 'regions/us-east1/subnetworks/x' }),
      'foundation.network.subnetwork = "regions/us-east1/subnetworks/x": must be in region europe-west1',
    ],
    [
      'a malformed network',
      (c) => network(c, { network: 'default' }),
      'foundation.network.network = "default": must be projects/<project>/global/networks/<name>',
    ],
    [
      'Dataflow delivery without a network',
      (c) => dataflow(foundation(c, { network: undefined }), {}),
      'foundation.network = (not set): is required with dataflow delivery',
    ],
    [
      'a KMS key in the wrong location',
      (c) => foundation(c, { encryptionKey: 'projects/p/locations/us/keyRings/r/cryptoKeys/k' }),
      'key location must be europe to match dataLocation EU',
    ],
    [
      'a Dataflow key outside the region',
      (c) => dataflow(c, { encryptionKey: 'projects/p/locations/europe/keyRings/r/cryptoKeys/k' }),
      'streams.delivery.encryptionKey = "projects/p/locations/europe/keyRings/r/cryptoKeys/k": key location must be the region europe-west1',
    ],
    [
      'archive tiers out of order',
      (c) => storage(c, { archiveTiering: { nearlineAfterDays: 90, coldlineAfterDays: 30 } }),
      'ages must be whole days and strictly increase',
    ],
    [
      'archive deletion before a transition',
      (c) => storage(c, { archiveTiering: { nearlineAfterDays: 30, deleteAfterDays: 10 } }),
      'foundation.storage.archiveTiering.deleteAfterDays = 10',
    ],
    [
      'an unknown delivery',
      (c) => ({ ...c, streams: { ...c.streams, delivery: { kind: 'kafka' } as never } }),
      'streams.delivery.kind = "kafka": must be "bigquery-subscription" or "dataflow"',
    ],
    [
      'too few delivery attempts',
      (c) => ({ ...c, streams: { ...c.streams, maxDeliveryAttempts: 3 } }),
      'streams.maxDeliveryAttempts = 3: must be a whole number from 5 to 100 (the Pub/Sub limits)',
    ],
    [
      'a topic retention over 31 days',
      (c) => ({ ...c, streams: { ...c.streams, topicRetentionHours: 1000 } }),
      'streams.topicRetentionHours = 1000: must be a whole number of hours from 1 to 744 (31 days)',
    ],
    ['zero Dataflow workers', (c) => dataflow(c, { maxWorkers: 0 }), 'streams.delivery.maxWorkers = 0'],
    [
      'a malformed machine type',
      (c) => dataflow(c, { machineType: 'big' }),
      'streams.delivery.machineType = "big"',
    ],
    [
      'an unknown template release',
      (c) => dataflow(c, { templateVersion: 'newest' }),
      'streams.delivery.templateVersion = "newest": must be "latest" or a release folder',
    ],
    [
      'max instances below min instances',
      (c) => ({ ...c, ingest: { minInstances: 5, maxInstances: 2 } }),
      'ingest.maxInstances = 2',
    ],
  ])('fails for %s, naming the field, the value and the rule', (_case, change, message) => {
    const error = withChange(change);
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.message).toMatch(/^Environment ".+" \(stacks\/environments\/.+\.ts\): \d+ problems?\n/);
    expect(error.message).toContain(message);
  });

  test('fails once with every problem listed', () => {
    const error = withChange((c) =>
      foundation({ ...c, labels: {} }, { project: 'X', region: 'mars-central1' }),
    );
    expect(error.violations.map((v) => v.field)).toEqual([
      'labels',
      'labels.environment',
      'labels.owner',
      'labels.cost-center',
      'labels.managed-by',
      'foundation.project',
      'foundation.region',
    ]);
    expect(error.message.split('\n')).toHaveLength(8);
  });

  test('fails for a missing section, naming it', () => {
    const error = withChange((c) => ({ ...c, streams: undefined as never, ingest: undefined as never }));
    expect(error.violations.map((v) => `${v.field}: ${v.rule}`)).toEqual([
      'streams: is required',
      'ingest: is required',
    ]);
  });
});
