import { Principal } from '../../constructs/iam/principal';
import { DataBucket, type DataBucketProps } from '../../constructs/storage/data-bucket';
import { ValidationError } from '../../core/validation';
import { errorOf, only, resources, synth, testStack } from '../helpers';

const KEY = 'projects/sec-project-1/locations/europe/keyRings/data/cryptoKeys/lake';

function bucket(props: Partial<DataBucketProps> = {}) {
  const stack = testStack();
  const b = new DataBucket(stack, 'Bucket', { bucketName: 'trb-test-lake', location: 'EU', ...props });
  return { stack, bucket: b, json: () => synth(stack) };
}

describe('DataBucket', () => {
  test('has secure defaults', () => {
    const { json } = bucket();
    expect(only(json(), 'google_storage_bucket')).toEqual({
      name: 'trb-test-lake',
      location: 'EU',
      project: 'trb-test-project',
      storage_class: 'STANDARD',
      uniform_bucket_level_access: true,
      public_access_prevention: 'enforced',
      force_destroy: false,
      versioning: { enabled: false },
      soft_delete_policy: { retention_duration_seconds: 604_800 },
    });
  });

  test('sends the location uppercase, the form the API returns', () => {
    const { json } = bucket({ location: 'europe-west1' });
    expect(only(json(), 'google_storage_bucket').location).toBe('EUROPE-WEST1');
  });

  test('supports versioning, retention, labels, soft delete, prevent_destroy and storage class', () => {
    const { json } = bucket({
      versioned: true,
      retention: { periodDays: 30, locked: true },
      labels: { dataset: 'lake' },
      softDeleteRetentionDays: 0,
      preventDestroy: true,
      storageClass: 'NEARLINE',
    });
    expect(only(json(), 'google_storage_bucket')).toMatchObject({
      versioning: { enabled: true },
      retention_policy: { retention_period: 2_592_000, is_locked: true },
      labels: { dataset: 'lake' },
      soft_delete_policy: { retention_duration_seconds: 0 },
      lifecycle: { prevent_destroy: true },
      storage_class: 'NEARLINE',
    });
  });

  test('maps typed lifecycle rules to GCS lifecycle rules', () => {
    const { json } = bucket({
      versioned: true,
      lifecycleRules: [
        { action: 'SetStorageClass', storageClass: 'NEARLINE', ageDays: 30 },
        { action: 'SetStorageClass', storageClass: 'ARCHIVE', ageDays: 365 },
        { action: 'Delete', ageDays: 730 },
        { action: 'DeleteNoncurrent', noncurrentDays: 90, keepVersions: 10 },
        { action: 'AbortIncompleteUpload', ageDays: 1 },
      ],
    });
    expect(only(json(), 'google_storage_bucket').lifecycle_rule).toEqual([
      { action: { type: 'SetStorageClass', storage_class: 'NEARLINE' }, condition: { age: 30 } },
      { action: { type: 'SetStorageClass', storage_class: 'ARCHIVE' }, condition: { age: 365 } },
      { action: { type: 'Delete' }, condition: { age: 730 } },
      {
        action: { type: 'Delete' },
        condition: { with_state: 'ARCHIVED', days_since_noncurrent_time: 90, num_newer_versions: 10 },
      },
      { action: { type: 'AbortIncompleteMultipartUpload' }, condition: { age: 1 } },
    ]);
  });

  test('with CMEK, grants the storage service agent on the key and waits for the grant', () => {
    const { json } = bucket({ encryptionKey: KEY, projectNumber: '123456789012' });
    const out = json();
    const keyMember = only(out, 'google_kms_crypto_key_iam_member');
    expect(keyMember).toEqual({
      crypto_key_id: KEY,
      role: 'roles/cloudkms.cryptoKeyEncrypterDecrypter',
      member: 'serviceAccount:service-123456789012@gs-project-accounts.iam.gserviceaccount.com',
      // GA's data source creates the agent if it does not exist yet; the grant waits for it.
      depends_on: ['data.google_storage_project_service_account.StorageAgent-trb-test-project'],
    });
    const b = only(out, 'google_storage_bucket');
    expect(b.encryption).toEqual({ default_kms_key_name: KEY });
    const keyMemberName = Object.keys(out.resource?.google_kms_crypto_key_iam_member ?? {})[0];
    expect(b.depends_on).toEqual([`google_kms_crypto_key_iam_member.${keyMemberName}`]);
  });

  test('offers bucket-scoped read, create and object-admin grants', () => {
    const { stack, bucket: b } = bucket();
    const reader = Principal.group('readers@example.com');
    expect(b.grantRead(reader).role).toBe('roles/storage.objectViewer');
    b.grantCreate(Principal.group('uploaders@example.com'));
    b.grantObjectAdmin(Principal.group('admins@example.com'));
    const members = resources(synth(stack), 'google_storage_bucket_iam_member');
    expect(members).toHaveLength(3);
    expect(members).toEqual(
      expect.arrayContaining([
        {
          bucket: `\${google_storage_bucket.${b.resource.friendlyUniqueId}.name}`,
          role: 'roles/storage.objectViewer',
          member: 'group:readers@example.com',
        },
        {
          bucket: `\${google_storage_bucket.${b.resource.friendlyUniqueId}.name}`,
          role: 'roles/storage.objectCreator',
          member: 'group:uploaders@example.com',
        },
        {
          bucket: `\${google_storage_bucket.${b.resource.friendlyUniqueId}.name}`,
          role: 'roles/storage.objectAdmin',
          member: 'group:admins@example.com',
        },
      ]),
    );
    expect(b.url).toBe('gs://trb-test-lake');
  });

  test.each<[string, Partial<DataBucketProps>, string]>([
    [
      'a bucket name with uppercase',
      { bucketName: 'Trb-Lake' },
      'bucketName = "Trb-Lake": must be 3-63 characters',
    ],
    [
      'a bucket name containing google',
      { bucketName: 'my-google-lake' },
      'not start with "goog" or contain "google"',
    ],
    ['a bucket name over 63 characters', { bucketName: 'a'.repeat(64) }, 'bucketName = "aaaa'],
    ['an empty location', { location: '' }, 'location = "": is required'],
    [
      'an unknown location',
      { location: 'europe-west99' },
      'location = "europe-west99": must be a known Google Cloud region, a multi-region (US, EU) or a dual-region',
    ],
    [
      'an invalid project id',
      { project: 'Acme_Payments!' },
      'project = "Acme_Payments!": must be 6-30 characters',
    ],
    [
      'a soft delete of 3 days',
      { softDeleteRetentionDays: 3 },
      'softDeleteRetentionDays = 3: must be 0 (disabled) or a whole number of days from 7 to 90',
    ],
    [
      'a fractional retention',
      { retention: { periodDays: 1.5 } },
      'retention.periodDays = 1.5: must be a whole number of days from 1 to 36500',
    ],
    [
      'a malformed key',
      { encryptionKey: 'my-key' },
      'encryptionKey = "my-key": must be a Cloud KMS key name',
    ],
    [
      'a key in the wrong location',
      { encryptionKey: 'projects/p/locations/us/keyRings/r/cryptoKeys/k' },
      'key location must be europe to protect data in EU',
    ],
    [
      'an invalid label key',
      { labels: { 'Cost Center': 'x' } },
      'labels.Cost Center = "x": label keys must be',
    ],
    [
      'a transition to a warmer class',
      {
        lifecycleRules: [
          { action: 'SetStorageClass', storageClass: 'COLDLINE', ageDays: 30 },
          { action: 'SetStorageClass', storageClass: 'NEARLINE', ageDays: 60 },
        ],
      },
      'lifecycleRules[1].storageClass = "NEARLINE": must be colder than COLDLINE, the class objects hold at 60 days',
    ],
    [
      'a delete before the last transition',
      {
        lifecycleRules: [
          { action: 'SetStorageClass', storageClass: 'ARCHIVE', ageDays: 365 },
          { action: 'Delete', ageDays: 100 },
        ],
      },
      'lifecycleRules[1].ageDays = 100: must be later than the last storage-class transition (365 days)',
    ],
    [
      'a delete shorter than the retention period',
      { retention: { periodDays: 90 }, lifecycleRules: [{ action: 'Delete', ageDays: 30 }] },
      'lifecycleRules[0].ageDays = 30: must not be shorter than the retention period (90 days)',
    ],
    [
      'an unknown storage class',
      { storageClass: 'REGIONAL' as 'STANDARD' },
      'storageClass = "REGIONAL": must be one of STANDARD, NEARLINE, COLDLINE, ARCHIVE',
    ],
    [
      'a zero-day noncurrent rule',
      { versioned: true, lifecycleRules: [{ action: 'DeleteNoncurrent', noncurrentDays: 0 }] },
      'lifecycleRules[0].noncurrentDays = 0: must be a whole number of days >= 1',
    ],
    [
      'keeping zero newer versions',
      {
        versioned: true,
        lifecycleRules: [{ action: 'DeleteNoncurrent', noncurrentDays: 30, keepVersions: 0 }],
      },
      'lifecycleRules[0].keepVersions = 0: must be a whole number >= 1',
    ],
    [
      'a zero-day rule',
      { lifecycleRules: [{ action: 'Delete', ageDays: 0 }] },
      'lifecycleRules[0].ageDays = 0: must be a whole number of days >= 1',
    ],
    [
      'noncurrent deletion on an unversioned bucket',
      { lifecycleRules: [{ action: 'DeleteNoncurrent', noncurrentDays: 30 }] },
      'lifecycleRules[0].action = "DeleteNoncurrent": needs versioned: true',
    ],
  ])('fails for %s', (_case, props, message) => {
    const error = errorOf(() => bucket(props));
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.message).toContain('test/Bucket (DataBucket)');
    expect(error.message).toContain(message);
  });

  test('fails with every problem in one error', () => {
    const error = errorOf(() =>
      bucket({ bucketName: 'BAD', softDeleteRetentionDays: 1, encryptionKey: 'k' }),
    ) as ValidationError;
    expect(error.violations.map((v) => v.field)).toEqual([
      'bucketName',
      'softDeleteRetentionDays',
      'encryptionKey',
    ]);
    expect(error.message).toMatch(/^test\/Bucket \(DataBucket\): 3 problems/);
  });

  test.each(['europe-west1', 'EU', 'us', 'eur4'])('accepts the location %s', (location) => {
    expect(() => bucket({ location })).not.toThrow();
  });

  test('fromBucketName grants on an existing bucket without creating or changing it', () => {
    const stack = testStack();
    const existing = DataBucket.fromBucketName(stack, 'Partner', 'acme-partner-drop');
    expect(existing.url).toBe('gs://acme-partner-drop');
    existing.grantRead(Principal.group('analysts@example.com'));
    const json = synth(stack);
    expect(resources(json, 'google_storage_bucket')).toEqual([]);
    expect(only(json, 'google_storage_bucket_iam_member')).toMatchObject({
      bucket: 'acme-partner-drop',
      role: 'roles/storage.objectViewer',
      member: 'group:analysts@example.com',
    });
    expect(stack.grants.records[0]).toMatchObject({
      resourceType: 'google_storage_bucket',
      resource: 'acme-partner-drop',
    });
  });

  test('fromBucketName fails a name GCS would refuse, naming the construct', () => {
    const error = errorOf(() => DataBucket.fromBucketName(testStack(), 'Partner', 'Acme Drop'));
    expect(error.message).toContain('test/Partner (ImportedBucket)');
    expect(error.message).toContain('bucketName = "Acme Drop": must be 3-63 characters');
  });
});
