/**
 * Late data, exactly: the staging and curated models on the local warehouse through the scenarios that matter,
 * each checked against a full refresh over the same raw data (a second warehouse given the same commits).
 */
import * as fs from 'node:fs';
import type { LocalWarehouse } from '../../models/engine/warehouse';
import { appEvent } from '../../stacks/contracts/app-event';
import { inventoryChange } from '../../stacks/contracts/inventory-change';
import { order } from '../../stacks/contracts/order';
import { CURATED_MODELS } from '../../stacks/models/curated';
import {
  appEventRow,
  appEventSubscriptionRow,
  appEventV2,
  at,
  type BuiltProject,
  buildProject,
  differences,
  inventoryRow,
  modelTables,
  orderRow,
  warehouse,
} from './harness';

jest.setTimeout(60_000);

let built: BuiltProject;
beforeAll(() => {
  built = buildProject({ contracts: [appEvent, order, inventoryChange], curated: CURATED_MODELS });
});
afterAll(() => fs.rmSync(built.dir, { recursive: true, force: true }));

/** An incrementally run warehouse and one fully refreshed on every run, given the same commits. */
async function pair() {
  const inc = await warehouse(built);
  const full = await warehouse(built);
  return {
    inc,
    full,
    async commit(table: string, rows: Record<string, unknown>[], when: string) {
      await inc.commit(table, rows, at(when));
      await full.commit(table, rows, at(when));
    },
    async run(when: string) {
      const r = await inc.run({ at: at(when), assertions: false });
      await full.run({ at: at(when), fullRefresh: true, assertions: false });
      expect(await differences(inc, full, modelTables(built))).toEqual([]);
      return r;
    },
    close() {
      inc.close();
      full.close();
    },
  };
}

const fact = (w: LocalWarehouse) =>
  w.rows('curated.fact_user_activity', { exclude: ['_tributary_changes_through'] });
const staged = (w: LocalWarehouse, t = 'stg_app_event') =>
  w.rows(`staging.${t}`, { exclude: ['_tributary_changed_at'] });

test('the first run builds every model fully; later runs are incremental', async () => {
  const p = await pair();
  await p.commit(
    'app_event_v1',
    [
      appEventRow({
        user: 'u1',
        at: '2026-03-01T10:00:00Z',
        amount: '10.50',
        ingest: '2026-03-01T10:00:01Z',
      }),
    ],
    '2026-03-01T10:01:00Z',
  );
  const first = await p.run('2026-03-01T11:00:00Z');
  expect(first.actions.filter((a) => a.mode !== 'view').every((a) => a.mode === 'full')).toBe(true);
  const second = await p.run('2026-03-01T12:00:00Z');
  expect(second.actions.filter((a) => a.mode !== 'view').every((a) => a.mode === 'incremental')).toBe(true);
  expect(await fact(p.inc)).toEqual([
    expect.objectContaining({
      event_date: '2026-03-01',
      first_event: '2026-03-01 10:00:00+00',
      total_events: '1',
      total_amount: '10.50',
      _tributary_rows: '1',
    }),
  ]);
  p.close();
});

test('duplicates and replays collapse: the same key is one row, a replay changes nothing', async () => {
  const p = await pair();
  const e = appEventRow({
    user: 'u1',
    at: '2026-03-01T10:00:00Z',
    amount: '10.50',
    ingest: '2026-03-01T10:00:01Z',
  });
  await p.commit('app_event_v1', [e, e], '2026-03-01T10:01:00Z');
  await p.run('2026-03-01T11:00:00Z');
  // Delivered again (at-least-once) and replayed from the archive after the first run.
  await p.commit('app_event_v1', [e], '2026-03-01T11:30:00Z');
  await p.commit('app_event_v1', [e, e], '2026-03-01T11:40:00Z');
  await p.run('2026-03-01T12:00:00Z');
  expect(await staged(p.inc)).toHaveLength(1);
  expect(await fact(p.inc)).toEqual([expect.objectContaining({ total_events: '1', total_amount: '10.50' })]);
  // The replay changed no key: the run logged itself and nothing else.
  const log = await p.inc.rows('staging.stg_app_event__changes');
  expect(log.filter((r) => r.changed_at === '2026-03-01 12:00:00+00')).toEqual([
    expect.objectContaining({ _tributary_key: null }),
  ]);
  p.close();
});

