import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { GrantRecord, PolicyReport } from 'tributary';
import { type TfJson, testApp } from '../helpers';
import { importsOf } from '../source-files';
import { configurationErrors, terraformInit } from '../stacks/terraform-harness';
import { describeWithTool } from '../system-tools';

const APP = 'test/composition/team-app.ts';
let outdir: string;
const read = (file: string) => fs.readFileSync(path.join(outdir, 'stacks', 'payments-dev', file), 'utf8');

beforeAll(() => {
  outdir = testApp().outdir;
  // As a team runs it: a program of its own, in a fresh process.
  execFileSync(process.execPath, [require.resolve('tsx/cli'), APP, outdir], {
    cwd: path.resolve(__dirname, '../..'),
    env: { ...process.env, CDKTN_DISABLE_CREATION_STACK: '1' },
    stdio: 'pipe',
  });
});

describe("a composing team's app, written only against the entry point", () => {
  test('imports nothing but the package entry point', () => {
    expect(importsOf(APP)).toEqual(['tributary']);
  });

  test('synthesizes its stack with a passing policy report and a generated IAM matrix', () => {
    const report = JSON.parse(read('policy-report.json')) as PolicyReport;
    expect(report.summary).toEqual({ errors: 0, warnings: 0, suppressed: 0 });
    const matrix = JSON.parse(read('iam-matrix.json')) as GrantRecord[];
    const gateway = 'serviceAccount:pay-dev-ingest@acme-payments-dev.iam.gserviceaccount.com';
    expect(
      matrix
        .filter((r) => r.principal === gateway && r.role === 'roles/pubsub.publisher')
        .map((r) => r.resource),
    ).toEqual(['partner-refunds', 'pay-dev-refund']);
  });

  test('uses the bucket and dataset it brought, and creates the rest', () => {
    const tf = JSON.parse(read('cdk.tf.json')) as TfJson;
    const buckets = Object.values(tf.resource?.google_storage_bucket ?? {}).map((b) => b.name);
    expect(buckets.sort()).toEqual([
      'acme-payments-dev-archive',
      'acme-payments-dev-artifacts',
      'acme-payments-dev-dataflow-staging',
    ]);
    const datasets = Object.values(tf.resource?.google_bigquery_dataset ?? {}).map((d) => d.dataset_id);
    expect(datasets.sort()).toEqual(['pay_dev_curated', 'pay_dev_staging']);
    const table = Object.values(tf.resource?.google_bigquery_table ?? {})[0];
    expect(table).toMatchObject({
      dataset_id: 'payments_raw',
      table_id: 'refund_v1',
      project: 'acme-payments-dev',
    });
  });

  describeWithTool('terraform', 'and Terraform', () => {
    test("accepts the team's stack", () => {
      expect(configurationErrors(terraformInit(JSON.parse(read('cdk.tf.json'))))).toEqual({});
    });
  });
});
