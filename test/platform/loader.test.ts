import { parse } from 'yaml';
import { GrantLedger } from '../../constructs/iam/grants';
import { checkLoaderSettings } from '../../constructs/platform/loader/platform-loader';
import { StreamingPlatform } from '../../constructs/platform/streaming-platform';
import { escapeForTerraform } from '../../constructs/workflows/workflow';
import { parseLoaderManifest } from '../../contracts/loader';
import { Checks } from '../../core/validation';
import { order } from '../../stacks/contracts/order';
import { baseContract } from '../contracts/fixtures';
import { errorOf, only, resources, synth, testStack } from '../helpers';

const PLACEMENT = {
  project: 'trb-test-project',
  projectNumber: '123456789012',
  region: 'europe-west1',
  dataLocation: 'EU',
  namePrefix: 'trb-tst',
  production: false,
} as const;
const IMAGE = 'europe-west1-docker.pkg.dev/trb-test-project/tributary/loader:0123456789abcdef';

function platform(loader: Record<string, unknown> = {}) {
  const stack = testStack();
  const p = new StreamingPlatform(stack, 'Platform', {
    ...PLACEMENT,
    streams: { delivery: { kind: 'bigquery-subscription' }, contracts: [baseContract(), order] },
    loader: { image: IMAGE, ...loader },
  });
  const json = synth(stack);
  return { stack, p, json };
}