test('out-of-order versions: the latest ingest time wins, whatever order they commit in', async () => {
  const p = await pair();
  const newer = appEventRow({
    user: 'u1',
    at: '2026-03-01T10:00:00Z',
    amount: '12.00',
    ingest: '2026-03-01T10:05:00Z',
  });
  const older = appEventRow({
    user: 'u1',
    at: '2026-03-01T10:00:00Z',
    amount: '10.00',
    ingest: '2026-03-01T10:00:01Z',
  });
  await p.commit('app_event_v1', [newer], '2026-03-01T10:06:00Z');
  await p.run('2026-03-01T10:10:00Z');
  await p.commit('app_event_v1', [older], '2026-03-01T10:20:00Z');
  await p.run('2026-03-01T10:30:00Z');
  expect(await staged(p.inc)).toEqual([
    expect.objectContaining({ metadata_amount: '12.00', ingest_time: '2026-03-01 10:05:00+00' }),
  ]);
  p.close();
});

test('3-day-late events land in their own day, and only that day is recomputed', async () => {
  const p = await pair();
  await p.commit(
    'app_event_v1',
    [appEventRow({ user: 'u1', at: '2026-03-04T10:00:00Z', amount: '1.00', ingest: '2026-03-04T10:00:01Z' })],
    '2026-03-04T10:01:00Z',
  );
  await p.run('2026-03-04T11:00:00Z');
  await p.commit(
    'app_event_v1',
    [appEventRow({ user: 'u1', at: '2026-03-01T09:00:00Z', amount: '2.00', ingest: '2026-03-04T11:30:00Z' })],
    '2026-03-04T11:31:00Z',
  );
  await p.run('2026-03-04T12:00:00Z');
  const rows = await fact(p.inc);
  expect(rows.map((r) => [r.event_date, r.total_amount])).toEqual([
    ['2026-03-01', '2.00'],
    ['2026-03-04', '1.00'],
  ]);
  // The curated rows of 03-04 were not rewritten: they still carry the first run's watermark.
  const stamped = await p.inc.rows('curated.fact_user_activity');
  expect(stamped.find((r) => r.event_date === '2026-03-04')?._tributary_changes_through).toBe(
    '2026-03-04 11:00:00+00',
  );
  p.close();
});

test('a key whose event time moves to another day leaves its old day (entity keys: orders)', async () => {
  const p = await pair();
  await p.commit(
    'order_v1',
    [
      orderRow({
        id: 'o1',
        customer: 'c1',
        at: '2026-03-01T10:00:00Z',
        total: '20.00',
        quantities: [2, 3],
        ingest: '2026-03-01T10:00:01Z',
      }),
    ],
    '2026-03-01T10:01:00Z',
  );
  await p.run('2026-03-01T11:00:00Z');
  expect(
    (await p.inc.rows('curated.fact_daily_orders')).map((r) => [r.order_date, r.orders, r.items, r.revenue]),
  ).toEqual([['2026-03-01', '1', '5', '20.00']]);
  // The order changes two days later: its row moves to 03-03, and 03-01 is left empty (deleted, not kept at 0).
  await p.commit(
    'order_v1',
    [
      orderRow({
        id: 'o1',
        customer: 'c1',
        status: 'SHIPPED',
        at: '2026-03-03T08:00:00Z',
        total: '20.00',
        quantities: [2, 3],
        ingest: '2026-03-03T08:00:01Z',
      }),
    ],
    '2026-03-03T08:01:00Z',
  );
  await p.run('2026-03-03T09:00:00Z');
  expect((await p.inc.rows('curated.fact_daily_orders')).map((r) => [r.order_date, r.orders])).toEqual([
    ['2026-03-03', '1'],
  ]);
  // Then it is cancelled: filtered out of the fact entirely.
  await p.commit(
    'order_v1',
    [
      orderRow({
        id: 'o1',
        customer: 'c1',
        status: 'CANCELLED',
        at: '2026-03-03T09:30:00Z',
        total: '20.00',
        ingest: '2026-03-03T09:30:01Z',
      }),
    ],
    '2026-03-03T09:31:00Z',
  );
  await p.run('2026-03-03T10:00:00Z');
  expect(await p.inc.rows('curated.fact_daily_orders')).toEqual([]);
  expect((await p.inc.rows('staging.stg_order__line_items')).map((r) => r.quantity)).toEqual(['1']);
  p.close();
});

