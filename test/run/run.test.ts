import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Principal } from '../../constructs/iam/principal';
import { ServiceIdentity } from '../../constructs/iam/service-identity';
import {
  type CloudRunIngress,
  CloudRunService,
  type CloudRunServiceProps,
} from '../../constructs/run/cloud-run-service';
import { ContainerRepository } from '../../constructs/run/container-repository';
import { runtimeImage, runtimeImageInputs, sourceHash } from '../../constructs/run/image';
import { IngestGateway } from '../../constructs/run/ingest-gateway';
import { RuntimeSecret } from '../../constructs/run/runtime-secret';
import { DataBucket } from '../../constructs/storage/data-bucket';
import { parseGatewayManifest } from '../../contracts/gateway';
import { buildRuntime, RUNTIME_SERVICES } from '../../runtime/build';
import { imagePlan, main } from '../../scripts/image';
import { runtimeImageOf } from '../../stacks/environment-stack';
import { prod } from '../../stacks/environments/prod';
import { errorOf, only, resources, synth, testStack } from '../helpers';
import { MANIFEST } from '../runtime/ingest/harness';

const IMAGE = 'europe-west1-docker.pkg.dev/trb-test-project/tributary/ingest:0123456789abcdef';

function base() {
  const stack = testStack();
  const identity = new ServiceIdentity(stack, 'Identity', { name: 'ingest', prefix: 'trb-test' });
  const bucket = new DataBucket(stack, 'Artifacts', { bucketName: 'trb-test-artifacts', location: 'EU' });
  return { stack, identity, bucket };
}

describe('ContainerRepository', () => {
  test('is a Docker repository with immutable tags and cleanup, in the region', () => {
    const { stack } = base();
    const repo = new ContainerRepository(stack, 'Repo', {
      repositoryId: 'tributary',
      location: 'europe-west1',
    });
    expect(only(synth(stack), 'google_artifact_registry_repository')).toMatchObject({
      repository_id: 'tributary',
      location: 'europe-west1',
      format: 'DOCKER',
      docker_config: { immutable_tags: true },
      cleanup_policy_dry_run: false,
      cleanup_policies: [
        {
          id: 'delete-untagged',
          action: 'DELETE',
          condition: { tag_state: 'UNTAGGED', older_than: '2592000s' },
        },
        { id: 'keep-recent', action: 'KEEP', most_recent_versions: { keep_count: 20 } },
      ],
    });
    expect(repo.registryPath).toBe('europe-west1-docker.pkg.dev/trb-test-project/tributary');
  });

  test('fails a bad repository id and region', () => {
    const { stack } = base();
    const error = errorOf(
      () => new ContainerRepository(stack, 'Repo', { repositoryId: 'Tributary_1', location: 'mars-1' }),
    );
    expect(error.message).toContain('repositoryId = "Tributary_1": must be 1-63 lowercase letters');
    expect(error.message).toContain(
      'location = "mars-1": must be a known Google Cloud region such as europe-west1 or us-central1',
    );
  });

  test('takes a customer-managed key in its own location', () => {
    const { stack } = base();
    const key = 'projects/trb-kms/locations/europe-west1/keyRings/ring/cryptoKeys/registry';
    new ContainerRepository(stack, 'Repo', {
      repositoryId: 'tributary',
      location: 'europe-west1',
      encryptionKey: key,
    });
    expect(only(synth(stack), 'google_artifact_registry_repository')).toMatchObject({ kms_key_name: key });
  });

  test('fails a key that is not a Cloud KMS key name or is in another location', () => {
    const { stack } = base();
    const elsewhere = 'projects/trb-kms/locations/us-central1/keyRings/ring/cryptoKeys/registry';
    const wrongLocation = errorOf(
      () =>
        new ContainerRepository(stack, 'Repo', {
          repositoryId: 'tributary',
          location: 'europe-west1',
          encryptionKey: elsewhere,
        }),
    );
    expect(wrongLocation.message).toContain(
      `encryptionKey = "${elsewhere}": key location must be europe-west1: Artifact Registry encrypts a repository only with a key in its own location`,
    );
    const notAKey = errorOf(
      () =>
        new ContainerRepository(stack, 'Repo2', {
          repositoryId: 'tributary2',
          location: 'europe-west1',
          encryptionKey: 'my-key',
        }),
    );
    expect(notAKey.message).toContain('encryptionKey = "my-key"');
  });
});

