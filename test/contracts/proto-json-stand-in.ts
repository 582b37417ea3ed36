/**
 * STAND-IN for Pub/Sub's validation of JSON-encoded messages against a PROTOCOL_BUFFER schema. There is no local
 * Pub/Sub to ask, so the schema is parsed by protobufjs (the real parser, which also proves the generated text
 * is valid proto3) and a JSON message is checked against the parsed type by the proto3 JSON mapping
 * (protobuf.dev/programming-guides/json): objects for messages, arrays for repeated fields, null as "absent",
 * original or lowerCamelCase field names, int64 as an integer number or a decimal string, double as a number
 * or "NaN"/"Infinity"/numeric string, bytes as base64, and unknown fields rejected (the parser's default).
 * Accepted messages are also round-tripped through protobufjs encode/decode.
 */
import * as protobuf from 'protobufjs';

export interface ProtoTopic {
  readonly type: protobuf.Type;
  /** null when the message is accepted, else why not. */
  check(message: unknown): string | null;
}

export function protoTopic(definition: string, messageName: string): ProtoTopic {
  const root = protobuf.parse(definition, { keepCase: true }).root;
  const type = root.lookupType(messageName);
  return {
    type,
    check(message: unknown): string | null {
      const problem = checkMessage(type, message, '');
      if (problem) return problem;
      // The accepted JSON must also be a message protobufjs can encode and decode.
      const decoded = type.decode(type.encode(type.fromObject(message as Record<string, unknown>)).finish());
      return decoded ? null : 'did not round-trip';
    },
  };
}

const INT64 = /^-?(0|[1-9][0-9]*)$/;
const BASE64 = /^[A-Za-z0-9+/_-]*={0,2}$/;
const lowerCamel = (name: string) => name.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());

function checkMessage(type: protobuf.Type, value: unknown, path: string): string | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return `${path || '(message)'}: expected a JSON object`;
  const byJsonName = new Map<string, protobuf.Field>();
  for (const f of type.fieldsArray) {
    byJsonName.set(f.name, f);
    byJsonName.set(lowerCamel(f.name), f);
  }
  for (const [key, v] of Object.entries(value)) {
    const field = byJsonName.get(key);
    const at = path ? `${path}.${key}` : key;
    if (!field) return `${at}: unknown field`;
    if (v === null) continue;
    field.resolve();
    if (field.repeated) {
      if (!Array.isArray(v)) return `${at}: repeated field needs a JSON array`;
      for (let i = 0; i < v.length; i++) {
        const problem = checkValue(field, v[i], `${at}[${i}]`);
        if (problem) return problem;
      }
    } else {
      const problem = checkValue(field, v, at);
      if (problem) return problem;
    }
  }
  return null;
}

function checkValue(field: protobuf.Field, v: unknown, at: string): string | null {
  if (field.resolvedType instanceof protobuf.Type) return checkMessage(field.resolvedType, v, at);
  switch (field.type) {
    case 'string':
      return typeof v === 'string' ? null : `${at}: string field needs a JSON string`;
    case 'bool':
      return typeof v === 'boolean' ? null : `${at}: bool field needs true or false`;
    case 'int64': {
      const ok =
        (typeof v === 'number' && Number.isInteger(v)) ||
        (typeof v === 'string' &&
          INT64.test(v) &&
          BigInt(v) <= 9223372036854775807n &&
          BigInt(v) >= -9223372036854775808n);
      return ok ? null : `${at}: int64 field needs an integer or a decimal string`;
    }
    case 'double': {
      const ok =
        typeof v === 'number' ||
        (typeof v === 'string' &&
          (['NaN', 'Infinity', '-Infinity'].includes(v) || (v.trim() !== '' && !Number.isNaN(Number(v)))));
      return ok ? null : `${at}: double field needs a number`;
    }
    case 'bytes':
      return typeof v === 'string' && BASE64.test(v) ? null : `${at}: bytes field needs base64`;
    default:
      throw new Error(`stand-in does not handle proto type ${field.type} (${at})`);
  }
}
