import { ComposerEnvironment } from '../../constructs/composer/composer-environment';
import { GrantLedger } from '../../constructs/iam/grants';
import { ServiceIdentity } from '../../constructs/iam/service-identity';
import { DataBucket } from '../../constructs/storage/data-bucket';
import { errorOf, only, synth, testStack } from '../helpers';

function setup(production = false) {
  const stack = testStack({ production });
  const identity = new ServiceIdentity(stack, 'Identity', { name: 'orchestrator', prefix: 'trb-tst' });
  const bucket = DataBucket.fromBucketName(stack, 'Bucket', 'trb-test-project-composer');
  return { stack, identity, bucket };
}

describe('ComposerEnvironment', () => {
  test('is a private Composer 3 environment on its own account and bucket, with the UI closed by default', () => {
    const { stack, identity, bucket } = setup();
    const env = new ComposerEnvironment(stack, 'Composer', {
      environmentName: 'trb-tst-composer',
      region: 'europe-west1',
      identity,
      bucket,
      projectNumber: '123456789012',
      maintenanceWindow: {
        startTime: '2026-01-01T01:00:00Z',
        endTime: '2026-01-01T07:00:00Z',
        recurrence: 'FREQ=WEEKLY;BYDAY=SA,SU',
      },
      workloads: { worker: { cpu: 1, memoryGb: 4, storageGb: 5, minCount: 1, maxCount: 3 } },
      preventDestroy: false,
    });
    expect(env.dagFolder).toBe('gs://trb-test-project-composer/dags');
    const json = synth(stack);
    expect(stack.policy.errors).toEqual([]);
    expect(only(json, 'google_composer_environment')).toMatchObject({
      name: 'trb-tst-composer',
      storage_config: { bucket: 'trb-test-project-composer' },
      config: {
        environment_size: 'ENVIRONMENT_SIZE_SMALL',
        enable_private_environment: true,
        software_config: { image_version: 'composer-3-airflow-2' },
        node_config: { service_account: expect.stringContaining('google_service_account.Identity') },
        web_server_network_access_control: { allowed_ip_range: [] },
        maintenance_window: { recurrence: 'FREQ=WEEKLY;BYDAY=SA,SU' },
        workloads_config: { worker: { min_count: 1, max_count: 3, memory_gb: 4 } },
      },
    });
    // Composer 3's service agent gets its documented role on this environment's account only.
    const agent = GrantLedger.of(stack).records.filter(
      (r) => r.principal === 'serviceAgent:composer@trb-test-project',
    );
    expect(agent.map((r) => [r.resourceType, r.role])).toEqual([
      ['google_service_account', 'roles/composer.ServiceAgentV2Ext'],
    ]);
  });

  test('in production with a pinned build and lifecycle protection, it passes the Composer policy', () => {
    const { stack, identity, bucket } = setup(true);
    new ComposerEnvironment(stack, 'Composer', {
      environmentName: 'trb-prod-composer',
      region: 'europe-west1',
      identity,
      bucket,
      imageVersion: 'composer-3-airflow-2.10.5-build.12',
      webServerAllowedRanges: ['10.0.0.0/8'],
      preventDestroy: true,
    });
    const json = synth(stack);
    expect(stack.policy.errors).toEqual([]);
    expect(only(json, 'google_composer_environment')).toMatchObject({ lifecycle: { prevent_destroy: true } });
  });

  test('fails an unpinned image in production through the policy, naming it', () => {
    const { stack, identity, bucket } = setup(true);
    new ComposerEnvironment(stack, 'Composer', {
      environmentName: 'trb-prod-composer',
      region: 'europe-west1',
      identity,
      bucket,
      preventDestroy: true,
    });
    synth(stack);
    expect(stack.policy.errors.map((f) => [f.ruleId, f.detail])).toEqual([
      [
        'TRB-CMP-4',
        'environment trb-prod-composer uses image "composer-3-airflow-2", not a pinned composer-3 build',
      ],
    ]);
  });

  test('fails a bad name, image, size, ranges and worker counts, listing every problem', () => {
    const { stack, identity, bucket } = setup();
    const message = errorOf(
      () =>
        new ComposerEnvironment(stack, 'Composer', {
          environmentName: 'Composer_1',
          region: 'europe-west1',
          identity,
          bucket,
          imageVersion: 'composer-2-airflow-2',
          size: 'HUGE' as never,
          webServerAllowedRanges: ['anywhere'],
          workloads: { worker: { cpu: 1, memoryGb: 4, storageGb: 5, minCount: 3, maxCount: 1 } },
          preventDestroy: false,
        }),
    ).message;
    for (const part of [
      'environmentName = "Composer_1"',
      'imageVersion = "composer-2-airflow-2": must be a Composer 3 image',
      'size = "HUGE": must be one of',
      'webServerAllowedRanges[0] = "anywhere": must be a CIDR range',
      'workloads.worker',
    ])
      expect(message).toContain(part);
  });
});