describe('runtime images', () => {
  const root = path.resolve(__dirname, '../..');

  test('are tagged by the hash of the service sources, contracts, build script, Dockerfile and lockfile', () => {
    const inputs = runtimeImageInputs(root, 'ingest');
    expect(inputs).toEqual(
      expect.arrayContaining([
        'runtime/ingest/app.ts',
        'runtime/ingest/Dockerfile',
        'contracts/validator.ts',
        'runtime/build.ts',
        'package-lock.json',
      ]),
    );
    const image = runtimeImage(root, 'europe-west1-docker.pkg.dev/p-123456/tributary', 'ingest');
    expect(image).toBe(`europe-west1-docker.pkg.dev/p-123456/tributary/ingest:${sourceHash(root, inputs)}`);
    expect(image).toMatch(/:[0-9a-f]{16}$/);
  });

  test.each(Object.keys(RUNTIME_SERVICES))(
    '%s: every repository file in the bundle is an image input',
    async (service) => {
      const out = fs.mkdtempSync(path.join(os.tmpdir(), 'tributary-bundle-'));
      const built = await buildRuntime(service, out, { metafile: true });
      const inputs = new Set(runtimeImageInputs(root, service));
      expect(built.inputs?.length).toBeGreaterThan(5);
      expect((built.inputs ?? []).filter((f) => !inputs.has(f))).toEqual([]);
      expect(inputs.has(`runtime/${service}/Dockerfile`)).toBe(true);
    },
    // Bundling takes seconds on a loaded two-core machine; this is a limit for a hang, not a speed target.
    60_000,
  );

  test('fails to build an unknown runtime service, naming the known ones', async () => {
    await expect(buildRuntime('gateway')).rejects.toThrow(
      'unknown runtime service "gateway" (known: ingest, loader)',
    );
  });

  test('change exactly when an input file changes', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tributary-image-'));
    fs.writeFileSync(path.join(dir, 'a.ts'), 'one');
    fs.writeFileSync(path.join(dir, 'b.ts'), 'two');
    const before = sourceHash(dir, ['a.ts', 'b.ts']);
    expect(sourceHash(dir, ['b.ts', 'a.ts'])).toBe(before);
    fs.writeFileSync(path.join(dir, 'b.ts'), 'two!');
    expect(sourceHash(dir, ['a.ts', 'b.ts'])).not.toBe(before);
  });

  test('take a digest from CI instead, and fail a reference that is not one', () => {
    const digest = `europe-west1-docker.pkg.dev/p-123456/tributary/ingest@sha256:${'a'.repeat(64)}`;
    expect(runtimeImage(root, 'ignored', 'ingest', digest)).toBe(digest);
    expect(() => runtimeImage(root, 'ignored', 'ingest', 'ingest:latest')).toThrow(
      'image "ingest:latest" must be <registry>/<path>@sha256:<64 hex digits>',
    );
  });
});

