/**
 * The shipped curated models. Each reads one contract's staging model; add one by defining it here (or in a file
 * of your own) and listing it in CURATED_MODELS. Hand-written SQLX or JS models go in stacks/models/custom/.
 */
import { defineCuratedModel, grain, measure, where } from '../../models/curated';
import { appEvent } from '../contracts/app-event';
import { inventoryChange } from '../contracts/inventory-change';
import { order } from '../contracts/order';

/** The CRED design's fact: per user per day, first and last event, event count and amount. */
export const factUserActivity = defineCuratedModel({
  name: 'fact_user_activity',
  description:
    'Per user per day (UTC): first and last event, number of events and total amount (CRED design). user_id is the pseudonym of app_event.user_id.',
  source: appEvent,
  grain: { user_id: grain.pseudonym('user_id'), event_date: grain.eventDate() },
  measures: {
    first_event: measure.min('event_timestamp'),
    last_event: measure.max('event_timestamp'),
    total_events: measure.count(),
    total_amount: measure.sum('metadata_amount'),
  },
  partition: 'event_date',
  cluster: ['user_id'],
  // Served online per user (the latest day) and extracted for forecasting.
  features: { time: 'event_date', entity: ['user_id'] },
});

/** Orders per customer per day and currency, by the day of the order's latest change; cancelled and refunded excluded. */
export const factDailyOrders = defineCuratedModel({
  name: 'fact_daily_orders',
  description:
    'Per customer, day (UTC, of the order’s latest change) and currency: orders, items and revenue, without cancelled or refunded orders. customer_id is the pseudonym of order.customer_id.',
  source: order,
  grain: {
    customer_id: grain.pseudonym('customer_id'),
    order_date: grain.eventDate(),
    currency: grain.column('currency'),
  },
  measures: {
    orders: measure.count(),
    items: measure.sumOfItems('line_items', 'quantity'),
    revenue: measure.sum('total_amount'),
  },
  filters: [where('status', 'not in', ['CANCELLED', 'REFUNDED'])],
  partition: 'order_date',
  cluster: ['customer_id', 'currency'],
  // Per customer and currency: the revenue series a forecast learns from.
  features: { time: 'order_date', entity: ['customer_id', 'currency'] },
  // A customer is the app user with the same id: both are pseudonyms of one id space.
  joins: [
    {
      model: 'fact_user_activity',
      on: { customer_id: 'user_id', order_date: 'event_date' },
      relationship: 'many_to_one',
    },
  ],
});

/** Stock per product and warehouse: the sum of every change. */
export const inventoryPosition = defineCuratedModel({
  name: 'inventory_position',
  description:
    'Stock per product and warehouse: the sum of every inventory change, how many there were and the latest.',
  source: inventoryChange,
  grain: { product_id: grain.column('product_id'), warehouse_id: grain.column('warehouse_id') },
  measures: {
    stock: measure.sum('quantity_change'),
    changes: measure.count(),
    last_change_time: measure.max('change_time'),
  },
  cluster: ['product_id', 'warehouse_id'],
});

export const CURATED_MODELS = [factUserActivity, factDailyOrders, inventoryPosition];