test('an empty run changes nothing and still advances the watermark', async () => {
  const p = await pair();
  await p.commit(
    'inventory_change_v1',
    [
      inventoryRow({
        id: 'c1',
        product: 'p1',
        warehouse: 'w1',
        change: 5,
        at: '2026-03-01T10:00:00Z',
        ingest: '2026-03-01T10:00:01Z',
      }),
    ],
    '2026-03-01T10:01:00Z',
  );
  await p.run('2026-03-01T11:00:00Z');
  const before = await p.inc.rows('curated.inventory_position');
  await p.run('2026-03-01T12:00:00Z');
  expect(await p.inc.rows('curated.inventory_position')).toEqual(before);
  const log = await p.inc.rows('staging.stg_inventory_change__changes');
  expect(log.map((r) => r.committed_through)).toEqual(['2026-03-01 11:00:00+00', '2026-03-01 12:00:00+00']);
  p.close();
});

test('a row that commits after a later row is not skipped (commit time, not ingest time)', async () => {
  const p = await pair();
  const slow = appEventRow({
    user: 'slow',
    at: '2026-03-01T10:00:00Z',
    amount: '1.00',
    ingest: '2026-03-01T10:00:00Z',
  });
  const fast = appEventRow({
    user: 'fast',
    at: '2026-03-01T10:01:00Z',
    amount: '1.00',
    ingest: '2026-03-01T10:01:00Z',
  });
  await p.commit('app_event_v1', [fast], '2026-03-01T10:02:00Z');
  await p.run('2026-03-01T10:03:00Z');
  // The earlier-ingested row commits only now: a watermark on ingest_time (10:01) would skip it.
  await p.commit('app_event_v1', [slow], '2026-03-01T10:05:00Z');
  await p.run('2026-03-01T10:06:00Z');
  expect((await staged(p.inc)).map((r) => r.user_id)).toEqual(['fast', 'slow']);
  const naive = await p.inc.sql(
    `SELECT count(*) AS n FROM raw.app_event_v1 WHERE ingest_time > (SELECT max(ingest_time) FROM raw.app_event_v1 WHERE _tributary_commit_ts <= '2026-03-01T10:03:00Z')`,
  );
  expect(naive).toEqual([{ n: '0' }]);
  p.close();
});

