/**
 * The contract DSL. A contract is written once:
 *
 *   export const order = defineContract({
 *     name: 'order', version: '1.0.0', owner: 'orders-team@example.com', description: '...',
 *     fields: [
 *       field('order_id', 'Order identifier', t.string({ maxLength: 64 })),
 *       field('order_time', 'When the order was placed', t.timestamp()),
 *     ],
 *     key: ['order_id'], eventTime: 'order_time', clustering: ['order_id'],
 *   });
 *
 * `defineContract` validates everything and throws one error naming the contract, each field and each rule.
 */

import { ValidationError } from '../core/validation';
import type { Contract, FieldSpec, ItemSpec, StringFormat, TypeSpec, UnknownFieldPolicy } from './model';
import { validateContract } from './rules';

export interface FieldOptions {
  /** @default false - the field is required and must not be null */
  readonly optional?: boolean;
  /** @default false */
  readonly pii?: boolean;
}

export function field(
  name: string,
  description: string,
  type: TypeSpec,
  options: FieldOptions = {},
): FieldSpec {
  return { name, description, type, optional: options.optional ?? false, pii: options.pii ?? false };
}

/** Type builders. */
export const t = {
  string: (
    o: { minLength?: number; maxLength?: number; pattern?: string; format?: StringFormat } = {},
  ): TypeSpec => ({
    kind: 'string',
    ...o,
  }),
  int64: (o: { min?: number; max?: number } = {}): TypeSpec => ({ kind: 'int64', ...o }),
  float64: (o: { min?: number; max?: number } = {}): TypeSpec => ({ kind: 'float64', ...o }),
  numeric: (o: { precision: number; scale: number; min?: string; max?: string }): TypeSpec => ({
    kind: 'numeric',
    ...o,
  }),
  bool: (): TypeSpec => ({ kind: 'bool' }),
  timestamp: (): TypeSpec => ({ kind: 'timestamp' }),
  date: (): TypeSpec => ({ kind: 'date' }),
  json: (): TypeSpec => ({ kind: 'json' }),
  bytes: (o: { maxBytes?: number } = {}): TypeSpec => ({ kind: 'bytes', ...o }),
  enum: (values: readonly string[]): TypeSpec => ({ kind: 'enum', values: [...values] }),
  record: (fields: readonly FieldSpec[]): TypeSpec => ({ kind: 'record', fields: [...fields] }),
  repeated: (items: TypeSpec, o: { minItems?: number; maxItems?: number } = {}): TypeSpec =>
    ({ kind: 'repeated', items: items as ItemSpec, ...o }) as TypeSpec,
};

export interface ContractDefinition {
  readonly name: string;
  readonly version: string;
  /** @default 1 */
  readonly tableVersion?: number;
  readonly description: string;
  readonly owner: string;
  readonly fields: readonly FieldSpec[];
  readonly key: string | readonly string[];
  readonly eventTime: string;
  /** @default - DAY partitions on the event-time field */
  readonly partitioning?: { readonly granularity?: 'DAY' | 'HOUR'; readonly field?: string };
  /** @default - no clustering */
  readonly clustering?: readonly string[];
  /** @default 'reject' */
  readonly unknownFields?: UnknownFieldPolicy;
}

/** Builds a contract, validates it, and returns it frozen. */
export function defineContract(def: ContractDefinition): Contract {
  const contract: Contract = {
    kind: 'tributary.event-contract',
    name: def.name,
    version: def.version,
    tableVersion: def.tableVersion ?? 1,
    description: def.description,
    owner: def.owner,
    fields: def.fields,
    key: typeof def.key === 'string' ? [def.key] : [...def.key],
    eventTime: def.eventTime,
    partitioning: {
      field: def.partitioning?.field ?? def.eventTime,
      granularity: def.partitioning?.granularity ?? 'DAY',
    },
    clustering: [...(def.clustering ?? [])],
    unknownFields: def.unknownFields ?? 'reject',
  };
  return assertValidContract(contract);
}

// Contracts this module validated and froze: they cannot have changed since, so they are not checked again.
const VALIDATED = new WeakSet<object>();

/** Validates a contract from any source (DSL, lock file) and returns it deep-frozen. */
export function assertValidContract(contract: Contract): Contract {
  if (typeof contract === 'object' && contract !== null && VALIDATED.has(contract)) return contract;
  const violations = validateContract(contract);
  if (violations.length > 0) {
    throw new ValidationError(
      `Contract "${String(contract?.name)}" v${String(contract?.version)}`,
      violations,
    );
  }
  const frozen = deepFreeze(structuredClone(contract));
  VALIDATED.add(frozen);
  return frozen;
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}
