/**
 * The Pub/Sub topic schema: one proto3 message, JSON encoding.
 *
 * Why proto3 and not Avro: Pub/Sub validates JSON-encoded Avro by the Avro JSON spec, where a non-null union
 * value must be wrapped ({"string": "x"}) and a missing optional field fails, so plain JSON producers break on
 * optional fields. proto3's JSON mapping accepts plain JSON: absent or null fields, unwrapped values, and the
 * original snake_case field names. Every event the contract validator accepts therefore passes the topic; the
 * topic also rejects wrong JSON types and undeclared fields, while rules proto3 cannot express (required,
 * enum membership, formats, ranges, lengths) are enforced by the validator at the gateway and in the UDF.
 *
 * Mapping: string, numeric (decimal string), timestamp, date, json (JSON text) and enum travel as `string`
 * (Pub/Sub's BigQuery subscription writes proto enums as INTEGER, and the tables keep enum names as STRING);
 * int64 -> int64, float64 -> double, bool -> bool, bytes -> bytes, record -> nested message, repeated ->
 * `repeated`. Optional scalars use proto3 `optional`. Field numbers follow declaration order; only JSON
 * encoding is supported, where numbers do not appear on the wire.
 */
import type { Contract, FieldSpec, ItemSpec } from '../model';
import { perContract } from './memo';
import { pascalCase } from './names';

const SCALARS: Record<Exclude<ItemSpec['kind'], 'record'>, string> = {
  string: 'string',
  int64: 'int64',
  float64: 'double',
  numeric: 'string',
  bool: 'bool',
  timestamp: 'string',
  date: 'string',
  json: 'string',
  bytes: 'bytes',
  enum: 'string',
};

export function protoMessageName(contract: Pick<Contract, 'name'>): string {
  return pascalCase(contract.name);
}

export const protoSchema = perContract((contract: Contract): string => {
  const header = [
    'syntax = "proto3";',
    '',
    `// ${contract.name} v${contract.version}: ${oneLine(contract.description)}`,
    `// Owner: ${oneLine(contract.owner)}. Generated from the Tributary contract; encoding JSON.`,
  ];
  return `${[...header, ...message(protoMessageName(contract), contract.fields, '')].join('\n')}\n`;
});

function message(name: string, fields: readonly FieldSpec[], indent: string): string[] {
  const nested: string[] = [];
  const used = new Set<string>([name]);
  const lines = fields.map((f, i) => {
    const item: ItemSpec = f.type.kind === 'repeated' ? f.type.items : f.type;
    let typeName: string;
    if (item.kind === 'record') {
      typeName = unique(`${pascalCase(f.name)}Record`, used);
      nested.push('', ...message(typeName, item.fields, `${indent}  `));
    } else {
      typeName = SCALARS[item.kind];
    }
    const label =
      f.type.kind === 'repeated' ? 'repeated ' : f.optional && item.kind !== 'record' ? 'optional ' : '';
    return `${indent}  ${label}${typeName} ${f.name} = ${i + 1}; // ${oneLine(f.description)}`;
  });
  return [`${indent}message ${name} {`, ...lines, ...nested, `${indent}}`];
}

function unique(name: string, used: Set<string>): string {
  let candidate = name;
  for (let n = 2; used.has(candidate); n++) candidate = `${name}${n}`;
  used.add(candidate);
  return candidate;
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}
