/** ZetaSQL, BigQuery's analyzer, accepts every statement the compiled project runs, and rejects broken ones. */
import * as fs from 'node:fs';
import { WarehouseAnalyzer } from '../../models/analyzer/analyze';
import { appEvent } from '../../stacks/contracts/app-event';
import { CONTRACTS } from '../../stacks/contracts/index';
import { CURATED_MODELS, customModels } from '../../stacks/models/index';
import { appEventV2, type BuiltProject, buildProject } from './harness';

let analyzer: WarehouseAnalyzer;
const built: BuiltProject[] = [];
const build = (o: Parameters<typeof buildProject>[0]) => {
  const b = buildProject(o);
  built.push(b);
  return b;
};

beforeAll(async () => {
  analyzer = await WarehouseAnalyzer.start();
}, 60_000);
afterAll(async () => {
  await analyzer.stop();
  for (const b of built) fs.rmSync(b.dir, { recursive: true, force: true });
});

test('accepts every statement of the shipped project: full and incremental runs, views, assertions', async () => {
  const b = build({
    contracts: CONTRACTS,
    curated: CURATED_MODELS,
    custom: customModels(),
    vars: { pii_policy_tag: 'projects/p/locations/eu/taxonomies/1/policyTags/2' },
  });
  const result = await analyzer.analyzeProject(b.graph, b.raw);
  expect(result.problems).toEqual([]);
  // Every table twice (full and incremental run), with pre- and post-operations, and two per assertion.
  expect(result.statements).toBeGreaterThan(130);
}, 120_000);

test('accepts the statements that read a retired raw table version beside the live one', async () => {
  const v2 = appEventV2(appEvent);
  const b = build({
    contracts: [v2],
    retired: [appEvent],
    curated: [CURATED_MODELS[0] as (typeof CURATED_MODELS)[number]],
  });
  const result = await analyzer.analyzeProject(b.graph, b.raw);
  expect(result.problems).toEqual([]);
}, 120_000);

test('fails an unknown column and a type error, naming the model, the statement and the position', async () => {
  const b = build({
    contracts: [appEvent],
    custom: {
      'typo.sqlx': 'config { type: "view" }\nSELECT user_idd FROM ${ref("stg_app_event")}\n',
      'types.sqlx':
        'config { type: "view" }\nSELECT metadata_amount + event_type AS nonsense FROM ${ref("stg_app_event")}\n',
    },
  });
  const result = await analyzer.analyzeProject(b.graph, b.raw);
  expect(result.problems).toEqual([
    expect.objectContaining({
      action: 'types',
      run: 'full',
      message: expect.stringMatching(
        /^No matching signature for operator \+ for argument types: NUMERIC, STRING/,
      ),
    }),
    expect.objectContaining({
      action: 'typo',
      run: 'full',
      message: 'Unrecognized name: user_idd; Did you mean user_id?',
      line: 2,
      column: 8,
    }),
  ]);
}, 120_000);
