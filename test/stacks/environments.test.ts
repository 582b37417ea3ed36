import { ValidationError } from '../../core/validation';
import { dev } from '../../stacks/environments/dev';
import { ENVIRONMENTS } from '../../stacks/environments/index';
import { prod } from '../../stacks/environments/prod';
import { type EnvironmentConfig, isPlaceholder } from '../../stacks/environments/types';
import { validateEnvironment } from '../../stacks/environments/validate';
import { errorOf } from '../helpers';

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
      production: true,
      deletionProtection: true,
      streams: { delivery: 'dataflow' },
    });
    expect(dev.streams.delivery).toBe('bigquery-subscription');
    expect(ENVIRONMENTS.every(isPlaceholder)).toBe(true);
  });

  test.each<[string, (c: EnvironmentConfig) => EnvironmentConfig, string]>([
    ['a bad name', (c) => ({ ...c, name: 'Dev Env' }), 'name = "Dev Env": must be 2-16 characters'],
    [
      'a long name prefix',
      (c) => ({ ...c, namePrefix: 'tributary-development' }),
      'namePrefix = "tributary-development": must be 2-12 characters',
    ],
    [
      'a zero landing retention',
      (c) => ({ ...c, storage: { ...c.storage, landingRetentionDays: 0 } }),
      'storage.landingRetentionDays = 0',
    ],
    [
      'a fractional staging TTL',
      (c) => ({ ...c, storage: { ...c.storage, stagingObjectTtlDays: 1.5 } }),
      'storage.stagingObjectTtlDays = 1.5',
    ],
    [
      'a negative archive retention',
      (c) => ({ ...c, storage: { ...c.storage, archiveRetentionDays: -1 } }),
      'storage.archiveRetentionDays = -1',
    ],
    [
      'a zero dead-letter expiration',
      (c) => ({ ...c, dataflow: { ...c.dataflow, deadLetterExpirationDays: 0 } }),
      'dataflow.deadLetterExpirationDays = 0',
    ],
    [
      'negative min instances',
      (c) => ({ ...c, ingest: { minInstances: -1, maxInstances: 3 } }),
      'ingest.minInstances = -1',
    ],
    [
      'an unknown gateway ingress',
      (c) => ({ ...c, ingest: { ...c.ingest, ingress: 'vpc' as never } }),
      'ingest.ingress = "vpc": must be "all", "internal" or "internal-and-cloud-load-balancing"',
    ],
    [
      'a malformed KMS key',
      (c) => ({ ...c, encryptionKey: 'key-1' }),
      'encryptionKey = "key-1": must be a Cloud KMS key name',
    ],
    [
      'a bad project id',
      (c) => ({ ...c, projectId: 'My_Project' }),
      'projectId = "My_Project": must be 6-30 characters',
    ],
    ['a project id containing google', (c) => ({ ...c, projectId: 'google-data-1' }), 'not contain "google"'],
    [
      'a non-numeric project number',
      (c) => ({ ...c, projectNumber: '12ab' }),
      'projectNumber = "12ab": must be the numeric project number',
    ],
    [
      'an unknown region',
      (c) => ({ ...c, region: 'europe-west99' }),
      'region = "europe-west99": must be a known Google Cloud region',
    ],
    [
      'a data location outside the region',
      (c) => ({ ...c, dataLocation: 'US' }),
      'dataLocation = "US": must be europe-west1 or EU to keep data with region europe-west1',
    ],
    [
      'EU data for a non-EU region',
      (c) => ({
        ...c,
        region: 'europe-west2',
        dataLocation: 'EU',
        network: { ...c.network, subnetwork: 'regions/europe-west2/subnetworks/x' },
      }),
      'dataLocation = "EU": must be europe-west2 to keep data',
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
      (c) => ({ ...c, production: true, deletionProtection: false }),
      'deletionProtection = false: must be true in a production environment',
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
      (c) => ({ ...c, network: { ...c.network, subnetwork: 'regions/us-east1/subnetworks/x' } }),
      'must be regions/europe-west1/subnetworks/<name>',
    ],
    [
      'a malformed network',
      (c) => ({ ...c, network: { ...c.network, network: 'default' } }),
      'network.network = "default"',
    ],
    [
      'a KMS key in the wrong location',
      (c) => ({ ...c, encryptionKey: 'projects/p/locations/us/keyRings/r/cryptoKeys/k' }),
      'key location must be europe to match dataLocation EU',
    ],
    [
      'archive tiers out of order',
      (c) => ({
        ...c,
        storage: { ...c.storage, archiveTiering: { nearlineAfterDays: 90, coldlineAfterDays: 30 } },
      }),
      'ages must be whole days and strictly increase',
    ],
    [
      'archive deletion before a transition',
      (c) => ({
        ...c,
        storage: { ...c.storage, archiveTiering: { nearlineAfterDays: 30, deleteAfterDays: 10 } },
      }),
      'storage.archiveTiering.deleteAfterDays = 10',
    ],
    [
      'an unknown delivery',
      (c) => ({ ...c, streams: { ...c.streams, delivery: 'kafka' as 'dataflow' } }),
      'streams.delivery = "kafka"',
    ],
    [
      'too few delivery attempts',
      (c) => ({ ...c, streams: { ...c.streams, maxDeliveryAttempts: 3 } }),
      'streams.maxDeliveryAttempts = 3: must be a whole number from 5 to 100',
    ],
    [
      'a topic retention over 31 days',
      (c) => ({ ...c, streams: { ...c.streams, topicRetentionHours: 1000 } }),
      'streams.topicRetentionHours = 1000',
    ],
    [
      'zero Dataflow workers',
      (c) => ({ ...c, dataflow: { ...c.dataflow, maxWorkers: 0 } }),
      'dataflow.maxWorkers = 0',
    ],
    [
      'a malformed machine type',
      (c) => ({ ...c, dataflow: { ...c.dataflow, machineType: 'big' } }),
      'dataflow.machineType = "big"',
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
    const error = withChange((c) => ({ ...c, projectId: 'X', region: 'mars-central1', labels: {} }));
    expect(error.violations.map((v) => v.field)).toEqual([
      'projectId',
      'region',
      'labels',
      'labels.environment',
      'labels.owner',
      'labels.cost-center',
      'labels.managed-by',
      'network.subnetwork',
    ]);
    expect(error.message.split('\n')).toHaveLength(9);
  });
});
