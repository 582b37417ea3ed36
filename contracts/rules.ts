/**
 * Validation rules for contracts. Every rule names the field path and the rule it breaks; all problems are
 * collected before anything throws. Identifiers must be acceptable to BigQuery (columns), protobuf (fields)
 * and JavaScript (generated code) at once.
 */

import type { Violation } from '../core/validation';
import { compareDecimal, fitsNumeric, parseDecimal } from './decimal';
import { METADATA_COLUMN_NAMES } from './metadata';
import { type Contract, type FieldSpec, type Kind, STRING_FORMATS, type TypeSpec } from './model';

export const FIELD_NAME_RULE =
  'must be 1-128 characters of lowercase letters, digits and single underscores, start with a letter and not end with an underscore';
const FIELD_NAME = /^[a-z](?:[a-z0-9]|_(?!_))*$/;
export const CONTRACT_NAME = /^[a-z](?:[a-z0-9]|_(?!_)){1,62}$/;
const SEMVER = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$/;
const ENUM_VALUE = /^[A-Za-z][A-Za-z0-9_]{0,63}$/;
const MAX_DEPTH = 15;

/** Words protobuf's grammar or generated JavaScript would trip over. */
export const RESERVED_FIELD_NAMES: readonly string[] = [
  'bool',
  'bytes',
  'constructor',
  'double',
  'enum',
  'extend',
  'extensions',
  'false',
  'fixed32',
  'fixed64',
  'float',
  'group',
  'import',
  'inf',
  'int32',
  'int64',
  'map',
  'max',
  'message',
  'nan',
  'oneof',
  'option',
  'optional',
  'package',
  'prototype',
  'public',
  'repeated',
  'required',
  'reserved',
  'returns',
  'rpc',
  'service',
  'sfixed32',
  'sfixed64',
  'sint32',
  'sint64',
  'stream',
  'string',
  'syntax',
  'to',
  'true',
  'uint32',
  'uint64',
  'weak',
];

/** Kinds allowed as key fields: stable, comparable scalars. */
export const KEY_KINDS: readonly Kind[] = [
  'string',
  'int64',
  'numeric',
  'date',
  'timestamp',
  'bytes',
  'enum',
];
/** Kinds BigQuery can cluster on. */
export const CLUSTER_KINDS: readonly Kind[] = [
  'string',
  'int64',
  'numeric',
  'bool',
  'date',
  'timestamp',
  'enum',
];

export function validateContract(c: Contract): Violation[] {
  const v: Violation[] = [];
  const fail = (field: string, value: unknown, rule: string) => v.push({ field, value, rule });
  if (!c || typeof c !== 'object') return [{ field: '(contract)', value: c, rule: 'must be an object' }];
  if (c.kind !== 'tributary.event-contract') fail('kind', c.kind, 'must be "tributary.event-contract"');
  if (typeof c.name !== 'string' || !CONTRACT_NAME.test(c.name)) {
    fail(
      'name',
      c.name,
      'must be 2-63 characters of lowercase letters, digits and single underscores, starting with a letter',
    );
  }
  if (typeof c.version !== 'string' || !SEMVER.test(c.version))
    fail('version', c.version, 'must be a semantic version such as 1.0.0');
  if (!Number.isInteger(c.tableVersion) || c.tableVersion < 1 || c.tableVersion > 999) {
    fail('tableVersion', c.tableVersion, 'must be a whole number from 1 to 999');
  }
  if (typeof c.description !== 'string' || c.description.trim() === '')
    fail('description', c.description, 'is required');
  if (typeof c.owner !== 'string' || c.owner.trim() === '') fail('owner', c.owner, 'is required');
  if (!['reject', 'drop'].includes(c.unknownFields))
    fail('unknownFields', c.unknownFields, 'must be "reject" or "drop"');

  const fields = Array.isArray(c.fields) ? c.fields : [];
  if (fields.length === 0) fail('fields', c.fields, 'must declare at least one field');
  checkFields(fields, 'fields', 1, v);
  for (const f of fields) {
    if (METADATA_COLUMN_NAMES.includes(f?.name)) {
      fail(
        `fields.${f.name}`,
        f.name,
        `is reserved for platform metadata (${METADATA_COLUMN_NAMES.join(', ')})`,
      );
    }
  }

  const top = new Map(fields.map((f) => [f?.name, f]));
  const keys = Array.isArray(c.key) ? c.key : [];
  if (keys.length === 0) fail('key', c.key, 'must name at least one key field');
  if (new Set(keys).size !== keys.length) fail('key', c.key, 'must not repeat a field');
  for (const k of keys) {
    const f = top.get(k);
    if (!f) fail('key', k, 'must name a top-level field of the contract');
    else {
      if (f.optional) fail(`key.${k}`, k, 'key fields must be required');
      if (!KEY_KINDS.includes(f.type?.kind))
        fail(`key.${k}`, f.type?.kind, `key fields must be one of ${KEY_KINDS.join(', ')}`);
    }
  }

  const et = top.get(c.eventTime);
  if (!et) fail('eventTime', c.eventTime, 'must name a top-level field of the contract');
  else {
    if (et.type?.kind !== 'timestamp')
      fail('eventTime', c.eventTime, `must be a timestamp field (it is ${et.type?.kind})`);
    if (et.optional) fail('eventTime', c.eventTime, 'the event-time field must be required');
  }

  const p = c.partitioning ?? ({} as Contract['partitioning']);
  if (!['DAY', 'HOUR'].includes(p.granularity))
    fail('partitioning.granularity', p.granularity, 'must be DAY or HOUR');
  const pf = top.get(p.field);
  if (!pf) fail('partitioning.field', p.field, 'must name a top-level field of the contract');
  else if (pf.type?.kind !== 'timestamp')
    fail('partitioning.field', p.field, `must be a timestamp field (it is ${pf.type?.kind})`);
  if (pf && p.field !== c.eventTime)
    fail('partitioning.field', p.field, `must be the event-time field "${c.eventTime}"`);

  const cl = Array.isArray(c.clustering) ? c.clustering : [];
  if (cl.length > 4) fail('clustering', cl, 'BigQuery clusters on at most 4 fields');
  if (new Set(cl).size !== cl.length) fail('clustering', cl, 'must not repeat a field');
  for (const name of cl) {
    const f = top.get(name);
    if (!f) fail('clustering', name, 'must name a top-level field of the contract');
    else if (!CLUSTER_KINDS.includes(f.type?.kind)) {
      fail(
        `clustering.${name}`,
        f.type?.kind,
        `cluster fields must be top-level scalars: ${CLUSTER_KINDS.join(', ')}`,
      );
    }
  }
  return v;
}