describe('CloudRunService', () => {
  function service(overrides: Partial<CloudRunServiceProps> = {}) {
    const { stack, identity, bucket } = base();
    const secret = new RuntimeSecret(stack, 'Keys', {
      secretId: 'trb-test-keys',
      region: 'europe-west1',
      initialData: '{}',
    });
    const svc = new CloudRunService(stack, 'Svc', {
      serviceName: 'trb-test-ingest',
      region: 'europe-west1',
      identity,
      image: IMAGE,
      env: { B: '2', A: '1' },
      secretFiles: [{ secret, mountPath: '/var/keys', fileName: 'keys.json' }],
      bucketMounts: [{ bucket, mountPath: '/var/artifacts' }],
      minInstances: 1,
      maxInstances: 5,
      deletionProtection: true,
      labels: { component: 'ingest' },
      ...overrides,
    });
    return { stack, identity, bucket, secret, svc };
  }

  test('runs as its own identity with probes, scaling, resources, mounts and labels', () => {
    const { stack, svc } = service();
    const json = synth(stack);
    const resource = only(json, 'google_cloud_run_v2_service');
    expect(resource).toMatchObject({
      name: 'trb-test-ingest',
      location: 'europe-west1',
      ingress: 'INGRESS_TRAFFIC_ALL',
      deletion_protection: true,
      labels: { component: 'ingest' },
      template: {
        service_account: expect.stringMatching(/^\$\{google_service_account\.Identity_.*\.email\}$/),
        execution_environment: 'EXECUTION_ENVIRONMENT_GEN2',
        max_instance_request_concurrency: 80,
        scaling: { min_instance_count: 1, max_instance_count: 5 },
        volumes: [
          {
            name: 'secret-trb-test-keys',
            secret: { secret: 'trb-test-keys', items: [{ version: 'latest', path: 'keys.json' }] },
          },
          { name: 'bucket-trb-test-artifacts', gcs: { bucket: 'trb-test-artifacts', read_only: true } },
        ],
        containers: [
          {
            name: 'app',
            image: IMAGE,
            env: [
              { name: 'A', value: '1' },
              { name: 'B', value: '2' },
            ],
            startup_probe: { http_get: { path: '/readyz', port: 8080 } },
            liveness_probe: { http_get: { path: '/healthz', port: 8080 } },
            resources: { limits: { cpu: '1', memory: '512Mi' }, cpu_idle: true, startup_cpu_boost: true },
            volume_mounts: [
              { name: 'secret-trb-test-keys', mount_path: '/var/keys' },
              { name: 'bucket-trb-test-artifacts', mount_path: '/var/artifacts' },
            ],
          },
        ],
      },
    });
    // The revision waits for the grants on what it mounts.
    expect(resource.depends_on).toEqual([
      expect.stringMatching(/^google_secret_manager_secret_iam_member\./),
      expect.stringMatching(/^google_storage_bucket_iam_member\./),
    ]);
    expect(svc.grantResourceLabel).toBe('europe-west1/trb-test-ingest');
  });

  test('grants invoke per principal, and public invoke only with a reason that suppresses the policy findings', () => {
    const { stack, svc } = service();
    svc.grantInvoke(Principal.serviceAccount('web@trb-test-project.iam.gserviceaccount.com'));
    expect(() => svc.grantPublicInvoke('because')).toThrow(
      'publicReason = "because": must explain public access in at least 20 characters',
    );
    svc.grantPublicInvoke('Partners authenticate with API keys checked by the gateway');
    const members = resources(synth(stack), 'google_cloud_run_v2_service_iam_member');
    expect(members.map((m) => [m.role, m.member]).sort()).toEqual([
      ['roles/run.invoker', 'allUsers'],
      ['roles/run.invoker', 'serviceAccount:web@trb-test-project.iam.gserviceaccount.com'],
    ]);
    expect(stack.policy.errors).toEqual([]);
    const suppressed = stack.policy.findings
      .filter((f) => f.suppressedBy)
      .map((f) => [f.ruleId, f.suppressedBy?.reason]);
    expect(suppressed).toEqual([
      ['TRB-IAM-1', 'Partners authenticate with API keys checked by the gateway'],
      ['TRB-RUN-1', 'Partners authenticate with API keys checked by the gateway'],
    ]);
    expect(stack.grants.records.find((r) => r.principal === 'allUsers')?.justification).toBe(
      'Partners authenticate with API keys checked by the gateway',
    );
  });

  test('fails every invalid prop at once', () => {
    const error = errorOf(() =>
      service({
        serviceName: 'Ingest_Service',
        minInstances: 3,
        maxInstances: 2,
        concurrency: 0,
        cpu: '3',
        memory: '1GB',
        env: { PORT: '9000', 'BAD-NAME': 'x' },
        bucketMounts: [],
        secretFiles: [],
      }),
    );
    expect(error.message.split('\n').slice(1)).toEqual([
      '  - serviceName = "Ingest_Service": must be 1-49 lowercase letters, digits and hyphens, starting with a letter and not ending with a hyphen',
      '  - maxInstances = 2: must be a whole number from max(1, minInstances) to 1000',
      '  - concurrency = 0: must be a whole number from 1 to 1000',
      '  - cpu = "3": must be one of 1, 2, 4, 6 or 8 (or a fraction below 1 such as 0.5)',
      '  - memory = "1GB": must be a size such as 512Mi or 2Gi',
      '  - env.PORT = "PORT": is reserved by Cloud Run',
      '  - env.BAD-NAME = "BAD-NAME": must be letters, digits and underscores, not starting with a digit',
    ]);
  });
});

