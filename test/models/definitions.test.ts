/** The staging columns derived from a contract, the curated-model DSL's rule table, and the generated project. */
import * as fs from 'node:fs';
import { defineContract, field, t } from '../../contracts/dsl';
import { businessColumns } from '../../models/columns';
import { compileProject, writeProject } from '../../models/compile';
import { defineCuratedModel, grain, measure, where } from '../../models/curated';
import { guardStatement } from '../../models/engine/guard';
import { LocalWarehouse } from '../../models/engine/warehouse';
import { PII_POLICY_TAG_VAR, warehouseProject } from '../../models/project';
import { stagingModel } from '../../models/staging';
import { appEvent } from '../../stacks/contracts/app-event';
import { CONTRACTS } from '../../stacks/contracts/index';
import { order } from '../../stacks/contracts/order';
import { CURATED_MODELS, customModels } from '../../stacks/models/index';
import { buildProject, DATASETS } from './harness';

describe('staging columns', () => {
  test('records are flattened, repeated records stay arrays, PII is inherited and pseudonymized', () => {
    const s = stagingModel(order);
    const names = s.columns.map((c) => c.name);
    expect(names).toEqual(
      expect.arrayContaining([
        'order_id',
        'line_items',
        'shipping_address_line1',
        'shipping_address_country_code',
        'customer_id_pseudonym',
        'shipping_address_city_pseudonym',
      ]),
    );
    const col = (n: string) => s.columns.find((c) => c.name === n);
    expect(col('line_items')?.type).toBe(
      'ARRAY<STRUCT<product_id STRING, quantity INT64, unit_price NUMERIC(18, 2)>>',
    );
    expect(col('shipping_address_city')).toMatchObject({ pii: true, required: false });
    expect(col('status')?.values).toEqual([
      'PENDING',
      'PAID',
      'SHIPPED',
      'DELIVERED',
      'CANCELLED',
      'REFUNDED',
    ]);
    // A key of PII values makes event_id PII too.
    expect(stagingModel(appEvent).columns.find((c) => c.name === 'event_id')?.pii).toBe(true);
    expect(col('event_id')?.pii).toBe(false);
  });

  test('positions hold no PII; keys with the event time are partition-stable', () => {
    for (const c of CONTRACTS) {
      const s = stagingModel(c);
      expect(s.positionColumns.filter((p) => p.pii)).toEqual([]);
      expect(s.positionColumns.map((p) => p.name)).toContain('_tributary_partition');
    }
    expect(stagingModel(appEvent).partitionStable).toBe(true);
    expect(stagingModel(order).partitionStable).toBe(false);
  });

  test('nested records flatten to their leaves', () => {
    const cols = businessColumns([
      field('a', 'A.', t.record([field('b', 'B.', t.record([field('c', 'C.', t.int64())]))]), {
        optional: true,
      }),
    ]);
    expect(cols).toEqual([
      expect.objectContaining({ name: 'a_b_c', type: 'INT64', required: false, path: ['a', 'b', 'c'] }),
    ]);
  });

  test('no statement reads a PII column of staging or curated (only writes them, from raw)', () => {
    const project = warehouseProject({
      project: 'p',
      location: 'EU',
      datasets: DATASETS,
      contracts: CONTRACTS,
      curated: CURATED_MODELS,
      timeTravelHours: 168,
    });
    for (const s of project.staging) {
      const pii = s.columns.filter((c) => c.pii).map((c) => c.name);
      const text = project.files.get(`definitions/staging/${s.name}.js`) ?? '';
      // Reads of staging itself ({{self}}) select only these columns.
      const selfRead = /SELECT ([^\n]+)\nFROM \{\{self\}\}/.exec(text)?.[1] ?? '';
      expect(selfRead.split(', ').filter((c) => pii.includes(c))).toEqual([]);
      expect(selfRead).toContain('_tributary_key');
    }
    for (const m of CURATED_MODELS) {
      const text = project.files.get(`definitions/curated/${m.name}.js`) ?? '';
      const staging = project.staging.find((s) => s.name === m.sourceModel);
      for (const c of staging?.columns.filter((x) => x.pii) ?? [])
        expect([m.name, text]).not.toEqual([
          m.name,
          expect.stringMatching(new RegExp(`\\bs\\.${c.name}\\b`)),
        ]);
    }
  });
});

