import { createHash } from 'node:crypto';
import { CustomFlexTemplate } from '../../constructs/dataflow/custom-flex-template';
import { defineFlexTemplate } from '../../constructs/dataflow/template-parameters';
import { DataflowUdf } from '../../constructs/dataflow/udf';
import { DataBucket } from '../../constructs/storage/data-bucket';
import { HashedObject } from '../../constructs/storage/hashed-object';
import { errorOf, only, resources, synth, testStack } from '../helpers';

const sha = (s: string) => createHash('sha256').update(s).digest('hex');
const SCRIPT = 'var x = 1;\nfunction transform(inJson) {\n  return inJson;\n}\n';

function withBucket() {
  const stack = testStack();
  const bucket = new DataBucket(stack, 'Artifacts', { bucketName: 'trb-test-artifacts', location: 'EU' });
  return { stack, bucket };
}

describe('HashedObject', () => {
  test('is named by its content hash, records it in metadata, and is replaced create-before-destroy', () => {
    const { stack, bucket } = withBucket();
    const o = new HashedObject(stack, 'Doc', {
      bucket,
      folder: 'docs/a',
      baseName: 'readme',
      extension: 'txt',
      content: 'hello',
      contentType: 'text/plain',
      role: 'doc',
    });
    expect(o.objectName).toBe(`docs/a/readme-${sha('hello').slice(0, 16)}.txt`);
    expect(o.url).toBe(`gs://trb-test-artifacts/${o.objectName}`);
    expect(only(synth(stack), 'google_storage_bucket_object')).toEqual({
      bucket: `\${google_storage_bucket.${bucket.resource.friendlyUniqueId}.name}`,
      name: o.objectName,
      content: 'hello',
      content_type: 'text/plain',
      metadata: { 'tributary-role': 'doc', 'content-sha256': sha('hello') },
      lifecycle: { create_before_destroy: true },
    });
  });

  test('fails a bad folder, name, extension or empty content, all at once', () => {
    const { stack, bucket } = withBucket();
    const error = errorOf(
      () =>
        new HashedObject(stack, 'Bad', {
          bucket,
          folder: '/abs/',
          baseName: 'a b',
          extension: 'JS',
          content: '',
          contentType: 'text/plain',
          role: 'doc',
        }),
    );
    expect(error.message.split('\n').slice(1)).toEqual([
      '  - folder = "/abs/": must be path segments of [A-Za-z0-9._-] joined by "/"',
      '  - baseName = "a b": must be 1-200 characters of [A-Za-z0-9._-]',
      '  - extension = "JS": must be 1-10 lowercase letters or digits',
      '  - content = "": must not be empty',
    ]);
  });
});

describe('DataflowUdf', () => {
  test('stores the script under udf/<name>/ with its hash, so new code is a new path', () => {
    const { stack, bucket } = withBucket();
    const udf = new DataflowUdf(stack, 'Udf', {
      bucket,
      name: 'order',
      script: SCRIPT,
      functionName: 'transform',
    });
    const changed = new DataflowUdf(stack, 'Udf2', {
      bucket,
      name: 'order',
      script: SCRIPT.replace('1', '2'),
      functionName: 'transform',
    });
    expect(udf.gcsPath).toBe(`gs://trb-test-artifacts/udf/order/order-${sha(SCRIPT).slice(0, 16)}.js`);
    expect(changed.gcsPath).not.toBe(udf.gcsPath);
    const objects = resources(synth(stack), 'google_storage_bucket_object');
    expect(objects.map((o) => (o.metadata as Record<string, string>)['tributary-role'])).toEqual([
      'dataflow-udf',
      'dataflow-udf',
    ]);
    expect(objects.find((o) => o.name === udf.object.objectName)).toMatchObject({
      content: SCRIPT,
      content_type: 'application/javascript',
    });
  });

  test('fails a function name that is not an identifier, or a script that does not define it', () => {
    const { stack, bucket } = withBucket();
    const error = errorOf(
      () => new DataflowUdf(stack, 'Udf', { bucket, name: 'order', script: SCRIPT, functionName: 'process' }),
    );
    expect(error.message).toContain('script = "var x = 1;');
    expect(error.message).toContain('must define function process(...)');
    expect(
      errorOf(
        () => new DataflowUdf(stack, 'Udf2', { bucket, name: 'order', script: SCRIPT, functionName: 'a-b' }),
      ).message,
    ).toContain('functionName = "a-b": must be a JavaScript identifier');
  });
});

const FILES_TO_BQ = defineFlexTemplate({
  name: 'Files_to_BigQuery',
  description: 'Loads CSV files into a table.',
  streaming: false,
  parameters: [
    {
      name: 'inputPattern',
      label: 'Input files',
      helpText: 'gs:// glob of the files.',
      type: 'GCS_READ_FILE',
    },
    { name: 'outputTable', label: 'Table', helpText: 'project:dataset.table', type: 'BIGQUERY_TABLE' },
    {
      name: 'writeMode',
      label: 'Write mode',
      helpText: 'APPEND or TRUNCATE.',
      type: 'ENUM',
      values: ['APPEND', 'TRUNCATE'],
      optional: true,
    },
  ],
});
const IMAGE = `europe-west1-docker.pkg.dev/trb-test-project/templates/files-to-bq@sha256:${'a'.repeat(64)}`;

