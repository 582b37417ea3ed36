import * as fs from 'node:fs';
import * as path from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import { field, t } from '../../contracts/dsl';
import { type BigQueryField, rawTableSchema, rawTableSpec } from '../../contracts/generators/bigquery';
import { decimalPattern, jsonSchema } from '../../contracts/generators/json-schema';
import { protoMessageName, protoSchema } from '../../contracts/generators/proto';
import { typeScriptType } from '../../contracts/generators/typescript';
import { METADATA_COLUMN_NAMES } from '../../contracts/metadata';
import { generatedArtifacts } from '../../scripts/generated-artifacts';
import { CONTRACTS } from '../../stacks/contracts/index';
import { baseContract } from './fixtures';
import { protoTopic } from './proto-json-stand-in';

const everyType = baseContract((d) => ({
  ...d,
  fields: [
    ...d.fields,
    field('f_float', 'F.', t.float64()),
    field('f_bool', 'B.', t.bool(), { optional: true }),
    field('f_date', 'D.', t.date()),
    field('f_json', 'J.', t.json(), { pii: true }),
    field('f_bytes', 'Y.', t.bytes()),
    field('f_enum', 'E.', t.enum(['A', 'B'])),
    field('f_tags', 'T.', t.repeated(t.string())),
    field('f_rec', 'R.', t.record([field('inner', 'I.', t.int64())]), { optional: true }),
  ],
}));

function allTypes(fields: readonly BigQueryField[]): string[] {
  return fields.flatMap((f) => [f.type, ...allTypes(f.fields ?? [])]);
}

describe('BigQuery schema generator', () => {
  test('uses exactly the type and mode spellings the BigQuery API returns', () => {
    const schema = rawTableSchema(everyType);
    const byName = Object.fromEntries(schema.map((f) => [f.name, f]));
    expect(byName.sale_id).toEqual({
      name: 'sale_id',
      type: 'STRING',
      mode: 'REQUIRED',
      description: 'Sale id.',
    });
    expect(byName.amount).toEqual({
      name: 'amount',
      type: 'NUMERIC',
      mode: 'REQUIRED',
      description: 'Amount.',
      precision: '10',
      scale: '2',
    });
    expect(byName.note).toMatchObject({ type: 'STRING', mode: 'NULLABLE' });
    expect(byName.items).toEqual({
      name: 'items',
      type: 'RECORD',
      mode: 'REPEATED',
      description: 'Items.',
      fields: [
        { name: 'sku', type: 'STRING', mode: 'REQUIRED', description: 'SKU.' },
        { name: 'qty', type: 'INTEGER', mode: 'REQUIRED', description: 'Quantity.' },
      ],
    });
    expect(byName.f_float?.type).toBe('FLOAT');
    expect(byName.f_bool).toMatchObject({ type: 'BOOLEAN', mode: 'NULLABLE' });
    expect(byName.f_date?.type).toBe('DATE');
    expect(byName.f_json).toMatchObject({ type: 'JSON', description: 'J. (PII)' });
    expect(byName.f_bytes?.type).toBe('BYTES');
    expect(byName.f_enum?.type).toBe('STRING');
    expect(byName.f_tags).toMatchObject({ type: 'STRING', mode: 'REPEATED' });
    expect(byName.f_rec).toMatchObject({ type: 'RECORD', mode: 'NULLABLE' });
    const types = allTypes(schema);
    for (const alias of ['STRUCT', 'INT64', 'FLOAT64', 'BOOL', 'DECIMAL', 'BIGDECIMAL', 'ARRAY'])
      expect(types).not.toContain(alias);
  });

  test('appends the platform metadata columns once, all NULLABLE', () => {
    const schema = rawTableSchema(everyType);
    expect(schema.slice(-METADATA_COLUMN_NAMES.length).map((c) => [c.name, c.mode])).toEqual(
      METADATA_COLUMN_NAMES.map((n) => [n, 'NULLABLE']),
    );
    expect(schema.filter((c) => c.name === 'publish_time')).toHaveLength(1);
    expect(schema.find((c) => c.name === 'publish_time')?.type).toBe('TIMESTAMP');
    expect(schema.find((c) => c.name === 'attributes')?.type).toBe('JSON');
  });

  test('describes the raw table: versioned id, partitioning, clustering, primary key', () => {
    expect(rawTableSpec(CONTRACTS[0] as (typeof CONTRACTS)[number])).toMatchObject({
      tableId: 'order_v1',
      partitioning: { type: 'DAY', field: 'order_time' },
      clustering: ['customer_id', 'status'],
      primaryKey: ['order_id'],
    });
  });
});