describe('curated models', () => {
  test('the shipped fact_user_activity is the CRED design’s: grain, measures, partition and cluster', () => {
    const [fact] = CURATED_MODELS;
    expect(fact?.columns.map((c) => `${c.name} ${c.type}`)).toEqual([
      'user_id STRING',
      'event_date DATE',
      'first_event TIMESTAMP',
      'last_event TIMESTAMP',
      'total_events INT64',
      'total_amount NUMERIC',
    ]);
    expect(fact).toMatchObject({
      partition: 'event_date',
      cluster: ['user_id'],
      sourceModel: 'stg_app_event',
    });
  });

  test('fails with every problem listed, each naming the field, the value and the rule', () => {
    let error: Error | undefined;
    try {
      defineCuratedModel({
        name: 'Bad-Name',
        description: '',
        source: order,
        grain: {
          customer: grain.column('customer_id'),
          nowhere: grain.column('no_such_column'),
          notpii: grain.pseudonym('currency'),
          address: grain.column('shipping_address_line2'),
        },
        measures: {
          revenue: measure.sum('status'),
          items: measure.sumOfItems('line_items', 'product_id'),
          customer: measure.count(),
        },
        filters: [
          where('status', 'in', ['SHIPPED', 'LOST']),
          where('total_amount', '=', ['ten']),
          where('currency', 'is null', ['EUR']),
        ],
        partition: 'customer',
        cluster: ['a', 'b', 'c', 'd', 'e'],
      });
    } catch (e) {
      error = e as Error;
    }
    const message = error?.message ?? '';
    expect(message).toMatch(/^Curated model "Bad-Name": \d+ problems\n/);
    for (const line of [
      '  - name = "Bad-Name": must be snake_case',
      '  - description = "": must describe the model',
      '  - grain.customer = "customer_id": is PII: group by its pseudonym with grain.pseudonym("customer_id"); the models never read PII',
      '  - grain.nowhere = "no_such_column": is not a column of stg_order (columns: order_id,',
      '  - grain.notpii = "currency": must be a PII column of stg_order (grain.pseudonym is for PII; use grain.column)',
      '  - grain.address = "shipping_address_line2": is PII',
      '  - measures.revenue = "status": has type STRING; sum needs INT64, FLOAT64 or NUMERIC',
      '  - measures.items = "line_items.product_id": must be a numeric field of the repeated record',
      '  - measures.customer = "customer": names a grain column too',
      '  - filters[0].values = "LOST": is not an accepted value of status (PENDING, PAID, SHIPPED, DELIVERED, CANCELLED, REFUNDED)',
      '  - filters[1].values = "ten": must be a number for NUMERIC(18, 2) column total_amount',
      '  - filters[2].values = ["EUR"]: must be absent for is null',
      '  - partition = "customer": must be a DATE grain column',
      '  - cluster = ["a","b","c","d","e"]: must list at most four columns',
      '  - cluster = "e": must be a grain column',
    ])
      expect(message).toContain(line);
  });

  test('fails a grain on a column that may be NULL: the merge would never match it', () => {
    expect(() =>
      defineCuratedModel({
        name: 'by_currency',
        description: 'Events by currency.',
        source: appEvent,
        grain: { currency: grain.column('metadata_currency') },
        measures: { events: measure.count() },
      }),
    ).toThrow(
      'grain.currency = "metadata_currency": must be required in the contract: the merge matches grains by equality, and NULL never matches',
    );
  });
});

