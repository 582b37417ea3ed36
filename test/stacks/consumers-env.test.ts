/**
 * A test environment with every consumer option on (prod's settings plus a Looker instance, Looker Studio and
 * Vertex AI features): it synthesizes with zero policy errors, and its IAM matrix shows every consumer principal
 * on curated data (and the ML account's own dataset) only.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { GrantRecord } from '../../constructs/iam/grants';
import type { PolicyReport } from '../../constructs/policy/types';
import { buildApp } from '../../stacks/main';
import { resources, type TfJson } from '../helpers';
import { CONSUMERS_ENV } from './consumers-env';

jest.setTimeout(120_000);

let outdir: string;
const read = (file: string) => fs.readFileSync(path.join(outdir, 'stacks', 'consumers-test', file), 'utf8');

beforeAll(() => {
  outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'tributary-consumers-'));
  buildApp({ outdir, environments: [CONSUMERS_ENV] }).synth();
});
afterAll(() => fs.rmSync(outdir, { recursive: true, force: true }));

test('with Looker, Looker Studio and Vertex AI features on, it synthesizes with zero policy errors', () => {
  const report = JSON.parse(read('policy-report.json')) as PolicyReport;
  expect(report.summary.errors).toBe(0);
  expect(report.findings.filter((f) => !f.suppressedBy)).toEqual([]);
  expect(report.rules.map((r) => r.id)).toEqual(
    expect.arrayContaining(['TRB-CONS-1', 'TRB-LKR-1', 'TRB-VTX-1']),
  );
  const json = JSON.parse(read('cdk.tf.json')) as TfJson;
  expect(resources(json, 'google_looker_instance')).toHaveLength(1);
  expect(resources(json, 'google_vertex_ai_feature_online_store')).toHaveLength(1);
  expect(
    resources(json, 'google_vertex_ai_feature_online_store_featureview')
      .map((v) => v.name)
      .sort(),
  ).toEqual(['fact_daily_orders', 'fact_user_activity']);
});

test('the IAM matrix itself shows the BI and ML principals, and the Looker and Vertex AI agents, on curated data only', () => {
  const matrix = JSON.parse(read('iam-matrix.json')) as GrantRecord[];
  const curated = 'trb-prod-placeholder.trb_prod_curated';
  const consumer = (p: string) =>
    /^serviceAccount:trb-prod-(bi|ml)@/.test(p) || /^serviceAgent:(looker|aiplatform)@/.test(p);
  const data = matrix.filter(
    (r) => consumer(r.principal) && r.resourceType.startsWith('google_bigquery_') && r.scope === 'resource',
  );
  const principals = new Set(data.map((r) => r.principal.replace(/@.*/, '')));
  expect([...principals].sort()).toEqual([
    'serviceAccount:trb-prod-bi',
    'serviceAccount:trb-prod-ml',
    'serviceAgent:aiplatform',
    'serviceAgent:looker',
  ]);
  for (const r of data) {
    const dataset = r.resource.split('.').slice(0, 2).join('.');
    const own = r.principal.includes('-ml@') && dataset === 'trb-prod-placeholder.trb_prod_ml';
    expect([r.principal, r.role, dataset === curated || own]).toEqual([r.principal, r.role, true]);
  }
  // The ML account writes only its own dataset; everything else it has on data is read.
  const mlWrites = data.filter((r) => r.principal.includes('-ml@') && r.role !== 'roles/bigquery.dataViewer');
  expect(mlWrites.map((r) => `${r.resource} ${r.role}`)).toEqual([
    'trb-prod-placeholder.trb_prod_ml roles/bigquery.dataEditor',
  ]);
  // Vertex AI reads exactly the feature sources and the curated tables under them.
  expect(
    data
      .filter((r) => r.principal.startsWith('serviceAgent:aiplatform'))
      .map((r) => r.resource.replace(`${curated}.`, ''))
      .sort(),
  ).toEqual([
    'fact_daily_orders',
    'fact_daily_orders__features',
    'fact_user_activity',
    'fact_user_activity__features',
  ]);
  // No consumer principal holds anything on a storage bucket, topic or subscription.
  expect(
    matrix.filter((r) => consumer(r.principal) && /google_(storage|pubsub)_/.test(r.resourceType)),
  ).toEqual([]);
});