describe('JSON Schema generator', () => {
  test('compiles under a strict draft 2020-12 ajv, with unknown properties refused everywhere', () => {
    const schema = jsonSchema(everyType) as {
      properties: Record<string, Record<string, unknown>>;
      additionalProperties: boolean;
      required: string[];
    };
    // A consumer's plain ajv (no custom formats or keywords) compiles it; compileValidator checks it strictly.
    const ajv = new Ajv2020({ strict: false, validateFormats: false });
    expect(() => ajv.compile(schema)).not.toThrow();
    expect(schema.additionalProperties).toBe(false);
    expect(schema.properties.items).toMatchObject({ items: { additionalProperties: false } });
    expect(schema.required).not.toContain('note');
    expect(schema.properties.note?.type).toEqual(['string', 'null']);
    expect(schema.properties.f_json).toMatchObject({ 'x-pii': true, format: 'json' });
    expect(schema.properties.sold_at).toMatchObject({ type: 'string', format: 'date-time' });
  });

  test.each([
    [10, 2, ['0', '12345678', '-1.5', '0.01'], ['123456789', '1.234', '01', '1.', '.5', '+1']],
    [5, 0, ['0', '99999', '-7'], ['1.0', '123456']],
    [1, 1, ['0', '0.5'], ['1', '1.0']],
  ])('decimal pattern for NUMERIC(%i, %i)', (precision, scale, good, bad) => {
    const re = new RegExp(decimalPattern(precision, scale));
    for (const g of good) expect(re.test(g)).toBe(true);
    for (const b of bad) expect(re.test(b)).toBe(false);
  });
});

describe('proto3 topic schema generator', () => {
  test('parses with protobufjs as one message with nested records, optional scalars and repeated fields', () => {
    const topic = protoTopic(protoSchema(everyType), protoMessageName(everyType));
    const fields = Object.fromEntries(topic.type.fieldsArray.map((f) => [f.name, f]));
    expect(topic.type.name).toBe('Sale');
    expect(fields.sale_id?.type).toBe('string');
    expect(fields.amount?.type).toBe('string');
    expect(fields.note?.options?.proto3_optional ?? fields.note?.optional).toBeTruthy();
    expect(fields.items?.repeated).toBe(true);
    expect(fields.items?.type).toBe('ItemsRecord');
    expect(fields.f_float?.type).toBe('double');
    expect(fields.f_bytes?.type).toBe('bytes');
    expect(fields.f_enum?.type).toBe('string');
    expect(topic.type.fieldsArray.map((f) => f.id)).toEqual(topic.type.fieldsArray.map((_, i) => i + 1));
  });

  test('gives nested messages distinct names even when field names collide in PascalCase', () => {
    const c = baseContract((d) => ({
      ...d,
      fields: [
        ...d.fields,
        field('item1', 'A.', t.record([field('a', 'A.', t.string())])),
        field('item_1', 'B.', t.record([field('b', 'B.', t.string())])),
      ],
    }));
    const text = protoSchema(c);
    expect(text).toContain('message Item1Record {');
    expect(text).toContain('message Item1Record2 {');
    expect(() => protoTopic(text, 'Sale')).not.toThrow();
  });
});

describe('TypeScript generator', () => {
  test('emits readonly interfaces with optional-or-null fields, literal unions and doc comments', () => {
    const ts = typeScriptType(everyType);
    expect(ts).toContain('export interface Sale {');
    expect(ts).toContain('readonly note?: string | null;');
    expect(ts).toContain('readonly f_enum: "A" | "B";');
    expect(ts).toContain('readonly items: SaleItems[];');
    expect(ts).toContain('export interface SaleItems {');
    expect(ts).toContain('readonly f_tags: string[];');
    expect(ts).toMatch(
      /\/\*\* J\. json: a string holding a JSON document\. Personal data \(PII\)\. \*\/\n {2}readonly f_json: string;/,
    );
  });
});

describe('generated artifacts', () => {
  test('are deterministic', () => {
    expect(generatedArtifacts()).toEqual(generatedArtifacts());
  });

  test('committed files in stacks/contracts/generated match the contracts (run npm run contracts:generate)', () => {
    const dir = path.resolve(__dirname, '../../stacks/contracts/generated');
    const expected = generatedArtifacts();
    expect(fs.readdirSync(dir).sort()).toEqual(Object.keys(expected).sort());
    for (const [file, content] of Object.entries(expected))
      expect(fs.readFileSync(path.join(dir, file), 'utf8')).toBe(content);
  });
});
