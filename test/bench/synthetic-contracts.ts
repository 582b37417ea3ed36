/**
 * Deterministic synthetic contracts for scale benchmarks: varied field types, nested records and repeated
 * fields, shaped like the example contracts.
 */
import { defineContract, field, t } from '../../contracts/dsl';
import type { Contract } from '../../contracts/model';

export function syntheticContracts(count: number): Contract[] {
  return Array.from({ length: count }, (_, i) =>
    defineContract({
      name: `synthetic_${String(i).padStart(4, '0')}`,
      version: '1.0.0',
      description: `Synthetic stream ${i} for scale benchmarks.`,
      owner: 'bench@example.com',
      fields: [
        field('record_id', 'Record id.', t.string({ format: 'uuid' })),
        field('account_id', 'Account.', t.string({ maxLength: 64 }), { pii: i % 2 === 0 }),
        field('kind', 'Kind.', t.enum(['A', 'B', 'C', `K${i}`])),
        field('amount', 'Amount.', t.numeric({ precision: 18, scale: 2, min: '0' }), { optional: true }),
        field('count', 'Count.', t.int64({ min: 0 })),
        field('ratio', 'Ratio.', t.float64(), { optional: true }),
        field('flag', 'Flag.', t.bool(), { optional: true }),
        field('day', 'Business day.', t.date(), { optional: true }),
        field('payload', 'Opaque payload.', t.json(), { optional: true }),
        field('tags', 'Tags.', t.repeated(t.string({ maxLength: 32 }), { maxItems: 20 }), { optional: true }),
        field(
          'lines',
          'Lines.',
          t.repeated(
            t.record([
              field('sku', 'SKU.', t.string()),
              field('qty', 'Quantity.', t.int64({ min: 1 })),
              field('price', 'Price.', t.numeric({ precision: 18, scale: 2 })),
            ]),
          ),
        ),
        field(
          'context',
          'Context.',
          t.record([
            field('source', 'Source.', t.string()),
            field('ip', 'IP.', t.string({ format: 'ip' }), { optional: true }),
          ]),
          { optional: true },
        ),
        field('occurred_at', 'When it happened.', t.timestamp()),
      ],
      key: ['record_id'],
      eventTime: 'occurred_at',
      partitioning: { granularity: i % 5 === 0 ? 'HOUR' : 'DAY' },
      clustering: ['account_id', 'kind'],
    }),
  );
}