describe('CustomFlexTemplate', () => {
  function template() {
    const { stack, bucket } = withBucket();
    const staging = new DataBucket(stack, 'Staging', { bucketName: 'trb-test-staging', location: 'EU' });
    const t = new CustomFlexTemplate(stack, 'FilesToBq', {
      definition: FILES_TO_BQ,
      image: IMAGE,
      sdkLanguage: 'JAVA',
      bucket,
    });
    return { stack, bucket, staging, t };
  }

  test('writes the spec (image, metadata from the typed parameters, SDK language) as a hashed object', () => {
    const { stack, t } = template();
    const object = only(synth(stack), 'google_storage_bucket_object');
    const spec = JSON.parse(object.content as string);
    expect(spec).toEqual({
      image: IMAGE,
      sdkInfo: { language: 'JAVA' },
      metadata: {
        name: 'Files_to_BigQuery',
        description: 'Loads CSV files into a table.',
        streaming: false,
        parameters: [
          expect.objectContaining({ name: 'inputPattern', paramType: 'GCS_READ_FILE', isOptional: false }),
          expect.objectContaining({ name: 'outputTable', paramType: 'BIGQUERY_TABLE', isOptional: false }),
          expect.objectContaining({
            name: 'writeMode',
            paramType: 'ENUM',
            isOptional: true,
            enumOptions: [
              { value: 'APPEND', label: 'APPEND' },
              { value: 'TRUNCATE', label: 'TRUNCATE' },
            ],
          }),
        ],
      },
    });
    expect(object.name).toBe(
      `templates/Files_to_BigQuery/Files_to_BigQuery-${sha(object.content as string).slice(0, 16)}.json`,
    );
    expect(t.specGcsPath).toBe(`gs://trb-test-artifacts/${object.name}`);
  });

  test('launches jobs from the spec with the same typed parameters; batch jobs cancel on delete', () => {
    const { stack, bucket, staging, t } = template();
    const job = t.launch(stack, 'Load', {
      jobName: 'trb-test-load-files',
      parameters: {
        inputPattern: 'gs://trb-test-landing/orders/*.csv',
        outputTable: 'trb-test-project:raw.orders',
      },
      region: 'europe-west1',
      network: 'projects/trb-test-project/global/networks/tributary',
      subnetwork: 'regions/europe-west1/subnetworks/dataflow',
      machineType: 'n2-standard-2',
      maxWorkers: 2,
      stagingBucket: staging,
    });
    const json = synth(stack);
    const resource = only(json, 'google_dataflow_flex_template_job');
    expect(resource).toMatchObject({
      container_spec_gcs_path: t.specGcsPath,
      on_delete: 'cancel',
      parameters: {
        inputPattern: 'gs://trb-test-landing/orders/*.csv',
        outputTable: 'trb-test-project:raw.orders',
      },
    });
    expect(resource).not.toHaveProperty('enable_streaming_engine');
    expect(resource.depends_on).toContain(
      `google_storage_bucket_object.${t.specObject.resource.friendlyUniqueId}`,
    );
    expect(
      stack.grants.records.filter((r) => r.resource === bucket.bucketName).map((r) => [r.principal, r.role]),
    ).toEqual([[job.identity.principalLabel, 'roles/storage.objectViewer']]);
  });

  test('fails a launch whose parameters break the definition', () => {
    const { stack, staging, t } = template();
    const error = errorOf(() =>
      t.launch(stack, 'Load', {
        jobName: 'trb-test-load-files',
        // @ts-expect-error writeMode is an enum and outputTable is required
        parameters: { inputPattern: 'gs://trb-test-landing/x.csv', writeMode: 'MERGE' },
        region: 'europe-west1',
        network: 'projects/trb-test-project/global/networks/tributary',
        subnetwork: 'regions/europe-west1/subnetworks/dataflow',
        machineType: 'n2-standard-2',
        maxWorkers: 2,
        stagingBucket: staging,
      }),
    );
    expect(error.message.split('\n').slice(1)).toEqual([
      '  - parameters.writeMode = "MERGE": must be one of APPEND, TRUNCATE',
      '  - parameters.outputTable = (not set): is required',
    ]);
  });

  test('fails an image that is not a registry reference, and an unknown SDK language', () => {
    const { stack, bucket } = withBucket();
    const error = errorOf(
      () =>
        new CustomFlexTemplate(stack, 'Bad', {
          definition: FILES_TO_BQ,
          image: 'files-to-bq',
          // @ts-expect-error not a Dataflow SDK language
          sdkLanguage: 'RUST',
          bucket,
        }),
    );
    expect(error.message.split('\n').slice(1)).toEqual([
      '  - image = "files-to-bq": must be a container image reference <registry>/<path>:<tag> or <registry>/<path>@sha256:<digest>',
      '  - sdkLanguage = "RUST": must be JAVA, PYTHON or GO',
    ]);
  });
});