describe('the generated Dataform project', () => {
  test('compiles offline with @dataform/core: declarations, staging, views, curated models, assertions, custom models', () => {
    const built = buildProject({
      contracts: CONTRACTS,
      curated: CURATED_MODELS,
      custom: customModels(),
      vars: { [PII_POLICY_TAG_VAR]: 'projects/p/locations/eu/taxonomies/1/policyTags/2' },
    });
    try {
      const g = built.graph;
      expect(g.tables?.map((x) => `${x.target.schema}.${x.target.name} ${x.type}`).sort()).toEqual([
        'curated.fact_daily_orders incremental',
        'curated.fact_daily_orders__features view',
        'curated.fact_daily_orders__training view',
        'curated.fact_user_activity incremental',
        'curated.fact_user_activity__features view',
        'curated.fact_user_activity__training view',
        'curated.inventory_position incremental',
        'curated.rpt_daily_revenue view',
        'staging.stg_app_event incremental',
        'staging.stg_inventory_change incremental',
        'staging.stg_order incremental',
        'staging.stg_order__line_items view',
        'staging.stg_user_activity incremental',
      ]);
      expect(g.declarations?.map((d) => d.target.name).sort()).toEqual(
        expect.arrayContaining(['app_event_v1', 'order_v1', 'stg_order__changes']),
      );
      const stg = g.tables?.find((x) => x.target.name === 'stg_app_event');
      expect(stg).toMatchObject({
        uniqueKey: ['_tributary_key'],
        bigquery: {
          partitionBy: '_tributary_partition',
          clusterBy: ['user_id_pseudonym', 'event_type'],
          updatePartitionFilter: '_tributary_partition IN UNNEST(tributary_partitions)',
        },
      });
      // PII columns carry the policy tag the release config passes; nothing else does.
      const tagged = stg?.actionDescriptor?.columns
        ?.filter((c) => (c.bigqueryPolicyTags ?? []).length > 0)
        .map((c) => c.path.join('.'));
      expect(tagged).toEqual(['user_id', 'event_id']);
      const assertions = (g.assertions ?? []).map((a) => a.target.name);
      expect(assertions).toEqual(
        expect.arrayContaining([
          'stg_app_event__unique_key',
          'stg_app_event__not_null',
          'stg_order__accepted_values',
          'stg_app_event__freshness',
          'stg_app_event__partitions',
          'fact_user_activity__reconciles',
        ]),
      );
      expect(
        g.tables?.find((x) => x.target.name === 'rpt_daily_revenue')?.dependencyTargets?.map((d) => d.name),
      ).toEqual(['fact_daily_orders']);
    } finally {
      fs.rmSync(built.dir, { recursive: true, force: true });
    }
  });

  test('fails compilation of a hand-written model with a bad reference, naming the file', () => {
    expect(() =>
      buildProject({
        contracts: [appEvent],
        custom: { 'broken.sqlx': 'config { type: "view" }\nSELECT * FROM ${ref("no_such_model")}\n' },
      }),
    ).toThrow(
      /Dataform compilation of .* failed: \d+ errors?\n {2}- definitions\/custom\/broken\.sqlx: Could not resolve "no_such_model"/,
    );
  });

  test('is deterministic, and pins the @dataform/core it is tested with', () => {
    const a = warehouseProject({
      project: 'p',
      location: 'EU',
      datasets: DATASETS,
      contracts: CONTRACTS,
      curated: CURATED_MODELS,
      timeTravelHours: 168,
    });
    const b = warehouseProject({
      project: 'p',
      location: 'EU',
      datasets: DATASETS,
      contracts: CONTRACTS,
      curated: CURATED_MODELS,
      timeTravelHours: 168,
    });
    expect([...a.files]).toEqual([...b.files]);
    const installed = JSON.parse(
      fs.readFileSync(require.resolve('@dataform/core/package.json'), 'utf8'),
    ).version;
    expect(a.files.get('workflow_settings.yaml')).toContain(`dataformCoreVersion: ${installed}`);
    expect(a.models.find((m) => m.name === 'fact_user_activity')).toMatchObject({
      kind: 'curated',
      target: 'curated.fact_user_activity',
      dependsOn: ['stg_app_event'],
    });
  });

  test('fails a project whose curated model reads a contract the warehouse does not have', () => {
    expect(() =>
      warehouseProject({
        project: 'p',
        location: 'EU',
        datasets: DATASETS,
        contracts: [appEvent],
        curated: CURATED_MODELS,
        timeTravelHours: 168,
      }),
    ).toThrow(
      "Curated model fact_daily_orders: its source stg_order is not among the warehouse's contracts (stg_app_event)",
    );
  });

  test('writes a project to a directory outside node_modules only', () => {
    const dir = fs.mkdtempSync(`${require('node:os').tmpdir()}/node_modules-`);
    writeProject(new Map([['workflow_settings.yaml', 'defaultProject: p\n']]), `${dir}/node_modules/x`);
    expect(() => compileProject(`${dir}/node_modules/x`)).toThrow(
      'a Dataform project must not live under node_modules',
    );
    fs.rmSync(dir, { recursive: true, force: true });
  });
});

