import { checkEncryptionSettings, KeyMap } from '../../constructs/platform/foundation/key-map';
import { StreamingPlatform } from '../../constructs/platform/streaming-platform';
import { Checks } from '../../core/validation';
import { order } from '../../stacks/contracts/order';
import { errorOf, resources, synth, testStack } from '../helpers';

const key = (location: string, name = 'k') =>
  `projects/sec-1/locations/${location}/keyRings/r/cryptoKeys/${name}`;

describe('KeyMap', () => {
  test('keys: a key per service with a default for the rest, checked against each resource location', () => {
    const map = new KeyMap(testStack(), 'Keys', {
      project: 'trb-test-project',
      namePrefix: 'trb-tst',
      settings: { kind: 'keys', default: key('europe-west1'), services: { bigquery: key('europe', 'bq') } },
    });
    expect(map.keyFor('bigquery', 'EU')).toBe(key('europe', 'bq'));
    expect(map.keyFor('run', 'europe-west1')).toBe(key('europe-west1'));
    // Pub/Sub is global: any location.
    expect(map.keyFor('pubsub', 'europe-west1')).toBe(key('europe-west1'));
    expect(errorOf(() => map.keyFor('storage', 'EU')).message).toContain(
      `default = "${key('europe-west1')}": is in europe-west1; storage in EU needs a key in europe`,
    );
    expect(errorOf(() => map.keyFor('bigquery', 'US')).message).toContain('bigquery in US needs a key in us');
  });

  test('the encryptionKey shorthand keys every service it always covered, and names itself when a location cannot work', () => {
    const stack = testStack();
    new StreamingPlatform(stack, 'Platform', {
      project: 'trb-test-project',
      region: 'europe-west1',
      dataLocation: 'europe-west1',
      namePrefix: 'trb-tst',
      production: false,
      encryptionKey: key('europe-west1'),
      streams: { delivery: { kind: 'bigquery-subscription' }, contracts: [order] },
      loader: { image: 'europe-west1-docker.pkg.dev/trb-test-project/tributary/loader:0123456789abcdef' },
    });
    const json = synth(stack);
    const job = resources(json, 'google_cloud_run_v2_job')[0] as {
      template: { template: { encryption_key?: string } };
    };
    expect(job.template.template.encryption_key).toBe(key('europe-west1'));
    expect(resources(json, 'google_workflows_workflow')[0]?.crypto_key_name).toBe(key('europe-west1'));
    const map = new KeyMap(testStack(), 'Keys', {
      project: 'p-1',
      namePrefix: 'trb-tst',
      field: 'encryptionKey',
      settings: { kind: 'keys', services: { run: key('europe') } },
    });
    expect(errorOf(() => map.keyFor('run', 'europe-west1')).message).toContain(
      'Encryption (encryptionKey) for run in europe-west1',
    );
  });

  test('per-location: the key of the location each resource needs; fails a location without one', () => {
    const map = new KeyMap(testStack(), 'Keys', {
      project: 'trb-test-project',
      namePrefix: 'trb-tst',
      settings: {
        kind: 'per-location',
        keys: { europe: key('europe'), 'europe-west1': key('europe-west1') },
      },
    });
    expect(map.keyFor('bigquery', 'EU')).toBe(key('europe'));
    expect(map.keyFor('composer', 'europe-west1')).toBe(key('europe-west1'));
    expect(errorOf(() => map.keyFor('run', 'us-east1')).message).toContain(
      'keys = ["europe","europe-west1"]: has no key in us-east1, which run in us-east1 needs',
    );
  });

  test('managed: a ring per location and a key per service, rotated and never destroyed, created once', () => {
    const stack = testStack();
    const map = new KeyMap(stack, 'Keys', {
      project: 'trb-test-project',
      namePrefix: 'trb-tst',
      settings: { kind: 'managed', rotationDays: 30, required: true },
    });
    const a = map.keyFor('bigquery', 'EU');
    expect(a).toBe('projects/trb-test-project/locations/europe/keyRings/trb-tst/cryptoKeys/trb-tst-bigquery');
    expect(map.keyFor('bigquery', 'EU')).toBe(a);
    map.keyFor('run', 'europe-west1');
    expect(map.required).toBe(true);
    const json = synth(stack);
    expect(
      resources(json, 'google_kms_key_ring')
        .map((r) => r.location)
        .sort(),
    ).toEqual(['europe', 'europe-west1']);
    expect(resources(json, 'google_kms_crypto_key')).toEqual([
      expect.objectContaining({
        name: 'trb-tst-bigquery',
        rotation_period: '2592000s',
        lifecycle: { prevent_destroy: true },
      }),
      expect.objectContaining({ name: 'trb-tst-run', rotation_period: '2592000s' }),
    ]);
  });

  test('fails settings that break the rules, every problem at once', () => {
    const c = new Checks('foundation');
    checkEncryptionSettings(
      c,
      { kind: 'keys', default: 'k1', services: { bogus: key('europe') } as never },
      'encryption.',
    );
    checkEncryptionSettings(
      c,
      { kind: 'per-location', keys: { europe: key('europe-west1') } },
      'encryption.',
    );
    checkEncryptionSettings(c, { kind: 'managed', rotationDays: 365 }, 'encryption.');
    const text = errorOf(() => c.throwIfAny()).message;
    expect(text).toContain('encryption.default = "k1": must be a Cloud KMS key name');
    expect(text).toContain('encryption.services = "bogus": must be one of pubsub, bigquery');
    expect(text).toContain(`encryption.keys.europe = "${key('europe-west1')}": must be a key in europe`);
    expect(text).toContain(
      'encryption.rotationDays = 365: must be a whole number of days from 1 to 90 (CIS 1.10)',
    );
  });
});
