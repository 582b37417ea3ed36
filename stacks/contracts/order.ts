import { defineContract, field, t } from '../../contracts/dsl';

const money = t.numeric({ precision: 18, scale: 2, min: '0' });

export const order = defineContract({
  name: 'order',
  version: '1.0.0',
  description:
    'A customer order as placed in the web or mobile shop, with its line items and shipping address.',
  owner: 'orders-team@example.com',
  fields: [
    field(
      'order_id',
      'Order identifier, unique per order.',
      t.string({ minLength: 1, maxLength: 64, pattern: '[A-Za-z0-9_-]+' }),
    ),
    field('customer_id', 'Customer who placed the order.', t.string({ minLength: 1, maxLength: 64 }), {
      pii: true,
    }),
    field(
      'status',
      'Order status at the time of the event.',
      t.enum(['PENDING', 'PAID', 'SHIPPED', 'DELIVERED', 'CANCELLED', 'REFUNDED']),
    ),
    field('currency', 'ISO 4217 currency of every amount in the order.', t.string({ pattern: '[A-Z]{3}' })),
    field(
      'line_items',
      'Products ordered.',
      t.repeated(
        t.record([
          field('product_id', 'Product (SKU) identifier.', t.string({ minLength: 1, maxLength: 64 })),
          field('quantity', 'Units ordered.', t.int64({ min: 1, max: 10_000 })),
          field('unit_price', 'Price of one unit.', money),
        ]),
        { minItems: 1, maxItems: 500 },
      ),
    ),
    field(
      'shipping_address',
      'Where the order ships; absent for digital goods.',
      t.record([
        field('line1', 'Street and number.', t.string({ maxLength: 200 })),
        field('line2', 'Apartment, suite or unit.', t.string({ maxLength: 200 }), { optional: true }),
        field('city', 'City or town.', t.string({ maxLength: 100 })),
        field('postal_code', 'Postal code as written locally.', t.string({ maxLength: 20 }), {
          optional: true,
        }),
        field('country_code', 'ISO 3166-1 alpha-2 country.', t.string({ pattern: '[A-Z]{2}' })),
      ]),
      { optional: true, pii: true },
    ),
    field('total_amount', 'Order total including tax and shipping.', money),
    field('order_time', 'When the order was placed or changed.', t.timestamp()),
  ],
  key: ['order_id'],
  eventTime: 'order_time',
  clustering: ['customer_id', 'status'],
});
