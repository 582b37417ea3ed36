import { defineContract, field, t } from '../../contracts/dsl';

export const inventoryChange = defineContract({
  name: 'inventory_change',
  version: '1.0.0',
  description: 'A signed change to the stock of one product in one warehouse.',
  owner: 'fulfilment-team@example.com',
  fields: [
    field('change_id', 'Identifier of this change (UUID).', t.string({ format: 'uuid' })),
    field('product_id', 'Product (SKU) identifier.', t.string({ minLength: 1, maxLength: 64 })),
    field('warehouse_id', 'Warehouse identifier.', t.string({ minLength: 1, maxLength: 32 })),
    field(
      'quantity_change',
      'Units added (positive) or removed (negative).',
      t.int64({ min: -1_000_000, max: 1_000_000 }),
    ),
    field(
      'reason',
      'Why the stock changed.',
      t.enum(['RECEIVED', 'SOLD', 'RETURNED', 'DAMAGED', 'ADJUSTMENT', 'TRANSFER_IN', 'TRANSFER_OUT']),
    ),
    field('note', 'Free-text note from the operator.', t.string({ maxLength: 500 }), { optional: true }),
    field('change_time', 'When the stock changed.', t.timestamp()),
  ],
  key: ['change_id'],
  eventTime: 'change_time',
  clustering: ['product_id', 'warehouse_id'],
});
