/** The generated assertions pass on good data and list the offending rows on bad data, on the local warehouse. */
import * as fs from 'node:fs';
import { appEvent } from '../../stacks/contracts/app-event';
import { order } from '../../stacks/contracts/order';
import { CURATED_MODELS } from '../../stacks/models/curated';
import { appEventRow, at, type BuiltProject, buildProject, orderRow, warehouse } from './harness';

jest.setTimeout(60_000);

let built: BuiltProject;
beforeAll(() => {
  built = buildProject({ contracts: [appEvent, order], curated: CURATED_MODELS.slice(0, 2) });
});
afterAll(() => fs.rmSync(built.dir, { recursive: true, force: true }));

const failing = (r: { assertions: readonly { name: string; failingRows: number }[] }) =>
  r.assertions.filter((a) => a.failingRows > 0).map((a) => a.name);

test('fresh, complete, valid data passes every assertion', async () => {
  const w = await warehouse(built);
  await w.commit(
    'app_event_v1',
    [appEventRow({ user: 'u1', at: '2026-03-01T10:00:00Z', amount: '2.00', ingest: '2026-03-01T10:00:01Z' })],
    at('2026-03-01T10:01:00Z'),
  );
  await w.commit(
    'order_v1',
    [
      orderRow({
        id: 'o1',
        customer: 'c1',
        at: '2026-03-01T09:00:00Z',
        total: '5.00',
        ingest: '2026-03-01T09:00:01Z',
      }),
    ],
    at('2026-03-01T10:01:00Z'),
  );
  const r = await w.run({ at: at('2026-03-01T11:00:00Z') });
  expect(failing(r)).toEqual([]);
  expect(r.assertions.length).toBeGreaterThanOrEqual(10);
  w.close();
});

test('a stream with nothing new for longer than its bound fails freshness, with the newest event', async () => {
  const w = await warehouse(built);
  await w.commit(
    'app_event_v1',
    [appEventRow({ user: 'u1', at: '2026-03-01T10:00:00Z', ingest: '2026-03-01T10:00:01Z' })],
    at('2026-03-01T10:01:00Z'),
  );
  await w.commit(
    'order_v1',
    [
      orderRow({
        id: 'o1',
        customer: 'c1',
        at: '2026-03-01T10:00:00Z',
        total: '5.00',
        ingest: '2026-03-01T10:00:01Z',
      }),
    ],
    at('2026-03-01T10:01:00Z'),
  );
  const r = await w.run({ at: at('2026-03-01T20:00:00Z') });
  expect(failing(r)).toEqual(['stg_app_event__freshness', 'stg_order__freshness']);
  expect(r.assertions.find((a) => a.name === 'stg_order__freshness')?.sample).toEqual([
    { newest_event: '2026-03-01 10:00:00+00' },
  ]);
  w.close();
});

test('a required field missing, an enum value the contract does not accept: listed per column and key', async () => {
  const w = await warehouse(built);
  await w.commit(
    'order_v1',
    [
      {
        ...orderRow({
          id: 'o1',
          customer: 'c1',
          at: '2026-03-01T10:00:00Z',
          total: '5.00',
          ingest: '2026-03-01T10:00:01Z',
        }),
        status: 'LOST',
        currency: null,
      },
    ],
    at('2026-03-01T10:01:00Z'),
  );
  await w.commit(
    'app_event_v1',
    [appEventRow({ user: 'u1', at: '2026-03-01T10:00:00Z', ingest: '2026-03-01T10:00:01Z' })],
    at('2026-03-01T10:01:00Z'),
  );
  const r = await w.run({ at: at('2026-03-01T11:00:00Z') });
  expect(failing(r)).toEqual(['stg_order__accepted_values', 'stg_order__not_null']);
  expect(r.assertions.find((a) => a.name === 'stg_order__not_null')?.sample).toEqual([
    expect.objectContaining({ column_name: 'currency' }),
  ]);
  expect(r.assertions.find((a) => a.name === 'stg_order__accepted_values')?.sample).toEqual([
    expect.objectContaining({ column_name: 'status' }),
  ]);
  w.close();
});