describe('PlatformLoader', () => {
  test('runs the loader job as its own identity with the manifest of every stream, and no policy errors', () => {
    const { stack, p, json } = platform({ maxRejectShare: 0.02 });
    expect(stack.policy.errors).toEqual([]);
    expect(p.loader?.node.path).toBe('test/Platform/Loader');
    const job = only(json, 'google_cloud_run_v2_job') as {
      name: string;
      template: {
        template: {
          service_account: string;
          containers: { env: { name: string; value: string }[]; image: string }[];
        };
      };
    };
    expect(job.name).toBe('trb-tst-loader');
    expect(job.template.template.service_account).toContain('google_service_account.Platform_LoaderIdentity');
    expect(job.template.template.containers[0]?.image).toBe(IMAGE);
    const manifestUrl = job.template.template.containers[0]?.env.find(
      (e) => e.name === 'TRIBUTARY_LOADER_MANIFEST',
    )?.value;
    expect(manifestUrl).toMatch(/^gs:\/\/trb-test-project-artifacts\/loader\/manifest-[0-9a-f]{16}\.json$/);
    const object = resources(json, 'google_storage_bucket_object').find((o) =>
      String(o.name).startsWith('loader/'),
    );
    const manifest = parseLoaderManifest(String(object?.content), 'manifest');
    expect(manifest).toMatchObject({
      project: 'trb-test-project',
      location: 'EU',
      bucket: 'trb-test-project-landing',
      maxRejectShare: 0.02,
    });
    expect(manifest.streams.map((s) => [s.name, s.table])).toEqual([
      ['order', 'trb-test-project.trb_tst_raw.order_v1'],
      ['sale', 'trb-test-project.trb_tst_raw.sale_v1'],
    ]);
  });

  test('grants exactly what each identity needs: prefixes on the landing bucket, the raw tables, and starting the job', () => {
    const { stack } = platform();
    const rows = GrantLedger.of(stack).records;
    const of = (account: string) =>
      rows
        .filter((r) => r.principal === `serviceAccount:${account}@trb-test-project.iam.gserviceaccount.com`)
        .map((r) => `${r.resourceType} ${r.resource} ${r.role}${r.condition ? ` if ${r.condition}` : ''}`)
        .sort();
    const objects = 'projects/_/buckets/trb-test-project-landing/objects/';
    expect(of('trb-tst-loader')).toEqual([
      'google_bigquery_table trb-test-project.trb_tst_raw.order_v1 roles/bigquery.dataEditor',
      'google_bigquery_table trb-test-project.trb_tst_raw.sale_v1 roles/bigquery.dataEditor',
      'google_project trb-test-project roles/bigquery.jobUser',
      'google_project trb-test-project roles/logging.logWriter',
      'google_storage_bucket trb-test-project-artifacts roles/storage.objectViewer if resource.name.startsWith("projects/_/buckets/trb-test-project-artifacts/objects/loader/")',
      `google_storage_bucket trb-test-project-landing roles/storage.objectCreator if resource.name.startsWith("${objects}quarantine/") || resource.name.startsWith("${objects}results/") || resource.name.startsWith("${objects}staging/")`,
      `google_storage_bucket trb-test-project-landing roles/storage.objectViewer if resource.name.startsWith("${objects}order/") || resource.name.startsWith("${objects}results/") || resource.name.startsWith("${objects}sale/") || resource.name.startsWith("${objects}staging/")`,
    ]);
    expect(of('trb-tst-loader-workflow')).toEqual([
      'google_cloud_run_v2_job europe-west1/trb-tst-loader roles/run.jobsExecutorWithOverrides',
      'google_project trb-test-project roles/logging.logWriter',
    ]);
    expect(of('trb-tst-loader-trigger')).toEqual([
      'google_project trb-test-project roles/eventarc.eventReceiver',
      'google_project trb-test-project roles/workflows.invoker',
    ]);
    const invoker = rows.find((r) => r.role === 'roles/workflows.invoker');
    expect(invoker?.justification).toContain('no per-workflow IAM resource');
    const agent = rows.filter((r) => r.principal === 'serviceAgent:storage@trb-test-project');
    expect(agent.map((r) => `${r.resourceType} ${r.role} ${r.scope}`)).toEqual([
      'google_project roles/pubsub.publisher project',
    ]);
  });

  test('Eventarc starts the workflow on object finalize in the landing bucket; the workflow starts the job for uploads only', () => {
    const { json } = platform();
    const trigger = only(json, 'google_eventarc_trigger') as Record<string, unknown>;
    expect(trigger).toMatchObject({
      name: 'trb-tst-loader-uploads',
      location: 'eu',
      matching_criteria: [
        { attribute: 'type', value: 'google.cloud.storage.object.v1.finalized' },
        {
          attribute: 'bucket',
          value: expect.stringContaining('google_storage_bucket.Platform_LandingBucket'),
        },
      ],
      destination: { workflow: 'projects/trb-test-project/locations/europe-west1/workflows/trb-tst-loader' },
      service_account: expect.stringContaining('Platform_LoaderTriggerIdentity'),
    });
    expect((trigger.depends_on as string[]).length).toBe(5);
    const wf = only(json, 'google_workflows_workflow') as {
      source_contents: string;
      service_account: string;
    };
    expect(wf.service_account).toContain('Platform_LoaderWorkflowIdentity');
    // Terraform unescapes $${ to ${; what Workflows receives is the YAML below.
    const source = wf.source_contents.replace(/\$\$\{/g, '${');
    expect(escapeForTerraform(source)).toBe(wf.source_contents);
    const steps = parse(source).main.steps as Record<string, Record<string, unknown>>[];
    expect(steps.map((s) => Object.keys(s)[0])).toEqual(['init', 'only_uploads', 'run_loader', 'started']);
    const filter = ((steps[1]?.only_uploads?.switch ?? []) as { condition: string }[])[0]?.condition;
    expect(filter).toBe('${not text.match_regex(object, "^(order|sale)/.*[^/]$")}');
    const run = steps[2]?.run_loader as {
      call: string;
      args: { name: string; body: unknown; connector_params: unknown };
    };
    expect(run.call).toBe('googleapis.run.v2.projects.locations.jobs.run');
    expect(run.args.name).toBe('projects/trb-test-project/locations/europe-west1/jobs/trb-tst-loader');
    expect(run.args.body).toEqual({
      overrides: {
        containerOverrides: [
          {
            env: [
              { name: 'TRIBUTARY_OBJECT', value: '${"gs://" + bucket + "/" + object}' },
              { name: 'TRIBUTARY_OBJECT_GENERATION', value: '${generation}' },
            ],
          },
        ],
      },
    });
    expect(run.args.connector_params).toEqual({ skip_polling: true });
    const filterRe = /\^\((.*)\)\/\.\*\[\^\/\]\$/.exec(filter ?? '');
    const re = new RegExp(`^(${filterRe?.[1]})/.*[^/]$`);
    for (const name of ['order/a.csv', 'sale/2026/b.ndjson.gz']) expect(re.test(name)).toBe(true);
    for (const name of ['staging/order/x.ndjson', 'results/sale/y.json', 'order/', 'misc/a.csv'])
      expect(re.test(name)).toBe(false);
  });

  test('counts files by outcome and rows per file as log-based metrics from the job’s log lines', () => {
    const { json } = platform();
    const metrics = resources(json, 'google_logging_metric') as Record<string, unknown>[];
    expect(metrics.map((m) => m.name).sort()).toEqual([
      'tributary/trb-tst/loader/files',
      'tributary/trb-tst/loader/rows_accepted',
      'tributary/trb-tst/loader/rows_loaded',
      'tributary/trb-tst/loader/rows_rejected',
    ]);
    const loaded = metrics.find((m) => m.name === 'tributary/trb-tst/loader/rows_loaded');
    expect(loaded).toMatchObject({
      filter:
        'resource.type="cloud_run_job" AND resource.labels.job_name="trb-tst-loader" AND jsonPayload.outcome:* AND jsonPayload.rowsLoaded:*',
      value_extractor: 'EXTRACT(jsonPayload.rowsLoaded)',
      metric_descriptor: { metric_kind: 'DELTA', value_type: 'DISTRIBUTION' },
    });
  });

  test('fails invalid loader settings, naming each field, value and rule', () => {
    const c = new Checks('loader');
    checkLoaderSettings(
      c,
      { maxRejectShare: 2, maxRowBytes: 10, cpu: '3', memory: 'lots', taskTimeoutSeconds: 5, maxRetries: 11 },
      'loader.',
    );
    const message = errorOf(() => c.throwIfAny()).message;
    for (const part of [
      'loader.maxRejectShare = 2: must be a number from 0 to 1',
      'loader.maxRowBytes = 10: must be a whole number of bytes from 1024',
      'loader.cpu = "3"',
      'loader.memory = "lots"',
      'loader.taskTimeoutSeconds = 5: must be a whole number of seconds from 60 to 86400',
      'loader.maxRetries = 11: must be a whole number from 0 to 10',
    ])
      expect(message).toContain(part);
    expect(errorOf(() => platform({ maxRejectShare: -1 })).message).toContain(
      'test/Platform/Loader (PlatformLoader)',
    );
  });

  test('caps the heap at a quarter of the memory, and fails rows longer than that heap holds', () => {
    const { json } = platform({ memory: '2Gi', maxRowBytes: 50 * 1024 * 1024 });
    const job = only(json, 'google_cloud_run_v2_job') as {
      template: { template: { containers: { env: { name: string; value: string }[] }[] } };
    };
    expect(job.template.template.containers[0]?.env).toContainEqual({
      name: 'NODE_OPTIONS',
      value: '--enable-source-maps --max-old-space-size=512',
    });
    const c = new Checks('loader');
    checkLoaderSettings(c, { maxRowBytes: 20 * 1024 * 1024 }, 'loader.');
    expect(errorOf(() => c.throwIfAny()).message).toContain(
      'loader.maxRowBytes = 20971520: must be at most 16777216 bytes with memory 512Mi',
    );
  });
});
