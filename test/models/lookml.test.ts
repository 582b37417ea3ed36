import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parse } from 'lookml-parser';
import { lookmlProject } from '../../models/lookml';
import { main } from '../../scripts/lookml-generate';
import { appEvent } from '../../stacks/contracts/app-event';
import { inventoryChange } from '../../stacks/contracts/inventory-change';
import { order } from '../../stacks/contracts/order';
import { CURATED_MODELS } from '../../stacks/models/curated';
import { at, buildProject, warehouse } from './harness';

jest.setTimeout(60_000);

const TARGET = {
  project: 'trb-test',
  curatedDataset: 'curated',
  connection: 'tributary',
  modelName: 'tributary',
};

type Node = Record<string, unknown>;
const fields = (view: Node, kind: string) => Object.entries((view[kind] ?? {}) as Record<string, Node>);

describe('LookML from the curated models', () => {
  const files = lookmlProject(CURATED_MODELS, TARGET);

  test('parses, with a view per curated model and an explore per fact', () => {
    expect([...files.keys()].sort()).toEqual([
      'tributary.model.lkml',
      ...CURATED_MODELS.map((m) => `views/${m.name}.view.lkml`).sort(),
    ]);
    const model = parse(files.get('tributary.model.lkml') as string) as Node;
    expect(Object.keys(model.explore as Node)).toEqual(CURATED_MODELS.map((m) => m.name));
    expect(model.connection).toBe('tributary');
  });

  test('explores join where a model declares it, and every join field exists in its view', () => {
    const model = parse(files.get('tributary.model.lkml') as string) as { explore: Record<string, Node> };
    const join = ((model.explore.fact_daily_orders as Node).join as Record<string, Node>)
      .fact_user_activity as Node;
    expect(join.relationship).toBe('many_to_one');
    expect(join.type).toBe('left_outer');
    const fieldsOf = (name: string) => {
      const view = (parse(files.get(`views/${name}.view.lkml`) as string) as { view: Record<string, Node> })
        .view[name] as Node;
      return new Set([
        ...fields(view, 'dimension').map(([n]) => n),
        ...fields(view, 'dimension_group').flatMap(([n, f]) =>
          (f.timeframes as string[]).map((t) => `${n}_${t}`),
        ),
      ]);
    };
    const refs = [...String(join.sql_on).matchAll(/\$\{(\w+)\.(\w+)\}/g)].map((x) => [x[1], x[2]]);
    expect(refs).toEqual([
      ['fact_daily_orders', 'customer_id'],
      ['fact_user_activity', 'user_id'],
      ['fact_daily_orders', 'order_date_raw'],
      ['fact_user_activity', 'event_date_raw'],
    ]);
    for (const [view, field] of refs) expect(fieldsOf(view as string).has(field as string)).toBe(true);
    // Models without joins get none.
    expect(model.explore.inventory_position?.join).toBeUndefined();
  });

  test('every field reads a column the curated table has, keyed by its grain, with the measures re-aggregating', async () => {
    const built = buildProject({ contracts: [appEvent, order, inventoryChange], curated: CURATED_MODELS });
    const w = await warehouse(built);
    await w.run({ at: at('2026-03-01T00:00:00Z'), assertions: false });
    for (const m of CURATED_MODELS) {
      const columns = new Set(
        (
          await w.sql(
            `SELECT column_name FROM information_schema.columns WHERE table_schema = 'curated' AND table_name = '${m.name}'`,
          )
        ).map((r) => String(r.column_name)),
      );
      expect(columns.size).toBeGreaterThan(0);
      const view = (parse(files.get(`views/${m.name}.view.lkml`) as string) as { view: Record<string, Node> })
        .view[m.name] as Node;
      expect(String(view.sql_table_name).trim()).toBe(`\`trb-test.curated.${m.name}\``);
      const all = [
        ...fields(view, 'dimension'),
        ...fields(view, 'dimension_group'),
        ...fields(view, 'measure'),
      ];
      const refs = all.flatMap(([, f]) =>
        [...String(f.sql ?? '').matchAll(/\$\{TABLE\}\.(\w+)/g)].map((x) => x[1] as string),
      );
      expect(refs.length).toBeGreaterThan(0);
      expect(refs.filter((c) => !columns.has(c))).toEqual([]);
      const pk = fields(view, 'dimension').find(([, f]) => f.primary_key === true);
      expect(pk?.[0]).toBe('pk');
      for (const g of Object.keys(m.grain)) expect(String(pk?.[1].sql)).toContain(`\${TABLE}.${g}`);
      const measures = Object.fromEntries(
        fields(view, 'measure').map(([n, f]) => [n, String(f.type).trim()]),
      );
      for (const [name, spec] of Object.entries(m.measures)) {
        const type = m.columns.find((c) => c.name === name)?.type;
        const expected =
          type === 'TIMESTAMP' || type === 'DATE'
            ? 'date'
            : spec.kind === 'min'
              ? 'min'
              : spec.kind === 'max'
                ? 'max'
                : 'sum';
        expect({ name, type: measures[name] }).toEqual({ name, type: expected });
      }
      expect(measures.count).toBe('count');
      for (const f of [...fields(view, 'dimension'), ...fields(view, 'measure')].filter(([n]) => n !== 'pk'))
        expect(String(f[1].description ?? '').length).toBeGreaterThan(3);
    }
    w.close();
    fs.rmSync(built.dir, { recursive: true, force: true });
  });

  test('npm run lookml:generate writes the environment’s files, ready for a LookML repository', () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'tributary-lookml-'));
    const log: string[] = [];
    expect(main(['--env', 'prod', '--out', out], process.cwd(), (s) => log.push(s))).toBe(0);
    expect(log.join('')).toContain('wrote 4 LookML files');
    const view = fs.readFileSync(path.join(out, 'views', 'fact_daily_orders.view.lkml'), 'utf8');
    expect(view).toContain('sql_table_name: `trb-prod-placeholder.trb_prod_curated.fact_daily_orders` ;;');
    expect(() => main(['--out', out], process.cwd(), () => {})).toThrow('--env is required');
  });
});