test('a PII enum or required field is checked through its pseudonym, never read', async () => {
  const w = await warehouse(built);
  await w.commit(
    'order_v1',
    [
      {
        ...orderRow({
          id: 'o1',
          customer: 'c1',
          at: '2026-03-01T10:00:00Z',
          total: '5.00',
          ingest: '2026-03-01T10:00:01Z',
        }),
        customer_id: null,
      },
    ],
    at('2026-03-01T10:01:00Z'),
  );
  await w.commit(
    'app_event_v1',
    [appEventRow({ user: 'u1', at: '2026-03-01T10:00:00Z', ingest: '2026-03-01T10:00:01Z' })],
    at('2026-03-01T10:01:00Z'),
  );
  const r = await w.run({ at: at('2026-03-01T11:00:00Z') });
  expect(r.assertions.find((a) => a.name === 'stg_order__not_null')?.sample).toEqual([
    expect.objectContaining({ column_name: 'customer_id' }),
  ]);
  const view =
    (built.graph.assertions ?? []).find((a) => a.target.name === 'stg_order__not_null')?.query ?? '';
  expect(view).toContain('customer_id_pseudonym IS NULL');
  expect(view).not.toMatch(/WHERE customer_id IS NULL/);
  w.close();
});

test('a curated table that drifts from its source fails the reconciliation for the touched day', async () => {
  const w = await warehouse(built);
  await w.commit(
    'app_event_v1',
    [appEventRow({ user: 'u1', at: '2026-03-01T10:00:00Z', amount: '2.00', ingest: '2026-03-01T10:00:01Z' })],
    at('2026-03-01T10:01:00Z'),
  );
  await w.commit(
    'order_v1',
    [
      orderRow({
        id: 'o1',
        customer: 'c1',
        at: '2026-03-01T10:00:00Z',
        total: '5.00',
        ingest: '2026-03-01T10:00:01Z',
      }),
    ],
    at('2026-03-01T10:01:00Z'),
  );
  await w.run({ at: at('2026-03-01T11:00:00Z') });
  await w.sql(`UPDATE curated.fact_user_activity SET total_amount = 99`);
  const r = await w.run({ at: at('2026-03-01T12:00:00Z') });
  expect(failing(r)).toEqual(['fact_user_activity__reconciles']);
  expect(r.assertions.find((a) => a.name === 'fact_user_activity__reconciles')?.sample).toEqual([
    expect.objectContaining({
      event_date: '2026-03-01',
      staging_total_amount: '2.00',
      curated_total_amount: '99.00',
    }),
  ]);
  w.close();
});

test('raw rows of a day staging lacks fail the partitions check, once they are older than the commit lag', async () => {
  const w = await warehouse(built);
  await w.commit(
    'app_event_v1',
    [appEventRow({ user: 'u1', at: '2026-03-01T10:00:00Z', ingest: '2026-03-01T10:00:01Z' })],
    at('2026-03-01T10:01:00Z'),
  );
  await w.commit(
    'order_v1',
    [
      orderRow({
        id: 'o1',
        customer: 'c1',
        at: '2026-03-01T10:00:00Z',
        total: '5.00',
        ingest: '2026-03-01T10:00:01Z',
      }),
    ],
    at('2026-03-01T10:01:00Z'),
  );
  await w.run({ at: at('2026-03-01T11:00:00Z') });
  // A day's rows vanish from staging (deleted by hand): the raw table still has them.
  await w.sql(`DELETE FROM staging.stg_app_event`);
  const r = await w.run({ at: at('2026-03-01T13:00:00Z') });
  expect(failing(r)).toContain('stg_app_event__partitions');
  expect(r.assertions.find((a) => a.name === 'stg_app_event__partitions')?.sample).toEqual([
    { event_date: '2026-03-01' },
  ]);
  w.close();
});