function checkFields(fields: readonly FieldSpec[], path: string, depth: number, v: Violation[]): void {
  const seen = new Set<string>();
  for (const f of fields) {
    const at = `${path}.${typeof f?.name === 'string' ? f.name : '?'}`;
    if (!f || typeof f !== 'object') {
      v.push({ field: path, value: f, rule: 'each field must be an object' });
      continue;
    }
    if (
      typeof f.name !== 'string' ||
      f.name.length > 128 ||
      !FIELD_NAME.test(f.name) ||
      f.name.endsWith('_')
    ) {
      v.push({ field: at, value: f.name, rule: FIELD_NAME_RULE });
    } else if (RESERVED_FIELD_NAMES.includes(f.name)) {
      v.push({ field: at, value: f.name, rule: 'is a reserved word in protobuf or JavaScript' });
    }
    if (seen.has(f.name)) v.push({ field: at, value: f.name, rule: 'is declared twice' });
    seen.add(f.name);
    if (typeof f.description !== 'string' || f.description.trim() === '')
      v.push({ field: `${at}.description`, value: f.description, rule: 'is required' });
    else if (f.description.length > 1000)
      v.push({
        field: `${at}.description`,
        value: f.description,
        rule: 'must be at most 1000 characters (BigQuery allows 1024, less the PII marker)',
      });
    if (typeof f.optional !== 'boolean')
      v.push({ field: `${at}.optional`, value: f.optional, rule: 'must be true or false' });
    if (typeof f.pii !== 'boolean')
      v.push({ field: `${at}.pii`, value: f.pii, rule: 'must be true or false' });
    checkType(f.type, at, depth, v);
  }
}