describe('RuntimeSecret', () => {
  test('replicates in its region only, keeps operator-added versions out of Terraform, grants read per principal', () => {
    const { stack, identity } = base();
    const secret = new RuntimeSecret(stack, 'Keys', {
      secretId: 'trb-test-keys',
      region: 'europe-west1',
      initialData: '{"keys":[]}',
    });
    secret.grantRead(identity);
    const json = synth(stack);
    expect(only(json, 'google_secret_manager_secret')).toMatchObject({
      secret_id: 'trb-test-keys',
      replication: { user_managed: { replicas: [{ location: 'europe-west1' }] } },
      deletion_protection: false,
    });
    expect(only(json, 'google_secret_manager_secret_version')).toMatchObject({
      secret_data: '{"keys":[]}',
      lifecycle: { ignore_changes: ['secret_data', 'enabled'] },
    });
    expect(only(json, 'google_secret_manager_secret_iam_member').role).toBe(
      'roles/secretmanager.secretAccessor',
    );
  });

  test('fails a bad id, region and empty data', () => {
    const { stack } = base();
    const error = errorOf(
      () => new RuntimeSecret(stack, 'S', { secretId: 'a b', region: 'nowhere', initialData: '' }),
    );
    expect(error.message).toContain('secretId = "a b"');
    expect(error.message).toContain('region = "nowhere"');
    expect(error.message).toContain('initialData = "": must not be empty');
  });
});

describe('IngestGateway', () => {
  function gateway(
    access?: { kind: 'private' } | { kind: 'public'; reason: string },
    producers = [Principal.group('web-producers@example.com')],
    ingress?: CloudRunIngress,
  ) {
    const { stack, identity, bucket } = base();
    const gw = new IngestGateway(stack, 'Gateway', {
      serviceName: 'trb-test-ingest',
      region: 'europe-west1',
      project: 'trb-test-project',
      identity,
      image: IMAGE,
      manifest: MANIFEST,
      artifactsBucket: bucket,
      access,
      producers: access?.kind === 'public' ? [] : producers,
      ingress,
      deletionProtection: false,
    });
    return { stack, gw, json: synth(stack) };
  }

  test('mounts the manifest, the key file and the metrics config; private by default, invokable by producers', () => {
    const { gw, json } = gateway();
    const env = Object.fromEntries(
      (
        (
          only(json, 'google_cloud_run_v2_service').template as {
            containers: { env?: { name: string; value: string }[] }[];
          }
        ).containers[0]?.env ?? []
      ).map((e) => [e.name, e.value]),
    );
    expect(env).toEqual({
      GOOGLE_CLOUD_PROJECT: 'trb-test-project',
      TRIBUTARY_API_KEYS: '/var/tributary/keys/api-keys.json',
      TRIBUTARY_AUTH_MODE: 'iam',
      TRIBUTARY_INGEST_MANIFEST: `/var/tributary/artifacts/${gw.manifestObject.objectName}`,
      TRIBUTARY_METRICS_PORT: '9464',
    });
    expect(parseGatewayManifest(gw.manifestObject.content, 'object').streams.map((s) => s.name)).toEqual(
      MANIFEST.streams.map((s) => s.name).sort(),
    );
    expect(resources(json, 'google_cloud_run_v2_service_iam_member').map((m) => m.member)).toEqual([
      'group:web-producers@example.com',
    ]);
    expect(resources(json, 'google_secret_manager_secret').map((s) => s.secret_id)).toEqual([
      'trb-test-ingest-api-keys',
      'trb-test-ingest-metrics-config',
    ]);
    const yaml = resources(json, 'google_secret_manager_secret_version').map((v) => v.secret_data);
    expect(yaml).toContain('{"keysVersion":1,"keys":[]}');
    expect(yaml.find((y) => String(y).includes('RunMonitoring'))).toContain('- port: 9464');
  });

  test('takes all traffic by default, or only internal traffic when asked', () => {
    expect(only(gateway().json, 'google_cloud_run_v2_service').ingress).toBe('INGRESS_TRAFFIC_ALL');
    const internal = gateway(undefined, undefined, 'INGRESS_TRAFFIC_INTERNAL_ONLY').json;
    expect(only(internal, 'google_cloud_run_v2_service').ingress).toBe('INGRESS_TRAFFIC_INTERNAL_ONLY');
  });

  test('public: API keys required, allUsers invoker with the reason, no producers', () => {
    const { json, stack } = gateway({
      kind: 'public',
      reason: 'Partners call over the internet with API keys',
    });
    const service = only(json, 'google_cloud_run_v2_service') as {
      template: { containers: { env: { name: string; value: string }[] }[] };
    };
    expect(service.template.containers[0]?.env.find((e) => e.name === 'TRIBUTARY_AUTH_MODE')?.value).toBe(
      'api-key',
    );
    expect(resources(json, 'google_cloud_run_v2_service_iam_member').map((m) => m.member)).toEqual([
      'allUsers',
    ]);
    expect(stack.policy.errors).toEqual([]);
  });

  test('fails a public gateway without a reason or with producers', () => {
    const { stack, identity, bucket } = base();
    const error = errorOf(
      () =>
        new IngestGateway(stack, 'Gateway', {
          serviceName: 'trb-test-ingest',
          region: 'europe-west1',
          identity,
          image: IMAGE,
          manifest: MANIFEST,
          artifactsBucket: bucket,
          access: { kind: 'public', reason: 'yes' },
          producers: [Principal.group('web@example.com')],
          deletionProtection: false,
        }),
    );
    expect(error.message).toContain(
      'access.reason = "yes": must explain public access in at least 20 characters',
    );
    expect(error.message).toContain(
      'producers = ["group:web@example.com"]: a public gateway takes partner API keys, not invoker grants',
    );
  });
});

