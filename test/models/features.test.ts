import { defineCuratedModel, grain, measure } from '../../models/curated';
import { featureViewName, featureViews, trainingViewName } from '../../models/features';
import { checkJoins } from '../../models/joins';
import { appEvent } from '../../stacks/contracts/app-event';
import { order } from '../../stacks/contracts/order';
import { CURATED_MODELS, factDailyOrders, factUserActivity } from '../../stacks/models/curated';
import { buildProject, orderRow, warehouse } from './harness';

jest.setTimeout(60_000);

const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);

const orders = (features: Parameters<typeof defineCuratedModel>[0]['features'], extra = {}) =>
  defineCuratedModel({
    name: 'fact_orders_test',
    description: 'Orders per customer, day and currency.',
    source: order,
    grain: {
      customer_id: grain.pseudonym('customer_id'),
      order_date: grain.eventDate(),
      currency: grain.column('currency'),
    },
    measures: { orders: measure.count(), revenue: measure.sum('total_amount') },
    partition: 'order_date',
    features,
    ...extra,
  });

describe('feature sources', () => {
  test('the shipped feature sources: entity from the grain, time from the partition, two views each', () => {
    expect(factUserActivity.featureSource).toEqual({
      time: 'event_date',
      entity: ['user_id'],
      trainingWindowDays: 730,
    });
    expect(factDailyOrders.featureSource?.entity).toEqual(['customer_id', 'currency']);
    expect(CURATED_MODELS.filter((m) => m.featureSource).map((m) => m.name)).toEqual([
      'fact_user_activity',
      'fact_daily_orders',
    ]);
    const [features, training] = featureViews(factDailyOrders);
    expect(features?.name).toBe(featureViewName('fact_daily_orders'));
    expect(training?.name).toBe(trainingViewName('fact_daily_orders'));
    // Pruned: a filter on the partition column itself against a constant expression.
    expect(training?.query).toMatch(
      /WHERE order_date >= DATE\(TIMESTAMP_SUB\(CURRENT_TIMESTAMP\(\), INTERVAL 730 DAY\)\)$/,
    );
  });

  test('defaults: time is the partition column and the entity is the rest of the grain', () => {
    const m = orders({});
    expect(m.featureSource).toEqual({
      time: 'order_date',
      entity: ['customer_id', 'currency'],
      trainingWindowDays: 730,
    });
  });

  test('fails every problem at once, naming the field, the value and the rule', () => {
    const attempt = () =>
      orders(
        { time: 'currency', entity: ['customer_id', 'revenue', 'order_date'], trainingWindowDays: 0 },
        { partition: undefined },
      );
    expect(attempt).toThrow(
      /features = .*: needs a partition column: the training extract is pruned by date/,
    );
    expect(attempt).toThrow(/features\.time = "currency": must be a DATE or TIMESTAMP grain column/);
    expect(attempt).toThrow(
      /features\.entity = "revenue": must be a grain column \(customer_id, order_date, currency\)/,
    );
    expect(attempt).toThrow(
      /features\.entity = "order_date": has type DATE; entity id columns must be STRING or INT64/,
    );
    expect(attempt).toThrow(
      /features\.trainingWindowDays = 0: must be a whole number of days from 1 to 3650/,
    );
  });

  test('fails duplicate entity columns and model columns the generated views would clash with', () => {
    const clash = () =>
      defineCuratedModel({
        name: 'fact_clash',
        description: 'x',
        source: order,
        grain: { customer_id: grain.pseudonym('customer_id'), order_date: grain.eventDate() },
        measures: { series_id: measure.count() },
        partition: 'order_date',
        features: { entity: ['customer_id', 'customer_id'] },
      });
    expect(clash).toThrow(/features\.entity = \["customer_id","customer_id"\]: names a column twice/);
    expect(clash).toThrow(
      /features = "series_id": is a column of the model, but the generated views add a column of that name/,
    );
  });

  test('fails an entity that leaves part of the grain out: one arbitrary row per entity would be served', () => {
    expect(() => orders({ entity: ['customer_id'] })).toThrow(
      /features\.entity = \["customer_id"\]: leaves grain columns out \(currency\)/,
    );
  });

  test('on the local warehouse: the latest feature row per entity, and a training extract of the window only', async () => {
    const model = orders({ trainingWindowDays: 30 });
    const built = buildProject({ contracts: [appEvent, order], curated: [model] });
    const w = await warehouse(built);
    const rows = [
      { id: 'o1', customer: 'c1', at: `${day(-1)}T09:00:00Z`, total: '5.00' },
      { id: 'o2', customer: 'c1', at: `${day(-1)}T10:00:00Z`, total: '7.00' },
      { id: 'o3', customer: 'c2', at: `${day(-40)}T10:00:00Z`, total: '3.00' },
      { id: 'o4', customer: 'c3', at: `${day(-41)}T10:00:00Z`, total: '9.00' },
      { id: 'o5', customer: 'c3', at: `${day(-1)}T11:00:00Z`, total: '4.00' },
    ];
    await w.commit(
      'order_v1',
      rows.map((r) => orderRow({ ...r, ingest: r.at })),
      new Date(),
    );
    await w.run({ at: new Date(), assertions: false });
    const features = await w.sql(
      'SELECT customer_id, currency, CAST(feature_timestamp AS VARCHAR) AS ts, orders, CAST(revenue AS VARCHAR) AS revenue FROM curated.fact_orders_test__features ORDER BY ts, orders',
    );
    // c1 has one day, c2 two: each entity appears once, with its latest day.
    expect(features.map((r) => [r.ts, Number(r.orders), Number(r.revenue)])).toEqual([
      [`${day(-40)} 00:00:00+00`, 1, 3],
      [`${day(-1)} 00:00:00+00`, 1, 4],
      [`${day(-1)} 00:00:00+00`, 2, 12],
    ]);
    const keys = features.map((r) => `${r.customer_id}|${r.currency}`);
    expect(new Set(keys).size).toBe(keys.length);
    const training = await w.sql(
      'SELECT series_id, customer_id, currency, CAST(order_date AS VARCHAR) AS d FROM curated.fact_orders_test__training',
    );
    expect(training.map((r) => r.d)).toEqual([day(-1), day(-1)]);
    expect(training[0]?.series_id).toBe(`${training[0]?.customer_id}|${training[0]?.currency}`);
    w.close();
  });
});