function checkType(type: TypeSpec, at: string, depth: number, v: Violation[]): void {
  const fail = (field: string, value: unknown, rule: string) => v.push({ field, value, rule });
  const count = (field: string, value: number | undefined, rule: string) => {
    if (value !== undefined && (!Number.isInteger(value) || value < 0)) fail(field, value, rule);
  };
  switch (type?.kind) {
    case 'string': {
      count(`${at}.minLength`, type.minLength, 'must be a whole number >= 0');
      count(`${at}.maxLength`, type.maxLength, 'must be a whole number >= 0');
      if (type.minLength !== undefined && type.maxLength !== undefined && type.minLength > type.maxLength) {
        fail(`${at}.maxLength`, type.maxLength, 'must not be below minLength');
      }
      if (type.pattern !== undefined) {
        try {
          new RegExp(type.pattern);
        } catch (error) {
          fail(
            `${at}.pattern`,
            type.pattern,
            `must be a valid regular expression (${(error as Error).message})`,
          );
        }
      }
      if (type.format !== undefined && !(STRING_FORMATS as readonly string[]).includes(type.format)) {
        fail(`${at}.format`, type.format, `must be one of ${STRING_FORMATS.join(', ')}`);
      }
      return;
    }
    case 'int64':
      for (const b of ['min', 'max'] as const) {
        if (type[b] !== undefined && !Number.isSafeInteger(type[b]))
          fail(`${at}.${b}`, type[b], 'must be an integer within ±(2^53 - 1)');
      }
      if (type.min !== undefined && type.max !== undefined && type.min > type.max)
        fail(`${at}.max`, type.max, 'must not be below min');
      return;
    case 'float64':
      for (const b of ['min', 'max'] as const) {
        if (type[b] !== undefined && !Number.isFinite(type[b]))
          fail(`${at}.${b}`, type[b], 'must be a finite number');
      }
      if (type.min !== undefined && type.max !== undefined && type.min > type.max)
        fail(`${at}.max`, type.max, 'must not be below min');
      return;
    case 'numeric': {
      const { precision: p, scale: s } = type;
      const shapeOk =
        Number.isInteger(p) && Number.isInteger(s) && s >= 0 && s <= 9 && p - s >= 1 && p - s <= 29;
      if (!shapeOk)
        fail(
          `${at}.precision`,
          { precision: p, scale: s },
          'BigQuery NUMERIC needs 0 <= scale <= 9 and 1 <= precision - scale <= 29',
        );
      for (const b of ['min', 'max'] as const) {
        const bound = type[b];
        if (bound === undefined) continue;
        if (typeof bound !== 'string' || !parseDecimal(bound))
          fail(`${at}.${b}`, bound, 'must be a decimal string such as "0" or "-12.50"');
        else if (shapeOk && !fitsNumeric(bound, p, s))
          fail(`${at}.${b}`, bound, `must fit NUMERIC(${p}, ${s})`);
      }
      if (
        type.min &&
        type.max &&
        parseDecimal(type.min) &&
        parseDecimal(type.max) &&
        compareDecimal(type.min, type.max) > 0
      ) {
        fail(`${at}.max`, type.max, 'must not be below min');
      }
      return;
    }
    case 'bytes':
      if (type.maxBytes !== undefined && (!Number.isInteger(type.maxBytes) || type.maxBytes < 1))
        fail(`${at}.maxBytes`, type.maxBytes, 'must be a whole number >= 1');
      return;
    case 'enum': {
      const values = Array.isArray(type.values) ? type.values : [];
      if (values.length === 0) fail(`${at}.values`, type.values, 'must list at least one value');
      if (new Set(values).size !== values.length) fail(`${at}.values`, values, 'must not repeat a value');
      for (const value of values) {
        if (typeof value !== 'string' || !ENUM_VALUE.test(value))
          fail(
            `${at}.values`,
            value,
            'enum values must be identifiers: a letter, then letters, digits or underscores (at most 64)',
          );
      }
      return;
    }
    case 'record':
      if (depth >= MAX_DEPTH) fail(at, depth + 1, `records nest at most ${MAX_DEPTH} levels deep (BigQuery)`);
      if (!Array.isArray(type.fields) || type.fields.length === 0)
        fail(`${at}.fields`, type.fields, 'a record must declare at least one field');
      else checkFields(type.fields, `${at}.fields`, depth + 1, v);
      return;
    case 'repeated':
      count(`${at}.minItems`, type.minItems, 'must be a whole number >= 0');
      count(`${at}.maxItems`, type.maxItems, 'must be a whole number >= 0');
      if (type.minItems !== undefined && type.maxItems !== undefined && type.minItems > type.maxItems)
        fail(`${at}.maxItems`, type.maxItems, 'must not be below minItems');
      if ((type.items as TypeSpec | undefined)?.kind === 'repeated')
        fail(
          `${at}.items`,
          'repeated',
          'repeated fields cannot hold repeated items (BigQuery has no arrays of arrays)',
        );
      else checkType(type.items, `${at}.items`, depth, v);
      return;
    case 'bool':
    case 'timestamp':
    case 'date':
    case 'json':
      return;
    default:
      fail(
        `${at}.type`,
        (type as { kind?: unknown } | undefined)?.kind,
        'must be one of string, int64, float64, numeric, bool, timestamp, date, json, bytes, enum, record, repeated',
      );
  }
}
