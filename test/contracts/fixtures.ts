import * as fs from 'node:fs';
import * as path from 'node:path';
import { type ContractDefinition, defineContract, field, t } from '../../contracts/dsl';
import type { Contract } from '../../contracts/model';

/** A small valid contract to vary in tests. */
export function baseDefinition(): ContractDefinition {
  return {
    name: 'sale',
    version: '1.0.0',
    description: 'A sale.',
    owner: 'sales@example.com',
    fields: [
      field('sale_id', 'Sale id.', t.string({ maxLength: 32 })),
      field('amount', 'Amount.', t.numeric({ precision: 10, scale: 2 })),
      field('note', 'Note.', t.string(), { optional: true }),
      field(
        'items',
        'Items.',
        t.repeated(
          t.record([field('sku', 'SKU.', t.string()), field('qty', 'Quantity.', t.int64({ min: 1 }))]),
        ),
      ),
      field('sold_at', 'When.', t.timestamp()),
    ],
    key: ['sale_id'],
    eventTime: 'sold_at',
    clustering: ['sale_id'],
  };
}

export function baseContract(change: (d: ContractDefinition) => ContractDefinition = (d) => d): Contract {
  return defineContract(change(baseDefinition()));
}

const SAMPLES = path.resolve(__dirname, '../../stacks/contracts/samples');

export function validSamples(name: string): unknown[] {
  return readLines(path.join(SAMPLES, `${name}.valid.ndjson`));
}

export function invalidSamples(name: string): { event: unknown; reason: string }[] {
  return readLines(path.join(SAMPLES, `${name}.invalid.ndjson`)) as { event: unknown; reason: string }[];
}

function readLines(file: string): unknown[] {
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l));
}
