import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { type App, Testing } from 'cdktf';
import type { GrantRecord } from '../../constructs/iam/grants';
import { PROJECT_ONLY_ROLES } from '../../constructs/iam/roles';
import { PlatformConsumers } from '../../constructs/platform/consumers/platform-consumers';
import { StreamingPlatform } from '../../constructs/platform/streaming-platform';
import type { DataflowDelivery } from '../../constructs/platform/streams/event-streams';
import type { PolicyReport } from '../../constructs/policy/types';
import { runtimeRegistryPath } from '../../constructs/run/container-repository';
import { runtimeImage } from '../../constructs/run/image';
import { ValidationError } from '../../core/validation';
import { buildUdfs } from '../../runtime/udf/build';
import { BootstrapStack } from '../../stacks/bootstrap-stack';
import { CONTRACTS } from '../../stacks/contracts/index';
import { EnvironmentStack, ingestImage, REPO_ROOT } from '../../stacks/environment-stack';
import { dev } from '../../stacks/environments/dev';
import { ENVIRONMENTS } from '../../stacks/environments/index';
import { buildApp, synthMain } from '../../stacks/main';
import { summarize } from '../../stacks/summary';
import { errorOf, resources, type TfJson, testApp } from '../helpers';

let outdir: string;
let app: App;
const read = (stack: string, file: string) =>
  fs.readFileSync(path.join(outdir, 'stacks', stack, file), 'utf8');
const tf = (stack: string) => JSON.parse(read(stack, 'cdk.tf.json')) as TfJson;

beforeAll(() => {
  outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'tributary-app-'));
  app = buildApp({ outdir });
  app.synth();
});

