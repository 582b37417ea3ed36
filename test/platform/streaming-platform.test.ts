import { GrantLedger } from '../../constructs/iam/grants';
import { Principal } from '../../constructs/iam/principal';
import { StreamingPlatform, type StreamingPlatformProps } from '../../constructs/platform/streaming-platform';
import { baseContract } from '../contracts/fixtures';
import { errorOf, resources, synth, testStack } from '../helpers';

const base: StreamingPlatformProps = {
  project: 'trb-test-project',
  region: 'europe-west1',
  dataLocation: 'EU',
  namePrefix: 'trb-tst',
  production: false,
};

function platform(props: Partial<StreamingPlatformProps> = {}) {
  const stack = testStack({ production: props.production ?? false });
  const p = new StreamingPlatform(stack, 'Platform', { ...base, ...props });
  return { stack, platform: p, json: synth(stack) };
}

function bucketNamed(json: ReturnType<typeof synth>, name: string) {
  const hit = resources(json, 'google_storage_bucket').find((b) => b.name === name);
  if (!hit) throw new Error(`no bucket ${name}`);
  return hit;
}

describe('StreamingPlatform', () => {
  test('creates the landing, archive and Dataflow staging buckets in the data location', () => {
    const { json } = platform();
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
    for (const b of resources(json, 'google_storage_bucket')) {
      expect(b).toMatchObject({
        uniform_bucket_level_access: true,
        public_access_prevention: 'enforced',
        force_destroy: false,
      });
    }
  });

  test('tiers the archive to colder classes and expires landing uploads and temp files', () => {
    const { json } = platform({
      landingRetentionDays: 10,
      stagingObjectTtlDays: 2,
      archiveTiering: { deleteAfterDays: 800 },
    });
    expect(bucketNamed(json, 'trb-test-project-archive').lifecycle_rule).toEqual([
      { action: { type: 'SetStorageClass', storage_class: 'NEARLINE' }, condition: { age: 30 } },
      { action: { type: 'SetStorageClass', storage_class: 'COLDLINE' }, condition: { age: 90 } },
      { action: { type: 'SetStorageClass', storage_class: 'ARCHIVE' }, condition: { age: 365 } },
      { action: { type: 'Delete' }, condition: { age: 800 } },
    ]);
    expect(bucketNamed(json, 'trb-test-project-landing').lifecycle_rule).toEqual([
      { action: { type: 'Delete' }, condition: { age: 10 } },
      { action: { type: 'AbortIncompleteMultipartUpload' }, condition: { age: 1 } },
    ]);
    const staging = bucketNamed(json, 'trb-test-project-dataflow-staging');
    expect(staging.lifecycle_rule).toEqual([{ action: { type: 'Delete' }, condition: { age: 2 } }]);
    expect(staging.soft_delete_policy).toEqual({ retention_duration_seconds: 0 });
  });

  test('creates one identity per workload', () => {
    const { json, platform: p } = platform();
    expect(
      resources(json, 'google_service_account')
        .map((s) => s.account_id)
        .sort(),
    ).toEqual([
      'trb-tst-ingest',
      'trb-tst-loader',
      'trb-tst-looker',
      'trb-tst-orchestrator',
      'trb-tst-vertex',
    ]);
    expect(p.identities.ingest.accountId).toBe('trb-tst-ingest');
  });

  test('grants each identity only what it needs, scoped as narrowly as GCP allows', () => {
    const { stack } = platform();
    const rows = GrantLedger.of(stack).records.map(
      (r) => `${r.principal.split('@')[0]} ${r.role} ${r.resource}`,
    );
    expect(rows).toEqual([
      'serviceAccount:trb-tst-ingest roles/cloudtrace.agent trb-test-project',
      'serviceAccount:trb-tst-ingest roles/logging.logWriter trb-test-project',
      'serviceAccount:trb-tst-ingest roles/monitoring.metricWriter trb-test-project',
      'serviceAccount:trb-tst-loader roles/bigquery.dataEditor trb-test-project.trb_tst_raw',
      'serviceAccount:trb-tst-loader roles/bigquery.jobUser trb-test-project',
      'serviceAccount:trb-tst-loader roles/logging.logWriter trb-test-project',
      'serviceAccount:trb-tst-loader roles/storage.objectViewer trb-test-project-landing',
      'serviceAccount:trb-tst-looker roles/bigquery.dataViewer trb-test-project.trb_tst_curated',
      'serviceAccount:trb-tst-looker roles/bigquery.jobUser trb-test-project',
      'serviceAccount:trb-tst-orchestrator roles/bigquery.dataEditor trb-test-project.trb_tst_curated',
      'serviceAccount:trb-tst-orchestrator roles/bigquery.dataViewer trb-test-project.trb_tst_raw',
      'serviceAccount:trb-tst-orchestrator roles/bigquery.dataEditor trb-test-project.trb_tst_staging',
      'serviceAccount:trb-tst-orchestrator roles/composer.worker trb-test-project',
      'serviceAccount:trb-tst-vertex roles/bigquery.dataViewer trb-test-project.trb_tst_curated',
      'serviceAccount:trb-tst-vertex roles/bigquery.jobUser trb-test-project',
      'serviceAccount:trb-tst-vertex roles/bigquery.readSessionUser trb-test-project',
    ]);
    expect(stack.policy.errors).toEqual([]);
  });

  test('lets the deployer act as every runtime identity, on each identity only', () => {
    const deployer = Principal.serviceAccount('trb-tst-deployer@trb-test-project.iam.gserviceaccount.com');
    const { json } = platform({ deployer });
    const actAs = resources(json, 'google_service_account_iam_member');
    expect(actAs).toHaveLength(5);
    for (const m of actAs)
      expect(m).toMatchObject({ role: 'roles/iam.serviceAccountUser', member: deployer.iamMember });
    expect(
      resources(json, 'google_project_iam_member').some((m) => m.role === 'roles/iam.serviceAccountUser'),
    ).toBe(false);
  });

  test('lets named uploaders create objects in the landing bucket only', () => {
    const { json } = platform({ landingUploaders: [Principal.group('partner-uploads@example.com')] });
    const creators = resources(json, 'google_storage_bucket_iam_member').filter(
      (m) => m.role === 'roles/storage.objectCreator',
    );
    expect(creators).toHaveLength(1);
    expect(creators[0]?.member).toBe('group:partner-uploads@example.com');
    expect(String(creators[0]?.bucket)).toContain('Platform_LandingBucket');
  });

  test('in production, protects the landing and archive buckets from destroy but not the temp bucket', () => {
    const { json } = platform({ production: true, archiveRetentionDays: 30 });
    expect(bucketNamed(json, 'trb-test-project-archive')).toMatchObject({
      lifecycle: { prevent_destroy: true },
      retention_policy: { retention_period: 2_592_000, is_locked: false },
    });
    expect(bucketNamed(json, 'trb-test-project-landing').lifecycle).toEqual({ prevent_destroy: true });
    expect(bucketNamed(json, 'trb-test-project-dataflow-staging').lifecycle).toBeUndefined();
  });

  test('deletion protection can be on outside production (staging) and off in production', () => {
    const staging = platform({ production: false, deletionProtection: true }).json;
    expect(bucketNamed(staging, 'trb-test-project-archive').lifecycle).toEqual({ prevent_destroy: true });
    const unprotected = platform({ production: true, deletionProtection: false }).json;
    expect(bucketNamed(unprotected, 'trb-test-project-archive').lifecycle).toBeUndefined();
  });

  test('with CMEK, encrypts every bucket and dataset and grants each service agent on the key once', () => {
    const key = 'projects/sec-project-1/locations/europe/keyRings/data/cryptoKeys/lake';
    const { json } = platform({ encryptionKey: key, projectNumber: '123456789012' });
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

  test('keeps Dataflow artifacts apart from temp files: versioned, no age-based delete', () => {
    const { json } = platform();
    expect(bucketNamed(json, 'trb-test-project-artifacts')).toMatchObject({
      versioning: { enabled: true },
      lifecycle_rule: [
        {
          action: { type: 'Delete' },
          condition: { days_since_noncurrent_time: 30, num_newer_versions: 3, with_state: 'ARCHIVED' },
        },
      ],
    });
  });

  const dataflow = {
    network: 'projects/trb-test-project/global/networks/tributary',
    subnetwork: 'regions/europe-west1/subnetworks/dataflow',
    machineType: 'n2-standard-2',
    maxWorkers: 2,
    deadLetterExpirationDays: 7,
  };

  test('with Dataflow delivery, each stream gets a job whose launch waits for the deployer to act as its worker', () => {
    const deployer = Principal.serviceAccount('trb-tst-deployer@trb-test-project.iam.gserviceaccount.com');
    const { json, platform: p } = platform({
      delivery: 'dataflow',
      dataflow,
      deployer,
      contracts: [baseContract()],
    });
    const job = p.streams.sale?.pipeline?.job;
    if (!job) throw new Error('no Dataflow job for the sale stream');
    const resource = resources(json, 'google_dataflow_flex_template_job')[0];
    expect(resource).toMatchObject({ name: 'trb-tst-sale', max_workers: 2, machine_type: 'n2-standard-2' });
    const actAs = resources(json, 'google_service_account_iam_member').filter((m) =>
      String(m.service_account_id).includes(job.identity.resource.friendlyUniqueId),
    );
    expect(actAs).toEqual([
      expect.objectContaining({ role: 'roles/iam.serviceAccountUser', member: deployer.iamMember }),
    ]);
    expect(resource?.depends_on).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          /^google_service_account_iam_member\..*WorkerIdentity_Grant-iamserviceAccountUser/,
        ),
      ]),
    );
    expect(p.streams.sale?.deadLetterTable?.tableId).toBe('sale_v1_dead_letter');
  });

  test('fails Dataflow delivery without the Dataflow settings', () => {
    const error = errorOf(() => platform({ delivery: 'dataflow', contracts: [baseContract()] }));
    expect(error.message).toContain(
      'dataflow = (not set): is required with dataflow delivery (network, sizing, dead-letter retention)',
    );
  });

  test.each<[string, Partial<StreamingPlatformProps>, string]>([
    [
      'a long name prefix',
      { namePrefix: 'tributary-production' },
      'namePrefix = "tributary-production": must be 2-12 characters',
    ],
    [
      'a zero landing retention',
      { landingRetentionDays: 0 },
      'landingRetentionDays = 0: must be a whole number of days >= 1',
    ],
    [
      'a fractional staging TTL',
      { stagingObjectTtlDays: 0.5 },
      'stagingObjectTtlDays = 0.5: must be a whole number of days >= 1',
    ],
  ])('fails for %s', (_case, props, message) => {
    const error = errorOf(() => platform(props));
    expect(error.message).toContain('test/Platform (StreamingPlatform)');
    expect(error.message).toContain(message);
  });
});
