import { AnalyticsDataset } from '../../constructs/bigquery/analytics-dataset';
import { GrantLedger } from '../../constructs/iam/grants';
import { Principal } from '../../constructs/iam/principal';
import {
  PlatformFoundation,
  type PlatformFoundationProps,
} from '../../constructs/platform/foundation/foundation';
import { DataBucket } from '../../constructs/storage/data-bucket';
import { errorOf, resources, synth, testStack } from '../helpers';

const base: PlatformFoundationProps = {
  project: 'trb-test-project',
  region: 'europe-west1',
  dataLocation: 'EU',
  namePrefix: 'trb-tst',
  production: false,
};

function foundation(props: Partial<PlatformFoundationProps> = {}) {
  const stack = testStack({ production: props.production ?? false });
  const f = new PlatformFoundation(stack, 'Platform', { ...base, ...props });
  return { stack, foundation: f, json: () => synth(stack) };
}

function bucketNamed(json: ReturnType<typeof synth>, name: string) {
  const hit = resources(json, 'google_storage_bucket').find((b) => b.name === name);
  if (!hit) throw new Error(`no bucket ${name}`);
  return hit;
}

describe('PlatformFoundation', () => {
  test('creates the landing, archive, Dataflow staging and artifacts buckets in the data location, secured', () => {
    const json = foundation().json();
    expect(
      resources(json, 'google_storage_bucket')
        .map((b) => [b.name, b.location])
        .sort(),
    ).toEqual([
      ['trb-test-project-archive', 'EU'],
      ['trb-test-project-artifacts', 'EU'],
      ['trb-test-project-dataflow-staging', 'EU'],
      ['trb-test-project-landing', 'EU'],
    ]);
    for (const b of resources(json, 'google_storage_bucket'))
      expect(b).toMatchObject({
        uniform_bucket_level_access: true,
        public_access_prevention: 'enforced',
        force_destroy: false,
      });
  });

  test('creates the raw, staging and curated datasets named after the prefix', () => {
    const json = foundation().json();
    expect(
      resources(json, 'google_bigquery_dataset')
        .map((d) => [d.dataset_id, (d.labels as Record<string, string>).layer, d.location])
        .sort(),
    ).toEqual([
      ['trb_tst_curated', 'curated', 'EU'],
      ['trb_tst_raw', 'raw', 'EU'],
      ['trb_tst_staging', 'staging', 'EU'],
    ]);
  });

  test('creates no identities and grants nothing until a capability asks', () => {
    const { stack, json } = foundation();
    expect(resources(json(), 'google_service_account')).toEqual([]);
    expect(GrantLedger.of(stack).records).toEqual([]);
  });

  test('tiers the archive to colder classes and expires landing uploads and temp files', () => {
    const json = foundation({
      storage: {
        landingRetentionDays: 10,
        stagingObjectTtlDays: 2,
        archiveTiering: { deleteAfterDays: 800 },
      },
    }).json();
    expect(bucketNamed(json, 'trb-test-project-archive').lifecycle_rule).toEqual([
      { action: { type: 'SetStorageClass', storage_class: 'NEARLINE' }, condition: { age: 30 } },
      { action: { type: 'SetStorageClass', storage_class: 'COLDLINE' }, condition: { age: 90 } },
      { action: { type: 'SetStorageClass', storage_class: 'ARCHIVE' }, condition: { age: 365 } },
      { action: { type: 'Delete' }, condition: { age: 800 } },
    ]);
    expect(bucketNamed(json, 'trb-test-project-landing').lifecycle_rule).toEqual([
      { action: { type: 'Delete' }, condition: { age: 10 } },
      // The batch loader's staged rows go sooner (the staging TTL, never later than the uploads).
      { action: { type: 'Delete' }, condition: { age: 2, matches_prefix: ['staging/'] } },
      { action: { type: 'AbortIncompleteMultipartUpload' }, condition: { age: 1 } },
    ]);
    const staging = bucketNamed(json, 'trb-test-project-dataflow-staging');
    expect(staging.lifecycle_rule).toEqual([{ action: { type: 'Delete' }, condition: { age: 2 } }]);
    expect(staging.soft_delete_policy).toEqual({ retention_duration_seconds: 0 });
  });

  test('creates a workload identity on first request, once, and lets the deployer act as it only', () => {
    const deployer = Principal.serviceAccount('trb-tst-deployer@trb-test-project.iam.gserviceaccount.com');
    const { foundation: f, json } = foundation({ deployer });
    const first = f.workloadIdentity('batch-loader', 'Loads landing uploads');
    expect(f.workloadIdentity('batch-loader', 'Loads landing uploads')).toBe(first);
    expect(first.accountId).toBe('trb-tst-batch-loader');
    const synthesized = json();
    expect(resources(synthesized, 'google_service_account')).toEqual([
      expect.objectContaining({ account_id: 'trb-tst-batch-loader', description: 'Loads landing uploads' }),
    ]);
    expect(resources(synthesized, 'google_service_account_iam_member')).toEqual([
      expect.objectContaining({ role: 'roles/iam.serviceAccountUser', member: deployer.iamMember }),
    ]);
    expect(
      resources(synthesized, 'google_project_iam_member').some(
        (m) => m.role === 'roles/iam.serviceAccountUser',
      ),
    ).toBe(false);
  });

  test('lets named uploaders create objects in the landing bucket only', () => {
    const json = foundation({ landingUploaders: [Principal.group('partner-uploads@example.com')] }).json();
    const creators = resources(json, 'google_storage_bucket_iam_member').filter(
      (m) => m.role === 'roles/storage.objectCreator',
    );
    expect(creators).toHaveLength(1);
    expect(creators[0]?.member).toBe('group:partner-uploads@example.com');
    expect(String(creators[0]?.bucket)).toContain('Platform_LandingBucket');
  });

  test('in production, protects the landing and archive buckets from destroy but not the temp bucket', () => {
    const json = foundation({ production: true, storage: { archiveRetentionDays: 30 } }).json();
    expect(bucketNamed(json, 'trb-test-project-archive')).toMatchObject({
      lifecycle: { prevent_destroy: true },
      retention_policy: { retention_period: 2_592_000, is_locked: false },
    });
    expect(bucketNamed(json, 'trb-test-project-landing').lifecycle).toEqual({ prevent_destroy: true });
    expect(bucketNamed(json, 'trb-test-project-dataflow-staging').lifecycle).toBeUndefined();
  });

  test('deletion protection can be on outside production (staging)', () => {
    const staging = foundation({ production: false, deletionProtection: true });
    expect(staging.foundation.deletionProtection).toBe(true);
    expect(bucketNamed(staging.json(), 'trb-test-project-archive').lifecycle).toEqual({
      prevent_destroy: true,
    });
  });

  test('with CMEK, encrypts every bucket and dataset and grants each service agent on the key once', () => {
    const key = 'projects/sec-project-1/locations/europe/keyRings/data/cryptoKeys/lake';
    const json = foundation({ encryptionKey: key, projectNumber: '123456789012' }).json();
    for (const b of resources(json, 'google_storage_bucket'))
      expect(b.encryption).toEqual({ default_kms_key_name: key });
    for (const d of resources(json, 'google_bigquery_dataset'))
      expect(d.default_encryption_configuration).toEqual({ kms_key_name: key });
    expect(
      resources(json, 'google_kms_crypto_key_iam_member')
        .map((m) => m.member)
        .sort(),
    ).toEqual([
      'serviceAccount:bq-123456789012@bigquery-encryption.iam.gserviceaccount.com',
      'serviceAccount:service-123456789012@gs-project-accounts.iam.gserviceaccount.com',
    ]);
  });

  test('keeps runtime artifacts apart from temp files: versioned, no age-based delete', () => {
    expect(bucketNamed(foundation().json(), 'trb-test-project-artifacts')).toMatchObject({
      versioning: { enabled: true },
      lifecycle_rule: [
        {
          action: { type: 'Delete' },
          condition: { days_since_noncurrent_time: 30, num_newer_versions: 3, with_state: 'ARCHIVED' },
        },
      ],
    });
  });

  test('uses the buckets and datasets a team brings instead of creating them, and grants on those', () => {
    const stack = testStack();
    const landing = DataBucket.fromBucketName(stack, 'TeamLanding', 'acme-landing-uploads');
    const raw = AnalyticsDataset.fromDatasetId(stack, 'TeamRaw', {
      datasetId: 'acme_raw',
      project: 'acme-data-prod',
      layer: 'raw',
      location: 'EU',
    });
    const f = new PlatformFoundation(stack, 'Platform', {
      ...base,
      buckets: { landing },
      datasets: { raw },
      landingUploaders: [Principal.group('partner-uploads@example.com')],
    });
    f.datasets.raw.grantDataViewer(Principal.group('analysts@example.com'));
    expect(f.buckets.landing).toBe(landing);
    expect(f.datasets.raw).toBe(raw);
    const json = synth(stack);
    expect(resources(json, 'google_storage_bucket').map((b) => b.name)).not.toContain(
      'trb-test-project-landing',
    );
    expect(resources(json, 'google_storage_bucket')).toHaveLength(3);
    expect(
      resources(json, 'google_bigquery_dataset')
        .map((d) => d.dataset_id)
        .sort(),
    ).toEqual(['trb_tst_curated', 'trb_tst_staging']);
    expect(resources(json, 'google_storage_bucket_iam_member')).toEqual([
      expect.objectContaining({ bucket: 'acme-landing-uploads', role: 'roles/storage.objectCreator' }),
    ]);
    expect(resources(json, 'google_bigquery_dataset_iam_member')).toEqual([
      expect.objectContaining({
        project: 'acme-data-prod',
        dataset_id: 'acme_raw',
        role: 'roles/bigquery.dataViewer',
      }),
    ]);
    expect(GrantLedger.of(stack).records.map((r) => `${r.resource} ${r.role}`)).toEqual([
      'acme-data-prod.acme_raw roles/bigquery.dataViewer',
      'acme-landing-uploads roles/storage.objectCreator',
    ]);
  });

  test.each<[string, Partial<PlatformFoundationProps>, string]>([
    [
      'a long name prefix',
      { namePrefix: 'tributary-production' },
      'namePrefix = "tributary-production": must be 2-12 characters',
    ],
    [
      'a zero landing retention',
      { storage: { landingRetentionDays: 0 } },
      'storage.landingRetentionDays = 0: must be a whole number of days from 1 to 3650',
    ],
    [
      'a fractional staging TTL',
      { storage: { stagingObjectTtlDays: 0.5 } },
      'storage.stagingObjectTtlDays = 0.5: must be a whole number of days from 1 to 365',
    ],
    [
      'an invalid project id',
      { project: 'Acme_Payments!' },
      'project = "Acme_Payments!": must be 6-30 characters',
    ],
    [
      'an unknown region',
      { region: 'europe-west99' },
      'region = "europe-west99": must be a known Google Cloud region',
    ],
    [
      'a data location away from the region',
      { dataLocation: 'US' },
      'dataLocation = "US": must be europe-west1 or EU',
    ],
    [
      'a subnetwork in another region',
      {
        network: {
          network: 'projects/trb-test-project/global/networks/n',
          subnetwork: 'regions/us-east1/subnetworks/s',
        },
      },
      'network.subnetwork = "regions/us-east1/subnetworks/s": must be in region europe-west1',
    ],
  ])('fails for %s, naming the construct, field, value and rule', (_case, props, message) => {
    const error = errorOf(() => foundation(props));
    expect(error.message).toContain('test/Platform (PlatformFoundation)');
    expect(error.message).toContain(message);
  });
});