describe('the app', () => {
  test.each(['bootstrap', 'dev', 'staging', 'prod'])(
    'synthesizes %s with its IAM matrix and policy report',
    (stack) => {
      for (const file of [
        'cdk.tf.json',
        'iam-matrix.md',
        'iam-matrix.json',
        'policy-report.md',
        'policy-report.json',
      ]) {
        expect(fs.existsSync(path.join(outdir, 'stacks', stack, file))).toBe(true);
      }
      const report = JSON.parse(read(stack, 'policy-report.json')) as PolicyReport;
      expect(report.summary.errors).toBe(0);
      expect(report.findings.filter((f) => !f.suppressedBy)).toEqual([]);
    },
  );

  test.each(ENVIRONMENTS.map((e) => [e.name, e]))(
    '%s uses its own GCS state bucket and prefix',
    (name, env) => {
      expect(tf(name).terraform?.backend).toEqual({
        gcs: { bucket: env.state.bucket, prefix: env.state.prefix },
      });
    },
  );

  test.each(ENVIRONMENTS.map((e) => [e.name, e]))(
    '%s configures both providers with its project and labels',
    (name, env) => {
      for (const provider of ['google', 'google-beta']) {
        expect(tf(name).provider?.[provider]).toEqual([
          { project: env.foundation.project, region: env.foundation.region, default_labels: env.labels },
        ]);
      }
    },
  );

  test.each(ENVIRONMENTS.map((e) => [e.name, e]))(
    '%s holds the platform buckets and identities',
    (name, env) => {
      const json = tf(name);
      expect(
        resources(json, 'google_storage_bucket')
          .map((b) => b.name)
          .sort(),
      ).toEqual([
        `${env.foundation.project}-archive`,
        `${env.foundation.project}-artifacts`,
        ...(env.orchestration?.composer ? [`${env.foundation.project}-composer`] : []),
        `${env.foundation.project}-dataflow-staging`,
        `${env.foundation.project}-landing`,
      ]);
      // The gateway's, the models' and the loader's three (job, workflow, trigger), plus one Dataflow worker
      // identity per stream with Dataflow delivery.
      const identities =
        2 +
        (env.consumers ? 1 : 0) +
        (env.loader ? 3 : 0) +
        (env.orchestration?.composer ? 1 : 0) +
        (env.streams.delivery.kind === 'dataflow' ? 4 : 0);
      expect(resources(json, 'google_service_account')).toHaveLength(identities);
      const matrix = JSON.parse(read(name, 'iam-matrix.json')) as GrantRecord[];
      const actAs = matrix.filter((r) => r.role === 'roles/iam.serviceAccountUser');
      const deployer = `serviceAccount:${env.foundation.namePrefix}-deployer@${env.foundation.project}.iam.gserviceaccount.com`;
      // The deployer may attach every identity; the only other act-as is Composer's orchestrator on the models'
      // identity (Dataform's strict act-as for the invocations it starts).
      expect(actAs.filter((r) => r.principal === deployer)).toHaveLength(identities);
      expect(
        actAs.filter((r) => r.principal !== deployer).map((r) => `${r.principal} ${r.resource}`),
      ).toEqual(
        env.orchestration?.composer
          ? [
              `serviceAccount:${env.foundation.namePrefix}-orchestrator@${env.foundation.project}.iam.gserviceaccount.com ${env.foundation.namePrefix}-dataform@${env.foundation.project}.iam.gserviceaccount.com`,
            ]
          : [],
      );
    },
  );

  test.each(ENVIRONMENTS.map((e) => [e.name, e]))(
    '%s: the IAM matrix shows the BI account on curated data only',
    (name, env) => {
      const matrix = JSON.parse(read(name, 'iam-matrix.json')) as GrantRecord[];
      const bi = matrix.filter((r) =>
        r.principal.startsWith(`serviceAccount:${env.foundation.namePrefix}-bi@`),
      );
      const curated = `${env.foundation.project}.${env.foundation.namePrefix.replace(/-/g, '_')}_curated`;
      expect(bi.map((r) => `${r.resourceType} ${r.resource} ${r.role}`).sort()).toEqual(
        [
          `google_bigquery_dataset ${curated} roles/bigquery.dataViewer`,
          ...PlatformConsumers.BI_PROJECT_ROLES.map(
            (role) => `google_project ${env.foundation.project} ${role}`,
          ),
        ].sort(),
      );
    },
  );

  test.each(ENVIRONMENTS.map((e) => [e.name, e]))('%s has 4 streams, each complete', (name, env) => {
    const json = tf(name);
    const topics = resources(json, 'google_pubsub_topic');
    const subs = resources(json, 'google_pubsub_subscription');
    for (const stream of ['order', 'inventory-change', 'user-activity', 'app-event']) {
      const base = `${env.foundation.namePrefix}-${stream}`;
      const topic = topics.find((t) => t.name === base);
      expect(topic?.schema_settings).toMatchObject({
        encoding: 'JSON',
        schema: expect.stringContaining('google_pubsub_schema'),
      });
      expect(topics.find((t) => t.name === `${base}-dlq`)).toBeDefined();
      expect(subs.find((s) => s.name === `${base}-dlq-sub`)).toBeDefined();
      const delivery = env.streams.delivery.kind === 'dataflow' ? `${base}-dataflow` : `${base}-bq`;
      expect(subs.find((s) => s.name === delivery)?.dead_letter_policy).toBeDefined();
      expect(subs.find((s) => s.name === `${base}-archive`)?.cloud_storage_config).toMatchObject({
        filename_prefix: `${stream.replace(/-/g, '_')}/`,
      });
    }
    expect(resources(json, 'google_pubsub_schema')).toHaveLength(4);
    const tables = resources(json, 'google_bigquery_table');
    const raw = ['app_event_v1', 'inventory_change_v1', 'order_v1', 'user_activity_v1'];
    expect(tables.map((t) => t.table_id).sort()).toEqual(
      env.streams.delivery.kind === 'dataflow' ? raw.flatMap((t) => [t, `${t}_dead_letter`]) : raw,
    );
    for (const t of tables) {
      expect(t.time_partitioning).toBeDefined();
      if (!String(t.table_id).endsWith('_dead_letter')) expect(t.clustering).toBeDefined();
      expect(t.deletion_protection).toBe(env.foundation.deletionProtection);
    }
    expect(
      resources(json, 'google_bigquery_dataset')
        .map((d) => d.dataset_id)
        .sort(),
    ).toEqual(
      ['assertions', 'curated', 'raw', 'staging'].map(
        (l) => `${env.foundation.namePrefix.replace(/-/g, '_')}_${l}`,
      ),
    );
    const bqDelivery = subs.filter((s) => s.bigquery_config !== undefined);
    expect(bqDelivery).toHaveLength(env.streams.delivery.kind === 'dataflow' ? 0 : 4);
  });

  test.each(ENVIRONMENTS.map((e) => [e.name]))(
    '%s IAM matrix and policy report cover the streams',
    (name) => {
      const matrix = JSON.parse(read(name, 'iam-matrix.json')) as GrantRecord[];
      const agent = matrix.filter((r) => r.principalKind === 'serviceAgent');
      expect(
        agent.filter((r) => r.role === 'roles/pubsub.publisher' && r.resource.endsWith('-dlq')),
      ).toHaveLength(4);
      expect(
        agent.filter(
          (r) => r.role === 'roles/pubsub.subscriber' && r.resourceType === 'google_pubsub_subscription',
        ),
      ).toHaveLength(8);
      expect(
        matrix.filter((r) => r.role === 'roles/pubsub.publisher' && r.principal.includes('-ingest@')),
      ).toHaveLength(4);
      expect(matrix.some((r) => r.scope === 'project' && r.role === 'roles/bigquery.dataEditor')).toBe(false);
      const report = JSON.parse(read(name, 'policy-report.json')) as PolicyReport;
      expect(report.rules.map((r) => r.id)).toEqual(
        expect.arrayContaining(['TRB-PS-1', 'TRB-PS-2', 'TRB-BQ-1', 'TRB-BQ-2', 'TRB-BQ-3']),
      );
      // Every resource and data source is checked, and the summary counts the same ones.
      const synthesized = tf(name);
      const count = (blocks?: Record<string, Record<string, unknown>>) =>
        Object.values(blocks ?? {}).reduce((n, b) => n + Object.keys(b).length, 0);
      expect(report.resourcesChecked).toBe(count(synthesized.resource) + count(synthesized.data));
    },
  );

  test.each(ENVIRONMENTS.filter((e) => e.streams.delivery.kind === 'dataflow').map((e) => [e.name, e]))(
    '%s runs each stream through its own private Dataflow job with a hashed UDF and a dead-letter table',
    (name, env) => {
      const json = tf(name);
      const delivery = env.streams.delivery as DataflowDelivery;
      const jobs = resources(json, 'google_dataflow_flex_template_job');
      const accounts = Object.entries(json.resource?.google_service_account ?? {});
      const objects = resources(json, 'google_storage_bucket_object');
      const tables = resources(json, 'google_bigquery_table');
      const matrix = JSON.parse(read(name, 'iam-matrix.json')) as GrantRecord[];
      const udfs = buildUdfs(CONTRACTS, fs.mkdtempSync(path.join(os.tmpdir(), 'tributary-udf-')));
      expect(jobs).toHaveLength(CONTRACTS.length);
      for (const contract of CONTRACTS) {
        const stream = contract.name.replace(/_/g, '-');
        const job = jobs.find((j) => j.name === `${env.foundation.namePrefix}-${stream}`);
        if (!job) throw new Error(`no job for ${contract.name}`);
        expect(job).toMatchObject({
          provider: 'google-beta',
          container_spec_gcs_path: `gs://dataflow-templates-${env.foundation.region}/latest/flex/PubSub_to_BigQuery_Flex`,
          ip_configuration: 'WORKER_IP_PRIVATE',
          network: env.foundation.network?.network,
          subnetwork: env.foundation.network?.subnetwork,
          enable_streaming_engine: true,
          machine_type: delivery.machineType,
          max_workers: delivery.maxWorkers,
          on_delete: 'drain',
        });

        // A dedicated identity per job.
        const accountId = `${env.foundation.namePrefix}-df-${stream}`;
        const [accountKey] = accounts.find(([, a]) => a.account_id === accountId) ?? [];
        expect(job.service_account_email).toBe(`\${google_service_account.${accountKey}.email}`);

        // The UDF object is exactly the build:udf bundle, named by its content hash, and the job loads it.
        const bundle = fs.readFileSync(udfs[contract.name] as string, 'utf8');
        const hash = createHash('sha256').update(bundle).digest('hex').slice(0, 16);
        const objectName = `udf/${contract.name}/${contract.name}-${hash}.js`;
        expect(objects.find((o) => o.name === objectName)?.content).toBe(bundle);
        const table = `${env.foundation.project}:${env.foundation.namePrefix.replace(/-/g, '_')}_raw.${contract.name}_v1`;
        expect(job.parameters).toEqual({
          inputSubscription: `projects/${env.foundation.project}/subscriptions/${env.foundation.namePrefix}-${stream}-dataflow`,
          outputTableSpec: table,
          outputDeadletterTable: `${table}_dead_letter`,
          useStorageWriteApi: 'true',
          useStorageWriteApiAtLeastOnce: 'true',
          javascriptTextTransformGcsPath: `gs://${env.foundation.project}-artifacts/${objectName}`,
          javascriptTextTransformFunctionName: 'transform',
        });

        // Dataflow's exact dead-letter schema, partitioned, expiring, labelled for alerting.
        const dlq = tables.find((t) => t.table_id === `${contract.name}_v1_dead_letter`);
        const schema = JSON.parse(dlq?.schema as string) as { name: string; type: string; mode: string }[];
        expect(schema.map((f) => `${f.name} ${f.type} ${f.mode}`)).toEqual([
          'timestamp TIMESTAMP REQUIRED',
          'payloadString STRING REQUIRED',
          'payloadBytes BYTES REQUIRED',
          'attributes RECORD REPEATED',
          'errorMessage STRING NULLABLE',
          'stacktrace STRING NULLABLE',
        ]);
        expect((schema[3] as unknown as { fields: { name: string; type: string }[] }).fields).toEqual([
          expect.objectContaining({ name: 'key', type: 'STRING' }),
          expect.objectContaining({ name: 'value', type: 'STRING' }),
        ]);
        expect(dlq).toMatchObject({
          time_partitioning: {
            type: 'DAY',
            field: 'timestamp',
            expiration_ms: delivery.deadLetterExpirationDays * 86_400_000,
          },
          labels: { 'tributary-role': 'dead-letter', stream: contract.name },
          deletion_protection: env.foundation.deletionProtection,
        });

        // The IAM matrix shows the worker's narrow grants, and nothing else.
        const worker = `serviceAccount:${accountId}@${env.foundation.project}.iam.gserviceaccount.com`;
        const rawLabel = `${env.foundation.project}.${env.foundation.namePrefix.replace(/-/g, '_')}_raw.${contract.name}_v1`;
        expect(
          matrix
            .filter((r) => r.principal === worker)
            .map((r) => `${r.scope} ${r.resourceType} ${r.resource} ${r.role}`),
        ).toEqual([
          `resource google_bigquery_table ${rawLabel} roles/bigquery.dataEditor`,
          `resource google_bigquery_table ${rawLabel}_dead_letter roles/bigquery.dataEditor`,
          `project google_project ${env.foundation.project} roles/dataflow.worker`,
          `resource google_pubsub_subscription ${env.foundation.namePrefix}-${stream}-dataflow roles/pubsub.subscriber`,
          `resource google_pubsub_subscription ${env.foundation.namePrefix}-${stream}-dataflow roles/pubsub.viewer`,
          `resource google_storage_bucket ${env.foundation.project}-artifacts roles/storage.objectViewer`,
          `resource google_storage_bucket ${env.foundation.project}-dataflow-staging roles/storage.objectAdmin`,
        ]);
      }
      const report = JSON.parse(read(name, 'policy-report.json')) as PolicyReport;
      expect(report.rules.map((r) => r.id)).toEqual(
        expect.arrayContaining(['TRB-DF-1', 'TRB-DF-2', 'TRB-DF-3', 'TRB-DF-4']),
      );
    },
  );

  test.each(ENVIRONMENTS.map((e) => [e.name, e]))(
    '%s deploys the ingest gateway: its image, its own identity, and only the grants it needs',
    (name, env) => {
      const json = tf(name);
      const service = resources(json, 'google_cloud_run_v2_service');
      expect(service).toHaveLength(1);
      const template = service[0]?.template as { service_account: string; containers: { image: string }[] };
      expect(template.containers[0]?.image).toBe(
        runtimeImage(REPO_ROOT, runtimeRegistryPath(env.foundation.region, env.foundation.project), 'ingest'),
      );
      expect(service[0]?.name).toBe(`${env.foundation.namePrefix}-ingest`);
      expect(template.service_account).toMatch(/^\$\{google_service_account\.Platform_IngestIdentity_/);
      const ingest = `serviceAccount:${env.foundation.namePrefix}-ingest@${env.foundation.project}.iam.gserviceaccount.com`;
      const matrix = JSON.parse(read(name, 'iam-matrix.json')) as GrantRecord[];
      const grants = matrix.filter((r) => r.principal === ingest).map((r) => `${r.resourceType} ${r.role}`);
      expect(grants.sort()).toEqual(
        [
          ...CONTRACTS.map(() => 'google_pubsub_topic roles/pubsub.publisher'),
          'google_secret_manager_secret roles/secretmanager.secretAccessor',
          'google_secret_manager_secret roles/secretmanager.secretAccessor',
          'google_storage_bucket roles/storage.objectViewer',
          'google_project roles/cloudtrace.agent',
          'google_project roles/logging.logWriter',
          'google_project roles/monitoring.metricWriter',
        ].sort(),
      );
      expect(matrix.filter((r) => r.role === 'roles/run.invoker')).toEqual([]);
      const report = JSON.parse(read(name, 'policy-report.json')) as PolicyReport;
      expect(report.rules.map((r) => r.id)).toEqual(expect.arrayContaining(['TRB-RUN-1', 'TRB-RUN-2']));
    },
  );

  test('dev delivers through BigQuery subscriptions: no Dataflow jobs, UDF objects or dead-letter tables', () => {
    const json = tf('dev');
    expect(resources(json, 'google_dataflow_flex_template_job')).toEqual([]);
    expect(
      resources(json, 'google_storage_bucket_object').filter(
        (o) => (o.metadata as Record<string, string>)['tributary-role'] === 'dataflow-udf',
      ),
    ).toEqual([]);
    expect(
      resources(json, 'google_bigquery_table').filter((t) => String(t.table_id).endsWith('_dead_letter')),
    ).toEqual([]);
  });

  test('the bootstrap stack keeps local state outside cdktf.out', () => {
    expect(tf('bootstrap').terraform?.backend).toEqual({
      local: { path: '../../../terraform.bootstrap.tfstate' },
    });
  });

  test('the bootstrap stack federates GitHub Actions of one repository only: deployers per GitHub environment, planners per repository', () => {
    const json = tf('bootstrap');
    expect(resources(json, 'google_iam_workload_identity_pool')).toEqual([
      expect.objectContaining({ project: 'trb-ci-placeholder', workload_identity_pool_id: 'tributary-ci' }),
    ]);
    expect(resources(json, 'google_iam_workload_identity_pool_provider')).toEqual([
      expect.objectContaining({
        workload_identity_pool_provider_id: 'github',
        attribute_condition: 'assertion.repository == "example-org/tributary"',
        oidc: { issuer_uri: 'https://token.actions.githubusercontent.com' },
      }),
    ]);
    const wif = resources(json, 'google_service_account_iam_member').filter(
      (m) => m.role === 'roles/iam.workloadIdentityUser',
    );
    for (const m of wif)
      expect(String(m.member)).toMatch(
        String(m.service_account_id).includes('_Planner_')
          ? /attribute\.repository\//
          : /attribute\.environment\//,
      );
    expect(wif.map((m) => String(m.member).replace(/^.*attribute\./, 'attribute.')).sort()).toEqual([
      'attribute.environment/dev',
      'attribute.environment/prod',
      'attribute.environment/staging',
      'attribute.repository/example-org/tributary',
      'attribute.repository/example-org/tributary',
      'attribute.repository/example-org/tributary',
    ]);
  });

  test('each planner gets exactly the read-only planner roles, state read, and nothing the deployer writes with', () => {
    const matrix = JSON.parse(read('bootstrap', 'iam-matrix.json')) as GrantRecord[];
    const readOnly =
      /\.(viewer|metadataViewer|bucketViewer|serviceAccountViewer|serviceUsageViewer|securityReviewer|objectViewer|environmentAndStorageObjectViewer|workloadIdentityUser)$/;
    for (const env of ENVIRONMENTS) {
      const planner = `serviceAccount:${env.foundation.namePrefix}-planner@${env.foundation.project}.iam.gserviceaccount.com`;
      const grants = matrix.filter((r) => r.principal === planner);
      expect(
        grants
          .filter((r) => r.scope === 'project')
          .map((r) => r.role)
          .sort(),
      ).toEqual(StreamingPlatform.PLANNER_ROLES.map((r) => r.role).sort());
      expect(grants.filter((r) => r.scope === 'resource')).toEqual([
        expect.objectContaining({ role: 'roles/storage.objectViewer', resource: env.state.bucket }),
      ]);
      for (const g of grants) expect(g.role).toMatch(readOnly);
      const deployerRoles = new Set(StreamingPlatform.DEPLOYER_ROLES.map((r) => r.role));
      expect(grants.filter((g) => deployerRoles.has(g.role))).toEqual([]);
    }
    // In the environment: object read where Terraform refreshes objects, payload read of the secrets it refreshes.
    const devMatrix = JSON.parse(read('dev', 'iam-matrix.json')) as GrantRecord[];
    const devPlanner = `serviceAccount:trb-dev-planner@${dev.foundation.project}.iam.gserviceaccount.com`;
    expect(
      devMatrix
        .filter((r) => r.principal === devPlanner)
        .map((r) => `${r.resourceType} ${r.role}`)
        .sort(),
    ).toEqual([
      'google_secret_manager_secret roles/secretmanager.secretAccessor',
      'google_secret_manager_secret roles/secretmanager.secretAccessor',
      'google_storage_bucket roles/storage.objectViewer',
    ]);
  });

  test('the bootstrap stack creates a versioned, protected state bucket per environment', () => {
    const buckets = resources(tf('bootstrap'), 'google_storage_bucket');
    expect(buckets.map((b) => b.name).sort()).toEqual(ENVIRONMENTS.map((e) => e.state.bucket).sort());
    for (const b of buckets) {
      expect(b).toMatchObject({
        versioning: { enabled: true },
        lifecycle: { prevent_destroy: true },
        force_destroy: false,
        uniform_bucket_level_access: true,
        public_access_prevention: 'enforced',
      });
    }
  });

  test('the bootstrap stack enables the platform APIs in every environment project', () => {
    const services = resources(tf('bootstrap'), 'google_project_service');
    for (const env of ENVIRONMENTS) {
      const enabled = services.filter((s) => s.project === env.foundation.project).map((s) => s.service);
      expect(enabled.sort()).toEqual([...StreamingPlatform.REQUIRED_SERVICES].sort());
    }
    expect(services.every((s) => s.disable_on_destroy === false)).toBe(true);
  });

  test('the bootstrap stack creates the image repository of each environment where synth expects the images', () => {
    const repos = resources(tf('bootstrap'), 'google_artifact_registry_repository');
    expect(repos).toHaveLength(ENVIRONMENTS.length);
    for (const env of ENVIRONMENTS) {
      const repo = repos.find((r) => r.project === env.foundation.project);
      expect(repo).toMatchObject({
        location: env.foundation.region,
        format: 'DOCKER',
        repository_id: 'tributary',
      });
      expect(`${repo?.location}-docker.pkg.dev/${repo?.project}/${repo?.repository_id}`).toBe(
        runtimeRegistryPath(env.foundation.region, env.foundation.project),
      );
      expect(resources(tf(env.name), 'google_artifact_registry_repository')).toEqual([]);
    }
  });

  test('each deployer gets exactly the deployer roles, with reasons for project-wide ones', () => {
    const matrix = JSON.parse(read('bootstrap', 'iam-matrix.json')) as GrantRecord[];
    for (const env of ENVIRONMENTS) {
      const deployer = `serviceAccount:${env.foundation.namePrefix}-deployer@${env.foundation.project}.iam.gserviceaccount.com`;
      const projectRoles = matrix
        .filter((r) => r.principal === deployer && r.scope === 'project')
        .map((r) => r.role);
      expect(projectRoles.sort()).toEqual(StreamingPlatform.DEPLOYER_ROLES.map((d) => d.role).sort());
      const state = matrix.filter(
        (r) => r.principal === deployer && r.resourceType === 'google_storage_bucket',
      );
      expect(state).toEqual([
        expect.objectContaining({ role: 'roles/storage.objectAdmin', resource: env.state.bucket }),
      ]);
      const registry = matrix.filter((r) => r.resourceType === 'google_artifact_registry_repository');
      expect(registry.filter((r) => r.principal === deployer)).toEqual([
        expect.objectContaining({ role: 'roles/artifactregistry.writer', scope: 'resource' }),
      ]);
    }
    expect(StreamingPlatform.DEPLOYER_ROLES.map((r) => r.role)).not.toContain('roles/artifactregistry.admin');
    const report = JSON.parse(read('bootstrap', 'policy-report.json')) as PolicyReport;
    // One suppression per project-wide role that also exists on resources, per identity and environment:
    // (15 deployer + 17 planner) x 3.
    const projectWide = [...StreamingPlatform.DEPLOYER_ROLES, ...StreamingPlatform.PLANNER_ROLES].filter(
      (r) => !PROJECT_ONLY_ROLES.includes(r.role),
    );
    expect(report.summary.suppressed).toBe(projectWide.length * ENVIRONMENTS.length);
    expect(report.summary.suppressed).toBe(96);
    expect(
      report.suppressions.every(
        (s) => s.id === 'TRB-IAM-5' && s.matched === 1 && /^(Deployer|Planner) /.test(s.reason),
      ),
    ).toBe(true);
    expect(resources(tf('bootstrap'), 'google_service_account_key')).toEqual([]);
  });

  test("a CI digest applies to its own environment only, and must be in that environment's registry", () => {
    const registry = runtimeRegistryPath(dev.foundation.region, dev.foundation.project);
    const digest = `${registry}/ingest@sha256:${'b'.repeat(64)}`;
    process.env.TRIBUTARY_INGEST_IMAGE_DEV = digest;
    try {
      expect(ingestImage(dev)).toBe(digest);
      const staging = ENVIRONMENTS.find((e) => e.name === 'staging');
      expect(staging && ingestImage(staging)).toMatch(/:[0-9a-f]{16}$/);
      process.env.TRIBUTARY_INGEST_IMAGE_DEV = `europe-docker.pkg.dev/other-project/x/ingest@sha256:${'b'.repeat(64)}`;
      expect(() => ingestImage(dev)).toThrow(
        `TRIBUTARY_INGEST_IMAGE_DEV = "europe-docker.pkg.dev/other-project`,
      );
      expect(() => ingestImage(dev)).toThrow(`must be an image in ${registry}/`);
    } finally {
      delete process.env.TRIBUTARY_INGEST_IMAGE_DEV;
    }
  });

  test("an environment sets the gateway ingress in Cloud Run's own terms", () => {
    const app = Testing.app();
    const stack = new EnvironmentStack(app, {
      ...dev,
      ingest: { ...dev.ingest, ingress: 'INGRESS_TRAFFIC_INTERNAL_ONLY' },
    });
    const json = JSON.parse(Testing.synth(stack)) as Parameters<typeof resources>[0];
    expect(resources(json, 'google_cloud_run_v2_service')[0]?.ingress).toBe('INGRESS_TRAFFIC_INTERNAL_ONLY');
    expect(resources(tf('dev'), 'google_cloud_run_v2_service')[0]?.ingress).toBe('INGRESS_TRAFFIC_ALL');
  });

  test('fails before building anything when an environment is invalid', () => {
    const error = errorOf(
      () =>
        new EnvironmentStack(Testing.app(), {
          ...dev,
          foundation: { ...dev.foundation, project: 'BAD', region: 'nowhere' },
        }),
    );
    expect(error.message).toContain('Environment "dev" (stacks/environments/dev.ts): 2 problems');
    expect(error.message).toContain('region = "nowhere"');
  });

  test('the bootstrap config fails with every problem listed', () => {
    const error = errorOf(
      () =>
        new BootstrapStack(Testing.app(), 'bootstrap', {
          ciProjectId: 'ci',
          region: 'europe-west1',
          labels: dev.labels,
          githubRepository: 'not a repo',
          workloadIdentityPoolId: 'gcp-pool',
          workloadIdentityProviderId: 'GitHub',
          environments: [dev, dev],
        }),
    );
    expect(error.message).toContain('Bootstrap (stacks/environments/bootstrap.ts): 6 problems');
    expect(error.message).toContain('workloadIdentityProviderId = "GitHub"');
    for (const field of [
      'ciProjectId = "ci"',
      'githubRepository = "not a repo"',
      'workloadIdentityPoolId = "gcp-pool"',
      'environment names must be unique',
      'state buckets must be unique',
    ]) {
      expect(error.message).toContain(field);
    }
  });

  test('the summary reports resources by service, identities, grants, policy and docs per stack', () => {
    const text = summarize(outdir, ['trb-dev-placeholder', 'real-project-1']);
    expect(text).toContain('Synthesized 4 stacks');
    expect(text).toMatch(
      /dev {2}.*stacks\/dev\/cdk\.tf\.json\n {2}resources {3}167: bigquery 18, datacatalog 3, dataform 4, eventarc 1, iam 26, logging 4, monitoring 44, pubsub 40, run 3, secretmanager 10, storage 13, workflows 1\n {2}data {8}1: project 1\n/,
    );
    expect(text).toContain(
      'identities  6: trb-dev-bi, trb-dev-dataform, trb-dev-ingest, trb-dev-loader, trb-dev-loader-trigger, trb-dev-loader-workflow\n',
    );
    expect(text).toMatch(
      /prod {2}.*\n {2}resources {3}276: bigquery 29, composer 1, datacatalog 3, dataflow 4, dataform 3, eventarc 1, iam 45, kms 24, logging 4, monitoring 63, pubsub 48, run 4, secretmanager 10, serviceusage 4, storage 32, workflows 1\n/,
    );
    // The policy line counts what the resource and data lines count: 167 + 1. The two suppressions are the
    // loader's project-wide grants that no narrower resource can take (workflows.invoker, the GCS agent's publish).
    expect(text).toContain(
      'policy      passed: 0 errors, 0 warnings, 2 suppressed over 168 resources and data sources',
    );
    expect(text).toMatch(
      /docs {8}.*stacks\/prod\/policy-report\.md, .*stacks\/prod\/iam-matrix\.md, .*stacks\/prod\/architecture\.md/,
    );
    expect(text).toContain('placeholder project ids (trb-dev-placeholder)');
  });
});

describe('snapshots', () => {
  test.each(['bootstrap', 'dev', 'staging', 'prod'])('%s stack', (name) => {
    const stack = app.node.findChild(name) as BootstrapStack | EnvironmentStack;
    // The image tag is the hash of the runtime sources (pinned by the gateway test above); masked here so
    // editing runtime code does not rewrite every stack snapshot.
    expect(
      Testing.synth(stack).replace(/\/(ingest|loader):[0-9a-f]{16}"/g, '/$1:<source-hash>"'),
    ).toMatchSnapshot();
  });
});

describe('npm run synth', () => {
  const failing = () => {
    throw new ValidationError('Environment "dev" (stacks/environments/dev.ts)', [
      { field: 'foundation.region', value: 'europe-west99', rule: 'must be a known Google Cloud region' },
    ]);
  };

  test('prints a failure as its list of problems, without a stack trace, and exits 1', () => {
    const err: string[] = [];
    expect(synthMain(failing, { out: () => {}, err: (s) => err.push(s) })).toBe(1);
    expect(err.join('')).toBe(
      'Environment "dev" (stacks/environments/dev.ts): 1 problem\n  - foundation.region = "europe-west99": must be a known Google Cloud region\n',
    );
  });

  test('prints the stack trace too with TRIBUTARY_DEBUG=1', () => {
    const err: string[] = [];
    process.env.TRIBUTARY_DEBUG = '1';
    try {
      synthMain(failing, { out: () => {}, err: (s) => err.push(s) });
    } finally {
      delete process.env.TRIBUTARY_DEBUG;
    }
    expect(err.join('')).toMatch(/^ValidationError: Environment "dev"[\s\S]*\n {4}at /);
  });

  test('prints the summary and exits 0 on success', () => {
    const out: string[] = [];
    expect(
      synthMain(() => buildApp({ outdir: testApp().outdir }), { out: (s) => out.push(s), err: () => {} }),
    ).toBe(0);
    expect(out.join('')).toContain('Synthesized 4 stacks');
  });
});
