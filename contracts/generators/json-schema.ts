/**
 * JSON Schema (draft 2020-12) for a contract's events, as producers send them.
 *
 * Unknown properties: every object has `additionalProperties: false`. With the contract's default policy
 * (`reject`) an undeclared property fails validation and is reported by name. With `drop`, validators built by
 * `compileValidator` first remove undeclared properties and report them next to the accepted event, then
 * validate against this same schema; nothing is removed silently.
 *
 * Optional fields may be absent or null. Custom formats (registered by `compileValidator`): `date-time`
 * (RFC 3339 with a time zone, at most microseconds, years 0001-9999), `date`, `json` (a string holding a JSON
 * document), `byte` (standard base64). Annotations: `x-pii` on personal data, `x-decimal` on NUMERIC fields.
 */
import type { Contract, FieldSpec, ItemSpec } from '../model';
import { describe } from './names';

export type JsonSchema = { readonly [keyword: string]: unknown };

const SAFE = Number.MAX_SAFE_INTEGER;

export function jsonSchema(contract: Contract): JsonSchema {
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: `urn:tributary:contract:${contract.name}:${contract.version}`,
    title: contract.name,
    description: contract.description,
    ...objectSchema(contract.fields),
    'x-tributary': {
      version: contract.version,
      owner: contract.owner,
      key: contract.key,
      eventTime: contract.eventTime,
      unknownFields: contract.unknownFields,
    },
  };
}

function objectSchema(fields: readonly FieldSpec[]): JsonSchema {
  return {
    type: 'object',
    properties: Object.fromEntries(fields.map((f) => [f.name, fieldSchema(f)])),
    required: fields.filter((f) => !f.optional).map((f) => f.name),
    additionalProperties: false,
  };
}

function fieldSchema(f: FieldSpec): JsonSchema {
  const base =
    f.type.kind === 'repeated'
      ? {
          type: 'array',
          items: itemSchema(f.type.items),
          ...(f.type.minItems !== undefined ? { minItems: f.type.minItems } : {}),
          ...(f.type.maxItems !== undefined ? { maxItems: f.type.maxItems } : {}),
        }
      : itemSchema(f.type);
  const annotated = {
    description: describe(f.description, f.pii),
    ...(f.pii ? { 'x-pii': true } : {}),
    ...base,
  };
  return f.optional ? nullable(annotated) : annotated;
}

function nullable(schema: JsonSchema): JsonSchema {
  const withNullType = { ...schema, type: [schema.type, 'null'] };
  return Array.isArray(schema.enum) ? { ...withNullType, enum: [...schema.enum, null] } : withNullType;
}

/** The schema of one value of a type (never null). */
export function itemSchema(type: ItemSpec): JsonSchema {
  switch (type.kind) {
    case 'string':
      return {
        type: 'string',
        ...(type.minLength !== undefined ? { minLength: type.minLength } : {}),
        ...(type.maxLength !== undefined ? { maxLength: type.maxLength } : {}),
        ...(type.pattern !== undefined ? { pattern: `^(?:${type.pattern})$` } : {}),
        ...(type.format !== undefined ? { format: type.format } : {}),
      };
    case 'int64':
      return { type: 'integer', minimum: type.min ?? -SAFE, maximum: type.max ?? SAFE };
    case 'float64':
      return {
        type: 'number',
        ...(type.min !== undefined ? { minimum: type.min } : {}),
        ...(type.max !== undefined ? { maximum: type.max } : {}),
      };
    case 'numeric':
      return {
        type: 'string',
        pattern: decimalPattern(type.precision, type.scale),
        'x-decimal': {
          precision: type.precision,
          scale: type.scale,
          ...(type.min !== undefined ? { min: type.min } : {}),
          ...(type.max !== undefined ? { max: type.max } : {}),
        },
      };
    case 'bool':
      return { type: 'boolean' };
    case 'timestamp':
      return { type: 'string', format: 'date-time' };
    case 'date':
      return { type: 'string', format: 'date' };
    case 'json':
      return { type: 'string', format: 'json', contentMediaType: 'application/json' };
    case 'bytes':
      return {
        type: 'string',
        format: 'byte',
        contentEncoding: 'base64',
        ...(type.maxBytes !== undefined ? { maxLength: Math.ceil(type.maxBytes / 3) * 4 } : {}),
      };
    case 'enum':
      return { type: 'string', enum: [...type.values] };
    case 'record':
      return objectSchema(type.fields);
  }
}

/** Decimal strings that fit NUMERIC(precision, scale). */
export function decimalPattern(precision: number, scale: number): string {
  const integerDigits = precision - scale;
  const integer = integerDigits === 1 ? '[0-9]' : `(?:0|[1-9][0-9]{0,${integerDigits - 1}})`;
  return scale === 0 ? `^-?${integer}$` : `^-?${integer}(?:\\.[0-9]{1,${scale}})?$`;
}