describe('image:push', () => {
  test('plans the build and push of the exact reference synth deploys', async () => {
    const plan = imagePlan('ingest', 'dev');
    expect(plan.reference).toMatch(
      /^europe-west1-docker\.pkg\.dev\/trb-dev-placeholder\/tributary\/ingest:[0-9a-f]{16}$/,
    );
    expect(plan.commands[1]).toEqual([
      'docker',
      'build',
      '--file',
      'runtime/ingest/Dockerfile',
      '--tag',
      plan.reference,
      '.',
    ]);
    const out: string[] = [];
    expect(
      await main(['ingest', '--env', 'dev', '--dry-run'], { out: (s) => out.push(s), err: () => {} }),
    ).toBe(0);
    expect(out[0]).toBe(`${plan.reference}\n`);
    const err: string[] = [];
    expect(await main(['ingest', '--env', 'qa'], { out: () => {}, err: (s) => err.push(s) })).toBe(1);
    expect(err.join('')).toContain('unknown environment "qa" (known: dev, staging, prod)');
    // A misspelled flag stops the script; it never builds or pushes.
    const usage: string[] = [];
    expect(
      await main(['ingest', '--env', 'dev', '--dryrun'], { out: () => {}, err: (s) => usage.push(s) }),
    ).toBe(2);
    expect(usage.join('')).toContain("Unknown option '--dryrun'");
    expect(usage.join('')).toContain('usage: image:push -- <service> --env <environment> [--dry-run]');
  });

  test('plans the loader image under the reference the loader job deploys', () => {
    const plan = imagePlan('loader', 'prod');
    expect(plan.commands[1]).toEqual([
      'docker',
      'build',
      '--file',
      'runtime/loader/Dockerfile',
      '--tag',
      plan.reference,
      '.',
    ]);
    expect(plan.reference).toBe(runtimeImageOf(prod, 'loader'));
    expect(plan.reference).toMatch(/\/tributary\/loader:[0-9a-f]{16}$/);
  });

  test('fails an unknown service, naming the known ones', async () => {
    const err: string[] = [];
    expect(
      await main(['gateway', '--env', 'dev', '--dry-run'], { out: () => {}, err: (s) => err.push(s) }),
    ).toBe(1);
    expect(err.join('')).toContain('unknown runtime service "gateway" (known: ingest, loader)');
  });
});