test('both raw writers are staged alike: Dataflow stamps and Pub/Sub metadata', async () => {
  const p = await pair();
  await p.commit(
    'app_event_v1',
    [
      appEventRow({
        user: 'u1',
        at: '2026-03-01T10:00:00Z',
        amount: '3.00',
        ingest: '2026-03-01T10:00:05Z',
        source: 'web',
      }),
    ],
    '2026-03-01T10:01:00Z',
  );
  await p.commit(
    'app_event_v1',
    [
      appEventSubscriptionRow({
        user: 'u2',
        at: '2026-03-01T10:00:00Z',
        amount: '4.00',
        published: '2026-03-01T10:00:02Z',
        messageId: 'm-1',
      }),
    ],
    '2026-03-01T10:01:00Z',
  );
  await p.run('2026-03-01T11:00:00Z');
  const rows = await staged(p.inc);
  expect(rows.map((r) => [r.user_id, r.event_id, r.ingest_time, r.schema_version, r.ingest_source])).toEqual([
    ['u1', 'u1|purchase|2026-03-01T10:00:00.000Z', '2026-03-01 10:00:05+00', '1.0.0', 'web'],
    ['u2', 'u2|purchase|2026-03-01T10:00:00.000Z', '2026-03-01 10:00:02+00', '1.0.0', 'mobile'],
  ]);
  // The same event through both writers is one key.
  await p.commit(
    'app_event_v1',
    [
      appEventSubscriptionRow({
        user: 'u1',
        at: '2026-03-01T10:00:00Z',
        amount: '3.00',
        published: '2026-03-01T10:00:09Z',
        messageId: 'm-2',
      }),
    ],
    '2026-03-01T11:10:00Z',
  );
  await p.run('2026-03-01T12:00:00Z');
  expect(await staged(p.inc)).toHaveLength(2);
  p.close();
});

test('raising a contract’s tableVersion loses no history: staging reads every live raw table version', async () => {
  const v2 = appEventV2(appEvent);
  const raised = buildProject({
    contracts: [v2],
    retired: [appEvent],
    curated: [CURATED_MODELS[0] as (typeof CURATED_MODELS)[number]],
  });
  try {
    expect(raised.project.staging[0]?.sources.map((s) => s.table)).toEqual(['app_event_v2', 'app_event_v1']);
    const w = await warehouse(raised);
    await w.commit(
      'app_event_v1',
      [
        appEventRow({
          user: 'old',
          at: '2026-03-01T10:00:00Z',
          amount: '1.00',
          ingest: '2026-03-01T10:00:01Z',
        }),
      ],
      at('2026-03-01T10:01:00Z'),
    );
    await w.commit(
      'app_event_v2',
      [
        {
          ...appEventRow({
            user: 'new',
            at: '2026-03-02T10:00:00Z',
            amount: '2.00',
            ingest: '2026-03-02T10:00:01Z',
          }),
          app_version: '5.1',
        },
      ],
      at('2026-03-02T10:01:00Z'),
    );
    await w.run({ at: at('2026-03-02T11:00:00Z'), assertions: false });
    const rows = await w.rows('staging.stg_app_event', { exclude: ['_tributary_changed_at'] });
    expect(rows.map((r) => [r.user_id, r._tributary_raw_table, r.app_version])).toEqual([
      ['new', 'app_event_v2', '5.1'],
      ['old', 'app_event_v1', null],
    ]);
    expect((await w.rows('curated.fact_user_activity')).map((r) => r.total_events)).toEqual(['1', '1']);
    w.close();
  } finally {
    fs.rmSync(raised.dir, { recursive: true, force: true });
  }
});

test('fails a run whose watermark is beyond the raw tables’ time travel window, saying to refresh fully', async () => {
  const short = buildProject({ contracts: [appEvent], timeTravelHours: 48 });
  try {
    const w = await warehouse(short);
    await w.run({ at: at('2026-03-01T10:00:00Z'), assertions: false });
    await expect(w.run({ at: at('2026-03-04T10:00:00Z'), assertions: false })).rejects.toThrow(
      'stg_app_event: the last run read raw rows through 2026-03-01 10:00:00+00, beyond the 48-hour time travel window of the raw tables; run a full refresh of stg_app_event',
    );
    const refreshed = await w.run({ at: at('2026-03-04T10:00:00Z'), fullRefresh: true, assertions: false });
    expect(refreshed.actions[0]?.mode).toBe('full');
    w.close();
  } finally {
    fs.rmSync(short.dir, { recursive: true, force: true });
  }
});