describe('joins between curated models', () => {
  test('the shipped join covers the joined grain', () => {
    expect(() => checkJoins(CURATED_MODELS)).not.toThrow();
  });

  test('fails an unknown model, missing columns, mismatched types and a many_to_one short of the grain', () => {
    const bad = orders(undefined, {
      joins: [
        { model: 'fact_nothing', on: { customer_id: 'user_id' }, relationship: 'many_to_one' },
        { model: 'fact_user_activity', on: { customer_id: 'user_id' }, relationship: 'many_to_one' },
        {
          model: 'fact_user_activity',
          on: { nope: 'user_id', order_date: 'total_events' },
          relationship: 'one_to_many',
        },
        { model: 'fact_user_activity', on: { customer_id: 'user_id' }, relationship: 'sideways' },
      ],
    });
    const attempt = () => checkJoins([factUserActivity, bad]);
    expect(attempt).toThrow(/fact_orders_test\.joins\[0\]\.model = "fact_nothing": is not a curated model/);
    expect(attempt).toThrow(
      /fact_orders_test\.joins\[1\]\.on = \["user_id"\]: must cover the grain of fact_user_activity for many_to_one \(missing: event_date\)/,
    );
    expect(attempt).toThrow(/fact_orders_test\.joins\[2\]\.on = "nope": is not a column of fact_orders_test/);
    expect(attempt).toThrow(
      /fact_orders_test\.joins\[2\]\.on\.order_date = "total_events": has type INT64 but fact_orders_test\.order_date is DATE/,
    );
    expect(attempt).toThrow(
      /fact_orders_test\.joins\[3\]\.relationship = "sideways": must be one of many_to_one/,
    );
    expect(attempt).toThrow(/fact_orders_test\.joins\[2\]\.model = "fact_user_activity": is joined twice/);
  });
});
