/**
 * The invariant of the incremental models: after any sequence of arrivals (duplicates, replays, out of order,
 * days late, keys moving between days, both writers) and any schedule of runs, every model equals a full refresh
 * over the same raw data.
 */
import * as fs from 'node:fs';
import fc from 'fast-check';
import { appEvent } from '../../stacks/contracts/app-event';
import { inventoryChange } from '../../stacks/contracts/inventory-change';
import { order } from '../../stacks/contracts/order';
import { CURATED_MODELS } from '../../stacks/models/curated';
import {
  appEventRow,
  appEventSubscriptionRow,
  type BuiltProject,
  buildProject,
  differences,
  inventoryRow,
  modelTables,
  orderRow,
  warehouse,
} from './harness';

let built: BuiltProject;
beforeAll(() => {
  built = buildProject({ contracts: [appEvent, order, inventoryChange], curated: CURATED_MODELS });
});
afterAll(() => fs.rmSync(built.dir, { recursive: true, force: true }));

const BASE = Date.parse('2026-03-10T00:00:00Z');
const hour = 3_600_000;
const isoAt = (hours: number) => new Date(BASE + hours * hour).toISOString();

/** Events happen over 5 days before BASE (so some are days late); keys come from small sets, so they collide. */
const appEvent$ = fc.record({
  kind: fc.constant('app' as const),
  user: fc.constantFrom('u1', 'u2', 'u3'),
  type: fc.constantFrom('purchase', 'view'),
  eventHour: fc.integer({ min: -120, max: 0 }),
  amount: fc.option(
    fc.integer({ min: 0, max: 9999 }).map((c) => (c / 100).toFixed(2)),
    { nil: null },
  ),
  ingestLag: fc.integer({ min: 0, max: 100 }),
  viaSubscription: fc.boolean(),
});
const order$ = fc.record({
  kind: fc.constant('order' as const),
  id: fc.constantFrom('o1', 'o2'),
  customer: fc.constantFrom('c1', 'c2'),
  status: fc.constantFrom('PAID', 'SHIPPED', 'CANCELLED'),
  eventHour: fc.integer({ min: -120, max: 0 }),
  total: fc.integer({ min: 1, max: 500 }).map((n) => `${n}.00`),
  currency: fc.constantFrom('EUR', 'USD'),
  quantities: fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 1, maxLength: 3 }),
  ingestLag: fc.integer({ min: 0, max: 100 }),
});
const inventory$ = fc.record({
  kind: fc.constant('inventory' as const),
  id: fc.constantFrom('x1', 'x2', 'x3'),
  product: fc.constantFrom('p1', 'p2'),
  warehouse: fc.constantFrom('w1', 'w2'),
  change: fc.integer({ min: -10, max: 10 }),
  eventHour: fc.integer({ min: -120, max: 0 }),
  ingestLag: fc.integer({ min: 0, max: 100 }),
});
const step$ = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.record({
      arrive: fc.array(fc.oneof(appEvent$, order$, inventory$), { minLength: 1, maxLength: 4 }),
    }),
  },
  { weight: 2, arbitrary: fc.constant({ run: true as const }) },
);

test('after every run, every model equals its full refresh', async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(step$, { minLength: 2, maxLength: 6 }), async (steps) => {
      const inc = await warehouse(built);
      const full = await warehouse(built);
      const tables = modelTables(built);
      try {
        let clock = 1; // hours after BASE: commits and runs in order
        for (const step of [...steps, { run: true as const }]) {
          clock += 1;
          const when = new Date(BASE + clock * hour);
          if ('arrive' in step) {
            for (const e of step.arrive) {
              const ingest = isoAt(e.eventHour + e.ingestLag / 10);
              const [table, row] =
                e.kind === 'app'
                  ? ([
                      'app_event_v1',
                      e.viaSubscription
                        ? appEventSubscriptionRow({
                            user: e.user,
                            type: e.type,
                            at: isoAt(e.eventHour),
                            amount: e.amount ?? '0.00',
                            published: ingest,
                            messageId: `m${clock}`,
                          })
                        : appEventRow({
                            user: e.user,
                            type: e.type,
                            at: isoAt(e.eventHour),
                            amount: e.amount,
                            ingest,
                          }),
                    ] as const)
                  : e.kind === 'order'
                    ? (['order_v1', orderRow({ ...e, at: isoAt(e.eventHour), ingest })] as const)
                    : ([
                        'inventory_change_v1',
                        inventoryRow({ ...e, at: isoAt(e.eventHour), ingest }),
                      ] as const);
              await inc.commit(table, [row], when);
              await full.commit(table, [row], when);
            }
          } else {
            await inc.run({ at: when, assertions: false });
            await full.run({ at: when, fullRefresh: true, assertions: false });
            const diff = await differences(inc, full, tables);
            if (diff.length > 0)
              throw new Error(`after the run at ${when.toISOString()}:\n${diff.join('\n')}`);
          }
        }
      } finally {
        inc.close();
        full.close();
      }
    }),
    { numRuns: 10, endOnFailure: true },
  );
}, 300_000);
