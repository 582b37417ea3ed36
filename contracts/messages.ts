/**
 * The words every validation error uses, defined once: the ajv validator phrases its errors with them, and
 * the generated Dataflow UDF embeds the same texts, so a producer sees the same rule wherever it is checked.
 */
import type { Contract, ItemSpec } from './model';

export const REQUIRED_RULE = 'is required';
export const NULL_FIELD_NOTE = ' (required fields must not be null)';
export const NULL_ITEM_NOTE = ' (array items must not be null)';

const KIND_WORDS: Record<ItemSpec['kind'], string> = {
  string: 'a string',
  int64: 'an int64 (a JSON integer within ±(2^53 - 1))',
  float64: 'a float64 (a finite JSON number)',
  numeric: 'a numeric (a decimal string such as "42.50")',
  bool: 'a bool (true or false)',
  timestamp: 'a timestamp (an RFC 3339 string)',
  date: 'a date (a YYYY-MM-DD string)',
  json: 'a json field (a string holding a JSON document)',
  bytes: 'bytes (a base64 string)',
  enum: 'one of the enum values (a string)',
  record: 'an object',
};

/** "must be <expected>" for a value of the wrong JSON type; `got` is appended by the caller. */
export function typeRule(kind: ItemSpec['kind'] | 'array' | 'event'): string {
  if (kind === 'array') return 'must be an array';
  if (kind === 'event') return 'must be of type object';
  return `must be ${KIND_WORDS[kind]}`;
}

/** How a JSON value is described after "got". */
export function jsonTypeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'number' && !Number.isInteger(value)) return 'a fractional number';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

export const FORMAT_RULES: Readonly<Record<string, string>> = {
  'date-time':
    'must be an RFC 3339 timestamp with T, a time zone (Z or ±hh:mm) and at most 6 fraction digits, e.g. 2026-01-31T12:00:00Z',
  date: 'must be a date written YYYY-MM-DD',
  json: 'must be a string holding a JSON document',
  byte: 'must be standard base64 with padding',
  email: 'must be an email address',
  uuid: 'must be a UUID',
  ipv4: 'must be an IPv4 address',
  ipv6: 'must be an IPv6 address',
  ip: 'must be an IPv4 or IPv6 address',
  uri: 'must be an absolute URI',
};

export function unknownFieldRule(contract: Pick<Contract, 'name' | 'version'>): string {
  return `is not a field of ${contract.name} v${contract.version} (unknown fields are rejected)`;
}

export function numericShapeRule(precision: number, scale: number): string {
  return `must be a decimal string with at most ${precision - scale} integer digits and ${scale} decimals (NUMERIC(${precision}, ${scale}))`;
}

export function patternRule(anchored: string): string {
  return `must match the pattern ${anchored}`;
}

export function enumRule(values: readonly string[]): string {
  return `must be one of ${values.join(', ')}`;
}

export function boundRule(side: 'min' | 'max', limit: number | string): string {
  return `must be ${side === 'min' ? '>=' : '<='} ${limit}`;
}

export function decimalRangeRule(min: string | undefined, max: string | undefined): string {
  if (min !== undefined && max !== undefined) return `must be between ${min} and ${max}`;
  return min !== undefined ? `must be >= ${min}` : `must be <= ${max}`;
}

export function lengthRule(side: 'min' | 'max', limit: number): string {
  return `must be ${side === 'min' ? 'at least' : 'at most'} ${limit} characters long`;
}

export function itemsRule(side: 'min' | 'max', limit: number): string {
  return `must hold ${side === 'min' ? 'at least' : 'at most'} ${limit} items`;
}