describe('the translation guard', () => {
  test.each([
    ['SELECT SAFE_CAST(x AS NUMERIC) FROM t', 'NUMERIC without precision and scale'],
    ["SELECT REGEXP_CONTAINS(x, r'a') FROM t", 'REGEXP_CONTAINS'],
    ['SELECT EXTRACT(DAYOFWEEK FROM d) FROM t', 'DAYOFWEEK'],
    ['SELECT DATE_SUB(d, INTERVAL 1 DAY) FROM t', 'DATE_ADD / DATE_SUB / DATE_TRUNC'],
    ['SELECT TIMESTAMP_DIFF(a, b, HOUR) FROM t', 'TIMESTAMP_DIFF'],
    ["SELECT JSON_VALUE(j, '$.a') FROM t", 'JSON_VALUE'],
    ['SELECT CONCAT(a, b) FROM t', 'CONCAT of two values'],
    ['SELECT SUBSTR(a, 0, 2) FROM t', 'SUBSTR from position 0'],
  ])('fails %s', (sql, construct) => {
    expect(guardStatement('m', sql)).toEqual([expect.objectContaining({ model: 'm', construct })]);
  });

  test.each([
    'SELECT SAFE_CAST(x AS NUMERIC(18, 2)) FROM t',
    "SELECT 'REGEXP_CONTAINS(' AS text FROM t",
    'SELECT CONCAT(a, b, c) FROM t',
    'SELECT TIMESTAMP_SUB(ts, INTERVAL 1 HOUR), DATE(ts) FROM t',
  ])('passes %s', (sql) => {
    expect(guardStatement('m', sql)).toEqual([]);
  });

  test('no generated model uses a construct the engine translates wrongly', () => {
    const built = buildProject({ contracts: CONTRACTS, curated: CURATED_MODELS, custom: customModels() });
    try {
      const findings = (built.graph.tables ?? []).flatMap((x) =>
        [
          x.query ?? '',
          x.incrementalQuery ?? '',
          ...(x.preOps ?? []),
          ...(x.incrementalPreOps ?? []),
          ...(x.postOps ?? []),
          ...(x.incrementalPostOps ?? []),
        ].flatMap((s) => guardStatement(x.target.name, s)),
      );
      expect(findings).toEqual([]);
    } finally {
      fs.rmSync(built.dir, { recursive: true, force: true });
    }
  });

  test('fails a warehouse whose hand-written model relies on one, naming the model and the fix', async () => {
    const built = buildProject({
      contracts: [appEvent],
      custom: {
        'weekly.sqlx':
          'config { type: "view" }\nSELECT DATE_TRUNC(_tributary_partition, WEEK) AS week FROM ${ref("stg_app_event")}\n',
      },
    });
    await expect(LocalWarehouse.create(built.graph, built.raw)).rejects.toThrow(
      /weekly: DATE_ADD \/ DATE_SUB \/ DATE_TRUNC returns a TIMESTAMP for a DATE \(BigQuery: a DATE\); write TIMESTAMP_ADD/,
    );
    fs.rmSync(built.dir, { recursive: true, force: true });
  });
});

test('a contract for the tests compiles into a project too (DSL round trip)', () => {
  const c = defineContract({
    name: 'click',
    version: '1.0.0',
    description: 'A click.',
    owner: 'web@example.com',
    fields: [field('click_id', 'Id.', t.string()), field('at', 'When.', t.timestamp())],
    key: ['click_id'],
    eventTime: 'at',
  });
  const built = buildProject({ contracts: [c] });
  expect(built.graph.tables?.map((x) => x.target.name)).toEqual(['stg_click']);
  fs.rmSync(built.dir, { recursive: true, force: true });
});
